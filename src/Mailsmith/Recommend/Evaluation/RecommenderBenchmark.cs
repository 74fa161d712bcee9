using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mailsmith.Recommend.Evaluation;

/// <summary>What <c>recs eval</c> runs.</summary>
public sealed record EvaluationOptions
{
    /// <summary>How test interactions are held out. Default per user.</summary>
    public SplitKind Split { get; init; } = SplitKind.User;

    /// <summary>Share of each group that trains. Default 0.75.</summary>
    public double Ratio { get; init; } = 0.75;

    /// <summary>Seed of the split. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Length of each list. Default 10.</summary>
    public int K { get; init; } = 10;

    /// <summary>Algorithm keys to run, in order. Default popularity, sar, ease, hybrid.</summary>
    public IReadOnlyList<string> Algorithms { get; init; } = ["popularity", "sar", "ease", "hybrid", "bought-together"];
}

/// <summary>One algorithm's result: the metrics and how long fitting and recommending for every test user took.</summary>
public sealed record AlgorithmResult(string Name, RankingScores Scores, double FitSeconds, double RecommendSeconds, string? Skipped = null);

/// <summary>The whole evaluation: the split's sizes and each algorithm's result.</summary>
public sealed record EvaluationReport(int Interactions, int Users, int Items, int TrainPairs, int TestPairs, int K, IReadOnlyList<AlgorithmResult> Results);

/// <summary>
/// The evaluation harness of <c>mailsmith recs eval</c>: Microsoft Recommenders' MovieLens benchmark protocol
/// (seeded stratified split, every test interaction relevant, training items removed from each list, top-k metrics),
/// run for each algorithm with fit and recommend timed separately.
/// </summary>
public static class RecommenderBenchmark
{
    /// <summary>Every key <see cref="Create(string, InteractionSet)"/> knows.</summary>
    public static IReadOnlyList<string> Known { get; } = ["popularity", "sar", "sar-lift", "sar-cosine", "ease", "hybrid", "bought-together", "content"];

    /// <summary>A fresh model for a key.</summary>
    /// <remarks>Parameters may follow the key after colons, for tuning: <c>ease:500</c> (λ), <c>ease:500:30</c> (λ and a
    /// scoring half-life in days, 0 = none), <c>ease:500:30:w</c> (also ln(1 + weight) per item), <c>sar:cosine</c>
    /// (similarity), <c>sar:cosine:60</c> (similarity and half-life in days).</remarks>
    public static ICollaborativeModel Create(string key)
    {
        var parts = key.Split(':');
        if (parts.Length > 1)
        {
            return new NamedModel(key, parts[0] switch
            {
                "ease" when parts.Length is >= 2 and <= 4 && Number(parts[1]) is > 0 and var lambda
                    => new EaseModel((float)lambda, parts.Length > 2 ? Number(parts[2]) is >= 0 and var h ? h : throw new ArgumentException($"{key}: the half-life '{parts[2]}' is not a number of days") : 0,
                        parts.Length > 3 && (parts[3] == "w" ? true : throw new ArgumentException($"{key}: the fourth part must be 'w' (weighted scoring)"))),
                "sar" when parts.Length == 2 => new SarModel(parts[1]),
                "sar" when parts.Length == 3 && Number(parts[2]) is > 0 and var halfLife
                    => new SarModel(parts[1], halfLife),
                _ => throw new ArgumentException($"unknown algorithm '{key}' (parameters: ease:LAMBDA[:HALF_LIFE_DAYS[:w]], sar:SIMILARITY[:HALF_LIFE_DAYS])"),
            });
        }
        return CreatePlain(key);

        static double? Number(string text) =>
            double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
    }

    /// <summary>A fresh model for a key on <paramref name="set"/>: <c>content</c> reads the set's product texts.</summary>
    public static ICollaborativeModel Create(string key, InteractionSet set) =>
        key == "content"
            ? set.ItemProducts is { } products ? new ContentModel(products) : new MissingTexts()
            : Create(key);

    // Stands for the content model on a set without product texts: Run reports it skipped.
    private sealed class MissingTexts : ICollaborativeModel
    {
        public string Name => "content";
        public void Fit(TrainMatrix train) => throw new InvalidOperationException("no product texts");
        public void Score(int user, Span<float> scores) => throw new InvalidOperationException("no product texts");
    }

    private static ICollaborativeModel CreatePlain(string key) => key switch
    {
        "popularity" => new PopularityModel(),
        "sar" => new SarModel(),
        "sar-lift" => new NamedModel("sar-lift", new SarModel("lift")),
        "sar-cosine" => new NamedModel("sar-cosine", new SarModel("cosine")),
        "ease" => new EaseModel(),
        "hybrid" => new HybridModel(),
        "bought-together" => new BoughtTogetherModel(),
        "content" => throw new ArgumentException("content needs the items' texts: create it with Create(key, set) on a set from the store"),
        _ => throw new ArgumentException($"unknown algorithm '{key}' (known: {string.Join(", ", Known)})"),
    };

    /// <summary>Splits, fits and scores every requested algorithm.</summary>
    public static EvaluationReport Run(InteractionSet set, EvaluationOptions options, IProgress<string>? progress = null)
    {
        if (options.K < 1)
        {
            throw new ArgumentException($"--k {options.K}: must be at least 1");
        }
        var models = options.Algorithms.Select(key => Create(key, set)).ToList();
        var (train, test) = Splits.Split(set, options.Split, options.Ratio, options.Seed);
        var matrix = new TrainMatrix(train, set.UserIds.Count, set.ItemIds.Count);
        var relevant = new Dictionary<int, HashSet<int>>();
        foreach (var row in test)
        {
            (relevant.TryGetValue(row.User, out var items) ? items : relevant[row.User] = []).Add(row.Item);
        }
        var trainItems = matrix.ItemUsers.Count(c => c > 0);
        var results = new List<AlgorithmResult>();
        foreach (var model in models)
        {
            progress?.Report(model.Name);
            if (model is MissingTexts)
            {
                results.Add(new AlgorithmResult(model.Name, new RankingScores(0, 0, 0, 0, 0, 0), 0, 0,
                    "an interactions file carries no product texts; run recs eval --from-db to evaluate content-based"));
                continue;
            }
            var watch = Stopwatch.StartNew();
            try
            {
                model.Fit(matrix);
            }
            catch (InvalidOperationException e)
            {
                results.Add(new AlgorithmResult(model.Name, new RankingScores(0, 0, 0, 0, 0, 0), 0, 0, e.Message));
                continue;
            }
            var fit = watch.Elapsed.TotalSeconds;
            watch.Restart();
            var lists = RecommendAll(model, matrix, relevant.Keys, options.K);
            var recommend = watch.Elapsed.TotalSeconds;
            results.Add(new AlgorithmResult(model.Name, RankingMetrics.Average(lists, relevant, options.K, trainItems), fit, recommend));
        }
        return new EvaluationReport(set.Interactions.Count, set.UserIds.Count, set.ItemIds.Count, train.Length, test.Length, options.K, results);
    }

    /// <summary>Top-k for each user: items the user trained on and items nobody trained on are left out, as are zero scores.</summary>
    public static IReadOnlyDictionary<int, IReadOnlyList<int>> RecommendAll(ICollaborativeModel model, TrainMatrix matrix, IEnumerable<int> users, int k)
    {
        var result = new ConcurrentDictionary<int, IReadOnlyList<int>>();
        Parallel.ForEach(users, () => new float[matrix.Items], (user, _, scores) =>
        {
            model.Score(user, scores);
            foreach (var seen in matrix.ItemsOf(user))
            {
                scores[seen] = float.NegativeInfinity;
            }
            result[user] = TopK(scores, matrix.ItemUsers, k);
            return scores;
        }, _ => { });
        return result;
    }

    private static int[] TopK(float[] scores, int[] itemUsers, int k)
    {
        // A small sorted buffer: k is 10-ish, catalogs are thousands.
        var best = new List<(float Score, int Item)>(k + 1);
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (s == 0 || float.IsNegativeInfinity(s) || float.IsNaN(s) || itemUsers[i] == 0)
            {
                continue;
            }
            if (best.Count == k && s <= best[^1].Score)
            {
                continue;
            }
            var at = best.Count;
            while (at > 0 && best[at - 1].Score < s)
            {
                at--;
            }
            best.Insert(at, (s, i));
            if (best.Count > k)
            {
                best.RemoveAt(k);
            }
        }
        return [.. best.Select(b => b.Item)];
    }

    private sealed class NamedModel(string name, ICollaborativeModel inner) : ICollaborativeModel
    {
        public string Name => name;
        public void Fit(TrainMatrix train) => inner.Fit(train);
        public void Score(int user, Span<float> scores) => inner.Score(user, scores);
    }
}
