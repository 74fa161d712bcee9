using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>
/// Builds one <see cref="CustomerProfile"/> per customer from a snapshot, as of a moment: RFM scores, lifecycle,
/// top categories, price band, active hour and price sensitivity. The rules, with their defaults, are in docs/profiles.md.
/// </summary>
/// <remarks>
/// Only data at or before <c>asOf</c> is used, so a profile built for a past moment is what the stage would have said then.
/// Each customer's orders and events are read once; the only cross-customer work is sorting three RFM arrays,
/// so the cost is linear in the data plus n log n in the customers. Customers are measured in parallel.
/// An instance is immutable and may be shared.
/// </remarks>
public sealed class ProfileBuilder(ProfileOptions options)
{
    /// <summary>The options this builder applies.</summary>
    public ProfileOptions Options { get; } = options;

    /// <summary>
    /// One profile per customer of the snapshot who had signed up by <paramref name="asOf"/> (customers without a signup date
    /// always count), keyed by customer id. Orders, lines and events after <paramref name="asOf"/> are ignored.
    /// </summary>
    public IReadOnlyDictionary<string, CustomerProfile> Build(StoreSnapshot snapshot, DateTimeOffset asOf) => BuildDictionary(snapshot, asOf);

    /// <summary><see cref="Build"/>, as a dictionary the caller owns (the enricher replaces its values in place).</summary>
    internal Dictionary<string, CustomerProfile> BuildDictionary(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var customers = new List<Customer>(snapshot.Customers.Count);
        foreach (var c in snapshot.Customers)
        {
            // A customer who signed up later did not exist at asOf.
            if (c.SignupAt is not { } signup || signup <= asOf)
            {
                customers.Add(c);
            }
        }
        var prices = new CategoryPrices(snapshot.Products);
        var facts = new CustomerFacts[customers.Count];
        // The same few categories lead for many customers: one read-only array per combination for this build
        // (a million 3-element arrays would be ~48 MB; docs/benchmarks.md, "Profile memory, continued").
        var shared = new SharedTopCategories();
        Parallel.For(
            0,
            customers.Count,
            () => new Scratch(),
            (i, _, scratch) =>
            {
                facts[i] = Measure(snapshot, customers[i], asOf, prices, shared, scratch);
                return scratch;
            },
            _ => { });

        var (r, f, m) = ScoreRfm(facts);
        var profiles = new Dictionary<string, CustomerProfile>(facts.Length, StringComparer.Ordinal);
        for (var i = 0; i < facts.Length; i++)
        {
            profiles[facts[i].CustomerId] = Assemble(facts[i], r[i], f[i], m[i], asOf);
        }
        return profiles;
    }

    /// <summary>Everything about one customer that does not depend on other customers.</summary>
    // A value in one array: a million objects would each carry a header and a reference.
    private readonly record struct CustomerFacts(
        string CustomerId,
        DateTimeOffset? SignupAt,
        int Frequency,
        decimal Monetary,
        DateTimeOffset? FirstOrder,
        DateTimeOffset? LastOrder,
        int DiscountedOrders,
        DateTimeOffset? LastEvent,
        IReadOnlyList<string> TopCategories,
        double? MeanPricePercentile,
        int? ActiveHour);

    /// <summary>Top-category arrays of up to three paths, shared between the customers of one build.</summary>
    private sealed class SharedTopCategories : System.Collections.Concurrent.ConcurrentDictionary<(string A, string? B, string? C, int Count), string[]>;

    /// <summary>Per-thread buffers, reused from customer to customer.</summary>
    private sealed class Scratch
    {
        public readonly List<Interaction> Interactions = [];
        public readonly Dictionary<string, double> CategoryWeights = new(StringComparer.Ordinal);
        public readonly int[] Hours = new int[24];
    }

    private CustomerFacts Measure(StoreSnapshot snapshot, Customer customer, DateTimeOffset asOf, CategoryPrices prices, SharedTopCategories shared, Scratch scratch)
    {
        var id = customer.CustomerId;

        // Orders: frequency, monetary, first and last order, discounts.
        int frequency = 0, discounted = 0;
        decimal monetary = 0;
        DateTimeOffset? first = null, last = null;
        foreach (var order in snapshot.OrdersOf(id))
        {
            if (order.OrderedAt > asOf)
            {
                continue;
            }
            frequency++;
            monetary += order.Total ?? LinesTotal(snapshot, order);
            if (!string.IsNullOrEmpty(order.DiscountCode) || order.DiscountAmount > 0)
            {
                discounted++;
            }
            if (first is null || order.OrderedAt < first)
            {
                first = order.OrderedAt;
            }
            if (last is null || order.OrderedAt > last)
            {
                last = order.OrderedAt;
            }
        }

        // Events: last activity and the local hour histogram.
        var clock = LocalClock.For(customer.TimeZone);
        var hours = scratch.Hours;
        Array.Clear(hours);
        DateTimeOffset? lastEvent = null;
        var eventCount = 0;
        foreach (var e in snapshot.EventsOf(id))
        {
            if (e.OccurredAt > asOf)
            {
                continue;
            }
            eventCount++;
            if (lastEvent is null || e.OccurredAt > lastEvent)
            {
                lastEvent = e.OccurredAt;
            }
            hours[clock.HourOf(e.OccurredAt)]++;
        }
        int? activeHour = null;
        if (eventCount > 0)
        {
            // Ties go to the earliest hour of the day, so the answer does not depend on event order.
            var best = 0;
            for (var h = 1; h < 24; h++)
            {
                if (hours[h] > hours[best])
                {
                    best = h;
                }
            }
            activeHour = best;
        }

        // Product interactions: category interest and price position.
        var interactions = scratch.Interactions;
        CustomerInteractions.Collect(snapshot, id, asOf, interactions);
        var weights = scratch.CategoryWeights;
        weights.Clear();
        double purchasedSum = 0, browsedSum = 0;
        int purchasedCount = 0, browsedCount = 0;
        foreach (var x in interactions)
        {
            if (!prices.TryGet(x.ProductId, x.UnitPrice, out var category, out var percentile))
            {
                continue;
            }
            var kindWeight = x.Kind switch
            {
                InteractionKind.Purchase => Options.PurchaseWeight,
                InteractionKind.AddToCart => Options.AddToCartWeight,
                _ => Options.ViewWeight,
            };
            var w = kindWeight * CustomerInteractions.Decay(x.At, asOf, Options.InterestHalfLifeDays);
            weights[category] = weights.GetValueOrDefault(category) + w;

            if (x.Kind == InteractionKind.Purchase)
            {
                purchasedSum += percentile;
                purchasedCount++;
            }
            else
            {
                browsedSum += percentile;
                browsedCount++;
            }
        }
        double? meanPercentile = purchasedCount > 0 ? purchasedSum / purchasedCount
            : browsedCount > 0 ? browsedSum / browsedCount
            : null;

        return new CustomerFacts(
            id, customer.SignupAt is { } s && s <= asOf ? s : null, frequency, monetary, first, last, discounted, lastEvent,
            TopCategories(weights, Options.MaxTopCategories, shared), meanPercentile, activeHour);
    }

    private CustomerProfile Assemble(CustomerFacts x, int r, int f, int m, DateTimeOffset asOf)
    {
        double? recencyDays = x.LastOrder is { } last ? (asOf - last).TotalDays : null;
        var discountShare = x.Frequency > 0 ? (double)x.DiscountedOrders / x.Frequency : 0;
        decimal? aov = x.Frequency > 0 ? Math.Round(x.Monetary / x.Frequency, 2, MidpointRounding.ToEven) : null;
        var band = x.MeanPricePercentile switch
        {
            null => PriceBand.Unknown,
            { } p when p < Options.BudgetBelow => PriceBand.Budget,
            { } p when p > Options.PremiumAbove => PriceBand.Premium,
            _ => PriceBand.Mid,
        };
        return new CustomerProfile(
            x.CustomerId, recencyDays, x.Frequency, x.Monetary, r, f, m,
            Classify(x, f, m, asOf), x.TopCategories, band, x.ActiveHour, discountShare, aov,
            Sensitivity(x.MeanPricePercentile, x.Frequency > 0 ? discountShare : null));
    }

    /// <summary>The lifecycle stage; the first matching rule wins (docs/profiles.md, "Lifecycle").</summary>
    private string Classify(CustomerFacts x, int f, int m, DateTimeOffset asOf)
    {
        var o = Options;
        if (x.SignupAt is { } signup && (asOf - signup).TotalDays <= o.NewCustomerDays && x.Frequency <= o.NewMaxOrders)
        {
            return Lifecycle.New;
        }
        if (x.LastOrder is not { } lastOrder)
        {
            if (x.LastEvent is { } lastEvent && (asOf - lastEvent).TotalDays <= o.BrowsingActiveDays)
            {
                return Lifecycle.Active;
            }
            var lastActivity = Max(x.LastEvent, x.SignupAt);
            return lastActivity is { } a && (asOf - a).TotalDays <= o.NoOrderLapsedDays ? Lifecycle.AtRisk : Lifecycle.Lapsed;
        }
        var days = (asOf - lastOrder).TotalDays;
        if (days > o.LapsedDays)
        {
            return Lifecycle.Lapsed;
        }
        if (days > o.ActiveDays)
        {
            return Lifecycle.AtRisk;
        }
        if (x.Frequency >= 2 && x.FirstOrder is { } firstOrder)
        {
            var meanGap = Math.Max(o.OverdueMinGapDays, (lastOrder - firstOrder).TotalDays / (x.Frequency - 1));
            if (days > o.OverdueFactor * meanGap)
            {
                return Lifecycle.AtRisk;
            }
        }
        return f >= o.VipMinFrequencyScore && m >= o.VipMinMonetaryScore ? Lifecycle.Vip : Lifecycle.Active;
    }

    /// <summary>
    /// price signal = 1 − mean price percentile (cheap buyers score high); discount signal = discount share.
    /// Weighted by <see cref="ProfileOptions.SensitivityPriceWeight"/>; a missing signal drops out; 0.5 when neither is known.
    /// </summary>
    private double Sensitivity(double? meanPercentile, double? discountShare)
    {
        var priceWeight = Options.SensitivityPriceWeight;
        return (meanPercentile, discountShare) switch
        {
            ({ } p, { } d) => (priceWeight * (1 - p)) + ((1 - priceWeight) * d),
            ({ } p, null) => 1 - p,
            (null, { } d) => d,
            _ => 0.5,
        };
    }

    private static decimal LinesTotal(StoreSnapshot snapshot, Order order)
    {
        decimal sum = 0;
        foreach (var line in snapshot.LinesOf(order.OrderId))
        {
            sum += line.Quantity * line.UnitPrice;
        }
        return sum - (order.DiscountAmount ?? 0);
    }

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The strongest <paramref name="max"/> categories, strongest first; equal weights in ordinal name order.</summary>
    private static string[] TopCategories(Dictionary<string, double> weights, int max, SharedTopCategories shared)
    {
        if (weights.Count == 0 || max <= 0)
        {
            return [];
        }
        // Insertion into a tiny sorted buffer: the dictionary is small and max is 3.
        var top = new KeyValuePair<string, double>[Math.Min(max, weights.Count)];
        var filled = 0;
        foreach (var kv in weights)
        {
            var at = filled;
            while (at > 0 && Stronger(kv, top[at - 1]))
            {
                at--;
            }
            if (at >= top.Length)
            {
                continue;
            }
            var end = Math.Min(filled, top.Length - 1);
            Array.Copy(top, at, top, at + 1, end - at);
            top[at] = kv;
            filled = Math.Min(filled + 1, top.Length);
        }
        if (filled <= 3)
        {
            return shared.GetOrAdd((top[0].Key, filled > 1 ? top[1].Key : null, filled > 2 ? top[2].Key : null, filled), static k =>
                k.Count switch { 1 => [k.A], 2 => [k.A, k.B!], _ => [k.A, k.B!, k.C!] });
        }
        var result = new string[filled];
        for (var i = 0; i < filled; i++)
        {
            result[i] = top[i].Key;
        }
        return result;

        static bool Stronger(KeyValuePair<string, double> a, KeyValuePair<string, double> b) =>
            a.Value > b.Value || (a.Value == b.Value && string.CompareOrdinal(a.Key, b.Key) < 0);
    }

    /// <summary>R, F and M scores; 0 for customers without orders.</summary>
    private static (int[] R, int[] F, int[] M) ScoreRfm(CustomerFacts[] facts)
    {
        var n = 0;
        foreach (var x in facts)
        {
            if (x.Frequency > 0)
            {
                n++;
            }
        }
        var last = new long[n];
        var freq = new int[n];
        var money = new decimal[n];
        var k = 0;
        foreach (var x in facts)
        {
            if (x.Frequency > 0)
            {
                last[k] = x.LastOrder!.Value.UtcTicks;
                freq[k] = x.Frequency;
                money[k] = x.Monetary;
                k++;
            }
        }
        var r = Quintiles(last);
        var f = Quintiles(freq);
        var m = Quintiles(money);
        var rAll = new int[facts.Length];
        var fAll = new int[facts.Length];
        var mAll = new int[facts.Length];
        k = 0;
        for (var i = 0; i < facts.Length; i++)
        {
            if (facts[i].Frequency > 0)
            {
                rAll[i] = r[k];
                fAll[i] = f[k];
                mAll[i] = m[k];
                k++;
            }
        }
        return (rAll, fAll, mAll);
    }

    /// <summary>
    /// Quintile scores 1–5, larger values scoring higher. A value's mid-rank percentile
    /// p = (values below + ½ × values equal) / n gives score 1 + ⌊5p⌋ (capped at 5), so equal values always share a score
    /// and the result does not depend on input order.
    /// </summary>
    internal static int[] Quintiles<T>(T[] values) where T : IComparable<T>
    {
        var sorted = (T[])values.Clone();
        Array.Sort(sorted);
        var scores = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var below = CategoryPrices.LowerBound(sorted, values[i]);
            var equal = CategoryPrices.UpperBound(sorted, values[i]) - below;
            var p = (below + 0.5 * equal) / values.Length;
            scores[i] = Math.Min(5, 1 + (int)Math.Floor(5 * p));
        }
        return scores;
    }
}
