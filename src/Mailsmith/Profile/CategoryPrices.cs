using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>
/// The catalog's price distribution per category (full category path), to place a price within its category.
/// Immutable after construction; safe to share between threads.
/// </summary>
internal sealed class CategoryPrices
{
    private readonly Dictionary<string, decimal[]> _sortedByCategory;
    private readonly Dictionary<string, (string Category, double ListPercentile)> _products;

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
        _sortedByCategory = new Dictionary<string, decimal[]>(lists.Count, StringComparer.Ordinal);
        foreach (var (category, list) in lists)
        {
            var sorted = list.ToArray();
            Array.Sort(sorted);
            _sortedByCategory[category] = sorted;
        }
        _products = new Dictionary<string, (string, double)>(products.Count, StringComparer.Ordinal);
        foreach (var p in products)
        {
            _products[p.ProductId] = (p.Category, Percentile(_sortedByCategory[p.Category], p.Price));
        }
    }

    /// <summary>The category of a catalog product; false for a product not in the catalog.</summary>
    public bool TryGetCategory(string productId, out string category)
    {
        if (_products.TryGetValue(productId, out var info))
        {
            category = info.Category;
            return true;
        }
        category = "";
        return false;
    }

    /// <summary>
    /// Where <paramref name="price"/> (or, when null, the product's list price) sits among its category's list prices, 0–1;
    /// null for a product not in the catalog.
    /// </summary>
    public double? PercentileOf(string productId, decimal? price)
    {
        if (!_products.TryGetValue(productId, out var info))
        {
            return null;
        }
        return price is { } p ? Percentile(_sortedByCategory[info.Category], p) : info.ListPercentile;
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
