namespace Mailsmith.Learn;

/// <summary>The fixed-horizon verdict on a classic A/B(/n) test.</summary>
/// <param name="Winner">The arm to send to everyone else: the declared winner, or the control when nothing won.</param>
/// <param name="WinnerDeclared">True when a treatment beat the control significantly (after the omnibus gate and Bonferroni).</param>
/// <param name="Comparisons">Each treatment against the control, unadjusted p-values; significance uses <see cref="ComparisonAlpha"/>.</param>
public sealed record AbVerdict(
    string Control,
    string Winner,
    bool WinnerDeclared,
    double Alpha,
    double ComparisonAlpha,
    double ChiSquared,
    int DegreesOfFreedom,
    double OmnibusPValue,
    IReadOnlyList<ArmCounts> Arms,
    IReadOnlyList<Interval> RateIntervals,
    IReadOnlyList<ProportionComparison> Comparisons,
    string Reason);

/// <summary>
/// Analyses a fixed-horizon A/B/n test once, at its planned end: the chi-squared test of homogeneity gates the
/// pairwise two-proportion z-tests of each treatment against the control at α/(k−1) (Bonferroni); the winner is
/// the best treatment that is significantly better than the control, else the control is kept.
/// </summary>
/// <remarks>
/// Valid only when looked at once, after the planned sample is in (no peeking): <see cref="AbTestPolicy"/> calls it
/// exactly once. The family-wise chance of declaring a winner in an A/A test is at most α/2 (only improvements win).
/// </remarks>
public static class AbTestAnalysis
{
    /// <param name="arms">All arms; <paramref name="control"/> names the one kept when nothing wins (default the first).</param>
    public static AbVerdict Analyse(IReadOnlyList<ArmCounts> arms, string? control = null, double alpha = 0.05, double confidence = 0.95)
    {
        if (arms.Count == 0)
        {
            throw new ArgumentException("an A/B test needs at least one arm", nameof(arms));
        }
        var controlArm = control is null ? arms[0] : arms.FirstOrDefault(a => a.Name == control)
            ?? throw new ArgumentException($"control arm '{control}' is not among the arms", nameof(control));
        var intervals = arms.Select(a => Proportions.Wilson(a.Successes, a.Trials, confidence)).ToList();
        var (chi, df, omnibus) = Proportions.ChiSquaredTest(arms);
        var treatments = arms.Where(a => !ReferenceEquals(a, controlArm)).ToList();
        var comparisonAlpha = treatments.Count == 0 ? alpha : alpha / treatments.Count;
        var comparisons = treatments.Select(t => Proportions.Compare(controlArm, t, confidence)).ToList();
        if (treatments.Count == 0)
        {
            return new AbVerdict(controlArm.Name, controlArm.Name, false, alpha, comparisonAlpha, chi, df, omnibus, arms, intervals, comparisons, "only one arm");
        }
        // With two arms the chi-squared test is the square of the z-test; with more it keeps the family-wise rate honest.
        if (treatments.Count > 1 && omnibus >= alpha)
        {
            return new AbVerdict(controlArm.Name, controlArm.Name, false, alpha, comparisonAlpha, chi, df, omnibus, arms, intervals, comparisons,
                $"no difference between arms (chi-squared p = {omnibus:0.###} ≥ {alpha}): keep the control");
        }
        var better = comparisons.Where(c => c.Difference > 0 && c.PValue < comparisonAlpha).OrderByDescending(c => c.Difference).FirstOrDefault();
        if (better is null)
        {
            return new AbVerdict(controlArm.Name, controlArm.Name, false, alpha, comparisonAlpha, chi, df, omnibus, arms, intervals, comparisons,
                $"no treatment beats the control at p < {comparisonAlpha:0.####}: keep the control");
        }
        return new AbVerdict(controlArm.Name, better.Treatment, true, alpha, comparisonAlpha, chi, df, omnibus, arms, intervals, comparisons,
            $"{better.Treatment} beats {controlArm.Name} (p = {better.PValue:0.####} < {comparisonAlpha:0.####})");
    }
}
