using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>
/// The catalog's price distribution per category (full category path), to place a price within its category.
/// Immutable after construction; safe to share between threads.
/// </summary>
internal sealed class CategoryPrices
{
    private readonly Dictionary<string, (string Category, decimal[] SortedPrices, double ListPercentile)> _products;

    public CategoryPrices(IReadOnlyList<Product> products)
    {
        var lists = new Dictionary<string, List<decimal>>(StringComparer.Ordinal);
        foreach (var p in products)
        {
            if (!lists.TryGetValue(p.Category, out var list))
            {
                lists[p.Category] = list = [];
            }
            list.Add(p.Price);
        }
        var sortedByCategory = new Dictionary<string, decimal[]>(lists.Count, StringComparer.Ordinal);
        foreach (var (category, list) in lists)
        {
            var sorted = list.ToArray();
            Array.Sort(sorted);
            sortedByCategory[category] = sorted;
        }
        _products = new Dictionary<string, (string, decimal[], double)>(products.Count, StringComparer.Ordinal);
        foreach (var p in products)
        {
            var sorted = sortedByCategory[p.Category];
            _products[p.ProductId] = (p.Category, sorted, Percentile(sorted, p.Price));
        }
    }

    /// <summary>
    /// The category of a catalog product and where <paramref name="price"/> (or, when null, its list price) sits among
    /// its category's list prices, 0–1; false for a product not in the catalog. One lookup, as it runs per interaction.
    /// </summary>
    public bool TryGet(string productId, decimal? price, out string category, out double percentile)
    {
        if (!_products.TryGetValue(productId, out var info))
        {
            category = "";
            percentile = 0;
            return false;
        }
        category = info.Category;
        percentile = price is { } p ? Percentile(info.SortedPrices, p) : info.ListPercentile;
        return true;
    }

    /// <summary>Mid-rank percentile: (prices below + ½ × prices equal) / count. A category of one product puts it at 0.5.</summary>
    internal static double Percentile(decimal[] sorted, decimal price)
    {
        var below = LowerBound(sorted, price);
        var equal = UpperBound(sorted, price) - below;
        return (below + 0.5 * equal) / sorted.Length;
    }

    internal static int LowerBound<T>(T[] sorted, T value) where T : IComparable<T>
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].CompareTo(value) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    internal static int UpperBound<T>(T[] sorted, T value) where T : IComparable<T>
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid].CompareTo(value) <= 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
