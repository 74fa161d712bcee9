namespace Mailsmith.Profile.Clv;

/// <summary>
/// The special functions the CLV likelihoods and predictions need: log-gamma, digamma and the Gauss hypergeometric
/// series. Written here rather than taken from a library because they sit in the innermost loop of the fit and of the
/// per-customer prediction, and <see cref="Hyp2F1"/> is not in MathNet.Numerics.
/// </summary>
internal static class SpecialFunctions
{
    // Lanczos approximation, g = 671/128, 14 terms (Press et al., Numerical Recipes 3rd ed., §6.1): relative error
    // below 1e-15 for every positive argument.
    private static readonly double[] LanczosCoefficients =
    [
        57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
        .339946499848118887e-4, .465236289270485756e-4, -.983744753048795646e-4, .158088703224912494e-3,
        -.210264441724104883e-3, .217439618115212643e-3, -.164318106536763890e-3, .844182239838527433e-4,
        -.261908384015814087e-4, .368991826595316234e-5,
    ];

    /// <summary>ln Γ(x) for x &gt; 0; NaN otherwise.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }
        var y = x;
        var tmp = x + 5.24218750000000000;
        tmp = (x + 0.5) * Math.Log(tmp) - tmp;
        var series = 0.999999999999997092;
        foreach (var c in LanczosCoefficients)
        {
            series += c / ++y;
        }
        return tmp + Math.Log(2.5066282746310005 * series / x);
    }

    /// <summary>ψ(x) = d/dx ln Γ(x) for x &gt; 0: the recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series (error below 1e-14).</summary>
    public static double Digamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }
        var result = 0.0;
        while (x < 10)
        {
            result -= 1 / x;
            x += 1;
        }
        var inv = 1 / x;
        var inv2 = inv * inv;
        // ln x − 1/(2x) − Σ B_2k / (2k x^2k), k = 1..6.
        var tail = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132 - inv2 * (691.0 / 32760))))));
        return result + Math.Log(x) - 0.5 * inv - tail;
    }

    /// <summary>
    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) by its power series, for 0 ≤ z &lt; 1 and c &gt; 0. The series
    /// converges geometrically (ratio → z); callers transform their arguments so that |a|, |b| are small and c large,
    /// where a few dozen terms suffice.
    /// </summary>
    public static double Hyp2F1(double a, double b, double c, double z)
    {
        var term = 1.0;
        var sum = 1.0;
        for (var k = 0; k < 100_000; k++)
        {
            term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= 1e-14 * Math.Abs(sum))
            {
                return sum;
            }
        }
        return sum;
    }
}
