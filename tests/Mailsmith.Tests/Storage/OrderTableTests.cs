using System.Globalization;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Storage;

public sealed class OrderTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly Order[] s_orders =
    [
        new("o1", "c2", T0, 12.50m, "EUR", null, null),
        new("o2", "c1", T0.AddMinutes(1).ToOffset(TimeSpan.FromHours(8)), null, null, "SAVE10", 1.25m),
        new("o3", "c2", T0.AddMinutes(2), new decimal(0, 0, 0, true, 1), "USD", "SAVE10", 0m),
        new("o4", "c3", T0.AddMinutes(3).ToOffset(TimeSpan.FromMinutes(-330)), 79228162514264337593543950335m, "EUR", null, -3.000m),
        new("o5", "c1", T0.AddMinutes(4), 0.0000000000000000000000000001m, "EUR", null, null),
    ];

    private static readonly OrderLine[] s_lines =
    [
        new("o3", "p2", 2, 9.990m),
        new("o1", "p1", 1, 12.50m),
        new("o9", "p1", 1, 1m), // an id no order has
        new("o3", "p1", 1, 0.01m),
        new("o5", "p3", 3, 18446744073709551616m),
    ];

    // Equal records, and equal down to what equality ignores: the offset of an instant, the scale of an amount.
    private static string Text(Order o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.OrderId}|{o.CustomerId}|{o.OrderedAt:O}|{o.Total}|{o.Currency}|{o.DiscountCode}|{o.DiscountAmount}");

    private static string Text(OrderLine l) => string.Create(CultureInfo.InvariantCulture, $"{l.OrderId}|{l.ProductId}|{l.Quantity}|{l.UnitPrice}");

    [Fact]
    public void Indexer_ReturnsEveryOrderAndLineAsAdded_OffsetsScalesAndWideAmountsIncluded()
    {
        var table = new OrderTable(s_orders, s_lines);

        Assert.Equal(s_orders.Length, table.Count);
        Assert.Equal(s_orders.Select(Text), table.Select(Text));
        Assert.Equal(s_orders.Select(Text), Enumerable.Range(0, table.Count).Select(i => Text(table[i])));
        Assert.Equal(s_orders, table.ToArray());
        Assert.Equal(s_lines.Select(Text), table.Lines.Select(Text));
        Assert.Equal(s_lines.Select(Text), Enumerable.Range(0, table.Lines.Count).Select(i => Text(table.Lines[i])));
        Assert.Equal(decimal.GetBits(s_orders[2].Total!.Value), decimal.GetBits(table[2].Total!.Value)); // negative zero stays negative
    }

    [Fact]
    public void Of_And_LinesOf_ReturnGroupsInInputOrder_EmptyForUnknown()
    {
        var table = new OrderTable(s_orders, s_lines);

        Assert.Equal([s_orders[1], s_orders[4]], table.Of("c1").ToArray());
        Assert.Equal([s_orders[0], s_orders[2]], table.Of("c2").ToArray());
        Assert.Empty(table.Of("c9"));
        Assert.Equal([s_lines[0], s_lines[3]], table.LinesOf("o3").ToArray());
        Assert.Equal([s_lines[2]], table.LinesOf("o9").ToArray());
        Assert.Empty(table.LinesOf("o2"));
        Assert.Empty(table.LinesOf("nope"));
    }

    [Fact]
    public void GroupViews_MatchGroupingTheRecords()
    {
        var table = new OrderTable(s_orders, s_lines);

        var byCustomer = s_orders.GroupBy(o => o.CustomerId).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(byCustomer.Keys, table.ByCustomer.Keys);
        Assert.Equal(byCustomer.Count, table.ByCustomer.Count);
        foreach (var (id, orders) in byCustomer)
        {
            Assert.True(table.ByCustomer.TryGetValue(id, out var got));
            Assert.Equal(orders, got);
            Assert.Equal(orders, table.ByCustomer[id]);
        }
        Assert.False(table.ByCustomer.ContainsKey("c9"));

        var byOrder = s_lines.GroupBy(l => l.OrderId).ToDictionary(g => g.Key, g => g.ToArray());
        Assert.Equal(byOrder.Keys.Order(StringComparer.Ordinal), table.LinesByOrder.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(byOrder.Count, table.LinesByOrder.Count);
        foreach (var (id, lines) in byOrder)
        {
            Assert.True(table.LinesByOrder.TryGetValue(id, out var got));
            Assert.Equal(lines, got);
        }
        // An order without lines is no group, as it was not in a dictionary of groups.
        Assert.False(table.LinesByOrder.ContainsKey("o2"));
        Assert.Throws<KeyNotFoundException>(() => table.LinesByOrder["o2"]);
    }

    [Fact]
    public void RepeatedOrderIds_ShareTheirLines_AsAGroupingByIdDid()
    {
        Order[] orders = [new("o1", "c1", T0, 1m, null, null, null), new("o1", "c2", T0.AddDays(1), 2m, null, null, null), new("o2", "c1", T0, 3m, null, null, null)];
        OrderLine[] lines = [new("o2", "p1", 1, 3m), new("o1", "p1", 1, 1m), new("o1", "p2", 1, 1m)];
        var table = new OrderTable(orders, lines);

        Assert.Equal(orders, table.ToArray());
        Assert.Equal([lines[1], lines[2]], table.LinesOf("o1").ToArray());
        Assert.Equal([lines[0]], table.LinesOf("o2").ToArray());
        Assert.Equal(lines, table.Lines.ToArray());
    }

    [Fact]
    public void CanonicalIds_AreTheStringsHandedOut()
    {
        var customer = new string("c1".AsSpan());
        var product = new string("p1".AsSpan());
        var table = new OrderTable([new("o1", "c1", T0, 1m, null, null, null)], [new("o1", "p1", 1, 1m)],
            id => id == "c1" ? customer : null, id => id == "p1" ? product : null);

        Assert.Same(customer, table[0].CustomerId);
        Assert.Same(product, table.Lines[0].ProductId);
    }

    [Fact]
    public void Empty_HasNothing()
    {
        Assert.Empty(OrderTable.Empty);
        Assert.Empty(OrderTable.Empty.Lines);
        Assert.Empty(OrderTable.Empty.ByCustomer);
        Assert.Empty(OrderTable.Empty.Of("c1"));
    }

    [Fact]
    public void MoneyColumn_ReadsBackExactly_NullsAndWideValuesIncluded()
    {
        decimal?[] values = [null, 0m, new decimal(0, 0, 0, true, 2), 12.50m, -12.5m, 1.0000m, decimal.MaxValue, decimal.MinValue, 9223372036854775807m, 9223372036854775808m, 0.0000000000000000000000000001m, -79.228162514264337593543950335m];
        var column = new MoneyColumn(values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            column.Set(i, values[i]);
        }
        for (var i = 0; i < values.Length; i++)
        {
            var got = column.Get(i);
            Assert.Equal(values[i], got);
            if (values[i] is { } v)
            {
                Assert.Equal(decimal.GetBits(v), decimal.GetBits(got!.Value));
            }
        }
        // Overwriting a wide value with a narrow one, and the reverse.
        column.Set(6, 1m);
        column.Set(1, decimal.MaxValue);
        Assert.Equal(1m, column.Get(6));
        Assert.Equal(decimal.MaxValue, column.Get(1));
        Assert.Throws<InvalidOperationException>(() => column.GetValue(0));
    }
}
