namespace Mailsmith.Learn;

/// <summary>A fixed-horizon A/B plan: recipients per arm, and what that costs of the audience.</summary>
/// <param name="PerArm">Recipients each arm needs for the requested power.</param>
/// <param name="ComparisonAlpha">The per-comparison significance level after the Bonferroni split over treatments.</param>
public sealed record AbPlan(int Arms, double BaselineRate, double RelativeEffect, double Alpha, double Power, double ComparisonAlpha, long PerArm)
{
    /// <summary>Recipients the whole test needs.</summary>
    public long Total => PerArm * Arms;

    /// <summary>The rate a treatment must reach to be the minimum detectable effect.</summary>
    public double TreatmentRate => BaselineRate * (1 + RelativeEffect);
}

/// <summary>Power analysis for a two-sided two-proportion z-test (the test <see cref="AbTestAnalysis"/> runs).</summary>
public static class SampleSizePlanner
{
    /// <summary>
    /// Recipients per arm to detect a relative change of <paramref name="relativeEffect"/> over
    /// <paramref name="baselineRate"/> with probability <paramref name="power"/>, at family-wise significance
    /// <paramref name="alpha"/> split evenly (Bonferroni) over the <c>arms − 1</c> comparisons with the control.
    /// </summary>
    /// <remarks>n = (z₁₋α/2·√(2p̄q̄) + z₁₋β·√(p₁q₁ + p₂q₂))² / (p₂ − p₁)², the normal-approximation formula of Fleiss.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">A rate, effect, level or arm count outside its range.</exception>
    public static AbPlan Plan(double baselineRate, double relativeEffect, double alpha = 0.05, double power = 0.8, int arms = 2)
    {
        if (baselineRate is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(baselineRate), baselineRate, "the baseline rate must be between 0 and 1");
        }
        var p2 = baselineRate * (1 + relativeEffect);
        if (relativeEffect == 0 || p2 is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(relativeEffect), relativeEffect, "the effect must be non-zero and keep the rate between 0 and 1");
        }
        if (alpha is <= 0 or >= 1 || power is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), "alpha and power must be between 0 and 1");
        }
        if (arms < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(arms), arms, "a test needs at least 2 arms");
        }
        var comparisonAlpha = alpha / (arms - 1);
        var p1 = baselineRate;
        var mean = (p1 + p2) / 2;
        var za = Proportions.Z(1 - comparisonAlpha / 2);
        var zb = Proportions.Z(power);
        var n = Math.Pow(za * Math.Sqrt(2 * mean * (1 - mean)) + zb * Math.Sqrt(p1 * (1 - p1) + p2 * (1 - p2)), 2) / Math.Pow(p2 - p1, 2);
        return new AbPlan(arms, baselineRate, relativeEffect, alpha, power, comparisonAlpha, (long)Math.Ceiling(n));
    }
}
