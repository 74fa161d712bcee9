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
        Events = events as EventTable ?? Table(events, customers);
        Reviews = reviews;
        SuppressedEmails = suppressedEmails ?? new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sharedIndex = Events.IndexOf(customers);
        CustomersById = new CustomerLookup(customers, sharedIndex);
        ProductsById = products.ToDictionary(p => p.ProductId, StringComparer.Ordinal);
        var byId = CustomersById;
        var productsById = ProductsById;
        Orders = new OrderTable(orders, orderLines, sharedIndex, sharedIndex is null ? null : Events.CustomerIdArray,
            id => byId.TryGetValue(id, out var c) ? c.CustomerId : null, id => productsById.TryGetValue(id, out var p) ? p.ProductId : null);
        ReviewsByProduct = Group(reviews, r => r.ProductId);
    }

    public IReadOnlyList<Customer> Customers { get; }
    public IReadOnlyList<Product> Products { get; }
    /// <summary>All orders (as given: time order for a loaded store), held column by column with their lines.</summary>
    public OrderTable Orders { get; }
    public IReadOnlyList<OrderLine> OrderLines => Orders.Lines;
    /// <summary>All events in time order (as given), held column by column; <see cref="EventsOf"/> reads one customer's.</summary>
    public EventTable Events { get; }
    public IReadOnlyList<Review> Reviews { get; }
    /// <summary>Lower-cased addresses on the suppression list.</summary>
    public IReadOnlySet<string> SuppressedEmails { get; }

    public IReadOnlyDictionary<string, Customer> CustomersById { get; }
    public IReadOnlyDictionary<string, Product> ProductsById { get; }
    /// <summary>Orders per customer, oldest first.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Order>> OrdersByCustomer => Orders.ByCustomer;
    public IReadOnlyDictionary<string, IReadOnlyList<OrderLine>> LinesByOrder => Orders.LinesByOrder;
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
    /// <remarks>A view over <see cref="Orders"/>: no copy.</remarks>
    public OrderTable.OrderSlice OrdersOf(string customerId) => Orders.Of(customerId);

    /// <summary>Events of a customer, oldest first (empty when none). A view over <see cref="Events"/>: no copy.</summary>
    public EventTable.Slice EventsOf(string customerId) => Events.Of(customerId);

    /// <summary>Lines of an order (empty when none).</summary>
    public OrderTable.LineSlice LinesOf(string orderId) => Orders.LinesOf(orderId);

    private static EventTable Table(IReadOnlyList<StoreEvent> events, IReadOnlyList<Customer> customers)
    {
        var builder = new EventTable.Builder(events.Count, customers);
        foreach (var e in events)
        {
            builder.Add(e);
        }
        return builder.Build();
    }

    /// <summary>
    /// Customers by id through an id → position index: the event table's when it starts with these customers (a loaded
    /// store), so a million ids are indexed once (docs/benchmarks.md, "Profile memory, 4 December").
    /// </summary>
    private sealed class CustomerLookup : IReadOnlyDictionary<string, Customer>
    {
        private readonly IReadOnlyList<Customer> _customers;
        private readonly Dictionary<string, int> _index;

        /// <exception cref="ArgumentException">Two customers with one id.</exception>
        public CustomerLookup(IReadOnlyList<Customer> customers, Dictionary<string, int>? shared)
        {
            _customers = customers;
            if (shared is null)
            {
                shared = new Dictionary<string, int>(customers.Count, StringComparer.Ordinal);
                for (var i = 0; i < customers.Count; i++)
                {
                    // Add throws on a repeated id, as ToDictionary did.
                    shared.Add(customers[i].CustomerId, i);
                }
            }
            _index = shared;
        }

        public Customer this[string key] => TryGetValue(key, out var c) ? c : throw new KeyNotFoundException($"The given key '{key}' was not present in the dictionary.");

        public IEnumerable<string> Keys => _customers.Select(c => c.CustomerId);

        public IEnumerable<Customer> Values => _customers;

        public int Count => _customers.Count;

        public bool ContainsKey(string key) => TryGetValue(key, out _);

        public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Customer value)
        {
            // The shared index also holds customers that only have events: positions past the list are not customers.
            if (_index.TryGetValue(key, out var i) && i < _customers.Count)
            {
                value = _customers[i];
                return true;
            }
            value = null;
            return false;
        }

        public IEnumerator<KeyValuePair<string, Customer>> GetEnumerator() => _customers.Select(c => KeyValuePair.Create(c.CustomerId, c)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
