namespace Mailsmith.Profile.Clv;

/// <summary>One customer's CLV predictions, as of the end of the dataset's calibration day.</summary>
/// <param name="ProbabilityAlive">P(alive): the probability the customer has not dropped out.</param>
/// <param name="ExpectedPurchases30">Expected purchases (distinct purchase days) in the next 30 days.</param>
/// <param name="ExpectedPurchases90">… in the next 90 days.</param>
/// <param name="ExpectedPurchases365">… in the next 365 days.</param>
/// <param name="ExpectedOrderValue">Gamma-Gamma conditional mean order value (the population mean for customers without repeat purchases); null when Gamma-Gamma is not fitted.</param>
/// <param name="Clv">Discounted expected spend over the CLV horizon (docs/clv.md); null when Gamma-Gamma is not fitted.</param>
/// <param name="ExpectedNextOrder">The first day by whose end the customer has more likely than not ordered again; null when that probability never exceeds 1/2 (P(alive) ≤ 1/2) or the day is further away than <see cref="ClvOptions.NextOrderMaxDays"/>.</param>
public readonly record struct ClvPrediction(
    double ProbabilityAlive,
    double ExpectedPurchases30,
    double ExpectedPurchases90,
    double ExpectedPurchases365,
    double? ExpectedOrderValue,
    double? Clv,
    DateOnly? ExpectedNextOrder);

/// <summary>Per-customer predictions from a fitted <see cref="ClvFitResult"/>. Immutable and thread-safe.</summary>
/// <remarks>Formulas (Fader, Hardie &amp; Lee 2005, eqs. 10 and 11; Fader &amp; Hardie 2013, eq. 5) in docs/clv.md.</remarks>
public sealed class ClvPredictor
{
    /// <summary>Days in a CLV month.</summary>
    public const double MonthDays = 365.25 / 12;

    private readonly double _r;
    private readonly double _alpha;
    private readonly double _a;
    private readonly double _b;
    private readonly double _lnA;
    private readonly double _unit;
    private readonly GammaGammaParameters? _spend;
    private readonly ClvOptions _options;
    private readonly double[] _discount;

    /// <exception cref="ArgumentException">The fit has no BG/NBD model (<see cref="ClvFitResult.CanPredict"/> is false).</exception>
    public ClvPredictor(ClvFitResult fit)
    {
        if (fit.BgNbd is null)
        {
            throw new ArgumentException($"no CLV predictions: {fit.Message}", nameof(fit));
        }
        var p = fit.BgNbd.Parameters;
        // E[Y(t)] has a factor 1/(a−1) with a removable singularity at a = 1; step just off it.
        var a = Math.Abs(p.A - 1) < 1e-7 ? 1 + 1e-7 : p.A;
        (_r, _alpha, _a, _b) = (p.R, p.Alpha, a, p.B);
        _lnA = Math.Log(a);
        _unit = fit.Options.TimeUnitDays;
        _spend = fit.GammaGamma?.Parameters;
        _options = fit.Options;
        _discount = new double[fit.Options.ClvMonths + 1];
        for (var i = 1; i <= fit.Options.ClvMonths; i++)
        {
            _discount[i] = Math.Pow(1 + fit.Options.MonthlyDiscountRate, -i);
        }
    }

    /// <summary>P(alive) for x repeat purchases, recency t_x and age T in time units.</summary>
    public double ProbabilityAlive(int x, double tx, double t) =>
        x == 0 ? 1 : 1 / (1 + Math.Exp(_lnA - Math.Log(_b + x - 1) + (_r + x) * (Math.Log(_alpha + t) - Math.Log(_alpha + tx))));

    /// <summary>E[Y(h) | x, t_x, T]: expected purchases in the next <paramref name="h"/> time units (FHL 2005 eq. 10).</summary>
    public double ExpectedPurchases(int x, double tx, double t, double h) => ExpectedGivenAlive(x, t, h, ProbabilityAlive(x, tx, t));

    private double ExpectedGivenAlive(int x, double t, double h, double alive)
    {
        if (h <= 0)
        {
            return 0;
        }
        // The bracket is 1 − ((α+T)/(α+T+h))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z) with z = h/(α+T+h). Its series converges
        // slowly when x is large; Euler's transformation ₂F₁(A,B;C;z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) turns it into
        // (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z), whose upper parameters are small unless a and b are large (little
        // heterogeneity in dropout), where the direct form converges fast instead. Take the form with the smaller first
        // term ratio; neither forms a huge power.
        var z = h / (_alpha + t + h);
        var c = _a + _b + x - 1;
        var euler = Math.Abs((_a + _b - 1 - _r) * (_a - 1));
        var direct = (_r + x) * (_b + x);
        var bracket = euler <= direct
            ? 1 - Math.Pow(1 - z, _a - 1) * SpecialFunctions.Hyp2F1(_a + _b - 1 - _r, _a - 1, c, z)
            : 1 - Math.Exp((_r + x) * Math.Log(1 - z)) * SpecialFunctions.Hyp2F1(_r + x, _b + x, c, z);
        return c / (_a - 1) * bracket * alive;
    }

    /// <summary>Predictions for customer <paramref name="i"/> of <paramref name="data"/>.</summary>
    public ClvPrediction Predict(ClvDataset data, int i) =>
        Predict(data.Frequency[i], data.RecencyDays[i], data.AgeDays[i], data.MeanRepeatValue[i], data.CalibrationEnd);

    /// <summary>Predictions for one customer from their summary (days) as of the end of <paramref name="asOf"/>.</summary>
    public ClvPrediction Predict(int x, int recencyDays, int ageDays, double meanRepeatValue, DateOnly asOf)
    {
        var tx = recencyDays / _unit;
        var t = ageDays / _unit;
        var alive = ProbabilityAlive(x, tx, t);
        var e30 = ExpectedGivenAlive(x, t, 30 / _unit, alive);
        var e90 = ExpectedGivenAlive(x, t, 90 / _unit, alive);
        var e365 = ExpectedGivenAlive(x, t, 365 / _unit, alive);
        double? value = null;
        double? clv = null;
        if (_spend is not null)
        {
            var v = _spend.ConditionalMean(x, meanRepeatValue);
            value = v;
            // Σ over months i of (E[Y(i·month)] − E[Y((i−1)·month)]) / (1+d)^i, times the expected order value.
            var sum = 0.0;
            var previous = 0.0;
            for (var m = 1; m < _discount.Length; m++)
            {
                var cumulative = ExpectedGivenAlive(x, t, m * MonthDays / _unit, alive);
                sum += (cumulative - previous) * _discount[m];
                previous = cumulative;
            }
            clv = sum * v;
        }
        return new ClvPrediction(alive, e30, e90, e365, value, clv, NextOrder(x, t, alive, asOf));
    }

    /// <summary>
    /// The median of the time to the next purchase. An alive customer's rate given their history is
    /// Gamma(r+x, α+T), and in BG/NBD dropout happens only right after a purchase, so
    /// P(next purchase within s) = P(alive)·(1 − ((α+T)/(α+T+s))^(r+x)). Setting that to 1/2:
    /// s = (α+T)·((1 − 1/(2·P(alive)))^(−1/(r+x)) − 1).
    /// </summary>
    private DateOnly? NextOrder(int x, double t, double alive, DateOnly asOf)
    {
        if (alive <= 0.5)
        {
            return null;
        }
        var s = (_alpha + t) * (Math.Pow(1 - 0.5 / alive, -1 / (_r + x)) - 1);
        var days = Math.Ceiling(s * _unit);
        return days <= _options.NextOrderMaxDays ? asOf.AddDays(Math.Max(1, (int)days)) : null;
    }

    /// <summary>Predictions for every customer of <paramref name="data"/>, in its order, on all cores.</summary>
    public ClvPrediction[] PredictAll(ClvDataset data, CancellationToken cancellationToken = default)
    {
        var result = new ClvPrediction[data.Count];
        var chunk = 4096;
        Parallel.For(0, (data.Count + chunk - 1) / chunk, new ParallelOptions { CancellationToken = cancellationToken }, c =>
        {
            var end = Math.Min(data.Count, (c + 1) * chunk);
            for (var i = c * chunk; i < end; i++)
            {
                result[i] = Predict(data, i);
            }
        });
        return result;
    }
}
