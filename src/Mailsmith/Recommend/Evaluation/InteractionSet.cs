using System.Globalization;
using System.Text;
using Mailsmith.Storage;

namespace Mailsmith.Recommend.Evaluation;

/// <summary>One user-item interaction: who, what, when (unix seconds) and how strongly (rating, event weight).</summary>
public readonly record struct Interaction(int User, int Item, long Time, float Weight);

/// <summary>Formats <c>recs eval</c> reads.</summary>
public enum InteractionFormat
{
    /// <summary>CSV with the header <c>user_id,item_id,timestamp[,weight]</c>; timestamps ISO 8601 or unix seconds.</summary>
    Csv,
    /// <summary>MovieLens <c>u.data</c>: tab-separated <c>user item rating timestamp</c>, no header; the rating is the weight.</summary>
    MovieLens,
    /// <summary>
    /// Market baskets, read as <c>recs rules</c> reads them (<see cref="Rules.Baskets.ReadAsync"/>: a CSV with the header
    /// <c>order_id,product_id</c>, or one basket per line): each basket is a user, each of its items an interaction of
    /// weight 1 and no time, so the task is completing a basket from the rest of it.
    /// </summary>
    Baskets,
}

/// <summary>
/// Interactions with users and items interned to dense ints. Duplicates of a (user, item) pair are kept as read; the
/// split and the models decide what to do with them (the models sum weights and keep the latest time).
/// </summary>
public sealed class InteractionSet
{
    private InteractionSet(string[] users, string[] items, Interaction[] interactions)
    {
        UserIds = users;
        ItemIds = items;
        Interactions = interactions;
    }

    /// <summary>External user ids by dense index.</summary>
    public IReadOnlyList<string> UserIds { get; }

    /// <summary>External item ids by dense index.</summary>
    public IReadOnlyList<string> ItemIds { get; }

    /// <summary>Every interaction, in input order.</summary>
    public IReadOnlyList<Interaction> Interactions { get; }

    /// <summary>The catalog product of each item index when the set comes from the store (null for an unknown
    /// item); null for a file, which carries no product texts. The content model needs it.</summary>
    public IReadOnlyList<Product?>? ItemProducts { get; private set; }

    /// <summary>Reads a file in <paramref name="format"/>.</summary>
    /// <exception cref="FormatException">A bad line, naming the file, the line and the field.</exception>
    public static async Task<InteractionSet> ReadAsync(string path, InteractionFormat format, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such interactions file", path);
        }
        var builder = new Builder();
        if (format == InteractionFormat.Baskets)
        {
            var baskets = await Rules.Baskets.ReadAsync(path, cancellationToken);
            for (var b = 0; b < baskets.Count; b++)
            {
                var user = "basket " + (b + 1).ToString(CultureInfo.InvariantCulture);
                foreach (var item in baskets[b])
                {
                    builder.Add(user, baskets.Name(item), 0, 1f);
                }
            }
            if (builder.Count == 0)
            {
                throw new FormatException($"{path}: no baskets");
            }
            return builder.Build();
        }
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        int userColumn = 0, itemColumn = 1, timeColumn = 2, weightColumn = -1, columns = 0;
        var separator = format == InteractionFormat.MovieLens ? '\t' : ',';
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var fields = line.Split(separator);
            if (format == InteractionFormat.Csv && columns == 0)
            {
                var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
                userColumn = header.IndexOf("user_id");
                itemColumn = header.IndexOf("item_id");
                timeColumn = header.IndexOf("timestamp");
                weightColumn = header.IndexOf("weight");
                var missing = new[] { ("user_id", userColumn), ("item_id", itemColumn), ("timestamp", timeColumn) }.Where(c => c.Item2 < 0).Select(c => c.Item1).ToList();
                if (missing.Count > 0)
                {
                    throw new FormatException($"{path}:{lineNumber}: the header lacks {string.Join(", ", missing)} (expected user_id,item_id,timestamp[,weight])");
                }
                columns = header.Count;
                continue;
            }
            if (format == InteractionFormat.MovieLens)
            {
                if (fields.Length < 4)
                {
                    throw new FormatException($"{path}:{lineNumber}: expected 4 tab-separated fields (user item rating timestamp), found {fields.Length}");
                }
                weightColumn = 2;
                timeColumn = 3;
            }
            else if (fields.Length != columns)
            {
                throw new FormatException($"{path}:{lineNumber}: expected {columns} fields, found {fields.Length}");
            }
            var user = fields[userColumn].Trim();
            var item = fields[itemColumn].Trim();
            if (user.Length == 0)
            {
                throw new FormatException($"{path}:{lineNumber}: field user_id is empty");
            }
            if (item.Length == 0)
            {
                throw new FormatException($"{path}:{lineNumber}: field item_id is empty");
            }
            var time = ParseTime(fields[timeColumn].Trim()) ?? throw new FormatException(
                $"{path}:{lineNumber}: field timestamp '{fields[timeColumn].Trim()}' is neither unix seconds nor an ISO 8601 date");
            var weight = 1f;
            if (weightColumn >= 0)
            {
                var text = fields[weightColumn].Trim();
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || !float.IsFinite(weight) || weight <= 0)
                {
                    throw new FormatException($"{path}:{lineNumber}: field {(format == InteractionFormat.MovieLens ? "rating" : "weight")} '{text}' is not a positive number");
                }
            }
            builder.Add(user, item, time, weight);
        }
        if (builder.Count == 0)
        {
            throw new FormatException($"{path}: no interactions");
        }
        return builder.Build();
    }

    /// <summary>
    /// The store's own interactions: views, add-to-carts and purchased order lines, weighted as the Recommend stage
    /// weights them (<see cref="RecommendOptions"/>).
    /// </summary>
    public static InteractionSet FromStore(StoreSnapshot snapshot, RecommendOptions options)
    {
        var builder = new Builder();
        foreach (var e in snapshot.Events)
        {
            if (e.ProductId is null)
            {
                continue;
            }
            var weight = e.Type switch
            {
                EventTypes.View => options.ViewWeight,
                EventTypes.AddToCart => options.AddToCartWeight,
                _ => 0,
            };
            if (weight > 0)
            {
                builder.Add(e.CustomerId, e.ProductId, e.OccurredAt.ToUnixTimeSeconds(), (float)weight);
            }
        }
        var orders = snapshot.Orders.ToDictionary(o => o.OrderId, StringComparer.Ordinal);
        foreach (var line in snapshot.OrderLines)
        {
            if (orders.TryGetValue(line.OrderId, out var order))
            {
                builder.Add(order.CustomerId, line.ProductId, order.OrderedAt.ToUnixTimeSeconds(), (float)options.PurchaseWeight);
            }
        }
        var set = builder.Build();
        set.ItemProducts = [.. set.ItemIds.Select(id => snapshot.ProductsById.GetValueOrDefault(id))];
        return set;
    }

    /// <summary>Builds a set from (user, item, time, weight) tuples; for tests and generators.</summary>
    public static InteractionSet From(IEnumerable<(string User, string Item, long Time, float Weight)> rows)
    {
        var builder = new Builder();
        foreach (var (user, item, time, weight) in rows)
        {
            builder.Add(user, item, time, weight);
        }
        return builder.Build();
    }

    private static long? ParseTime(string text)
    {
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fractional) && double.IsFinite(fractional))
        {
            return (long)fractional;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUnixTimeSeconds();
        }
        return null;
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, int> _users = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _items = new(StringComparer.Ordinal);
        private readonly List<string> _userIds = [];
        private readonly List<string> _itemIds = [];
        private readonly List<Interaction> _rows = [];

        public int Count => _rows.Count;

        public void Add(string user, string item, long time, float weight) =>
            _rows.Add(new Interaction(Intern(_users, _userIds, user), Intern(_items, _itemIds, item), time, weight));

        public InteractionSet Build() => new([.. _userIds], [.. _itemIds], [.. _rows]);

        private static int Intern(Dictionary<string, int> map, List<string> ids, string id)
        {
            if (!map.TryGetValue(id, out var index))
            {
                index = ids.Count;
                map[id] = index;
                ids.Add(id);
            }
            return index;
        }
    }
}
