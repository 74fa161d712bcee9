namespace Mailsmith.Profile.Clv;

/// <summary>An objective for <see cref="BfgsMinimizer"/>: returns f(θ) and writes ∇f(θ) into <c>gradient</c>.</summary>
internal delegate double Objective(ReadOnlySpan<double> theta, Span<double> gradient);

/// <summary>How a minimization ended.</summary>
internal readonly record struct MinimizeResult(double[] Theta, double Value, int Iterations, int Evaluations, bool Converged, double GradientNorm);

/// <summary>
/// Unconstrained minimization of a smooth function of a few variables with analytic gradients: BFGS on the inverse
/// Hessian, with a backtracking line search to sufficient decrease (Nocedal &amp; Wright, Numerical Optimization,
/// algorithms 6.1 and 3.1). For the 3–4 log-parameters of BG/NBD and Gamma-Gamma this converges in a few dozen
/// evaluations; the dense n×n update is nothing at that size.
/// </summary>
internal static class BfgsMinimizer
{
    private const double C1 = 1e-4;

    /// <summary>Minimizes <paramref name="f"/> from <paramref name="start"/>.</summary>
    /// <param name="gradientTolerance">Stop when the largest gradient component is at most this.</param>
    public static MinimizeResult Minimize(Objective f, double[] start, double gradientTolerance = 1e-9, int maxIterations = 500)
    {
        var n = start.Length;
        var x = (double[])start.Clone();
        var g = new double[n];
        var value = f(x, g);
        var evaluations = 1;
        if (!double.IsFinite(value))
        {
            return new MinimizeResult(x, value, 0, evaluations, false, double.NaN);
        }
        var h = Identity(n);
        var d = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var s = new double[n];
        var y = new double[n];
        var hy = new double[n];
        var iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            if (MaxAbs(g) <= gradientTolerance)
            {
                return new MinimizeResult(x, value, iteration, evaluations, true, MaxAbs(g));
            }
            MatVec(h, g, d);
            for (var i = 0; i < n; i++)
            {
                d[i] = -d[i];
            }
            var slope = Dot(g, d);
            if (!(slope < 0))
            {
                // The approximation lost positive definiteness (rounding): restart from steepest descent.
                h = Identity(n);
                for (var i = 0; i < n; i++)
                {
                    d[i] = -g[i];
                }
                slope = Dot(g, d);
            }
            // The first step is scaled so it moves θ by at most 1 (a factor e on the parameters).
            var step = iteration == 0 ? Math.Min(1, 1 / Math.Max(MaxAbs(d), 1e-300)) : 1;
            var (ok, newValue, used) = LineSearch(f, x, value, g, d, slope, step, xNew, gNew);
            evaluations += used;
            if (!ok)
            {
                // No step decreases f any more: f is at the limit of floating-point resolution (or on a flat ridge, as
                // BG/NBD is when a and b grow together). The callers minimize a per-customer mean over log-parameters, so
                // a gradient of 1e-5 changes the total log-likelihood by a negligible amount: accept that as converged.
                var converged = MaxAbs(g) <= Math.Max(gradientTolerance, 1e-5);
                return new MinimizeResult(x, value, iteration, evaluations, converged, MaxAbs(g));
            }
            for (var i = 0; i < n; i++)
            {
                s[i] = xNew[i] - x[i];
                y[i] = gNew[i] - g[i];
            }
            var sy = Dot(s, y);
            if (sy > 1e-300)
            {
                if (iteration == 0)
                {
                    // Nocedal & Wright (6.20): scale the initial matrix before the first update.
                    var scale = sy / Dot(y, y);
                    for (var i = 0; i < n; i++)
                    {
                        h[i, i] = scale;
                    }
                }
                BfgsUpdate(h, s, y, sy, hy);
            }
            Array.Copy(xNew, x, n);
            Array.Copy(gNew, g, n);
            value = newValue;
        }
        return new MinimizeResult(x, value, iteration, evaluations, MaxAbs(g) <= gradientTolerance, MaxAbs(g));
    }

    /// <summary>
    /// Backtracking to a step with sufficient decrease (Armijo), by safeguarded quadratic interpolation. BFGS proposes a
    /// well-scaled step, so the first trial is almost always accepted: about one evaluation per iteration. A step
    /// whose curvature pair is not positive is still taken; the update is then skipped.
    /// </summary>
    private static (bool Ok, double Value, int Evaluations) LineSearch(Objective f, double[] x, double f0, double[] g0, double[] d, double slope0,
        double step, double[] xNew, double[] gNew)
    {
        var t = step;
        for (var k = 1; k <= 40; k++)
        {
            for (var i = 0; i < x.Length; i++)
            {
                xNew[i] = x[i] + t * d[i];
            }
            var ft = f(xNew, gNew);
            if (double.IsFinite(ft) && ft <= f0 + C1 * t * slope0)
            {
                return (true, ft, k);
            }
            // Minimizer of the quadratic through f0, slope0 and ft, kept within [0.1 t, 0.5 t]; a plain cut outside the domain.
            var next = double.IsFinite(ft) ? -slope0 * t * t / (2 * (ft - f0 - slope0 * t)) : 0.25 * t;
            t = Math.Clamp(next, 0.1 * t, 0.5 * t);
            if (t * MaxAbs(d) < 1e-14)
            {
                return (false, f0, k);
            }
        }
        return (false, f0, 40);
    }

    private static void BfgsUpdate(double[,] h, double[] s, double[] y, double sy, double[] hy)
    {
        var n = s.Length;
        MatVec(h, y, hy);
        var yhy = Dot(y, hy);
        var rho = 1 / sy;
        // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded.
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                h[i, j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
            }
        }
    }

    private static double[,] Identity(int n)
    {
        var m = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            m[i, i] = 1;
        }
        return m;
    }

    private static void MatVec(double[,] m, double[] v, double[] result)
    {
        for (var i = 0; i < v.Length; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < v.Length; j++)
            {
                sum += m[i, j] * v[j];
            }
            result[i] = sum;
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        var m = 0.0;
        foreach (var e in v)
        {
            m = Math.Max(m, Math.Abs(e));
        }
        return m;
    }
}
