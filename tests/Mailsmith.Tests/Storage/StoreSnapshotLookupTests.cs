using Mailsmith.Storage;

namespace Mailsmith.Tests.Storage;

public sealed class StoreSnapshotLookupTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static Customer C(string id) => new(id, id + "@example.test", null, null, "en-US", null, null, null, true, null);

    private static readonly Customer[] s_customers = [C("c2"), C("c1"), C("c3")];

    private static void AssertLookup(StoreSnapshot snapshot)
    {
        Assert.Equal(3, snapshot.CustomersById.Count);
        Assert.Equal(["c2", "c1", "c3"], snapshot.CustomersById.Keys);
        Assert.Equal(s_customers, snapshot.CustomersById.Values);
        Assert.Equal(s_customers.Select(c => KeyValuePair.Create(c.CustomerId, c)), snapshot.CustomersById);
        foreach (var c in s_customers)
        {
            Assert.Same(c, snapshot.CustomersById[c.CustomerId]);
            Assert.True(snapshot.CustomersById.ContainsKey(c.CustomerId));
        }
        // A customer id that only events name is not a customer.
        Assert.False(snapshot.CustomersById.TryGetValue("c9", out _));
        Assert.Throws<KeyNotFoundException>(() => snapshot.CustomersById["c9"]);
        Assert.Single(snapshot.EventsOf("c9"));
    }

    [Fact]
    public void CustomersById_SharingTheEventTablesIndex_FindsExactlyTheCustomers()
    {
        var builder = new EventTable.Builder(4, s_customers);
        builder.Add("c9", EventTypes.View, T0, "p1", null, null);
        builder.Add("c1", EventTypes.View, T0, "p1", null, null);
        var events = builder.Build();
        Assert.NotNull(events.IndexOf(s_customers));

        AssertLookup(new StoreSnapshot(s_customers, [], [], [], events, []));
    }

    [Fact]
    public void CustomersById_WithAnIndexOfItsOwn_FindsExactlyTheCustomers()
    {
        // Events added before the customers were known: the table's order is not the customers'.
        var builder = new EventTable.Builder(4);
        builder.Add("c9", EventTypes.View, T0, "p1", null, null);
        builder.Add("c1", EventTypes.View, T0, "p1", null, null);
        var events = builder.Build();
        Assert.Null(events.IndexOf(s_customers));

        AssertLookup(new StoreSnapshot(s_customers, [], [], [], events, []));
    }

    [Theory]
    [InlineData(false)] // every order's customer is in the shared index
    [InlineData(true)] // one is not: the order table indexes its own
    public void OrdersByCustomer_OnlyCustomersWithOrders_AsAGroupingDid(bool orderOfAStranger)
    {
        List<Order> orders = [new("o1", "c3", T0, 1m, null, null, null), new("o2", "c2", T0, 2m, null, null, null), new("o3", "c3", T0.AddDays(1), 3m, null, null, null)];
        if (orderOfAStranger)
        {
            orders.Add(new("o4", "c8", T0, 4m, null, null, null));
        }
        var snapshot = new StoreSnapshot(s_customers, [], orders, [new("o3", "p1", 1, 3m)], [], []);

        var expected = orders.GroupBy(o => o.CustomerId).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), snapshot.OrdersByCustomer.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(expected.Count, snapshot.OrdersByCustomer.Count);
        Assert.Equal(expected.Count, snapshot.OrdersByCustomer.Select(kv => kv.Key).Distinct().Count());
        foreach (var (id, list) in expected)
        {
            Assert.Equal(list, snapshot.OrdersByCustomer[id]);
            Assert.Equal(list, snapshot.OrdersOf(id).ToArray());
        }
        Assert.False(snapshot.OrdersByCustomer.ContainsKey("c1"));
        Assert.False(snapshot.OrdersByCustomer.TryGetValue("c1", out _));
        Assert.Empty(snapshot.OrdersOf("c1"));
        Assert.Empty(snapshot.OrdersOf("c9"));
        Assert.Equal(orders, snapshot.Orders.ToArray());
        Assert.Single(snapshot.LinesOf("o3"));
    }

    [Fact]
    public void RepeatedCustomerIds_Throw()
    {
        Assert.Throws<ArgumentException>(() => new StoreSnapshot([C("c1"), C("c1")], [], [], [], [], []));
    }
}
