namespace Mailsmith.Profile.Clv;

/// <summary>An objective for <see cref="BfgsMinimizer"/>: returns f(θ) and writes ∇f(θ) into <c>gradient</c>.</summary>
internal delegate double Objective(ReadOnlySpan<double> theta, Span<double> gradient);

/// <summary>How a minimization ended.</summary>
internal readonly record struct MinimizeResult(double[] Theta, double Value, int Iterations, int Evaluations, bool Converged, double GradientNorm);

/// <summary>
/// Unconstrained minimization of a smooth function of a few variables with analytic gradients: BFGS on the inverse
/// Hessian, with a line search satisfying the strong Wolfe conditions (Nocedal &amp; Wright, Numerical Optimization,
/// algorithms 6.1, 3.5 and 3.6). For the 3–4 log-parameters of BG/NBD and Gamma-Gamma this converges in a few dozen
/// evaluations; the dense n×n update is nothing at that size.
/// </summary>
internal static class BfgsMinimizer
{
    private const double C1 = 1e-4;
    private const double C2 = 0.9;

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
                // No acceptable step: at the limit of floating-point resolution. Converged if the gradient is small enough relatively.
                var converged = MaxAbs(g) <= Math.Max(gradientTolerance, 1e-7 * Math.Max(1, Math.Abs(value)));
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

    private static (bool Ok, double Value, int Evaluations) LineSearch(Objective f, double[] x, double f0, double[] g0, double[] d, double slope0,
        double step, double[] xNew, double[] gNew)
    {
        var evaluations = 0;
        double Phi(double t, out double derivative)
        {
            for (var i = 0; i < x.Length; i++)
            {
                xNew[i] = x[i] + t * d[i];
            }
            var v = f(xNew, gNew);
            evaluations++;
            derivative = Dot(gNew, d);
            return v;
        }

        var t = step;
        var previous = 0.0;
        var fPrevious = f0;
        for (var k = 0; k < 40; k++)
        {
            var ft = Phi(t, out var dt);
            if (!double.IsFinite(ft))
            {
                // Stepped out of the region where the likelihood is defined: shorten.
                t = previous + (t - previous) * 0.25;
                continue;
            }
            if (ft > f0 + C1 * t * slope0 || (k > 0 && ft >= fPrevious))
            {
                return Zoom(previous, fPrevious, t);
            }
            if (Math.Abs(dt) <= -C2 * slope0)
            {
                return (true, ft, evaluations);
            }
            if (dt >= 0)
            {
                return Zoom(t, ft, previous);
            }
            previous = t;
            fPrevious = ft;
            t *= 2;
        }
        return (false, f0, evaluations);

        (bool, double, int) Zoom(double tLo, double fTLo, double tHi)
        {
            for (var k = 0; k < 60; k++)
            {
                var t = 0.5 * (tLo + tHi);
                if (Math.Abs(tHi - tLo) < 1e-16 * Math.Max(1, Math.Abs(t)))
                {
                    break;
                }
                var ft = Phi(t, out var dt);
                if (!double.IsFinite(ft) || ft > f0 + C1 * t * slope0 || ft >= fTLo)
                {
                    tHi = t;
                }
                else
                {
                    if (Math.Abs(dt) <= -C2 * slope0)
                    {
                        return (true, ft, evaluations);
                    }
                    if (dt * (tHi - tLo) >= 0)
                    {
                        tHi = tLo;
                    }
                    tLo = t;
                    fTLo = ft;
                }
            }
            // Accept the best sufficient-decrease point found, if any: it still makes progress.
            if (tLo > 0)
            {
                var ft = Phi(tLo, out _);
                return (ft < f0, ft, evaluations);
            }
            return (false, f0, evaluations);
        }
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
