using Mailsmith.Storage;

namespace Mailsmith.Benchmarks.Recommend;

/// <summary>
/// Seeded store data with taste structure, for the Profile and Recommend benchmarks: each customer favours two of the
/// categories; about 85% of their events land there. Events are views and carts; about one in twelve becomes an order line.
/// </summary>
internal static class SyntheticInteractions
{
    public static readonly DateTimeOffset AsOf = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] s_timeZones = ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "UTC", "America/Los_Angeles"];

    public static StoreSnapshot Create(int customers, int eventsPerCustomer, int items, int categories, int seed)
    {
        var random = new Random(seed);
        var products = new List<Product>(items);
        var perCategory = items / categories;
        for (var i = 0; i < items; i++)
        {
            var category = $"Dept {i % 5} > Category {i % categories:000}";
            products.Add(new Product(
                $"p{i:00000}", $"Product {i}", null, category, null, 5m + random.Next(0, 20000) / 100m, "EUR",
                InStock: random.Next(20) != 0, null, null, [], new Dictionary<string, LocalizedText>()));
        }
        var customerList = new List<Customer>(customers);
        var orders = new List<Order>();
        var lines = new List<OrderLine>();
        var events = new List<StoreEvent>(customers * eventsPerCustomer);
        for (var c = 0; c < customers; c++)
        {
            var id = $"c{c:000000}";
            customerList.Add(new Customer(
                id, $"{id}@example.test", null, null, "en-US", s_timeZones[c % s_timeZones.Length], AsOf.AddDays(-random.Next(30, 900)), null, true, null));
            var favourite1 = random.Next(categories);
            var favourite2 = random.Next(categories);
            var count = eventsPerCustomer / 2 + random.Next(eventsPerCustomer + 1);
            for (var e = 0; e < count; e++)
            {
                var category = random.Next(100) switch
                {
                    < 50 => favourite1,
                    < 85 => favourite2,
                    _ => random.Next(categories),
                };
                // Products of one category sit at indexes category, category + categories, ….
                var item = category + (categories * random.Next(perCategory));
                var productId = products[item].ProductId;
                var at = AsOf.AddMinutes(-random.Next(1, 365 * 24 * 60));
                events.Add(new StoreEvent(id, random.Next(5) == 0 ? EventTypes.AddToCart : EventTypes.View, at, productId, null, null));
                if (random.Next(12) == 0)
                {
                    var orderId = $"o{orders.Count:0000000}";
                    orders.Add(new Order(orderId, id, at.AddMinutes(10), null, "EUR", random.Next(4) == 0 ? "SAVE10" : null, null));
                    lines.Add(new OrderLine(orderId, productId, 1, products[item].Price));
                }
            }
        }
        events.Sort(static (a, b) => a.OccurredAt.CompareTo(b.OccurredAt));
        orders.Sort(static (a, b) => a.OrderedAt.CompareTo(b.OrderedAt));
        return new StoreSnapshot(customerList, products, orders, lines, events, []);
    }
}
