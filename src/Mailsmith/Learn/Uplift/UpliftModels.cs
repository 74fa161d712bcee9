using Mailsmith.Learn.Models;

namespace Mailsmith.Learn.Uplift;

/// <summary>An uplift learner: from a randomized experiment, predicts each person's P(respond | treated) − P(respond | not).</summary>
public interface IUpliftModel
{
    /// <summary>Key in reports and JSON.</summary>
    string Name { get; }

    /// <summary>Fits on rows with treatment flags and outcomes.</summary>
    void Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> treatment, IReadOnlyList<bool> outcome, int seed);

    /// <summary>Predicted uplift per row.</summary>
    double[] PredictUplift(IReadOnlyList<float[]> features);
}

/// <summary>
/// The two-model (T-learner) approach: one classifier on the treated, one on the control group; uplift is the
/// difference of their probabilities. Both probabilities are kept, which is what budgeted targeting needs to tell
/// sure things from persuadables.
/// </summary>
public sealed class TwoModelUplift(LearnerKind kind, GbmSettings? gbm = null) : IUpliftModel
{
    private BinaryClassifier? _treated;
    private BinaryClassifier? _control;

    public string Name => kind == LearnerKind.LightGbm ? "two_model_lightgbm" : "two_model_logistic";

    public void Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> treatment, IReadOnlyList<bool> outcome, int seed)
    {
        var t = Enumerable.Range(0, features.Count).Where(i => treatment[i]).ToList();
        var c = Enumerable.Range(0, features.Count).Where(i => !treatment[i]).ToList();
        _treated = BinaryClassifier.Fit(t.Select(i => features[i]).ToList(), t.Select(i => outcome[i]).ToList(), kind, seed, gbm: gbm);
        _control = BinaryClassifier.Fit(c.Select(i => features[i]).ToList(), c.Select(i => outcome[i]).ToList(), kind, seed + 1, gbm: gbm);
    }

    public double[] PredictUplift(IReadOnlyList<float[]> features)
    {
        var (treated, control) = PredictBoth(features);
        return treated.Zip(control, (a, b) => (double)a - b).ToArray();
    }

    /// <summary>P(respond | treated) and P(respond | control) per row.</summary>
    public (float[] Treated, float[] Control) PredictBoth(IReadOnlyList<float[]> features)
    {
        if (_treated is null || _control is null)
        {
            throw new InvalidOperationException("Fit the model first.");
        }
        return (_treated.Predict(features), _control.Predict(features));
    }
}

/// <summary>
/// Class transformation (Jaskowski and Jaroszewicz 2012): one classifier for Z = y·t + (1 − y)(1 − t); with equal
/// treatment and control weight, uplift = 2·P(Z = 1) − 1. Rows are weighted 0.5 / share of their group, so an
/// unbalanced split (a 10% holdout) does not bias the transformation.
/// </summary>
public sealed class ClassTransformationUplift(LearnerKind kind, GbmSettings? gbm = null) : IUpliftModel
{
    private BinaryClassifier? _model;

    public string Name => kind == LearnerKind.LightGbm ? "class_transformation_lightgbm" : "class_transformation_logistic";

    public void Fit(IReadOnlyList<float[]> features, IReadOnlyList<bool> treatment, IReadOnlyList<bool> outcome, int seed)
    {
        var share = treatment.Count(x => x) / (double)treatment.Count;
        var z = Enumerable.Range(0, features.Count).Select(i => outcome[i] == treatment[i]).ToList();
        var weights = treatment.Select(t => (float)(t ? 0.5 / share : 0.5 / (1 - share))).ToList();
        _model = BinaryClassifier.Fit(features, z, kind, seed, weights, gbm);
    }

    public double[] PredictUplift(IReadOnlyList<float[]> features) =>
        (_model ?? throw new InvalidOperationException("Fit the model first.")).Predict(features).Select(p => 2.0 * p - 1).ToArray();
}
