namespace Mailsmith.Learn;

/// <summary>What Thompson sampling optimises.</summary>
public enum BanditObjective
{
    /// <summary>The response rate (clicks or conversions per recipient): Beta-Bernoulli.</summary>
    Rate,

    /// <summary>
    /// Revenue per recipient: the conversion rate (Beta) times the mean order value, whose posterior is the
    /// Gamma conjugate of an exponential order value.
    /// </summary>
    RevenuePerRecipient,
}

/// <summary>The posterior of one arm, from Monte Carlo draws.</summary>
/// <param name="Mean">Posterior mean of the objective (rate, or revenue per recipient).</param>
/// <param name="Credible">Central 95% credible interval.</param>
/// <param name="ProbabilityBest">Share of joint draws in which this arm has the highest value.</param>
/// <param name="ExpectedLoss">E[max over arms − this arm]: the objective lost by committing to this arm now.</param>
public sealed record ArmPosterior(string Name, long Trials, long Successes, double Mean, Interval Credible, double ProbabilityBest, double ExpectedLoss);

/// <summary>The joint posterior of an arm set.</summary>
/// <param name="Champion">Index of the arm most likely to be best.</param>
/// <param name="ValueRemaining">
/// The <c>Quantile</c>-quantile of the potential value remaining, (max θ − θ_champion) / θ_champion (Scott 2015):
/// with that probability no arm beats the champion by more than this share of its value.
/// </param>
public sealed record PosteriorSummary(IReadOnlyList<ArmPosterior> Arms, int Champion, double ValueRemaining, double Quantile);

/// <summary>
/// Monte Carlo posterior of a set of arms under independent Beta(α₀ + s, β₀ + n − s) priors: probability each
/// arm is best, expected loss, credible intervals and Scott's potential value remaining.
/// </summary>
public static class BayesianArms
{
    /// <summary>Draws <paramref name="draws"/> joint samples and summarises them.</summary>
    /// <param name="quantile">The probability of the value-remaining statement (0.95 for "95% probability that…").</param>
    /// <param name="intervals">Also compute credible intervals (sorts every arm's draws; reports want them, allocation does not).</param>
    public static PosteriorSummary Summarize(
        IReadOnlyList<ArmCounts> arms, Random random, int draws = 1000, double quantile = 0.95,
        BanditObjective objective = BanditObjective.Rate, bool intervals = true, double priorSuccesses = 1, double priorFailures = 1)
    {
        var k = arms.Count;
        if (k == 0)
        {
            throw new ArgumentException("no arms", nameof(arms));
        }
        var sampler = new Distributions(random);
        var samples = new double[k * draws];
        for (var a = 0; a < k; a++)
        {
            var arm = arms[a];
            var alpha = priorSuccesses + arm.Successes;
            var beta = priorFailures + Math.Max(0, arm.Trials - arm.Successes);
            // Order value ~ Exponential(rate λ), λ ~ Gamma(1 + conversions, 1 + revenue): a weak prior of one order of 1 unit.
            var valueShape = 1 + arm.Successes;
            var valueRate = 1 + arm.Revenue;
            var row = a * draws;
            for (var g = 0; g < draws; g++)
            {
                var p = sampler.Beta(alpha, beta);
                samples[row + g] = objective == BanditObjective.Rate ? p : p * valueRate / sampler.Gamma(valueShape);
            }
        }
        var wins = new long[k];
        var loss = new double[k];
        var sums = new double[k];
        var max = new double[draws];
        var bestOf = new int[draws];
        for (var g = 0; g < draws; g++)
        {
            var best = 0;
            var top = samples[g];
            for (var a = 1; a < k; a++)
            {
                var x = samples[a * draws + g];
                if (x > top)
                {
                    best = a;
                    top = x;
                }
            }
            wins[best]++;
            max[g] = top;
            bestOf[g] = best;
            for (var a = 0; a < k; a++)
            {
                var x = samples[a * draws + g];
                loss[a] += top - x;
                sums[a] += x;
            }
        }
        var champion = 0;
        for (var a = 1; a < k; a++)
        {
            if (wins[a] > wins[champion] || (wins[a] == wins[champion] && sums[a] > sums[champion]))
            {
                champion = a;
            }
        }
        var remaining = new double[draws];
        for (var g = 0; g < draws; g++)
        {
            var c = samples[champion * draws + g];
            remaining[g] = bestOf[g] == champion ? 0 : c > 0 ? (max[g] - c) / c : double.PositiveInfinity;
        }
        Array.Sort(remaining);
        var posteriors = new List<ArmPosterior>(k);
        for (var a = 0; a < k; a++)
        {
            var credible = new Interval(double.NaN, double.NaN);
            if (intervals)
            {
                var sorted = samples.AsSpan(a * draws, draws).ToArray();
                Array.Sort(sorted);
                credible = new Interval(Quantile(sorted, 0.025), Quantile(sorted, 0.975));
            }
            posteriors.Add(new ArmPosterior(arms[a].Name, arms[a].Trials, arms[a].Successes, sums[a] / draws, credible, (double)wins[a] / draws, loss[a] / draws));
        }
        return new PosteriorSummary(posteriors, champion, Quantile(remaining, quantile), quantile);
    }

    private static double Quantile(double[] sorted, double q)
    {
        var index = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)];
    }
}

/// <summary>
/// Fast Gamma and Beta variates for the posterior draws (Marsaglia and Tsang 2000; Wilson–Hilferty for large shapes;
/// normals by the polar method, both of each pair used). One instance per stream of draws: not thread-safe.
/// </summary>
internal sealed class Distributions(Random random)
{
    private double _spare;
    private bool _hasSpare;

    public double Beta(double alpha, double beta)
    {
        if (alpha > 60 && beta > 60)
        {
            // Both shapes large: the Beta is normal to within its (small) skew, and a normal draw is ~5× cheaper.
            var n = alpha + beta;
            var mean = alpha / n;
            var sd = Math.Sqrt(mean * (1 - mean) / (n + 1));
            return Math.Clamp(mean + sd * Normal(), double.Epsilon, 1 - 1e-12);
        }
        var x = Gamma(alpha);
        var y = Gamma(beta);
        return x / (x + y);
    }

    /// <summary>A Gamma(shape, 1) variate.</summary>
    public double Gamma(double shape)
    {
        if (shape > 200)
        {
            // Wilson–Hilferty: the cube root of a Gamma is nearly normal; at this shape its error is far below the Monte Carlo noise.
            var t = 1 - 1 / (9 * shape) + Normal() / (3 * Math.Sqrt(shape));
            return shape * t * t * t;
        }
        if (shape < 1)
        {
            // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
            return Gamma(shape + 1) * Math.Pow(1 - random.NextDouble(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1 - random.NextDouble();
            var x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2 || Math.Log(u) < 0.5 * x2 + d * (1 - v + Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    /// <summary>A standard normal variate.</summary>
    public double Normal()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u, v, s;
        do
        {
            u = 2 * random.NextDouble() - 1;
            v = 2 * random.NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s >= 1 || s == 0);
        var m = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * m;
        _hasSpare = true;
        return u * m;
    }

    /// <summary>One standard normal variate from <paramref name="random"/> (for code that draws few).</summary>
    public static double StandardNormal(Random random) => new Distributions(random).Normal();
}
