namespace Mailsmith.Recommend.Evaluation;

/// <summary>How <c>recs eval</c> holds out test interactions.</summary>
public enum SplitKind
{
    /// <summary>Stratified by user: each user's interactions shuffled (seeded), the first round(ratio·n) train.</summary>
    User,
    /// <summary>Stratified by item: each item's interactions shuffled (seeded), the first round(ratio·n) train.</summary>
    Item,
    /// <summary>Chronological per user: each user's earliest round(ratio·n) interactions train, the latest test.</summary>
    Time,
}

/// <summary>
/// The splits of Microsoft Recommenders (<c>python_stratified_split</c>, <c>python_chrono_split</c>): the protocol,
/// not numpy's random stream. Pairs are first collapsed (a user's repeated interactions with an item become one,
/// weights summed, latest time kept), so an item is never both in a user's training and test data.
/// </summary>
public static class Splits
{
    /// <summary>Splits <paramref name="set"/> into train and test interactions.</summary>
    public static (Interaction[] Train, Interaction[] Test) Split(InteractionSet set, SplitKind kind, double ratio, int seed)
    {
        if (!(ratio is > 0 and < 1))
        {
            throw new ArgumentException($"--ratio {ratio}: must be between 0 and 1 (exclusive)");
        }
        var pairs = Collapse(set.Interactions);
        var random = new Random(seed);
        // A seeded shuffle of everything first (as Recommenders samples the whole frame), then a stable group-by.
        if (kind != SplitKind.Time)
        {
            random.Shuffle(pairs);
        }
        var groups = pairs.GroupBy(p => kind == SplitKind.Item ? p.Item : p.User).OrderBy(g => g.Key);
        var train = new List<Interaction>(pairs.Length);
        var test = new List<Interaction>(pairs.Length / 3);
        foreach (var group in groups)
        {
            var rows = kind == SplitKind.Time ? group.OrderBy(p => p.Time).ThenBy(p => p.Item).ToArray() : group.ToArray();
            var cut = (int)Math.Round(ratio * rows.Length, MidpointRounding.ToEven);
            train.AddRange(rows.AsSpan(0, cut));
            test.AddRange(rows.AsSpan(cut));
        }
        return ([.. train], [.. test]);
    }

    /// <summary>One row per (user, item): weights summed, the latest time kept.</summary>
    public static Interaction[] Collapse(IReadOnlyList<Interaction> interactions)
    {
        var map = new Dictionary<(int, int), Interaction>(interactions.Count);
        foreach (var row in interactions)
        {
            map[(row.User, row.Item)] = map.TryGetValue((row.User, row.Item), out var seen)
                ? seen with { Weight = seen.Weight + row.Weight, Time = Math.Max(seen.Time, row.Time) }
                : row;
        }
        var result = map.Values.ToArray();
        Array.Sort(result, (a, b) => a.User != b.User ? a.User.CompareTo(b.User) : a.Item.CompareTo(b.Item));
        return result;
    }
}

/// <summary>
/// Training interactions as a user → items matrix in CSR form (items ascending per user), with each cell's weight and
/// latest time; plus per-item user counts. What every collaborative model fits on.
/// </summary>
public sealed class TrainMatrix
{
    public TrainMatrix(IReadOnlyList<Interaction> train, int users, int items)
    {
        Users = users;
        Items = items;
        var collapsed = Splits.Collapse(train);
        RowStart = new int[users + 1];
        foreach (var row in collapsed)
        {
            RowStart[row.User + 1]++;
        }
        for (var u = 0; u < users; u++)
        {
            RowStart[u + 1] += RowStart[u];
        }
        ItemIndex = new int[collapsed.Length];
        Weight = new float[collapsed.Length];
        Time = new long[collapsed.Length];
        ItemUsers = new int[items];
        // Collapse sorts by (user, item), so rows fill in place.
        for (var i = 0; i < collapsed.Length; i++)
        {
            ItemIndex[i] = collapsed[i].Item;
            Weight[i] = collapsed[i].Weight;
            Time[i] = collapsed[i].Time;
            ItemUsers[collapsed[i].Item]++;
            MaxTime = Math.Max(MaxTime, collapsed[i].Time);
        }
    }

    public int Users { get; }
    public int Items { get; }
    public int[] RowStart { get; }
    public int[] ItemIndex { get; }
    public float[] Weight { get; }
    public long[] Time { get; }

    /// <summary>Number of training users per item.</summary>
    public int[] ItemUsers { get; }

    /// <summary>The latest training time (the "now" of time decay).</summary>
    public long MaxTime { get; }

    public ReadOnlySpan<int> ItemsOf(int user) => ItemIndex.AsSpan(RowStart[user], RowStart[user + 1] - RowStart[user]);
    public ReadOnlySpan<float> WeightsOf(int user) => Weight.AsSpan(RowStart[user], RowStart[user + 1] - RowStart[user]);
    public ReadOnlySpan<long> TimesOf(int user) => Time.AsSpan(RowStart[user], RowStart[user + 1] - RowStart[user]);
}
