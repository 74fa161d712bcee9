using Mailsmith.Storage;

namespace Mailsmith.Tests.Profile;

/// <summary>Builds small in-memory snapshots for Profile and Recommend tests; times are relative to <see cref="AsOf"/>.</summary>
internal sealed class SnapshotBuilder
{
    public static readonly DateTimeOffset AsOf = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<Customer> _customers = [];
    private readonly List<Product> _products = [];
    private readonly List<Order> _orders = [];
    private readonly List<OrderLine> _lines = [];
    private readonly List<StoreEvent> _events = [];

    public static DateTimeOffset DaysAgo(double days) => AsOf.AddDays(-days);

    public SnapshotBuilder Customer(string id, DateTimeOffset? signup = null, string? timeZone = null)
    {
        _customers.Add(new Customer(id, $"{id}@example.test", null, null, "en-US", timeZone, signup ?? DaysAgo(1000), null, true, null));
        return this;
    }

    public SnapshotBuilder Product(string id, string category, decimal price = 10m, bool inStock = true)
    {
        _products.Add(new Product(id, id, null, category, null, price, "USD", inStock, null, null, [], new Dictionary<string, LocalizedText>()));
        return this;
    }

    /// <summary>Adds a product with all its fields as given (texts, tags, localized texts).</summary>
    public SnapshotBuilder Product(Product product)
    {
        _products.Add(product);
        return this;
    }

    /// <summary>An order of one unit of each product at its given price; <paramref name="total"/> defaults to the lines' sum.</summary>
    public SnapshotBuilder Order(
        string customerId, DateTimeOffset at, string[] products, decimal price = 10m, decimal? total = -1, string? discountCode = null, decimal? discountAmount = null)
    {
        var orderId = $"o{_orders.Count + 1}";
        _orders.Add(new Order(orderId, customerId, at, total == -1 ? price * products.Length : total, "USD", discountCode, discountAmount));
        foreach (var p in products)
        {
            _lines.Add(new OrderLine(orderId, p, 1, price));
        }
        return this;
    }

    public SnapshotBuilder Event(string customerId, string type, DateTimeOffset at, string? productId = null)
    {
        _events.Add(new StoreEvent(customerId, type, at, productId, null, null));
        return this;
    }

    public StoreSnapshot Build() => new(
        _customers,
        _products,
        [.. _orders.OrderBy(o => o.OrderedAt)],
        _lines,
        [.. _events.OrderBy(e => e.OccurredAt)],
        []);
}
