using System.Diagnostics;
using Mailsmith.Storage;

namespace Mailsmith.Recommend.Evaluation;

/// <summary>Sizes and seed of <see cref="ScaleBenchmark"/>.</summary>
public sealed class ScaleBenchmarkOptions
{
    /// <summary>Customers generated. Default 1,000,000.</summary>
    public int Customers { get; init; } = 1_000_000;

    /// <summary>Products generated. Default 50,000.</summary>
    public int Products { get; init; } = 50_000;

    /// <summary>Interactions (view, add_to_cart and purchase events) generated. Default 10,000,000.</summary>
    public long Interactions { get; init; } = 10_000_000;

    /// <summary>Products recommended per customer. Default 10.</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Seed of the generator. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Time what a campaign runs instead of the bare item-item model: the Profile stage on the generated store (not
    /// timed), then <see cref="RecommendationService"/> with its default chain and every business rule (fit, then the
    /// recommendations campaign's picks for every customer). Default false.
    /// </summary>
    public bool Service { get; init; }
}

/// <summary>What <see cref="ScaleBenchmark.Run"/> measured.</summary>
public sealed record ScaleBenchmarkResult(
    int Customers,
    int Products,
    long Interactions,
    double GenerateSeconds,
    double FitSeconds,
    double RecommendSeconds,
    long CustomersServed,
    long Recommendations,
    long PeakWorkingSetBytes,
    long GcHeapBytesAfterFit,
    int ProcessorCount,
    string Mode = "item-item",
    double? ProfileSeconds = null);

/// <summary>
/// The catalog-scale target of the item-item recommender: a synthetic store generated in memory (no files), an
/// <see cref="ItemItemRecommender"/> fit, then top-k for every customer in parallel.
/// </summary>
/// <remarks>
/// The store has structure for the neighbourhoods to find: products fall into clusters of 100 (a taste), each customer
/// has one taste, 80% of their interactions are in it (Zipf-like within the cluster) and 20% anywhere (Zipf-like over the
/// catalog); 70% views, 18% add_to_cart, 12% purchase events, spread over the last 180 days.
/// </remarks>
public static class ScaleBenchmark
{
    private const int ClusterSize = 100;

    /// <summary>Generates the store, fits, recommends, and reports times and memory.</summary>
    public static ScaleBenchmarkResult Run(ScaleBenchmarkOptions options, Action<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var snapshot = Generate(options, out var asOf);
        var generateSeconds = clock.Elapsed.TotalSeconds;
        progress?.Invoke($"generated {options.Customers:N0} customers, {options.Products:N0} products, {snapshot.Events.Count:N0} interactions in {generateSeconds:F1} s");

        if (options.Service)
        {
            return RunService(options, snapshot, asOf, generateSeconds, progress);
        }

        var recommender = new ItemItemRecommender(RecommendOptions.Default);
        clock.Restart();
        recommender.Fit(snapshot, asOf);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        var heapAfterFit = GC.GetTotalMemory(forceFullCollection: false);
        progress?.Invoke($"fit in {fitSeconds:F1} s");

        var (served, recommended, recommendSeconds) = ForEveryCustomer(snapshot.Customers, c => recommender.Recommend(c.CustomerId, options.TopK, static _ => true));
        progress?.Invoke($"top-{options.TopK} for {snapshot.Customers.Count:N0} customers in {recommendSeconds:F1} s");

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        GC.KeepAlive(snapshot);
        return new ScaleBenchmarkResult(
            options.Customers, options.Products, snapshot.Events.Count, generateSeconds, fitSeconds, recommendSeconds,
            served, recommended, process.PeakWorkingSet64, heapAfterFit, Environment.ProcessorCount);
    }

    private static ScaleBenchmarkResult RunService(ScaleBenchmarkOptions options, StoreSnapshot snapshot, DateTimeOffset asOf, double generateSeconds, Action<string>? progress)
    {
        var clock = Stopwatch.StartNew();
        var profiles = new Profile.ProfileEnricher(Profile.ProfileOptions.Default).Run(snapshot, Profile.ProfileEngagement.Empty, asOf).Profiles;
        var profileSeconds = clock.Elapsed.TotalSeconds;
        progress?.Invoke($"profiled {profiles.Count:N0} customers in {profileSeconds:F1} s (not part of the figures)");

        var service = new RecommendationService(RecommendOptions.Default);
        clock.Restart();
        service.Fit(snapshot, asOf, profiles);
        var fitSeconds = clock.Elapsed.TotalSeconds;
        var heapAfterFit = GC.GetTotalMemory(forceFullCollection: false);
        progress?.Invoke($"fit {string.Join(", ", service.Recommenders.Select(r => r.Name))} in {fitSeconds:F1} s");

        var (served, recommended, recommendSeconds) = ForEveryCustomer(snapshot.Customers,
            c => service.For(Compose.CampaignTypes.Recommendations, c, profiles[c.CustomerId], options.TopK));
        progress?.Invoke($"recommendations campaign's top-{options.TopK} for {snapshot.Customers.Count:N0} customers in {recommendSeconds:F1} s");

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        GC.KeepAlive(snapshot);
        GC.KeepAlive(profiles);
        return new ScaleBenchmarkResult(
            options.Customers, options.Products, snapshot.Events.Count, generateSeconds, fitSeconds, recommendSeconds,
            served, recommended, process.PeakWorkingSet64, heapAfterFit, Environment.ProcessorCount, "service", profileSeconds);
    }

    // Asks for every customer's list on all cores; counts the customers served and the products, and times the whole.
    private static (long Served, long Recommended, double Seconds) ForEveryCustomer(IReadOnlyList<Customer> customers, Func<Customer, IReadOnlyList<Recommendation>> recommend)
    {
        long served = 0, recommended = 0;
        var clock = Stopwatch.StartNew();
        Parallel.For(
            0,
            customers.Count,
            () => (Served: 0L, Items: 0L),
            (u, _, local) =>
            {
                var picks = recommend(customers[u]);
                return (local.Served + (picks.Count > 0 ? 1 : 0), local.Items + picks.Count);
            },
            local =>
            {
                Interlocked.Add(ref served, local.Served);
                Interlocked.Add(ref recommended, local.Items);
            });
        return (served, recommended, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The synthetic store (customers, products, events only), deterministic for the seed.</summary>
    public static StoreSnapshot Generate(ScaleBenchmarkOptions options, out DateTimeOffset asOf)
    {
        asOf = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(options.Seed);
        var signup = asOf.AddYears(-2);
        var productIds = new string[options.Products];
        var products = new Product[options.Products];
        var empty = new Dictionary<string, LocalizedText>();
        for (var i = 0; i < options.Products; i++)
        {
            productIds[i] = "p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            products[i] = new Product(productIds[i], productIds[i], null, "c" + (i / ClusterSize).ToString(System.Globalization.CultureInfo.InvariantCulture), null, 10m, "USD", true, null, null, [], empty);
        }
        var customers = new Customer[options.Customers];
        for (var u = 0; u < options.Customers; u++)
        {
            var id = "u" + u.ToString(System.Globalization.CultureInfo.InvariantCulture);
            customers[u] = new Customer(id, id + "@example.test", null, null, "en-US", null, signup, null, true, null);
        }

        var clusters = Math.Max(1, options.Products / ClusterSize);
        var events = new StoreEvent[options.Interactions];
        var perCustomer = options.Interactions / options.Customers;
        var extra = options.Interactions % options.Customers;
        long at = 0;
        for (var u = 0; u < options.Customers; u++)
        {
            var cluster = random.Next(clusters);
            var count = perCustomer + (u < extra ? 1 : 0);
            for (var k = 0; k < count; k++)
            {
                var item = random.NextDouble() < 0.8
                    ? Math.Min(options.Products - 1, (cluster * ClusterSize) + Zipf(random, ClusterSize))
                    : Zipf(random, options.Products);
                var roll = random.NextDouble();
                var type = roll < 0.70 ? EventTypes.View : roll < 0.88 ? EventTypes.AddToCart : EventTypes.Purchase;
                var when = asOf.AddMinutes(-random.Next(180 * 24 * 60));
                events[at++] = new StoreEvent(customers[u].CustomerId, type, when, productIds[item], null, null);
            }
        }
        return new StoreSnapshot(customers, products, [], [], events, []);
    }

    // Rank drawn with probability roughly ∝ 1/(rank+1) (inverse-CDF of a continuous 1/x law over [1, n+1]).
    private static int Zipf(Random random, int n) => Math.Min(n - 1, (int)Math.Exp(random.NextDouble() * Math.Log(n + 1)) - 1);
}
