using System.Diagnostics;

namespace Mailsmith.Profile.Clv;

/// <summary>Whether <see cref="ClvModel.Fit"/> produced usable models.</summary>
public enum ClvFitStatus
{
    /// <summary>BG/NBD and Gamma-Gamma are both fitted: every prediction is available.</summary>
    Fitted,

    /// <summary>BG/NBD is fitted but Gamma-Gamma is not (too few repeat customers with a positive value, no convergence, or q ≤ 1, which has no finite mean): purchase counts and P(alive) are available, order value and CLV are not.</summary>
    SpendNotFitted,

    /// <summary>Too few customers bought more than once in the calibration period to fit anything.</summary>
    TooFewRepeatCustomers,

    /// <summary>The BG/NBD optimizer did not reach a maximum (or the parameters ran off to a boundary).</summary>
    NotConverged,
}

/// <summary>A fitted BG/NBD model.</summary>
/// <param name="LogLikelihood">The maximized log-likelihood, summed over customers (with every constant, comparable to published values).</param>
public sealed record BgNbdFit(BgNbdParameters Parameters, double LogLikelihood, int Customers, int Iterations, int Evaluations, TimeSpan Elapsed);

/// <summary>A fitted Gamma-Gamma model.</summary>
/// <param name="FrequencyValueCorrelation">Pearson correlation of x and the mean repeat value over the fitted customers: the model assumes they are independent, so this should be near 0.</param>
public sealed record GammaGammaFit(GammaGammaParameters Parameters, double LogLikelihood, int Customers, int Iterations, int Evaluations, TimeSpan Elapsed, double FrequencyValueCorrelation);

/// <summary>The outcome of <see cref="ClvModel.Fit"/>: a status, a sentence saying why, and the fitted models.</summary>
public sealed record ClvFitResult(ClvFitStatus Status, string Message, BgNbdFit? BgNbd, GammaGammaFit? GammaGamma, ClvOptions Options)
{
    /// <summary>True when purchase predictions are available (BG/NBD fitted).</summary>
    public bool CanPredict => BgNbd is not null;
}

/// <summary>Fits BG/NBD and Gamma-Gamma by maximum likelihood.</summary>
public static class ClvModel
{
    /// <summary>Log-parameters beyond ±this (a factor of about 5·10⁸) mean the optimum is at a boundary of the model.</summary>
    private const double MaxLogParameter = 20;

    /// <summary>
    /// Fits both models to <paramref name="data"/>. Never throws for data that cannot be fitted: the result's
    /// <see cref="ClvFitResult.Status"/> says what went wrong and <see cref="ClvFitResult.Message"/> explains it.
    /// </summary>
    public static ClvFitResult Fit(ClvDataset data, ClvOptions? options = null)
    {
        options ??= ClvOptions.Default;
        var repeaters = data.RepeatCustomers;
        if (repeaters < options.MinRepeatCustomers)
        {
            return new ClvFitResult(ClvFitStatus.TooFewRepeatCustomers,
                $"only {repeaters:N0} of {data.Count:N0} customers bought again by {data.CalibrationEnd:yyyy-MM-dd}; CLV models need at least {options.MinRepeatCustomers:N0} repeat customers",
                null, null, options);
        }
        var bgNbd = FitBgNbd(data, options, out var bgFailure);
        if (bgNbd is null)
        {
            return new ClvFitResult(ClvFitStatus.NotConverged, bgFailure!, null, null, options);
        }
        var gammaGamma = FitGammaGamma(data, options, out var ggFailure);
        return gammaGamma is null
            ? new ClvFitResult(ClvFitStatus.SpendNotFitted, ggFailure!, bgNbd, null, options)
            : new ClvFitResult(ClvFitStatus.Fitted, $"fitted on {data.Count:N0} customers, {repeaters:N0} of them repeat customers", bgNbd, gammaGamma, options);
    }

    /// <summary>Maximizes the BG/NBD likelihood; null with a reason when it cannot.</summary>
    public static BgNbdFit? FitBgNbd(ClvDataset data, ClvOptions options, out string? failure)
    {
        var clock = Stopwatch.StartNew();
        var likelihood = new BgNbdLikelihood(data, options.TimeUnitDays);
        var n = Math.Max(1, likelihood.Customers);
        // Scaled by 1/n so the gradient tolerance means the same for 2,000 customers as for 2,000,000.
        double Objective(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            foreach (var t in theta)
            {
                if (!(Math.Abs(t) <= 50))
                {
                    return double.NaN;
                }
            }
            var p = new BgNbdParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]), Math.Exp(theta[3]));
            var ll = likelihood.LogLikelihood(p, gradient);
            for (var i = 0; i < gradient.Length; i++)
            {
                gradient[i] = -gradient[i] / n;
            }
            return -ll / n;
        }
        // Start at r = a = b = 1 and α = the mean age in time units (a rate of about one purchase per lifetime).
        var meanAge = data.AgeDays.Average() / options.TimeUnitDays;
        var result = BfgsMinimizer.Minimize(Objective, [0, Math.Log(Math.Max(meanAge, 1e-3)), 0, 0]);
        var theta = result.Theta;
        if (!result.Converged || theta.Any(t => Math.Abs(t) > MaxLogParameter))
        {
            failure = $"the BG/NBD fit did not converge after {result.Iterations} iterations (largest gradient {result.GradientNorm:g3}; ln r, ln α, ln a, ln b = {string.Join(", ", theta.Select(t => t.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)))}): the data show too little repeat buying or dropout to identify the model";
            return null;
        }
        failure = null;
        var parameters = new BgNbdParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]), Math.Exp(theta[3]));
        return new BgNbdFit(parameters, -result.Value * n, likelihood.Customers, result.Iterations, result.Evaluations, clock.Elapsed);
    }

    /// <summary>Maximizes the Gamma-Gamma likelihood over the repeat customers; null with a reason when it cannot.</summary>
    public static GammaGammaFit? FitGammaGamma(ClvDataset data, ClvOptions options, out string? failure)
    {
        var clock = Stopwatch.StartNew();
        var likelihood = new GammaGammaLikelihood(data);
        var n = likelihood.RepeatCustomersWithValue;
        if (n < options.MinRepeatCustomers)
        {
            failure = $"only {n:N0} repeat customers have a positive order value; Gamma-Gamma needs at least {options.MinRepeatCustomers:N0}";
            return null;
        }
        double Objective(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            foreach (var t in theta)
            {
                if (!(Math.Abs(t) <= 50))
                {
                    return double.NaN;
                }
            }
            var ll = likelihood.LogLikelihood(new GammaGammaParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2])), gradient);
            for (var i = 0; i < gradient.Length; i++)
            {
                gradient[i] = -gradient[i] / n;
            }
            return -ll / n;
        }
        var values = Enumerable.Range(0, data.Count).Where(i => data.Frequency[i] > 0 && data.MeanRepeatValue[i] > 0).ToArray();
        // Start at p = 1, q = 2, v = the mean value: a population mean p·v/(q−1) equal to the observed one.
        var result = BfgsMinimizer.Minimize(Objective, [0, Math.Log(2), Math.Log(likelihood.MeanValue)]);
        var theta = result.Theta;
        if (!result.Converged || theta.Any(t => Math.Abs(t) > MaxLogParameter))
        {
            failure = $"the Gamma-Gamma fit did not converge after {result.Iterations} iterations (largest gradient {result.GradientNorm:g3})";
            return null;
        }
        var parameters = new GammaGammaParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]));
        if (parameters.Q <= 1)
        {
            failure = $"the Gamma-Gamma fit gives q = {parameters.Q:0.###} ≤ 1, a spend distribution without a finite mean: order values are too heavy-tailed to predict";
            return null;
        }
        failure = null;
        var correlation = Correlation(values.Select(i => (double)data.Frequency[i]).ToArray(), values.Select(i => data.MeanRepeatValue[i]).ToArray());
        return new GammaGammaFit(parameters, -result.Value * n, n, result.Iterations, result.Evaluations, clock.Elapsed, correlation);
    }

    private static double Correlation(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : 0;
    }
}
