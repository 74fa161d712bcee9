namespace Mailsmith.Profile.Clv;

/// <summary>
/// BG/NBD parameters (Fader, Hardie &amp; Lee 2005): while alive a customer buys at rate λ ~ Gamma(r, α) per time unit;
/// after each purchase they drop out with probability p ~ Beta(a, b).
/// </summary>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B);

/// <summary>
/// The BG/NBD log-likelihood of a <see cref="ClvDataset"/> and its analytic gradient, over log-parameters.
/// </summary>
/// <remarks>
/// Per customer with x repeat purchases, recency t_x and age T (in time units):
/// ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
///        + ln( exp(−(r+x) ln(α+T)) + [x&gt;0] exp(ln a − ln(b+x−1) − (r+x) ln(α+t_x)) ),
/// the last term by log-sum-exp. Customers with the same (x, t_x, T) are one weighted row; the gamma-function terms
/// depend on x only and are computed once per distinct x, and ln(α + d/unit) once per distinct day count, so one
/// evaluation costs two exponentials and a logarithm per distinct row.
/// </remarks>
internal sealed class BgNbdLikelihood
{
    private readonly int[] _xIndex;
    private readonly int[] _xs;
    private readonly int[] _tx;
    private readonly int[] _t;
    private readonly double[] _weight;
    private readonly double _unitDays;
    private readonly int _maxDay;

    public BgNbdLikelihood(ClvDataset data, double unitDays)
    {
        _unitDays = unitDays;
        // Group identical (x, t_x, T): rows of a day-resolution history repeat a lot. One packed key per customer
        // (x in the high bits, then t_x and T, 20 bits each: 2,800 years of days), sorted, then counted in runs; the
        // fixed order also makes the sum, and so the fit, independent of the order customers come in.
        var keys = new long[data.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = ((long)data.Frequency[i] << 40) | ((long)data.RecencyDays[i] << 20) | (uint)data.AgeDays[i];
        }
        Array.Sort(keys);
        var xs = new List<int>();
        var xIndex = new List<int>();
        var tx = new List<int>();
        var t = new List<int>();
        var weight = new List<double>();
        for (var i = 0; i < keys.Length;)
        {
            var next = i + 1;
            while (next < keys.Length && keys[next] == keys[i])
            {
                next++;
            }
            var x = (int)(keys[i] >> 40);
            if (xs.Count == 0 || xs[^1] != x)
            {
                xs.Add(x);
            }
            xIndex.Add(xs.Count - 1);
            tx.Add((int)((keys[i] >> 20) & 0xFFFFF));
            t.Add((int)(keys[i] & 0xFFFFF));
            weight.Add(next - i);
            i = next;
        }
        _xs = [.. xs];
        _xIndex = [.. xIndex];
        _tx = [.. tx];
        _t = [.. t];
        _weight = [.. weight];
        _maxDay = _t.Length == 0 ? 0 : _t.Max();
        Customers = data.Count;
    }

    /// <summary>Customers (the sum of the row weights).</summary>
    public int Customers { get; }

    /// <summary>Distinct (x, t_x, T) rows.</summary>
    public int Rows => _weight.Length;

    /// <summary>The log-likelihood at <paramref name="p"/> (a sum over customers); fills the gradient with respect to ln r, ln α, ln a, ln b when given.</summary>
    public double LogLikelihood(BgNbdParameters p, Span<double> gradient)
    {
        double r = p.R, alpha = p.Alpha, a = p.A, b = p.B;
        var withGradient = gradient.Length == 4;
        var nx = _xs.Length;
        Span<double> constant = nx <= 256 ? stackalloc double[nx] : new double[nx];
        Span<double> dr = nx <= 256 ? stackalloc double[nx] : new double[nx];
        Span<double> da = nx <= 256 ? stackalloc double[nx] : new double[nx];
        Span<double> db = nx <= 256 ? stackalloc double[nx] : new double[nx];
        Span<double> lnTail = nx <= 256 ? stackalloc double[nx] : new double[nx];
        Span<double> dbTail = nx <= 256 ? stackalloc double[nx] : new double[nx];
        var lnAlpha = Math.Log(alpha);
        var lgR = SpecialFunctions.LogGamma(r);
        var lgB = SpecialFunctions.LogGamma(b);
        var lgAb = SpecialFunctions.LogGamma(a + b);
        var psiR = withGradient ? SpecialFunctions.Digamma(r) : 0;
        var psiB = withGradient ? SpecialFunctions.Digamma(b) : 0;
        var psiAb = withGradient ? SpecialFunctions.Digamma(a + b) : 0;
        var lnA = Math.Log(a);
        for (var j = 0; j < nx; j++)
        {
            var x = _xs[j];
            constant[j] = SpecialFunctions.LogGamma(r + x) - lgR + r * lnAlpha + lgAb + SpecialFunctions.LogGamma(b + x) - lgB - SpecialFunctions.LogGamma(a + b + x);
            lnTail[j] = x > 0 ? lnA - Math.Log(b + x - 1) : double.NegativeInfinity;
            if (withGradient)
            {
                var psiAbx = SpecialFunctions.Digamma(a + b + x);
                dr[j] = SpecialFunctions.Digamma(r + x) - psiR + lnAlpha;
                da[j] = psiAb - psiAbx;
                db[j] = psiAb + SpecialFunctions.Digamma(b + x) - psiB - psiAbx;
                dbTail[j] = x > 0 ? -1 / (b + x - 1) : 0;
            }
        }
        var days = _maxDay + 1;
        var lnAt = new double[days];
        var invAt = new double[days];
        for (var d = 0; d < days; d++)
        {
            var v = alpha + d / _unitDays;
            lnAt[d] = Math.Log(v);
            invAt[d] = 1 / v;
        }
        double ll = 0, gR = 0, gAlpha = 0, gA = 0, gB = 0;
        for (var i = 0; i < _weight.Length; i++)
        {
            var j = _xIndex[i];
            var x = _xs[j];
            var rx = r + x;
            var lnT = lnAt[_t[i]];
            var a3 = -rx * lnT;
            var w = _weight[i];
            if (x == 0)
            {
                ll += w * (constant[j] + a3);
                if (withGradient)
                {
                    gR += w * (dr[j] - lnT);
                    gAlpha += w * (r / alpha - rx * invAt[_t[i]]);
                    gA += w * da[j];
                    gB += w * db[j];
                }
                continue;
            }
            var lnTx = lnAt[_tx[i]];
            var a4 = lnTail[j] - rx * lnTx;
            // log-sum-exp of the two terms, and the share of the second (the "dropped out after t_x" branch).
            double lse, w4;
            if (a3 >= a4)
            {
                var e = Math.Exp(a4 - a3);
                lse = a3 + Math.Log(1 + e);
                w4 = e / (1 + e);
            }
            else
            {
                var e = Math.Exp(a3 - a4);
                lse = a4 + Math.Log(1 + e);
                w4 = 1 / (1 + e);
            }
            ll += w * (constant[j] + lse);
            if (withGradient)
            {
                var w3 = 1 - w4;
                gR += w * (dr[j] - w3 * lnT - w4 * lnTx);
                gAlpha += w * (r / alpha - rx * (w3 * invAt[_t[i]] + w4 * invAt[_tx[i]]));
                gA += w * (da[j] + w4 / a);
                gB += w * (db[j] + w4 * dbTail[j]);
            }
        }
        if (withGradient)
        {
            // Chain rule to log-parameters: ∂/∂ln θ = θ ∂/∂θ.
            gradient[0] = gR * r;
            gradient[1] = gAlpha * alpha;
            gradient[2] = gA * a;
            gradient[3] = gB * b;
        }
        return ll;
    }
}
