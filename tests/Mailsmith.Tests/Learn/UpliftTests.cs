using Mailsmith.Learn.Models;
using Mailsmith.Learn.Uplift;

namespace Mailsmith.Tests.Learn;

public sealed class UpliftTests : IDisposable
{
    private static readonly bool[] Y = [true, false, true, false, true, false, false, true, false, false];
    private static readonly bool[] T = [true, true, false, false, true, false, true, false, true, false];
    private static readonly double[] Distinct = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0];
    private static readonly double[] Tied = [0.5, 0.5, 0.2, 0.2, 0.9, 0.1, 0.5, 0.2, 0.3, 0.9];
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-uplift-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void UpliftAtK_HandComputed()
    {
        // Top ⌊10·0.3⌋ = 3 rows: treated 0, 1 (1 of 2 respond), control 2 (responds): 0.5 − 1 = −0.5.
        Assert.Equal(-0.5, UpliftMetrics.UpliftAtK(Y, Distinct, T, 0.3), 12);
        // Top 5: treated 0, 1, 4 (2 of 3), control 2, 3 (1 of 2): 2/3 − 1/2.
        Assert.Equal(2.0 / 3 - 0.5, UpliftMetrics.UpliftAtK(Y, Distinct, T, 0.5), 12);
        // Ties: 0.9 at rows 9 and 4 come as 9, 4 (numpy's reversed stable sort); top 3 = rows 9, 4, 6.
        Assert.Equal(0.5 - 0, UpliftMetrics.UpliftAtK(Y, Tied, T, 0.3), 12);
    }

    [Fact]
    public void QiniCurve_OnePointPerDistinctScore()
    {
        var (x, y) = UpliftMetrics.QiniCurve(Y, Tied, T);
        Assert.Equal([0, 2, 5, 6, 9, 10], x);
        Assert.Equal([0, 1.0, 2.0, 2.0, -0.5, 0.0], y);
    }

    [Fact]
    public void NormalizedAreas_MatchScikitUplift()
    {
        // Reference values from a line-by-line transcription of sklift.metrics (qini_auc_score, uplift_auc_score).
        Assert.Equal(0.16666666666666669, UpliftMetrics.QiniAucScore(Y, Distinct, T), 12);
        Assert.Equal(0.1285714285714286, UpliftMetrics.UpliftAucScore(Y, Distinct, T), 12);
        Assert.Equal(0.59375, UpliftMetrics.QiniAucScore(Y, Tied, T), 12);
        Assert.Equal(0.46428571428571436, UpliftMetrics.UpliftAucScore(Y, Tied, T), 12);
    }

    [Fact]
    public void Targeting_SkipsSureThingsAndDoNotDisturbs()
    {
        Assert.Equal(UpliftGroup.SureThing, UpliftTargeting.Classify(0.8, 0.8));
        Assert.Equal(UpliftGroup.DoNotDisturb, UpliftTargeting.Classify(0.1, 0.3));
        Assert.Equal(UpliftGroup.LostCause, UpliftTargeting.Classify(0.01, 0.01));
        float[] treated = [0.9f, 0.30f, 0.2f, 0.5f, 0.25f];
        float[] control = [0.9f, 0.10f, 0.4f, 0.2f, 0.20f];
        Assert.Equal([3, 1], UpliftTargeting.Select(treated, control, budget: 2));
    }

    [Fact]
    public async Task Evaluate_HillstromShaped_ModelsFindTheUplift()
    {
        var file = Path.Combine(_dir, "hillstrom.csv");
        await HillstromGenerator.WriteCsvAsync(file, rows: 12_000, seed: 42);
        var data = await UpliftDataset.ReadCsvAsync(file, "segment", "Mens E-Mail", "No E-Mail", "visit", ["conversion", "spend"]);
        Assert.InRange(data.Dropped, 3500, 4500);
        Assert.Contains("zip_code", data.FeatureNames);
        Assert.True(data.IsCategorical[data.FeatureNames.ToList().IndexOf("channel")]);
        var gbm = new GbmSettings { Trees = 60 };
        var result = UpliftEvaluation.Evaluate(data, 0.5, 42, 0.3,
            [new ClassTransformationUplift(LearnerKind.LightGbm, gbm), new TwoModelUplift(LearnerKind.LogisticRegression)]);
        var ate = Ate(result.TestOutcome, result.TestTreatment);
        foreach (var (name, score) in result.Scores)
        {
            // The men's e-mail works best on men's buyers: targeting the top 30% must beat e-mailing at random.
            Assert.True(score.UpliftAtK > ate, $"{name}: uplift@30% {score.UpliftAtK:0.000} ≤ ATE {ate:0.000}");
            Assert.True(score.Qini > 0 && score.Auuc > 0, name);
        }
    }

    [Fact]
    public async Task ReadCsv_BadInput_NamesFileLineAndField()
    {
        var file = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(file, "group,x,y\nT,1,1\nC,2,maybe\n");
        var e = await Assert.ThrowsAsync<FormatException>(() => UpliftDataset.ReadCsvAsync(file, "group", "T", "C", "y"));
        Assert.Contains("bad.csv:3: y", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<FormatException>(() => UpliftDataset.ReadCsvAsync(file, "grp", "T", "C", "y"));
        await File.WriteAllTextAsync(file, "group,x,y\nT,1,1\nT,2,0\nX,3,1\n");
        Assert.Contains("both", (await Assert.ThrowsAsync<FormatException>(() => UpliftDataset.ReadCsvAsync(file, "group", "T", "C", "y"))).Message, StringComparison.Ordinal);
    }

    private static double Ate(bool[] y, bool[] t)
    {
        double yt = 0, nt = 0, yc = 0, nc = 0;
        for (var i = 0; i < y.Length; i++)
        {
            if (t[i]) { nt++; yt += y[i] ? 1 : 0; } else { nc++; yc += y[i] ? 1 : 0; }
        }
        return yt / nt - yc / nc;
    }
}
