using System.Numerics;
using System.Runtime.InteropServices;

namespace Mailsmith.Recommend.Evaluation;

/// <summary>
/// A model over the user-item matrix: fitted on training interactions, it scores every item for a user (higher is
/// better). The harness removes items the user has in training and takes the top k.
/// </summary>
public interface ICollaborativeModel
{
    /// <summary>Lower-case key as printed by <c>recs eval --json</c>.</summary>
    string Name { get; }

    /// <summary>Learns from the training matrix.</summary>
    void Fit(TrainMatrix train);

    /// <summary>Writes a score for every item into <paramref name="scores"/> (length = items). Thread-safe after Fit.</summary>
    void Score(int user, Span<float> scores);
}

/// <summary>Most popular items: the number of training users per item.</summary>
public sealed class PopularityModel : ICollaborativeModel
{
    private float[] _popularity = [];

    public string Name => "popularity";

    public void Fit(TrainMatrix train) => _popularity = [.. train.ItemUsers.Select(c => (float)c)];

    public void Score(int user, Span<float> scores) => _popularity.CopyTo(scores);
}

/// <summary>
/// SAR (Smart Adaptive Recommendations, as in Microsoft Recommenders): user affinity = weight · 2^(−age/half-life),
/// item similarity from binary co-occurrence (Jaccard, lift, cosine or raw counts) above a threshold; score = affinity ·
/// similarity. Dense similarity for catalogs up to <see cref="DenseLimit"/> items, else the strongest neighbours per item.
/// </summary>
public sealed class SarModel(string similarity = "jaccard", double halfLifeDays = 30, int threshold = 1, bool timeDecay = true) : ICollaborativeModel
{
    /// <summary>Largest catalog held as a dense item × item matrix (6,000² floats = 144 MB).</summary>
    public const int DenseLimit = 6000;

    private const int SparseNeighbours = 200;
    private TrainMatrix _train = null!;
    private float[] _dense = [];
    private (int Item, float Similarity)[][] _sparse = [];

    public string Name => "sar";

    public void Fit(TrainMatrix train)
    {
        _train = train;
        var n = train.Items;
        var diagonal = train.ItemUsers;
        if (n <= DenseLimit)
        {
            var counts = new int[(long)n * n];
            for (var u = 0; u < train.Users; u++)
            {
                var items = train.ItemsOf(u);
                for (var a = 0; a < items.Length; a++)
                {
                    var row = (long)items[a] * n;
                    for (var b = 0; b < items.Length; b++)
                    {
                        counts[row + items[b]]++;
                    }
                }
            }
            _dense = new float[(long)n * n];
            Parallel.For(0, n, i =>
            {
                for (var j = 0; j < n; j++)
                {
                    var c = counts[(long)i * n + j];
                    _dense[(long)i * n + j] = c < threshold ? 0 : Similarity(c, diagonal[i], diagonal[j], train.Users);
                }
            });
        }
        else
        {
            var pairs = new Dictionary<int, int>[n];
            for (var u = 0; u < train.Users; u++)
            {
                var items = train.ItemsOf(u);
                for (var a = 0; a < items.Length; a++)
                {
                    var row = pairs[items[a]] ??= [];
                    for (var b = 0; b < items.Length; b++)
                    {
                        CollectionsMarshal.GetValueRefOrAddDefault(row, items[b], out _)++;
                    }
                }
            }
            _sparse = new (int, float)[n][];
            Parallel.For(0, n, i =>
            {
                _sparse[i] = pairs[i] is null ? [] : [.. pairs[i]
                    .Where(kv => kv.Value >= threshold)
                    .Select(kv => (kv.Key, Similarity(kv.Value, diagonal[i], diagonal[kv.Key], train.Users)))
                    .OrderByDescending(x => x.Item2).Take(SparseNeighbours)];
            });
        }
    }

    public void Score(int user, Span<float> scores)
    {
        scores.Clear();
        var items = _train.ItemsOf(user);
        var weights = _train.WeightsOf(user);
        var times = _train.TimesOf(user);
        var n = _train.Items;
        for (var k = 0; k < items.Length; k++)
        {
            var affinity = weights[k];
            if (timeDecay)
            {
                var ageDays = (_train.MaxTime - times[k]) / 86_400.0;
                affinity *= (float)Math.Pow(2, -ageDays / halfLifeDays);
            }
            if (_dense.Length > 0)
            {
                Vectors.AddScaled(scores, _dense.AsSpan((int)((long)items[k] * n), n), affinity);
            }
            else
            {
                foreach (var (item, similarity) in _sparse[items[k]])
                {
                    scores[item] += affinity * similarity;
                }
            }
        }
    }

    private float Similarity(int both, int a, int b, int users) => similarity switch
    {
        "jaccard" => (float)(both / (double)(a + b - both)),
        "lift" => (float)(both / ((double)a * b)),
        "cosine" => (float)(both / Math.Sqrt((double)a * b)),
        "cooccurrence" => both,
        _ => throw new ArgumentException($"unknown SAR similarity '{similarity}' (jaccard, lift, cosine, cooccurrence)"),
    };
}

/// <summary>
/// EASE (Steck 2019, "Embarrassingly Shallow Autoencoders"): B = I − P·diag(1/diag P) with P = (XᵀX + λI)⁻¹ and a zero
/// diagonal, on the binary user-item matrix. The inverse comes from a Cholesky factorisation computed column by
/// column with SIMD dot products over rows, both cores sharing each column's rows.
/// </summary>
/// <remarks>Scoring: by default every training item of the user counts 1 (Steck's binary X). With
/// <paramref name="weighted"/>, an item counts ln(1 + its summed weight); with a <paramref name="halfLifeDays"/>, it is
/// also decayed by 2^(−age / half-life) from the newest training time, as SAR decays affinity.</remarks>
/// <param name="lambda">L2 regularisation λ added to the diagonal of XᵀX.</param>
/// <param name="halfLifeDays">Time decay of the user's items when scoring; 0 = none.</param>
/// <param name="weighted">Score with ln(1 + weight) per item instead of 1.</param>
public sealed class EaseModel(float lambda = 250, double halfLifeDays = 0, bool weighted = false) : ICollaborativeModel
{
    /// <summary>Largest catalog EASE fits (a dense item × item matrix; 12,000² floats = 576 MB, ×3 while fitting).</summary>
    public const int MaxItems = 12_000;

    private TrainMatrix _train = null!;
    private float[] _b = [];

    public string Name => "ease";

    /// <summary>The fitted item × item weights B, row-major (row = the history item).</summary>
    public float[] Weights => _b;

    public void Fit(TrainMatrix train)
    {
        if (train.Items > MaxItems)
        {
            throw new InvalidOperationException($"EASE fits catalogs of up to {MaxItems:N0} items; this one has {train.Items:N0} (use sar)");
        }
        _train = train;
        var n = train.Items;
        // G = XᵀX + λI (binary X), by rows of co-occurrence counts.
        var g = new float[(long)n * n];
        for (var u = 0; u < train.Users; u++)
        {
            var items = train.ItemsOf(u);
            for (var a = 0; a < items.Length; a++)
            {
                var row = (long)items[a] * n;
                for (var b = 0; b < items.Length; b++)
                {
                    g[row + items[b]] += 1;
                }
            }
        }
        for (var i = 0; i < n; i++)
        {
            g[(long)i * n + i] += lambda;
        }
        var p = Cholesky.InverseSpd(g, n);
        // B[i][j] = −P[i][j] / P[j][j], B[i][i] = 0.
        var diagonal = new float[n];
        for (var j = 0; j < n; j++)
        {
            diagonal[j] = p[(long)j * n + j];
        }
        Parallel.For(0, n, i =>
        {
            var row = p.AsSpan((int)((long)i * n), n);
            for (var j = 0; j < n; j++)
            {
                row[j] = i == j ? 0 : -row[j] / diagonal[j];
            }
        });
        _b = p;
    }

    public void Score(int user, Span<float> scores)
    {
        scores.Clear();
        var n = _train.Items;
        var items = _train.ItemsOf(user);
        var weights = _train.WeightsOf(user);
        var times = _train.TimesOf(user);
        for (var k = 0; k < items.Length; k++)
        {
            var affinity = weighted ? MathF.Log(1 + weights[k]) : 1f;
            if (halfLifeDays > 0)
            {
                affinity *= (float)Math.Pow(2, -(_train.MaxTime - times[k]) / 86_400.0 / halfLifeDays);
            }
            Vectors.AddScaled(scores, _b.AsSpan((int)((long)items[k] * n), n), affinity);
        }
    }
}

/// <summary>
/// The hybrid of the evaluation: the learned model (EASE, or SAR above EASE's catalog limit) blended with popularity,
/// popularity's share shrinking as the user's history grows (share = c / (c + items), c = 3). Cold users get the
/// popular items; users with history get their neighbourhood.
/// </summary>
public sealed class HybridModel : ICollaborativeModel
{
    private const float ColdShrink = 3;
    private ICollaborativeModel _learned = null!;
    private TrainMatrix _train = null!;
    private float _maxPopularity;

    public string Name => "hybrid";

    public void Fit(TrainMatrix train)
    {
        _train = train;
        _learned = train.Items <= EaseModel.MaxItems ? new EaseModel() : new SarModel();
        _learned.Fit(train);
        _maxPopularity = Math.Max(1, train.ItemUsers.DefaultIfEmpty().Max());
    }

    public void Score(int user, Span<float> scores)
    {
        _learned.Score(user, scores);
        var max = 0f;
        foreach (var s in scores)
        {
            max = Math.Max(max, Math.Abs(s));
        }
        var history = _train.ItemsOf(user).Length;
        var share = ColdShrink / (ColdShrink + history);
        // Popularity is the training user count per item (what PopularityModel scores), read in place: no copy per user.
        var popularity = _train.ItemUsers;
        var learnedScale = max > 0 ? (1 - share) / max : 0;
        var popScale = share / _maxPopularity;
        for (var i = 0; i < scores.Length; i++)
        {
            scores[i] = scores[i] * learnedScale + popularity[i] * popScale;
        }
    }
}

/// <summary>Dense symmetric positive-definite inverse through Cholesky, parallel and SIMD, in single precision.</summary>
public static class Cholesky
{
    /// <summary>
    /// The inverse of the SPD matrix <paramref name="a"/> (row-major n × n; destroyed). A = L·Lᵀ; L⁻¹ by columns;
    /// A⁻¹ = L⁻ᵀ·L⁻¹. Each step is a set of independent dot products over contiguous rows.
    /// </summary>
    public static float[] InverseSpd(float[] a, int n)
    {
        // 1. Crout-style: for column j, the diagonal, then every row below it in parallel. L overwrites the lower triangle.
        for (var j = 0; j < n; j++)
        {
            var rowJ = a.AsSpan((int)((long)j * n), j);
            var d = a[(long)j * n + j] - Vectors.Dot(rowJ, rowJ);
            if (!(d > 0))
            {
                throw new InvalidOperationException($"the matrix is not positive definite at column {j} (increase λ)");
            }
            var ljj = MathF.Sqrt(d);
            a[(long)j * n + j] = ljj;
            var jj = j;
            if (n - j - 1 > 64)
            {
                Parallel.For(j + 1, n, i => Column(a, n, i, jj, ljj));
            }
            else
            {
                for (var i = j + 1; i < n; i++)
                {
                    Column(a, n, i, jj, ljj);
                }
            }
        }
        // 2. X = L⁻¹, stored transposed: xt[c][k] = X[k][c] (X is lower triangular: nonzero for k ≥ c).
        var xt = new float[(long)n * n];
        Parallel.For(0, n, c =>
        {
            var column = xt.AsSpan((int)((long)c * n), n);
            column[c] = 1 / a[(long)c * n + c];
            for (var i = c + 1; i < n; i++)
            {
                var li = a.AsSpan((int)((long)i * n + c), i - c);
                column[i] = -Vectors.Dot(li, column.Slice(c, i - c)) / a[(long)i * n + i];
            }
        });
        // 3. A⁻¹[i][j] = Σ_{k ≥ max(i,j)} X[k][i]·X[k][j] = dot(xt[i][m..], xt[j][m..]).
        var inverse = a; // reuse the storage
        Parallel.For(0, n, i =>
        {
            var rowI = xt.AsSpan((int)((long)i * n), n);
            for (var j = i; j < n; j++)
            {
                var v = Vectors.Dot(rowI[j..], xt.AsSpan((int)((long)j * n + j), n - j));
                inverse[(long)i * n + j] = v;
            }
        });
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                inverse[(long)i * n + j] = inverse[(long)j * n + i];
            }
        }
        return inverse;
    }

    private static void Column(float[] a, int n, int i, int j, float ljj)
    {
        var rowI = a.AsSpan((int)((long)i * n), j);
        var rowJ = a.AsSpan((int)((long)j * n), j);
        a[(long)i * n + j] = (a[(long)i * n + j] - Vectors.Dot(rowI, rowJ)) / ljj;
    }
}

/// <summary>SIMD helpers over float spans.</summary>
internal static class Vectors
{
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var width = Vector<float>.Count;
        var sum = Vector<float>.Zero;
        var i = 0;
        var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y[..x.Length]);
        for (var k = 0; k < vx.Length; k++)
        {
            sum += vx[k] * vy[k];
        }
        i = vx.Length * width;
        var result = Vector.Sum(sum);
        for (; i < x.Length; i++)
        {
            result += x[i] * y[i];
        }
        return result;
    }

    public static void AddScaled(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        var width = Vector<float>.Count;
        var vt = MemoryMarshal.Cast<float, Vector<float>>(target);
        var vs = MemoryMarshal.Cast<float, Vector<float>>(source[..target.Length]);
        var s = new Vector<float>(scale);
        for (var k = 0; k < vt.Length; k++)
        {
            vt[k] += vs[k] * s;
        }
        for (var i = vt.Length * width; i < target.Length; i++)
        {
            target[i] += source[i] * scale;
        }
    }
}

/// <summary>
/// Frequently bought together as an evaluation model (<c>bought-together</c>): each training user's items are one
/// basket; FP-Growth mines single-antecedent rules a → b (support ≥ <paramref name="minSupport"/>, confidence ≥
/// <paramref name="minConfidence"/>; pairs only, which bounds the mining on long histories); an item scores the sum of
/// the confidences of the rules from the user's items to it.
/// </summary>
public sealed class BoughtTogetherModel(double minSupport = 0.005, double minConfidence = 0.05) : ICollaborativeModel
{
    private TrainMatrix _train = null!;
    private (int Item, float Confidence)[][] _rules = [];

    public string Name => "bought-together";

    public void Fit(TrainMatrix train)
    {
        _train = train;
        var baskets = Rules.Baskets.FromLists(Enumerable.Range(0, train.Users)
            .Select(u => train.ItemsOf(u).ToArray())
            .Where(items => items.Length > 0)
            .Select(items => items.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var mined = Rules.AssociationRules.Mine(baskets, new Rules.RuleMiningOptions { MinSupport = minSupport, MinConfidence = minConfidence, MinLength = 2, MaxLength = 2 });
        var lists = new List<(int, float)>[train.Items];
        foreach (var rule in mined)
        {
            var from = int.Parse(rule.Antecedent[0], System.Globalization.CultureInfo.InvariantCulture);
            (lists[from] ??= []).Add((int.Parse(rule.Consequent, System.Globalization.CultureInfo.InvariantCulture), (float)rule.Confidence));
        }
        _rules = [.. lists.Select(l => l is null ? [] : l.ToArray())];
    }

    public void Score(int user, Span<float> scores)
    {
        scores.Clear();
        foreach (var item in _train.ItemsOf(user))
        {
            foreach (var (to, confidence) in _rules[item])
            {
                scores[to] += confidence;
            }
        }
    }
}
