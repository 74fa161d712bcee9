namespace Mailsmith.Profile.Clv;

/// <summary>
/// Gamma-Gamma parameters (Fader &amp; Hardie 2013): each transaction's value is Gamma(p, ν) around a customer's mean;
/// across customers ν ~ Gamma(q, v). The population mean transaction value is p·v/(q−1) (finite when q &gt; 1).
/// </summary>
public sealed record GammaGammaParameters(double P, double Q, double V)
{
    /// <summary>The expected value of a transaction of a customer with no repeat purchases: p·v/(q − 1); NaN when q ≤ 1.</summary>
    public double PopulationMean => Q > 1 ? P * V / (Q - 1) : double.NaN;

    /// <summary>
    /// The conditional expected transaction value of a customer with <paramref name="x"/> repeat transactions of mean
    /// <paramref name="meanValue"/>: p(v + x·m̄)/(p·x + q − 1); the population mean when x = 0.
    /// </summary>
    public double ConditionalMean(int x, double meanValue) => x > 0 ? P * (V + x * meanValue) / (P * x + Q - 1) : PopulationMean;
}

/// <summary>The Gamma-Gamma log-likelihood of the repeat customers' mean values and its gradient over log-parameters.</summary>
/// <remarks>
/// Per customer with x ≥ 1 repeat transactions of mean m̄:
/// ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m̄ + px ln x − (px+q) ln(x m̄ + v).
/// Terms in x alone are computed once per distinct x.
/// </remarks>
internal sealed class GammaGammaLikelihood
{
    private readonly int[] _xIndex;
    private readonly int[] _xs;
    private readonly double[] _lnMean;
    private readonly double[] _total;

    public GammaGammaLikelihood(ClvDataset data)
    {
        // Sorted by (x, mean) so the sum does not depend on the order customers come in.
        var rows = Enumerable.Range(0, data.Count).Where(i => data.Frequency[i] > 0 && data.MeanRepeatValue[i] > 0)
            .Select(i => (X: data.Frequency[i], M: data.MeanRepeatValue[i])).OrderBy(r => r.X).ThenBy(r => r.M).ToArray();
        _xs = rows.Select(r => r.X).Distinct().ToArray();
        var position = _xs.Select((x, i) => (x, i)).ToDictionary(p => p.x, p => p.i);
        _xIndex = rows.Select(r => position[r.X]).ToArray();
        _lnMean = rows.Select(r => Math.Log(r.M)).ToArray();
        _total = rows.Select(r => r.X * r.M).ToArray();
        RepeatCustomersWithValue = rows.Length;
        MeanValue = rows.Length == 0 ? 0 : rows.Sum(r => r.M) / rows.Length;
        var skipped = Enumerable.Range(0, data.Count).Count(i => data.Frequency[i] > 0 && !(data.MeanRepeatValue[i] > 0));
        RepeatCustomersWithoutValue = skipped;
    }

    /// <summary>Repeat customers in the fit (those whose mean repeat value is positive).</summary>
    public int RepeatCustomersWithValue { get; }

    /// <summary>The mean of the customers' mean repeat values (summed in a fixed order, so it does not depend on the input order).</summary>
    public double MeanValue { get; }

    /// <summary>Repeat customers left out of the fit because their repeat purchases are worth 0 (the model needs positive values).</summary>
    public int RepeatCustomersWithoutValue { get; }

    /// <summary>The log-likelihood at <paramref name="parameters"/>; fills the gradient with respect to ln p, ln q, ln v when given.</summary>
    public double LogLikelihood(GammaGammaParameters parameters, Span<double> gradient)
    {
        double p = parameters.P, q = parameters.Q, v = parameters.V;
        var withGradient = gradient.Length == 3;
        var nx = _xs.Length;
        var constant = new double[nx];
        var dp = new double[nx];
        var dq = new double[nx];
        var lgQ = SpecialFunctions.LogGamma(q);
        var psiQ = withGradient ? SpecialFunctions.Digamma(q) : 0;
        var lnV = Math.Log(v);
        for (var j = 0; j < nx; j++)
        {
            double x = _xs[j];
            var px = p * x;
            var lnX = Math.Log(x);
            constant[j] = SpecialFunctions.LogGamma(px + q) - SpecialFunctions.LogGamma(px) - lgQ + q * lnV + px * lnX;
            if (withGradient)
            {
                var psiPxq = SpecialFunctions.Digamma(px + q);
                dp[j] = x * (psiPxq - SpecialFunctions.Digamma(px) + lnX);
                dq[j] = psiPxq - psiQ + lnV;
            }
        }
        double ll = 0, gP = 0, gQ = 0, gV = 0;
        for (var i = 0; i < _lnMean.Length; i++)
        {
            var j = _xIndex[i];
            double x = _xs[j];
            var px = p * x;
            var lnTotal = Math.Log(_total[i] + v);
            ll += constant[j] + (px - 1) * _lnMean[i] - (px + q) * lnTotal;
            if (withGradient)
            {
                gP += dp[j] + x * (_lnMean[i] - lnTotal);
                gQ += dq[j] - lnTotal;
                gV += q / v - (px + q) / (_total[i] + v);
            }
        }
        if (withGradient)
        {
            gradient[0] = gP * p;
            gradient[1] = gQ * q;
            gradient[2] = gV * v;
        }
        return ll;
    }
}
