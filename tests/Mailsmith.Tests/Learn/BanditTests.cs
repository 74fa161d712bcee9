using Mailsmith.Learn;

namespace Mailsmith.Tests.Learn;

public sealed class BanditTests
{
    [Fact]
    public void Summarize_ClearWinner_HasHighProbabilityAndNoValueRemaining()
    {
        var s = BayesianArms.Summarize([new ArmCounts("A", 5000, 100), new ArmCounts("B", 5000, 200)], new Random(1), draws: 4000);
        Assert.Equal(1, s.Champion);
        Assert.True(s.Arms[1].ProbabilityBest > 0.999);
        Assert.Equal(0, s.ValueRemaining);
        Assert.Equal(0.04, s.Arms[1].Mean, 3);
        Assert.True(s.Arms[0].ExpectedLoss > 0.015 && s.Arms[1].ExpectedLoss < 1e-4);
        Assert.True(s.Arms[1].Credible.Contains(0.04));
    }

    [Fact]
    public void Summarize_EqualArms_SplitProbability()
    {
        var s = BayesianArms.Summarize([new ArmCounts("A", 1000, 20), new ArmCounts("B", 1000, 20), new ArmCounts("C", 1000, 20)], new Random(2), draws: 6000);
        foreach (var arm in s.Arms)
        {
            Assert.InRange(arm.ProbabilityBest, 0.28, 0.39);
        }
        Assert.True(s.ValueRemaining > 0.1);
    }

    [Fact]
    public void Summarize_RevenueObjective_PrefersHigherRevenuePerRecipient()
    {
        // Same conversion rate; B's orders are worth three times as much.
        var s = BayesianArms.Summarize([new ArmCounts("A", 4000, 80, 80 * 20.0), new ArmCounts("B", 4000, 80, 80 * 60.0)], new Random(3), objective: BanditObjective.RevenuePerRecipient);
        Assert.Equal(1, s.Champion);
        Assert.True(s.Arms[1].ProbabilityBest > 0.99);
    }

    [Fact]
    public void Thompson_AllocatesByProbabilityBest_WithFloor_AndStopsOnClearWinner()
    {
        var options = new LearnOptions { ExplorationFloor = 0.03, PosteriorDraws = 4000 };
        var policy = new ThompsonPolicy(options, new Random(4));
        var learning = policy.Decide(new ExperimentState([new ArmCounts("A", 300, 6), new ArmCounts("B", 300, 9), new ArmCounts("C", 300, 3)], 900, 100_000));
        Assert.Null(learning.Winner);
        Assert.Equal(1, learning.Probabilities.Sum(), 9);
        Assert.All(learning.Probabilities, p => Assert.True(p >= 0.01 - 1e-12));
        Assert.Equal(1, learning.Probabilities.ToList().IndexOf(learning.Probabilities.Max()));

        var decided = policy.Decide(new ExperimentState([new ArmCounts("A", 40_000, 800), new ArmCounts("B", 40_000, 1200), new ArmCounts("C", 40_000, 790)], 120_000, 200_000));
        Assert.Equal(1, decided.Winner);
        Assert.Equal([0.0, 1.0, 0.0], decided.Probabilities);
        // Sticky: a later, contradicting look does not reopen the experiment.
        Assert.Equal(1, policy.Decide(new ExperimentState([new ArmCounts("A", 40_000, 2000), new ArmCounts("B", 40_000, 1200), new ArmCounts("C", 40_000, 790)], 120_000, 200_000)).Winner);
        Assert.True(policy.Conclude(new ExperimentState([], 0, 0)).WinnerDeclared);
    }

    [Fact]
    public void AbPolicy_TestsThenSendsWinnerToEveryone()
    {
        var options = new LearnOptions { BaselineRate = 0.1, MinimumDetectableEffect = 0.2, MaxTestShare = 0.5 };
        var policy = new AbTestPolicy(options);
        Assert.Equal(7682, policy.TestSize(100_000, 2));
        // A small audience caps the test at MaxTestShare.
        Assert.Equal(5000, policy.TestSize(10_000, 2));
        var testing = policy.Decide(new ExperimentState([new ArmCounts("A", 1000, 100), new ArmCounts("B", 1000, 150)], 2000, 100_000));
        Assert.Null(testing.Winner);
        Assert.Equal([0.5, 0.5], testing.Probabilities);
        var after = policy.Decide(new ExperimentState([new ArmCounts("A", 3841, 384), new ArmCounts("B", 3841, 480)], 7682, 100_000));
        Assert.Equal(1, after.Winner);
        Assert.True(policy.Verdict!.WinnerDeclared);
        Assert.Equal([0.0, 1.0], after.Probabilities);
    }

    [Fact]
    public void BatchedExperiment_AssignsByTheBatchProbabilities_AndCounts()
    {
        var experiment = new BatchedExperiment(["A", "B"], _ => new UniformPolicy(), new Dictionary<string, long>(), 1000);
        experiment.BeginBatch();
        Assert.Equal(new ArmAssignment(0, 0.5), experiment.Assign("vip|en-US", 0.2));
        Assert.Equal(new ArmAssignment(1, 0.5), experiment.Assign("vip|en-US", 0.7));
        experiment.RecordSent("vip|en-US", 1);
        experiment.RecordResponse("vip|en-US", 1, 25);
        experiment.RecordSent("new|zh-CN", 0);
        var state = experiment.State("vip|en-US");
        Assert.Equal(1, state.Arms[1].Trials);
        Assert.Equal(1, state.Arms[1].Successes);
        Assert.Equal(25, state.Arms[1].Revenue);
        Assert.Equal(2, experiment.Segments.Count());
        Assert.Equal(2, experiment.TotalCounts().Sum(a => a.Trials));
    }
}
