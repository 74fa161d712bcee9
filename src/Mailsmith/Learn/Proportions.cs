using MathNet.Numerics.Distributions;

namespace Mailsmith.Learn;

/// <summary>Observed counts of one arm: how many recipients got it and how many of them responded.</summary>
/// <param name="Trials">Recipients (sends) of the arm; at least <paramref name="Successes"/>.</param>
/// <param name="Revenue">Summed revenue of the arm's responses, for revenue-per-recipient objectives (0 when unused).</param>
public sealed record ArmCounts(string Name, long Trials, long Successes, double Revenue = 0)
{
    /// <summary>The observed rate, or 0 for an arm never sent.</summary>
    public double Rate => Trials == 0 ? 0 : (double)Successes / Trials;
}

/// <summary>A two-sided confidence interval.</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool Contains(double x) => x >= Low && x <= High;
}

/// <summary>Frequentist tools for proportions: z quantiles, Wilson intervals, the two-proportion z-test and the chi-squared test of homogeneity.</summary>
public static class Proportions
{
    /// <summary>The standard normal quantile Φ⁻¹(<paramref name="p"/>).</summary>
    public static double Z(double p) => Normal.InvCDF(0, 1, p);

    /// <summary>Wilson score interval of a rate at confidence <paramref name="confidence"/> (good at rates near 0, unlike Wald).</summary>
    public static Interval Wilson(long successes, long trials, double confidence = 0.95)
    {
        if (trials == 0)
        {
            return new Interval(0, 1);
        }
        var z = Z(0.5 + confidence / 2);
        var n = (double)trials;
        var p = successes / n;
        var denominator = 1 + z * z / n;
        var centre = (p + z * z / (2 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator;
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// Newcombe's hybrid score interval (method 10) for the difference of two proportions p1 − p2, from the Wilson
    /// intervals of each: good coverage even at rates of a few percent, where the Wald interval is too narrow.
    /// </summary>
    public static Interval NewcombeDifference(long successes1, long trials1, long successes2, long trials2, double confidence = 0.95)
    {
        var p1 = trials1 == 0 ? 0 : (double)successes1 / trials1;
        var p2 = trials2 == 0 ? 0 : (double)successes2 / trials2;
        var w1 = Wilson(successes1, trials1, confidence);
        var w2 = Wilson(successes2, trials2, confidence);
        var d = p1 - p2;
        return new Interval(d - Math.Sqrt(Math.Pow(p1 - w1.Low, 2) + Math.Pow(w2.High - p2, 2)), d + Math.Sqrt(Math.Pow(w1.High - p1, 2) + Math.Pow(p2 - w2.Low, 2)));
    }

    /// <summary>
    /// Two-sided two-proportion z-test of <paramref name="treatment"/> against <paramref name="control"/> (pooled
    /// variance under H0), with an unpooled (Wald) interval for the absolute difference and the relative lift.
    /// </summary>
    public static ProportionComparison Compare(ArmCounts control, ArmCounts treatment, double confidence = 0.95)
    {
        var (n1, n2) = ((double)control.Trials, (double)treatment.Trials);
        var (p1, p2) = (control.Rate, treatment.Rate);
        var difference = p2 - p1;
        double pValue = 1, z = 0;
        if (n1 > 0 && n2 > 0)
        {
            var pooled = (control.Successes + treatment.Successes) / (n1 + n2);
            var se0 = Math.Sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
            if (se0 > 0)
            {
                z = difference / se0;
                pValue = 2 * Normal.CDF(0, 1, -Math.Abs(z));
            }
        }
        var zc = Z(0.5 + confidence / 2);
        var se = n1 > 0 && n2 > 0 ? Math.Sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) : double.PositiveInfinity;
        var ci = new Interval(difference - zc * se, difference + zc * se);
        // Lift = p2/p1 − 1; its interval by the delta method on log(p2/p1) (Katz), undefined when a rate is 0.
        Interval? liftCi = null;
        double? lift = p1 > 0 ? p2 / p1 - 1 : null;
        if (p1 > 0 && p2 > 0)
        {
            var seLog = Math.Sqrt((1 - p1) / control.Successes + (1 - p2) / treatment.Successes);
            var log = Math.Log(p2 / p1);
            liftCi = new Interval(Math.Exp(log - zc * seLog) - 1, Math.Exp(log + zc * seLog) - 1);
        }
        return new ProportionComparison(control.Name, treatment.Name, difference, ci, lift, liftCi, z, pValue);
    }

    /// <summary>
    /// Pearson's chi-squared test of homogeneity on the k × 2 table (responded / did not) of <paramref name="arms"/>;
    /// df = k − 1. Arms never sent are left out.
    /// </summary>
    public static (double ChiSquared, int DegreesOfFreedom, double PValue) ChiSquaredTest(IReadOnlyList<ArmCounts> arms)
    {
        var used = arms.Where(a => a.Trials > 0).ToList();
        if (used.Count < 2)
        {
            return (0, 0, 1);
        }
        double total = used.Sum(a => (double)a.Trials), successes = used.Sum(a => (double)a.Successes);
        var pooled = successes / total;
        if (pooled is <= 0 or >= 1)
        {
            return (0, used.Count - 1, 1);
        }
        var chi = 0.0;
        foreach (var a in used)
        {
            var expectedYes = a.Trials * pooled;
            var expectedNo = a.Trials * (1 - pooled);
            chi += Math.Pow(a.Successes - expectedYes, 2) / expectedYes + Math.Pow(a.Trials - a.Successes - expectedNo, 2) / expectedNo;
        }
        var df = used.Count - 1;
        return (chi, df, 1 - ChiSquared.CDF(df, chi));
    }
}

/// <summary>One treatment arm against the control.</summary>
/// <param name="Difference">Treatment rate minus control rate (absolute).</param>
/// <param name="DifferenceInterval">Wald interval of <paramref name="Difference"/>.</param>
/// <param name="Lift">Relative lift (treatment / control − 1); null when the control rate is 0.</param>
/// <param name="LiftInterval">Katz log-ratio interval of the lift; null when either rate is 0.</param>
/// <param name="PValue">Two-sided p-value of the pooled two-proportion z-test, before any multiplicity correction.</param>
public sealed record ProportionComparison(
    string Control, string Treatment, double Difference, Interval DifferenceInterval, double? Lift, Interval? LiftInterval, double Z, double PValue);
