namespace Mailsmith.Storage;

/// <summary>
/// The store's data read once into memory, with the indexes every stage needs.
/// Immutable after <see cref="Load"/>; shared by Profile, Recommend and Compose within one run.
/// </summary>
public sealed class StoreSnapshot
{
    public StoreSnapshot(
        IReadOnlyList<Customer> customers,
        IReadOnlyList<Product> products,
        IReadOnlyList<Order> orders,
        IReadOnlyList<OrderLine> orderLines,
        IReadOnlyList<StoreEvent> events,
        IReadOnlyList<Review> reviews,
        IReadOnlySet<string>? suppressedEmails = null)
    {
        Customers = customers;
        Products = products;
        Orders = orders;
        OrderLines = orderLines;
        Events = events as EventTable ?? Table(events, customers);
        Reviews = reviews;
        SuppressedEmails = suppressedEmails ?? new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CustomersById = customers.ToDictionary(c => c.CustomerId, StringComparer.Ordinal);
        ProductsById = products.ToDictionary(p => p.ProductId, StringComparer.Ordinal);
        OrdersByCustomer = Group(orders, o => o.CustomerId);
        LinesByOrder = Group(orderLines, l => l.OrderId);
        ReviewsByProduct = Group(reviews, r => r.ProductId);
    }

    public IReadOnlyList<Customer> Customers { get; }
    public IReadOnlyList<Product> Products { get; }
    public IReadOnlyList<Order> Orders { get; }
    public IReadOnlyList<OrderLine> OrderLines { get; }
    /// <summary>All events in time order (as given), held column by column; <see cref="EventsOf"/> reads one customer's.</summary>
    public EventTable Events { get; }
    public IReadOnlyList<Review> Reviews { get; }
    /// <summary>Lower-cased addresses on the suppression list.</summary>
    public IReadOnlySet<string> SuppressedEmails { get; }

    public IReadOnlyDictionary<string, Customer> CustomersById { get; }
    public IReadOnlyDictionary<string, Product> ProductsById { get; }
    /// <summary>Orders per customer, oldest first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Order>> OrdersByCustomer { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<OrderLine>> LinesByOrder { get; }
    public IReadOnlyDictionary<string, IReadOnlyList<Review>> ReviewsByProduct { get; }

    /// <summary>Reads everything from <paramref name="store"/>.</summary>
    /// <param name="store">The store to read.</param>
    /// <param name="returnMemory">
    /// Ends with a blocking, compacting full collection that gives the reading's garbage back to the OS (about half a GB
    /// at 10M events). For batch commands that go on to hold the snapshot for long (the profile stage); never in the
    /// server, where the pause would stall every request in flight.
    /// </param>
    public static StoreSnapshot Load(MailsmithStore store, bool returnMemory = false)
    {
        var customers = store.LoadCustomers();
        var snapshot = new StoreSnapshot(customers, store.LoadProducts(), store.LoadOrders(), store.LoadOrderLines(), store.LoadEvents(customers), store.LoadReviews(),
            store.LoadSuppressedEmails());
        // Reading left the event builder's columns and the readers' growing lists as garbage (about half a GB at
        // 10M events); an aggressive collection returns those pages to the OS instead of keeping them committed
        // (docs/benchmarks.md, "Profile memory, continued").
        if (returnMemory)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        return snapshot;
    }

    /// <summary>Orders of a customer (empty when none).</summary>
    public IReadOnlyList<Order> OrdersOf(string customerId) => OrdersByCustomer.TryGetValue(customerId, out var list) ? list : [];

    /// <summary>Events of a customer, oldest first (empty when none). A view over <see cref="Events"/>: no copy.</summary>
    public EventTable.Slice EventsOf(string customerId) => Events.Of(customerId);

    /// <summary>Lines of an order (empty when none).</summary>
    public IReadOnlyList<OrderLine> LinesOf(string orderId) => LinesByOrder.TryGetValue(orderId, out var list) ? list : [];

    private static EventTable Table(IReadOnlyList<StoreEvent> events, IReadOnlyList<Customer> customers)
    {
        var builder = new EventTable.Builder(events.Count, customers);
        foreach (var e in events)
        {
            builder.Add(e);
        }
        return builder.Build();
    }

    // Each group is an exact-size array: a million one-element lists would carry a million spare slots.
    private static Dictionary<string, IReadOnlyList<T>> Group<T>(IReadOnlyList<T> items, Func<T, string> key)
    {
        var map = new Dictionary<string, List<T>>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var k = key(item);
            if (!map.TryGetValue(k, out var list))
            {
                map[k] = list = [];
            }
            list.Add(item);
        }
        var result = new Dictionary<string, IReadOnlyList<T>>(map.Count, StringComparer.Ordinal);
        foreach (var (k, list) in map)
        {
            result[k] = list.ToArray();
        }
        return result;
    }
}
