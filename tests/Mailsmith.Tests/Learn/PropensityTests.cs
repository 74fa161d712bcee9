using Mailsmith.Learn;
using Mailsmith.Learn.Propensity;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

public sealed class PropensityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-propensity-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Auc_HandComputed()
    {
        // Positives 0.8, 0.4; negatives 0.6, 0.2, 0.4. Ranks: 0.2→1, 0.4→2.5 (tie), 0.6→4, 0.8→5;
        // positives' rank sum 5 + 2.5 = 7.5; AUC = (7.5 − 2·3/2) / (2·3) = 0.75.
        Assert.Equal(0.75, PropensityTrainer.Auc([0.8f, 0.6f, 0.4f, 0.2f, 0.4f], [true, false, true, false, false]), 12);
        Assert.Equal(1, PropensityTrainer.Auc([0.9f, 0.1f], [true, false]), 12);
    }

    [Fact]
    public void Train_SyntheticSends_GbmFindsTheSignalAndIsCalibrated()
    {
        var data = SyntheticSends.Generate(40_000, 3);
        var result = PropensityTrainer.TrainAndEvaluate(data, 0.25, gbm: new Mailsmith.Learn.Models.GbmSettings { Trees = 80 });
        var gbm = result.Scores.Single(s => s.Learner == "lightgbm");
        var logistic = result.Scores.Single(s => s.Learner == "logistic");
        Assert.Equal(10_000, result.HoldoutRows);
        Assert.True(gbm.Auc > 0.65, $"lightgbm AUC {gbm.Auc:0.000}");
        Assert.True(logistic.Auc > 0.6, $"logistic AUC {logistic.Auc:0.000}");
        Assert.Equal(10, gbm.Calibration.Count);
        // Calibrated: the mean prediction is near the observed rate, and the top decile responds most.
        Assert.InRange(gbm.MeanPredicted, gbm.ObservedRate * 0.8, gbm.ObservedRate * 1.25);
        Assert.True(gbm.Calibration[^1].Observed > 2 * gbm.Calibration[0].Observed);
        // The trees are scored by the flat evaluator, which reproduced ML.NET's probabilities at fit time.
        Assert.True(result.Models["lightgbm"].FastScoring);
        var png = PropensityTrainer.ReliabilityPlot(Path.Combine(_dir, "r.png"), result.Scores, "click");
        Assert.True(new FileInfo(png).Length > 1000);
    }

    [Fact]
    public void Fit_LightGbmWithMissingValues_FlatScoringMatchesItsOwnCheck()
    {
        var random = new Random(4);
        var x = Enumerable.Range(0, 6000).Select(_ => new[] { random.NextDouble() < 0.3 ? float.NaN : (float)random.NextDouble(), (float)random.NextDouble() }).ToList();
        var y = x.Select(r => random.NextDouble() < (float.IsNaN(r[0]) ? 0.6 : r[0] * 0.5 + r[1] * 0.2)).ToList();
        var model = Mailsmith.Learn.Models.BinaryClassifier.Fit(x, y, Mailsmith.Learn.Models.LearnerKind.LightGbm, 1, gbm: new Mailsmith.Learn.Models.GbmSettings { Trees = 30, MinRowsPerLeaf = 50 });
        Assert.True(model.FastScoring);
        var p = model.Predict(x);
        // Missing values go where the trees learned they respond most (about 0.6 here).
        Assert.InRange(Enumerable.Range(0, x.Count).Where(i => float.IsNaN(x[i][0])).Average(i => p[i]), 0.5, 0.7);
    }

    [Fact]
    public void Build_FromStore_LabelsClicksPerSend()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        var now = DateTimeOffset.Parse("2026-11-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var campaign = store.CreateCampaign("winback", "t", "default", [new CampaignVariant("A", 1), new CampaignVariant("B", 1)], 5, now);
        var assigner = new VariantAssigner(campaign);
        var sends = store.PlanSends(Enumerable.Range(0, 600).Select(i =>
        {
            var (v, p) = assigner.Assign($"C{i}");
            return new SendPlan(campaign.CampaignId, $"C{i}", v, p, $"k{i}", $"<{i}@x>", SendState.Planned, null, null);
        }), now);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), now);
        foreach (var s in sends.Where((s, i) => s.Variant == "B" && i % 3 == 0))
        {
            store.RecordEngagement(new EngagementEvent(s.SendId, s.CampaignId, s.CustomerId, s.Variant, "click", now.AddHours(2)));
        }
        var data = StorePropensityData.Build(store, MailsmithSettings.Load(null, store.Path), PropensityTarget.Click);
        Assert.Equal(600, data.Labels.Length);
        Assert.Equal(sends.Where((s, i) => s.Variant == "B" && i % 3 == 0).Count(), data.Labels.Count(l => l));
        var variant = data.FeatureNames.ToList().IndexOf("variant_index");
        Assert.All(Enumerable.Range(0, 600).Where(i => data.Labels[i]), i => Assert.Equal(1, data.Features[i][variant]));
        Assert.Throws<InvalidOperationException>(() => StorePropensityData.Build(MailsmithStore.Open(Path.Combine(_dir, "empty.db")), MailsmithSettings.Load(null, "x.db"), PropensityTarget.Click));
    }
}
