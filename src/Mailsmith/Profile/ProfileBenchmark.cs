using System.Diagnostics;
using System.Globalization;
using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>What <c>mailsmith bench profile</c> measures.</summary>
public sealed class ProfileBenchmarkOptions
{
    /// <summary>Customers generated. Default 1,000,000.</summary>
    public int Customers { get; init; } = 1_000_000;

    /// <summary>Storefront events generated in total (views, carts, searches). Default 10,000,000.</summary>
    public long Events { get; init; } = 10_000_000;

    /// <summary>Catalog size. Default 5,000.</summary>
    public int Products { get; init; } = 5000;

    /// <summary>Also write the profiles to a temporary SQLite store and time it. Default false.</summary>
    public bool Save { get; init; }

    /// <summary>Seed of the generated data. Default 1.</summary>
    public int Seed { get; init; } = 1;
}

/// <summary>The figures of one benchmark run.</summary>
public sealed record ProfileBenchmarkResult(
    int Customers, long Events, long Orders, long Reviews, long EmailTouches,
    double GenerateSeconds, double ProfileSeconds, double? SaveSeconds, IReadOnlyDictionary<string, double> StepSeconds,
    double PeakWorkingSetMb, double DataResidentMb, double ProfileManagedMb, string ClvStatus, int? ClusterK);

/// <summary>
/// <c>mailsmith bench profile</c>: generates a seeded store in memory (the direct path: writing and importing 10M CSV
/// rows would measure the importer, not the profile stage), runs the whole profile stage on it and reports time and
/// peak memory. The output is checked (every customer profiled, the CLV fitted, clusters found) before any figure is
/// reported.
/// </summary>
public static class ProfileBenchmark
{
    private static readonly string[] s_zones = ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "UTC", "America/Los_Angeles", "Asia/Tokyo"];
    private static readonly string[] s_locales = ["en-US", "en-US", "zh-CN", "en-US", "en-US", "ja-JP"];
    private static readonly string[] s_reviews = ["Great quality, love it", "质量很好，非常喜欢", "Not worth the price", "还可以", "Broke after a week, disappointed", "Perfect gift"];

    public static readonly DateTimeOffset AsOf = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <exception cref="InvalidOperationException">The run's output is not what it must be (a bug, not a slow machine).</exception>
    public static ProfileBenchmarkResult Run(ProfileBenchmarkOptions options, Action<string>? log = null)
    {
        var watch = Stopwatch.StartNew();
        var (snapshot, engagement, touches) = Generate(options);
        var generate = watch.Elapsed.TotalSeconds;
        log?.Invoke(FormattableString.Invariant($"generated {snapshot.Customers.Count:N0} customers, {snapshot.Events.Count:N0} events, {snapshot.Orders.Count:N0} orders, {snapshot.Reviews.Count:N0} reviews, {touches:N0} opens/clicks in {generate:F1} s"));
        // As StoreSnapshot.Load does for the profile stage: the generator's buffers are garbage now; give their pages back before profiling.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var dataResident = ResidentBytes();

        watch.Restart();
        var run = new ProfileEnricher(ProfileOptions.Default).Run(snapshot, engagement, AsOf,
            (step, done, total) =>
            {
                if (done == 0)
                {
                    // Where the memory grows: the resident set and the managed heap (no collection forced) as each step starts.
                    log?.Invoke(FormattableString.Invariant($"  {step} (resident {ResidentBytes() / 1048576} MB, managed {GC.GetTotalMemory(false) / 1048576} MB)"));
                }
            }, returnMemory: true);
        var profileSeconds = watch.Elapsed.TotalSeconds;
        var after = GC.GetTotalMemory(forceFullCollection: false);
        Check(run, snapshot);
        log?.Invoke(FormattableString.Invariant($"profiled in {profileSeconds:F1} s (resident {ResidentBytes() / 1048576} MB, peak {PeakWorkingSetBytes() / 1048576} MB)"));

        double? save = null;
        if (options.Save)
        {
            var dir = Directory.CreateTempSubdirectory("mailsmith-bench-profile-").FullName;
            try
            {
                var store = MailsmithStore.Open(Path.Combine(dir, "bench.db"));
                watch.Restart();
                store.SaveProfileRun(run, AsOf, "bench");
                save = watch.Elapsed.TotalSeconds;
                log?.Invoke(FormattableString.Invariant($"saved in {save:F1} s"));
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(dir, true);
            }
        }
        return new ProfileBenchmarkResult(snapshot.Customers.Count, snapshot.Events.Count, snapshot.Orders.Count, snapshot.Reviews.Count, touches,
            Math.Round(generate, 2), Math.Round(profileSeconds, 2), save is { } s ? Math.Round(s, 2) : null, run.Summary.Timings,
            Math.Round(PeakWorkingSetBytes() / 1048576.0, 0), Math.Round(dataResident / 1048576.0, 0), Math.Round((after - before) / 1048576.0, 0), run.Summary.Clv.Status, run.Summary.ClusterK);
    }

    private static void Check(ProfileRun run, StoreSnapshot snapshot)
    {
        if (run.Profiles.Count != snapshot.Customers.Count)
        {
            throw new InvalidOperationException($"profiled {run.Profiles.Count} of {snapshot.Customers.Count} customers");
        }
        if (run.Summary.Clv.Status != "Fitted" || run.Summary.ClusterK is null)
        {
            throw new InvalidOperationException($"the CLV fit ({run.Summary.Clv.Status}: {run.Summary.Clv.Message}) or the clustering did not run");
        }
        var withAffinity = run.Profiles.Values.Count(p => p.CategoryAffinity.Count > 0);
        var withHour = run.Profiles.Values.Count(p => p.BestHourOfWeek is not null);
        if (withAffinity < run.Profiles.Count * 0.9 || withHour < run.Profiles.Count * 0.9)
        {
            throw new InvalidOperationException($"only {withAffinity} profiles with affinities and {withHour} with a send hour");
        }
    }

    /// <summary>The process's resident set now (VmRSS on Linux; the working set elsewhere).</summary>
    public static long ResidentBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return Process.GetCurrentProcess().WorkingSet64;
    }

    /// <summary>The process's peak resident set (VmHWM on Linux; the peak working set elsewhere).</summary>
    public static long PeakWorkingSetBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>Seeded data: each customer favours one or two categories; views and carts, searches, orders (1 per ~12 events), reviews, opens and clicks.</summary>
    internal static (StoreSnapshot Snapshot, ProfileEngagement Engagement, long Touches) Generate(ProfileBenchmarkOptions options)
    {
        var random = new Random(options.Seed);
        const int categories = 60;
        var products = new List<Product>(options.Products);
        var brands = Enumerable.Range(0, 40).Select(b => $"Brand {b:00}").ToArray();
        for (var i = 0; i < options.Products; i++)
        {
            var c = i % categories;
            products.Add(new Product($"p{i:00000}", $"Product {i}", null, $"Dept {c % 6} > Group {c % 20:00} > Category {c:00}", brands[(i / categories) % brands.Length],
                5m + (random.Next(0, 20000) / 100m), "EUR", true, null, null, [], new Dictionary<string, LocalizedText>()));
        }
        var perCategory = options.Products / categories;
        var eventsPerCustomer = (int)Math.Max(1, options.Events / options.Customers);
        var customers = new List<Customer>(options.Customers);
        var orders = new List<Order>((int)(options.Events / 12));
        var lines = new List<OrderLine>((int)(options.Events / 12));
        var events = new EventTable.Builder((int)options.Events);
        var reviews = new List<Review>();
        var touches = new Dictionary<string, EngagementTouches>(StringComparer.Ordinal);
        long touchCount = 0;
        string[] types = [EventTypes.View, EventTypes.View, EventTypes.View, EventTypes.AddToCart, EventTypes.Search];
        for (var n = 0; n < options.Customers; n++)
        {
            var id = $"c{n:0000000}";
            var zone = n % s_zones.Length;
            customers.Add(new Customer(id, $"{id}@example.test", null, null, s_locales[zone], s_zones[zone], AsOf.AddDays(-random.Next(30, 900)), null, true, null));
            // As StoreSnapshot.Load builds it: the table's customers in the snapshot's order, so the snapshot shares its index.
            events.AddCustomer(id);
            var favourite = random.Next(categories);
            var second = random.Next(categories);
            var hour = random.Next(24);
            // Spend per order varies between customers (log-normal), as Gamma-Gamma assumes.
            var spendLevel = Math.Exp(0.5 * Normal(random));
            var remaining = options.Events - events.Count;
            var count = n == options.Customers - 1 ? (int)Math.Max(0, remaining) : Math.Min((int)Math.Max(0, remaining), (eventsPerCustomer / 2) + random.Next(eventsPerCustomer + 1));
            for (var e = 0; e < count; e++)
            {
                var category = random.Next(100) switch { < 60 => favourite, < 85 => second, _ => random.Next(categories) };
                var product = products[category + (categories * random.Next(perCategory))];
                // Activity clusters around the customer's own hour (in UTC here; the profile reads it in their zone).
                var at = AsOf.AddDays(-random.Next(1, 365)).Date.AddHours((hour + random.Next(-2, 3) + 24) % 24).AddMinutes(random.Next(60));
                var when = new DateTimeOffset(at, TimeSpan.Zero);
                var type = types[random.Next(types.Length)];
                events.Add(id, type, when, type == EventTypes.Search ? null : product.ProductId, type == EventTypes.Search ? "gift" : null, null);
                if (random.Next(12) == 0)
                {
                    var orderId = $"o{orders.Count:00000000}";
                    var total = Math.Round(product.Price * (decimal)(spendLevel * (0.6 + (0.8 * random.NextDouble()))), 2);
                    orders.Add(new Order(orderId, id, when.AddMinutes(10), total, "EUR", random.Next(4) == 0 ? "SAVE10" : null, null));
                    lines.Add(new OrderLine(orderId, product.ProductId, 1, product.Price));
                    if (random.Next(10) == 0)
                    {
                        reviews.Add(new Review(id, product.ProductId, 1 + random.Next(5), s_reviews[random.Next(s_reviews.Length)], when.AddDays(3)));
                    }
                }
            }
            if (random.Next(3) == 0)
            {
                var opens = new long[1 + random.Next(4)];
                for (var o = 0; o < opens.Length; o++)
                {
                    opens[o] = AsOf.AddDays(-random.Next(1, 200)).AddHours(hour).UtcTicks;
                }
                long[] clicks = random.Next(3) == 0 ? [opens[0] + TimeSpan.TicksPerMinute] : [];
                touches[id] = new EngagementTouches(opens, clicks);
                touchCount += opens.Length + clicks.Length;
            }
        }
        events.SortByTime();
        orders.Sort(static (a, b) => a.OrderedAt.CompareTo(b.OrderedAt));
        return (new StoreSnapshot(customers, products, orders, lines, events.Build(), reviews), new ProfileEngagement(touches), touchCount);
    }
}
