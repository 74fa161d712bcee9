using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// Dense item indexes for the catalog: index order is ordinal product-id order, so "ties broken by index" is
/// "ties broken by product id". Immutable.
/// </summary>
internal sealed class ItemCatalog
{
    private readonly Dictionary<string, int> _index;

    public ItemCatalog(IReadOnlyList<Product> products)
    {
        var sorted = products.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.ProductId, b.ProductId));
        Products = sorted;
        Ids = new string[sorted.Length];
        _index = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        for (var i = 0; i < sorted.Length; i++)
        {
            Ids[i] = sorted[i].ProductId;
            _index[sorted[i].ProductId] = i;
        }
    }

    public Product[] Products { get; }

    public string[] Ids { get; }

    public int Count => Ids.Length;

    public bool TryGetIndex(string productId, out int index) => _index.TryGetValue(productId, out index);

    /// <summary>Every customer with orders or events, in ordinal id order (a fixed order keeps float sums reproducible).</summary>
    public static string[] CustomerIds(StoreSnapshot snapshot)
    {
        var ids = new HashSet<string>(snapshot.OrdersByCustomer.Keys, StringComparer.Ordinal);
        foreach (var id in snapshot.Events.CustomerIds)
        {
            if (snapshot.Events.HasEvents(id))
            {
                ids.Add(id);
            }
        }
        var array = ids.ToArray();
        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }
}
