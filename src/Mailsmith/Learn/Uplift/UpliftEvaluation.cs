using Mailsmith.Learn.Models;

namespace Mailsmith.Learn.Uplift;

/// <summary>One model's scores on the held-out half.</summary>
/// <param name="UpliftAtK">sklift <c>uplift_at_k(strategy='overall', k)</c>.</param>
/// <param name="Qini">sklift <c>qini_auc_score</c> (normalized, negative effects allowed).</param>
/// <param name="Auuc">sklift <c>uplift_auc_score</c> (normalized area under the uplift curve).</param>
public sealed record UpliftScore(double UpliftAtK, double Qini, double Auuc);

/// <summary>Every model's score plus what the report needs (the test rows' predictions).</summary>
public sealed record UpliftEvaluationResult(
    IReadOnlyDictionary<string, UpliftScore> Scores,
    IReadOnlyDictionary<string, double[]> TestPredictions,
    bool[] TestTreatment,
    bool[] TestOutcome,
    int TrainRows,
    int TestRows,
    double K);

/// <summary>
/// Fits the uplift learners on a stratified random share of a randomized experiment and scores them on the rest
/// with scikit-uplift's metrics: two-model and class transformation, each with LightGBM and with logistic regression.
/// </summary>
public static class UpliftEvaluation
{
    /// <summary>The learners compared, in report order.</summary>
    public static IReadOnlyList<IUpliftModel> DefaultModels(GbmSettings? gbm = null) =>
    [
        new ClassTransformationUplift(LearnerKind.LightGbm, gbm),
        new TwoModelUplift(LearnerKind.LightGbm, gbm),
        new ClassTransformationUplift(LearnerKind.LogisticRegression),
        new TwoModelUplift(LearnerKind.LogisticRegression),
    ];

    public static UpliftEvaluationResult Evaluate(UpliftDataset data, double trainShare = 0.5, int seed = 42, double k = 0.3,
        IReadOnlyList<IUpliftModel>? models = null, IProgress<string>? progress = null)
    {
        var (train, test) = data.Split(trainShare, seed);
        var encoder = new FeatureEncoder(data, train);
        var xTrain = train.Select(i => encoder.Encode(data.Rows[i])).ToList();
        var xTest = test.Select(i => encoder.Encode(data.Rows[i])).ToList();
        var tTrain = train.Select(i => data.Treatment[i]).ToList();
        var yTrain = train.Select(i => data.Outcome[i]).ToList();
        var tTest = test.Select(i => data.Treatment[i]).ToArray();
        var yTest = test.Select(i => data.Outcome[i]).ToArray();
        var scores = new Dictionary<string, UpliftScore>(StringComparer.Ordinal);
        var predictions = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var model in models ?? DefaultModels())
        {
            progress?.Report(model.Name);
            model.Fit(xTrain, tTrain, yTrain, seed);
            var uplift = model.PredictUplift(xTest);
            predictions[model.Name] = uplift;
            scores[model.Name] = new UpliftScore(
                UpliftMetrics.UpliftAtK(yTest, uplift, tTest, k), UpliftMetrics.QiniAucScore(yTest, uplift, tTest), UpliftMetrics.UpliftAucScore(yTest, uplift, tTest));
        }
        return new UpliftEvaluationResult(scores, predictions, tTest, yTest, train.Length, test.Length, k);
    }
}

/// <summary>Who to email under a budget, from a two-model's probabilities.</summary>
public enum UpliftGroup
{
    /// <summary>Responds because of the e-mail: worth sending.</summary>
    Persuadable,

    /// <summary>Responds either way: the e-mail adds nothing.</summary>
    SureThing,

    /// <summary>Responds either way not at all.</summary>
    LostCause,

    /// <summary>Responds less when e-mailed (annoyed, unsubscribes): never send.</summary>
    DoNotDisturb,
}

/// <summary>Budgeted targeting: the persuadables with the highest predicted uplift, never the sure things or do-not-disturbs.</summary>
public static class UpliftTargeting
{
    /// <summary>
    /// Classifies each person by their treated and control probabilities: uplift below −<paramref name="margin"/> is
    /// do-not-disturb; above it persuadable; otherwise a sure thing when the control probability is at least
    /// <paramref name="sureThing"/>, else a lost cause.
    /// </summary>
    public static UpliftGroup Classify(double treated, double control, double margin = 0.005, double sureThing = 0.5) =>
        (treated - control) switch
        {
            var u when u < -margin => UpliftGroup.DoNotDisturb,
            var u when u > margin => UpliftGroup.Persuadable,
            _ => control >= sureThing ? UpliftGroup.SureThing : UpliftGroup.LostCause,
        };

    /// <summary>Indexes of at most <paramref name="budget"/> persuadables, highest uplift first.</summary>
    public static int[] Select(IReadOnlyList<float> treated, IReadOnlyList<float> control, int budget, double margin = 0.005, double sureThing = 0.5) =>
        Enumerable.Range(0, treated.Count)
            .Where(i => Classify(treated[i], control[i], margin, sureThing) == UpliftGroup.Persuadable)
            .OrderByDescending(i => treated[i] - control[i]).ThenBy(i => i)
            .Take(Math.Max(0, budget))
            .ToArray();
}
