namespace Mailsmith.Learn.Uplift;

/// <summary>
/// Uplift metrics exactly as scikit-uplift (sklift 0.5, <c>sklift/metrics/metrics.py</c>) defines them: the same
/// ordering (a stable ascending sort, reversed), the same curve points (one per distinct score), the same perfect
/// curves and trapezoid areas, so figures compare with published ones.
/// </summary>
/// <remarks>Outcomes and treatment flags are binary; each group must be non-empty.</remarks>
public static class UpliftMetrics
{
    /// <summary>
    /// <c>uplift_at_k(strategy='overall')</c>: among the first ⌊n·k⌋ rows by predicted uplift (both groups together),
    /// the treated response rate minus the control response rate.
    /// </summary>
    public static double UpliftAtK(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment, double k = 0.3)
    {
        Check(outcome, uplift, treatment);
        if (k is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "k must be in (0, 1)");
        }
        var order = Order(uplift);
        var size = (int)(outcome.Length * k);
        long nt = 0, yt = 0, nc = 0, yc = 0;
        for (var i = 0; i < size; i++)
        {
            var r = order[i];
            if (treatment[r])
            {
                nt++;
                yt += outcome[r] ? 1 : 0;
            }
            else
            {
                nc++;
                yc += outcome[r] ? 1 : 0;
            }
        }
        // numpy's mean of an empty slice is NaN; so is ours.
        return (nt == 0 ? double.NaN : (double)yt / nt) - (nc == 0 ? double.NaN : (double)yc / nc);
    }

    /// <summary><c>qini_curve</c>: x = rows targeted, y = treated responders − control responders × (treated / control) so far.</summary>
    public static (double[] X, double[] Y) QiniCurve(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment) =>
        Curve(outcome, uplift, treatment, qini: true);

    /// <summary><c>uplift_curve</c>: x = rows targeted, y = (treated rate − control rate) so far × rows.</summary>
    public static (double[] X, double[] Y) UpliftCurve(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment) =>
        Curve(outcome, uplift, treatment, qini: false);

    /// <summary>
    /// <c>qini_auc_score(negative_effect=True)</c>: area between the Qini curve and the random line, over that of the
    /// perfect Qini curve (scores y·t − y·(1 − t)).
    /// </summary>
    public static double QiniAucScore(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment)
    {
        Check(outcome, uplift, treatment);
        var perfectScores = new double[outcome.Length];
        for (var i = 0; i < outcome.Length; i++)
        {
            perfectScores[i] = outcome[i] ? (treatment[i] ? 1 : -1) : 0;
        }
        var (xa, ya) = QiniCurve(outcome, uplift, treatment);
        var (xp, yp) = QiniCurve(outcome, perfectScores, treatment);
        return Normalized(xa, ya, xp, yp);
    }

    /// <summary>
    /// <c>uplift_auc_score</c> (normalized AUUC): area between the uplift curve and the random line, over that of the
    /// perfect uplift curve (scores 2·[y = t] + (y if control responders outnumber treated non-responders, else t)).
    /// </summary>
    public static double UpliftAucScore(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment)
    {
        Check(outcome, uplift, treatment);
        long controlResponders = 0, treatedNonResponders = 0;
        for (var i = 0; i < outcome.Length; i++)
        {
            controlResponders += outcome[i] && !treatment[i] ? 1 : 0;
            treatedNonResponders += !outcome[i] && treatment[i] ? 1 : 0;
        }
        var useOutcome = controlResponders > treatedNonResponders;
        var perfectScores = new double[outcome.Length];
        for (var i = 0; i < outcome.Length; i++)
        {
            var summand = useOutcome ? (outcome[i] ? 1 : 0) : (treatment[i] ? 1 : 0);
            perfectScores[i] = 2 * (outcome[i] == treatment[i] ? 1 : 0) + summand;
        }
        var (xa, ya) = UpliftCurve(outcome, uplift, treatment);
        var (xp, yp) = UpliftCurve(outcome, perfectScores, treatment);
        return Normalized(xa, ya, xp, yp);
    }

    private static double Normalized(double[] xa, double[] ya, double[] xp, double[] yp)
    {
        // Baseline: the straight line from (0, 0) to the perfect curve's end.
        var baseline = Trapezoid([0, xp[^1]], [0, yp[^1]]);
        return (Trapezoid(xa, ya) - baseline) / (Trapezoid(xp, yp) - baseline);
    }

    /// <summary>sklearn's <c>auc</c>: the trapezoid rule.</summary>
    internal static double Trapezoid(double[] x, double[] y)
    {
        var area = 0.0;
        for (var i = 1; i < x.Length; i++)
        {
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return area;
    }

    private static (double[] X, double[] Y) Curve(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment, bool qini)
    {
        var order = Order(uplift);
        var xs = new List<double>();
        var ys = new List<double>();
        double nt = 0, yt = 0, yc = 0;
        for (var i = 0; i < order.Length; i++)
        {
            var r = order[i];
            if (treatment[r])
            {
                nt++;
                yt += outcome[r] ? 1 : 0;
            }
            else
            {
                yc += outcome[r] ? 1 : 0;
            }
            // A point at the last row of each run of equal scores (numpy: np.diff(uplift) != 0, plus the end).
            if (i == order.Length - 1 || uplift[order[i + 1]] != uplift[r])
            {
                var all = i + 1.0;
                var nc = all - nt;
                double value = qini
                    ? yt - yc * (nc != 0 ? nt / nc : 0)
                    : ((nt != 0 ? yt / nt : 0) - (nc != 0 ? yc / nc : 0)) * all;
                xs.Add(all);
                ys.Add(value);
            }
        }
        if (xs.Count == 0 || ys[0] != 0 || xs[0] != 0)
        {
            xs.Insert(0, 0);
            ys.Insert(0, 0);
        }
        return ([.. xs], [.. ys]);
    }

    /// <summary>numpy's <c>argsort(uplift, kind="mergesort")[::-1]</c>: descending, ties in reverse index order.</summary>
    internal static int[] Order(ReadOnlySpan<double> uplift)
    {
        var index = new int[uplift.Length];
        for (var i = 0; i < index.Length; i++)
        {
            index[i] = i;
        }
        var keys = uplift.ToArray();
        // Descending by score, then descending by index: the exact reverse of a stable ascending sort.
        Array.Sort(index, (a, b) => keys[a] != keys[b] ? keys[b].CompareTo(keys[a]) : b.CompareTo(a));
        return index;
    }

    private static void Check(ReadOnlySpan<bool> outcome, ReadOnlySpan<double> uplift, ReadOnlySpan<bool> treatment)
    {
        if (outcome.Length != uplift.Length || outcome.Length != treatment.Length)
        {
            throw new ArgumentException($"lengths differ: outcome {outcome.Length}, uplift {uplift.Length}, treatment {treatment.Length}");
        }
        if (!treatment.Contains(true) || !treatment.Contains(false))
        {
            throw new ArgumentException("uplift metrics need both treated and control rows");
        }
    }
}
