using System.Text;

namespace Mailsmith.Recommend.Rules;

/// <summary>
/// Market baskets as item-id sets: items are interned to dense ints (0…<see cref="ItemCount"/>−1), each basket holds
/// every item once, in ascending id order. Read from a file (<see cref="ReadAsync"/>) or built from the store's orders.
/// </summary>
public sealed class Baskets
{
    private readonly string[] _names;
    private readonly int[][] _baskets;

    private Baskets(string[] names, int[][] baskets)
    {
        _names = names;
        _baskets = baskets;
    }

    /// <summary>Number of baskets (transactions), the denominator of support.</summary>
    public int Count => _baskets.Length;

    /// <summary>Number of distinct items.</summary>
    public int ItemCount => _names.Length;

    /// <summary>Item ids of one basket, ascending, no duplicates.</summary>
    public ReadOnlySpan<int> this[int basket] => _baskets[basket];

    /// <summary>The item's name as it appeared in the input.</summary>
    public string Name(int item) => _names[item];

    /// <summary>Builds baskets from (basket key, item) pairs; order of first appearance is kept for both.</summary>
    public static Baskets FromPairs(IEnumerable<(string Basket, string Item)> pairs)
    {
        var builder = new Builder();
        foreach (var (basket, item) in pairs)
        {
            builder.Add(basket, item);
        }
        return builder.Build();
    }

    /// <summary>Builds baskets from lists of items (duplicates inside a list count once).</summary>
    public static Baskets FromLists(IEnumerable<IEnumerable<string>> baskets)
    {
        var builder = new Builder();
        var key = 0;
        foreach (var basket in baskets)
        {
            var name = (key++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            builder.Open(name);
            foreach (var item in basket)
            {
                builder.Add(name, item);
            }
        }
        return builder.Build();
    }

    /// <summary>
    /// Reads a basket file in either accepted layout, detected from the first line: a CSV whose header is
    /// <c>order_id,product_id</c> (one line per item; lines of one order need not be adjacent), or a headerless file
    /// with one basket per line, items separated by commas (fields may be double-quoted). Blank lines are skipped.
    /// </summary>
    /// <exception cref="FormatException">A line that cannot be read, naming the file, the line and the field.</exception>
    public static async Task<Baskets> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such basket file", path);
        }
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var builder = new Builder();
        var fields = new List<string>();
        var lineNumber = 0;
        bool? pairs = null;
        var orderColumn = 0;
        var productColumn = 1;
        var columns = 2;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            SplitCsv(line, fields, path, lineNumber);
            if (pairs is null)
            {
                var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
                pairs = header.Contains("order_id") && header.Contains("product_id");
                if (pairs.Value)
                {
                    orderColumn = header.IndexOf("order_id");
                    productColumn = header.IndexOf("product_id");
                    columns = header.Count;
                    continue;
                }
            }
            if (pairs.Value)
            {
                if (fields.Count != columns)
                {
                    throw new FormatException($"{path}:{lineNumber}: expected {columns} fields (order_id,product_id), found {fields.Count}");
                }
                var order = fields[orderColumn].Trim();
                var product = fields[productColumn].Trim();
                if (order.Length == 0)
                {
                    throw new FormatException($"{path}:{lineNumber}: field order_id is empty");
                }
                if (product.Length == 0)
                {
                    throw new FormatException($"{path}:{lineNumber}: field product_id is empty");
                }
                builder.Add(order, product);
            }
            else
            {
                var key = lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
                builder.Open(key);
                for (var i = 0; i < fields.Count; i++)
                {
                    var item = fields[i].Trim();
                    if (item.Length == 0)
                    {
                        throw new FormatException($"{path}:{lineNumber}: item {i + 1} is empty (two commas in a row, or a trailing comma)");
                    }
                    builder.Add(key, item);
                }
            }
        }
        if (builder.BasketCount == 0)
        {
            throw new FormatException($"{path}: no baskets (the file is empty{(pairs == true ? " after its header" : "")})");
        }
        return builder.Build();
    }

    private static void SplitCsv(string line, List<string> fields, string path, int lineNumber)
    {
        fields.Clear();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new FormatException($"{path}:{lineNumber}: field {fields.Count + 1} has an unclosed quote");
        }
        fields.Add(field.ToString());
    }

    private sealed class Builder
    {
        private readonly Dictionary<string, int> _items = new(StringComparer.Ordinal);
        private readonly List<string> _names = [];
        private readonly Dictionary<string, int> _basketIndex = new(StringComparer.Ordinal);
        private readonly List<HashSet<int>> _baskets = [];

        public int BasketCount => _baskets.Count;

        public void Open(string basket)
        {
            if (!_basketIndex.ContainsKey(basket))
            {
                _basketIndex[basket] = _baskets.Count;
                _baskets.Add([]);
            }
        }

        public void Add(string basket, string item)
        {
            Open(basket);
            if (!_items.TryGetValue(item, out var id))
            {
                id = _names.Count;
                _items[item] = id;
                _names.Add(item);
            }
            _baskets[_basketIndex[basket]].Add(id);
        }

        public Baskets Build() => new(
            [.. _names],
            [.. _baskets.Select(b => { var a = b.ToArray(); Array.Sort(a); return a; })]);
    }
}
