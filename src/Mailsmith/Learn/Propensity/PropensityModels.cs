using System.Diagnostics;
using Mailsmith.Learn.Models;

namespace Mailsmith.Learn.Propensity;

/// <summary>Rows for a response model: features per (recipient, message), the outcome, and when the message went out.</summary>
public sealed record PropensityData(IReadOnlyList<string> FeatureNames, IReadOnlyList<float[]> Features, bool[] Labels, DateTimeOffset[] SentAt);

/// <summary>One reliability bin: mean predicted probability against the observed rate.</summary>
public sealed record CalibrationBin(double MeanPredicted, double Observed, int Count);

/// <summary>How one learner did on the time-based holdout.</summary>
/// <param name="Auc">ROC AUC (ties averaged).</param>
/// <param name="Brier">Mean squared error of the probability.</param>
/// <param name="Calibration">Ten bins by predicted-probability decile.</param>
public sealed record PropensityScore(string Learner, double Auc, double Brier, double MeanPredicted, double ObservedRate, IReadOnlyList<CalibrationBin> Calibration, double TrainSeconds, double ScoreSeconds);

/// <summary>The fitted learners and their holdout scores.</summary>
public sealed record PropensityResult(IReadOnlyList<PropensityScore> Scores, IReadOnlyDictionary<string, BinaryClassifier> Models, int TrainRows, int HoldoutRows, DateTimeOffset HoldoutFrom);

/// <summary>
/// Trains P(response) models — LightGBM and the logistic-regression baseline — on every send before a cut-off and
/// scores them on the sends after it (a time-based holdout: the model is judged on the future, as it is used).
/// </summary>
public static class PropensityTrainer
{
    /// <param name="holdoutShare">Share of the latest sends kept for evaluation. Default 0.2.</param>
    public static PropensityResult TrainAndEvaluate(PropensityData data, double holdoutShare = 0.2, int seed = 42, GbmSettings? gbm = null, IProgress<string>? progress = null)
    {
        if (holdoutShare is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(holdoutShare), holdoutShare, "the holdout share must be between 0 and 1");
        }
        var order = Enumerable.Range(0, data.Labels.Length).OrderBy(i => data.SentAt[i]).ThenBy(i => i).ToArray();
        var cut = (int)Math.Round(order.Length * (1 - holdoutShare));
        var train = order[..cut];
        var test = order[cut..];
        if (train.Length == 0 || test.Length == 0)
        {
            throw new InvalidOperationException($"{data.Labels.Length} sends are too few for a time-based holdout");
        }
        var xTrain = train.Select(i => data.Features[i]).ToList();
        var yTrain = train.Select(i => data.Labels[i]).ToList();
        var xTest = test.Select(i => data.Features[i]).ToList();
        var yTest = test.Select(i => data.Labels[i]).ToArray();
        var scores = new List<PropensityScore>();
        var models = new Dictionary<string, BinaryClassifier>(StringComparer.Ordinal);
        foreach (var (name, kind) in new[] { ("lightgbm", LearnerKind.LightGbm), ("logistic", LearnerKind.LogisticRegression) })
        {
            progress?.Report(name);
            var clock = Stopwatch.StartNew();
            var model = BinaryClassifier.Fit(xTrain, yTrain, kind, seed, gbm: gbm);
            var trainSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var p = model.Predict(xTest);
            var scoreSeconds = clock.Elapsed.TotalSeconds;
            models[name] = model;
            scores.Add(new PropensityScore(name, Auc(p, yTest), Brier(p, yTest), p.Average(x => (double)x), yTest.Average(y => y ? 1.0 : 0), Calibration(p, yTest), trainSeconds, scoreSeconds));
        }
        return new PropensityResult(scores, models, train.Length, test.Length, data.SentAt[test[0]]);
    }

    /// <summary>ROC AUC by the rank-sum (Mann–Whitney) formula, ties given their average rank.</summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSum += rank;
                    positives++;
                }
            }
            i = j + 1;
        }
        var negatives = scores.Count - positives;
        return positives == 0 || negatives == 0 ? double.NaN : (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    public static double Brier(IReadOnlyList<float> p, IReadOnlyList<bool> y) => Enumerable.Range(0, p.Count).Average(i => Math.Pow(p[i] - (y[i] ? 1 : 0), 2));

    /// <summary>Ten reliability bins by decile of the predicted probability.</summary>
    public static IReadOnlyList<CalibrationBin> Calibration(IReadOnlyList<float> p, IReadOnlyList<bool> y, int bins = 10)
    {
        var order = Enumerable.Range(0, p.Count).OrderBy(i => p[i]).ToArray();
        var result = new List<CalibrationBin>(bins);
        for (var b = 0; b < bins; b++)
        {
            var from = (int)((long)order.Length * b / bins);
            var to = (int)((long)order.Length * (b + 1) / bins);
            if (to <= from)
            {
                continue;
            }
            var slice = order[from..to];
            result.Add(new CalibrationBin(slice.Average(i => (double)p[i]), slice.Average(i => y[i] ? 1.0 : 0), slice.Length));
        }
        return result;
    }

    /// <summary>The reliability diagram of every learner, with the diagonal of perfect calibration.</summary>
    public static string ReliabilityPlot(string path, IReadOnlyList<PropensityScore> scores, string target)
    {
        var plot = Mailsmith.Reporting.ChartStyle.NewPlot($"Reliability of P({target}) on the time-based holdout (deciles)", "mean predicted probability", "observed rate");
        var top = scores.SelectMany(s => s.Calibration).Select(b => Math.Max(b.MeanPredicted, b.Observed)).DefaultIfEmpty(1).Max() * 1.1;
        var diagonal = plot.Add.Line(0, 0, top, top);
        diagonal.LinePattern = ScottPlot.LinePattern.Dashed;
        diagonal.LegendText = "perfectly calibrated";
        foreach (var s in scores)
        {
            var line = plot.Add.Scatter(s.Calibration.Select(b => b.MeanPredicted).ToArray(), s.Calibration.Select(b => b.Observed).ToArray());
            line.LegendText = $"{s.Learner} (AUC {s.Auc:0.000})";
        }
        plot.ShowLegend();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        plot.SavePng(path, 800, 600);
        return path;
    }
}
