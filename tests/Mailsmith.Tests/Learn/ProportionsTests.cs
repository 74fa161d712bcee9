using Mailsmith.Learn;

namespace Mailsmith.Tests.Learn;

public sealed class ProportionsTests
{
    [Fact]
    public void Plan_TenToTwelvePercent_MatchesFleissFormula()
    {
        // (1.95996·√(2·0.11·0.89) + 0.84162·√(0.1·0.9 + 0.12·0.88))² / 0.02² = 3840.8 → 3841 per arm.
        var plan = SampleSizePlanner.Plan(0.10, 0.20, alpha: 0.05, power: 0.8, arms: 2);
        Assert.Equal(3841, plan.PerArm);
        Assert.Equal(7682, plan.Total);
        Assert.Equal(0.12, plan.TreatmentRate, 10);
    }

    [Fact]
    public void Plan_MoreArms_SplitsAlphaAndNeedsMore()
    {
        var two = SampleSizePlanner.Plan(0.02, 0.1, arms: 2);
        var three = SampleSizePlanner.Plan(0.02, 0.1, arms: 3);
        Assert.Equal(0.025, three.ComparisonAlpha, 10);
        Assert.True(three.PerArm > two.PerArm);
        // At a 2% click rate a +10% effect needs ~80k per arm: the reason an A/B test cannot settle it in 200k.
        Assert.InRange(two.PerArm, 80_000, 82_000);
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSizePlanner.Plan(0, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleSizePlanner.Plan(0.5, 0));
    }

    [Fact]
    public void Compare_HandComputedZTest()
    {
        // pooled 0.115, se = √(0.115·0.885·0.002) = 0.014267, z = 0.03 / se = 2.1027, p = 0.0355.
        var c = Proportions.Compare(new ArmCounts("A", 1000, 100), new ArmCounts("B", 1000, 130));
        Assert.Equal(0.03, c.Difference, 10);
        Assert.Equal(2.1027, c.Z, 3);
        Assert.Equal(0.03549, c.PValue, 4);
        Assert.Equal(0.3, c.Lift!.Value, 10);
        Assert.True(c.DifferenceInterval.Low > 0 && c.DifferenceInterval.Contains(0.03));
        Assert.True(c.LiftInterval!.Value.Low > 0);
        var (chi, df, p) = Proportions.ChiSquaredTest([new ArmCounts("A", 1000, 100), new ArmCounts("B", 1000, 130)]);
        Assert.Equal(1, df);
        Assert.Equal(c.Z * c.Z, chi, 6);
        Assert.Equal(c.PValue, p, 6);
    }

    [Fact]
    public void Wilson_KnownInterval()
    {
        // 10 of 100 at 95%: Wilson gives [0.0552, 0.1744].
        var ci = Proportions.Wilson(10, 100);
        Assert.Equal(0.0552, ci.Low, 3);
        Assert.Equal(0.1744, ci.High, 3);
    }

    [Fact]
    public void Analyse_DeclaresOnlySignificantImprovements()
    {
        var win = AbTestAnalysis.Analyse([new ArmCounts("A", 10_000, 200), new ArmCounts("B", 10_000, 200), new ArmCounts("C", 10_000, 290)]);
        Assert.True(win.WinnerDeclared);
        Assert.Equal("C", win.Winner);
        Assert.Equal(0.025, win.ComparisonAlpha, 10);

        var none = AbTestAnalysis.Analyse([new ArmCounts("A", 10_000, 200), new ArmCounts("B", 10_000, 215)]);
        Assert.False(none.WinnerDeclared);
        Assert.Equal("A", none.Winner);

        // The control itself being best is not a winner: it is what is kept anyway.
        var worse = AbTestAnalysis.Analyse([new ArmCounts("A", 10_000, 300), new ArmCounts("B", 10_000, 200)]);
        Assert.False(worse.WinnerDeclared);
        Assert.Equal("A", worse.Winner);
    }

    [Fact]
    public void SequentialTest_GrowsWithEvidenceAndStaysSmallWithout()
    {
        var tau = 0.002;
        var same = SequentialTest.LikelihoodRatio(new ArmCounts("A", 50_000, 1000), new ArmCounts("B", 50_000, 1000), tau);
        var apart = SequentialTest.LikelihoodRatio(new ArmCounts("A", 50_000, 1300), new ArmCounts("B", 50_000, 1000), tau);
        Assert.True(same < 1);
        Assert.True(apart > 1000);
        Assert.True(SequentialTest.ChampionBeatsAll([new ArmCounts("A", 50_000, 1300), new ArmCounts("B", 50_000, 1000)], 0, 0.05, tau));
        Assert.False(SequentialTest.ChampionBeatsAll([new ArmCounts("A", 50_000, 1300), new ArmCounts("B", 50_000, 1000)], 1, 0.05, tau));
    }
}
