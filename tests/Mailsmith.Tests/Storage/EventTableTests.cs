using Mailsmith.Storage;

namespace Mailsmith.Tests.Storage;

public sealed class EventTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 9, 0, 0, TimeSpan.Zero);

    private static readonly StoreEvent[] s_events =
    [
        new("c2", EventTypes.View, T0, "p1", null, null),
        new("c1", EventTypes.Search, T0.AddMinutes(1), null, "knife", null),
        new("c2", EventTypes.EmailClick, T0.AddMinutes(2).ToOffset(TimeSpan.FromHours(8)), null, null, "cmp-0001"),
        new("c1", EventTypes.AddToCart, T0.AddMinutes(3).ToOffset(TimeSpan.FromMinutes(-330)), "p2", "knife", "cmp-0001"),
        new("c3", "custom_type", T0.AddMinutes(4), "", null, null),
    ];

    private static EventTable Table(IEnumerable<StoreEvent> events)
    {
        var builder = new EventTable.Builder(1);
        foreach (var e in events)
        {
            builder.Add(e);
        }
        return builder.Build();
    }

    [Fact]
    public void Indexer_ReturnsEveryEventAsAdded_OffsetsAndTextsIncluded()
    {
        var table = Table(s_events);

        Assert.Equal(s_events.Length, table.Count);
        for (var i = 0; i < s_events.Length; i++)
        {
            Assert.Equal(s_events[i], table[i]);
            Assert.Equal(s_events[i].OccurredAt.Offset, table[i].OccurredAt.Offset);
        }
        Assert.Equal(s_events, table.ToArray());
    }

    [Fact]
    public void Indexer_CustomersWithoutEventsBetween_ReadsEachRowsOwnCustomer()
    {
        // Seeded customers without events have empty ranges beside the others: a row's customer must still be its own.
        Customer C(string id) => new(id, id + "@example.test", null, null, "en-US", null, null, null, true, null);
        var builder = new EventTable.Builder(1, [C("c0"), C("c2"), C("c4"), C("c1"), C("c5"), C("c3"), C("c6")]);
        foreach (var e in s_events)
        {
            builder.Add(e);
        }
        var table = builder.Build();

        Assert.Equal(s_events, Enumerable.Range(0, table.Count).Select(i => table[i]));
        Assert.Equal(s_events, table.ToArray());
        Assert.Equal([s_events[0], s_events[2]], table.Of("c2").ToArray());
        Assert.Equal(s_events[4], table.Of("c3")[0]);
        Assert.Empty(table.Of("c6"));
    }

    [Fact]
    public void Indexer_ManyBlocksOfRows_ReadsEachRowsOwnCustomer()
    {
        // Several blocks of 1,024 rows, customers of every size (none, one, many spanning a block boundary).
        var random = new Random(5);
        Customer C(string id) => new(id, id + "@example.test", null, null, "en-US", null, null, null, true, null);
        var customers = Enumerable.Range(0, 700).Select(i => C($"c{i}")).ToArray();
        var events = new List<StoreEvent>();
        for (var k = 0; k < 5000; k++)
        {
            var c = random.Next(10) == 0 ? 699 : random.Next(0, 350) * 2; // odd customers never have events
            events.Add(new StoreEvent($"c{c}", EventTypes.View, T0.AddSeconds(k), "p1", null, null));
        }
        var builder = new EventTable.Builder(16, customers);
        foreach (var e in events)
        {
            builder.Add(e);
        }
        var table = builder.Build();

        Assert.Equal(events, Enumerable.Range(0, table.Count).Select(i => table[i]));
        Assert.Equal(events, table.ToArray());
        Assert.Equal(events.Where(e => e.CustomerId == "c699"), table.Of("c699").ToArray());
    }

    [Theory]
    [InlineData(0L)] // whole seconds: held as seconds after the first
    [InlineData(1L)] // a tick past a second: held as ticks
    [InlineData(TimeSpan.TicksPerMillisecond)]
    public void Indexer_InstantsOfAnyPrecision_ReadBackExactly(long extraTicks)
    {
        StoreEvent[] events =
        [
            new("c1", EventTypes.View, T0.AddTicks(extraTicks), "p1", null, null),
            new("c2", EventTypes.View, T0.AddSeconds(-5), "p1", null, null),
            new("c1", EventTypes.View, T0.AddDays(3000).ToOffset(TimeSpan.FromHours(-7)), "p1", null, null),
        ];
        var table = Table(events);

        Assert.Equal(events.Select(e => (e.OccurredAt.Ticks, e.OccurredAt.Offset)), table.Select(e => (e.OccurredAt.Ticks, e.OccurredAt.Offset)));
    }

    [Fact]
    public void Indexer_InstantsCenturiesApart_ReadBackExactly()
    {
        // More than 2³² seconds between the first and the last: seconds in 4 bytes cannot hold it.
        StoreEvent[] events =
        [
            new("c1", EventTypes.View, DateTimeOffset.MinValue, "p1", null, null),
            new("c1", EventTypes.View, new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero), "p1", null, null),
        ];

        Assert.Equal(events, Table(events).ToArray());
    }

    [Fact]
    public void Of_ReturnsOneCustomersEventsInInputOrder_EmptyForUnknown()
    {
        var table = Table(s_events);

        Assert.Equal([s_events[1], s_events[3]], table.Of("c1").ToArray());
        Assert.Equal([s_events[0], s_events[2]], table.Of("c2").ToArray());
        Assert.Empty(table.Of("c9"));
        Assert.False(table.HasEvents("c9"));
        Assert.True(table.HasEvents("c3"));
    }

    [Fact]
    public void Enumerators_Reset_StartOverFromTheFirstEvent()
    {
        var table = Table(s_events);
        var all = table.GetEnumerator();
        var c1 = table.Of("c1").GetEnumerator();
        while (all.MoveNext() && c1.MoveNext())
        {
        }

        all.Reset();
        c1.Reset();

        Assert.True(all.MoveNext());
        Assert.Equal(s_events[0], all.Current);
        Assert.True(c1.MoveNext());
        Assert.Equal(s_events[1], c1.Current);
        Assert.True(c1.MoveNext());
        Assert.Equal(s_events[3], c1.Current);
        Assert.False(c1.MoveNext());
    }

    [Fact]
    public void SortByTime_OrdersTheTableAndEachCustomer()
    {
        var builder = new EventTable.Builder();
        foreach (var e in s_events.Reverse())
        {
            builder.Add(e);
        }
        builder.SortByTime();
        var table = builder.Build();

        Assert.Equal(s_events, table.ToArray());
        Assert.Equal([s_events[1], s_events[3]], table.Of("c1").ToArray());
    }

    [Fact]
    public void Builder_SeededCustomers_ShareTheirIdStrings()
    {
        var id = new string(['c', '1']);
        var customer = new Customer(id, "c1@example.test", null, null, "en-US", null, T0, null, true, null);
        var builder = new EventTable.Builder(0, [customer]);
        builder.Add(new string(['c', '1']), EventTypes.View, T0, "p1", null, null);
        var table = builder.Build();

        Assert.Same(id, table[0].CustomerId);
        Assert.Throws<InvalidOperationException>(() => builder.Add(s_events[0]));
    }

    [Fact]
    public void Snapshot_FromAList_ReadsThroughTheTable()
    {
        var snapshot = new StoreSnapshot([], [], [], [], s_events, []);

        Assert.Equal(s_events, snapshot.Events.ToArray());
        Assert.Equal([s_events[0], s_events[2]], snapshot.EventsOf("c2").ToArray());
    }
}
