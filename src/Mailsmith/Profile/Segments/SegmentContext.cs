using System.Collections.Frozen;
using Mailsmith.Storage;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// What binding an expression needs besides the registry: the as-of moment (for <c>today()</c> and <c>days_ago()</c>)
/// and the catalog's category paths and brands (to check and spell the names given to <c>affinity</c> and <c>brand_affinity</c>).
/// </summary>
/// <param name="AsOf">"Now" for the evaluation; <c>days_ago(n)</c> is the UTC date n days before it.</param>
/// <param name="Categories">Every level of every catalog category path, as <c>A &gt; B</c>; empty when unknown (names then go unchecked).</param>
/// <param name="Brands">Every catalog brand; empty when unknown.</param>
/// <param name="CheckNames">Whether an affinity name missing from the catalog is an error (when a segment is created) or simply matches
/// nobody (when a stored segment is evaluated after the catalog changed).</param>
public sealed record SegmentContext(DateTimeOffset AsOf, FrozenSet<string> Categories, FrozenSet<string> Brands, bool CheckNames = true)
{
    /// <summary>The catalog's products, which <c>bought('category:…')</c> and <c>bought('brand:…')</c> resolve to; empty when unknown.</summary>
    public IReadOnlyList<Product> Products { get; init; } = [];

    /// <summary>A context with no catalog: affinity names are not checked.</summary>
    public static SegmentContext At(DateTimeOffset asOf) =>
        new(asOf, FrozenSet<string>.Empty, FrozenSet<string>.Empty, CheckNames: false);

    /// <summary>A context knowing the categories (every path level) and brands of <paramref name="products"/>.</summary>
    public static SegmentContext FromProducts(IEnumerable<Product> products, DateTimeOffset asOf, bool checkNames = true)
    {
        var categories = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var brands = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var catalog = products as IReadOnlyList<Product> ?? products.ToList();
        foreach (var p in catalog)
        {
            var parts = CategoryPath.Split(p.Category);
            for (var level = 1; level <= parts.Length; level++)
            {
                categories.Add(string.Join(CategoryPath.Separator, parts.Take(level)));
            }
            if (!string.IsNullOrWhiteSpace(p.Brand))
            {
                brands.Add(p.Brand.Trim());
            }
        }
        return new SegmentContext(asOf, categories.ToFrozenSet(StringComparer.OrdinalIgnoreCase), brands.ToFrozenSet(StringComparer.OrdinalIgnoreCase), checkNames)
        {
            Products = catalog,
        };
    }
}

/// <summary>Category paths as the catalog writes them (<c>Home &gt; Kitchen</c>); <c>/</c> is accepted as a separator too.</summary>
public static class CategoryPath
{
    public const string Separator = " > ";

    /// <summary>The levels of a path, trimmed, empty ones dropped.</summary>
    public static string[] Split(string path) =>
        path.Split(['>', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The path with the canonical separator.</summary>
    public static string Normalize(string path) => string.Join(Separator, Split(path));

    /// <summary>Whether <paramref name="path"/> is <paramref name="level"/> or lies under it (case-insensitive, any separator).</summary>
    public static bool IsAtOrUnder(string path, string level)
    {
        var p = Split(path);
        var l = Split(level);
        if (l.Length == 0 || l.Length > p.Length)
        {
            return false;
        }
        for (var i = 0; i < l.Length; i++)
        {
            if (!p[i].Equals(l[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>"Did you mean" for names: the closest candidate by edit distance, when it is close enough.</summary>
public static class Suggestions
{
    /// <summary>The candidate nearest to <paramref name="input"/>, or null when none is plausibly meant.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var needle = input.ToLowerInvariant();
        foreach (var candidate in candidates)
        {
            var c = candidate.ToLowerInvariant();
            var d = Distance(needle, c);
            // A prefix (clv → clv_365) or the same letters without underscores (clv365) count as near.
            if (c.StartsWith(needle, StringComparison.Ordinal) && needle.Length >= 3 || c.Replace("_", "", StringComparison.Ordinal) == needle.Replace("_", "", StringComparison.Ordinal))
            {
                d = Math.Min(d, 1);
            }
            if (d < bestDistance)
            {
                bestDistance = d;
                best = candidate;
            }
        }
        return best is not null && bestDistance <= Math.Max(2, needle.Length / 3) ? best : null;
    }

    /// <summary>Levenshtein distance with adjacent transpositions counting one.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
