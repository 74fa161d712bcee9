namespace Mailsmith.Profile.Clv;

/// <summary>Customers with the same number of calibration repeat purchases, compared over the holdout period.</summary>
/// <param name="X">Calibration repeat purchases; the last group holds this many or more.</param>
/// <param name="OrMore">True for the open-ended last group ("7+").</param>
/// <param name="PredictedMean">Mean over the group of E[Y(holdout) | x, t_x, T].</param>
/// <param name="ActualMean">Mean over the group of the purchases actually made in the holdout.</param>
public sealed record HoldoutGroup(int X, bool OrMore, int Customers, double PredictedMean, double ActualMean, double PredictedTotal, int ActualTotal)
{
    public string Label => OrMore ? $"{X}+" : X.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Predicted against actual repeat purchases in the holdout period, in total and by calibration repeat purchases.</summary>
public sealed record HoldoutComparison(int HoldoutDays, int Customers, double Predicted, int Actual, IReadOnlyList<HoldoutGroup> ByFrequency)
{
    /// <summary>Compares the fit's conditional expectations with what customers did after the calibration end.</summary>
    /// <exception cref="ArgumentException">The dataset has no holdout period, or the fit cannot predict.</exception>
    public static HoldoutComparison Compute(ClvFitResult fit, ClvDataset data)
    {
        if (data.HoldoutEnd is null)
        {
            throw new ArgumentException("the dataset has no holdout period");
        }
        var predictor = new ClvPredictor(fit);
        var unit = fit.Options.TimeUnitDays;
        var horizon = data.HoldoutDays / unit;
        var groups = fit.Options.HoldoutMaxFrequency + 1;
        var counts = new int[groups];
        var predicted = new double[groups];
        var actual = new int[groups];
        for (var i = 0; i < data.Count; i++)
        {
            var g = Math.Min(data.Frequency[i], groups - 1);
            counts[g]++;
            predicted[g] += predictor.ExpectedPurchases(data.Frequency[i], data.RecencyDays[i] / unit, data.AgeDays[i] / unit, horizon);
            actual[g] += data.HoldoutPurchases[i];
        }
        var byFrequency = Enumerable.Range(0, groups).Where(g => counts[g] > 0)
            .Select(g => new HoldoutGroup(g, g == groups - 1, counts[g], predicted[g] / counts[g], (double)actual[g] / counts[g], predicted[g], actual[g]))
            .ToList();
        return new HoldoutComparison(data.HoldoutDays, data.Count, predicted.Sum(), actual.Sum(), byFrequency);
    }
}
