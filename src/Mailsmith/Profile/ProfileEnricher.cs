using System.Diagnostics;
using Mailsmith.Learn;
using Mailsmith.Profile.Clv;
using Mailsmith.Profile.Sentiment;
using Mailsmith.Storage;

namespace Mailsmith.Profile;

/// <summary>
/// The richer half of the Profile stage: fills the CLV, RFM group, cluster, affinity, discount, sentiment, language
/// and send-time fields of the profiles <see cref="ProfileBuilder"/> built. Every rule is in docs/profiles.md.
/// </summary>
/// <remarks>
/// Steps: the CLV fit on the store's orders (skipped with a warning when it cannot be fitted); one parallel pass per
/// customer over their orders, events, reviews and opens/clicks; the population's hour-of-week prior; k-means. The
/// pass is linear in the data; the only cross-customer work is the fit, the prior and k-means on a sample.
/// An instance is immutable and may be shared.
/// </remarks>
public sealed class ProfileEnricher(ProfileOptions options)
{
    /// <summary>Receives (step, done, total) as the run advances; total 0 when unknown.</summary>
    public delegate void Progress(string step, long done, long total);

    public ProfileOptions Options { get; } = options;

    /// <summary>Builds the base profiles and enriches them: the whole stage.</summary>
    /// <param name="returnMemory">
    /// Before and after the per-customer pass, a blocking, compacting full collection gives the earlier steps' and the
    /// pass's garbage back to the OS, so the pass and k-means start from the live data (about 0.25 GB less at the peak of
    /// a 1M run; docs/benchmarks.md, "Profile memory, 4 December"). For batch commands (the profile stage, the bench), as
    /// <see cref="StoreSnapshot.Load"/>'s; never in the server, where the pauses would stall every request in flight.
    /// </param>
    public ProfileRun Run(StoreSnapshot snapshot, ProfileEngagement engagement, DateTimeOffset asOf, Progress? progress = null, bool returnMemory = false)
    {
        var watch = Stopwatch.StartNew();
        progress?.Invoke("rfm and lifecycle", 0, snapshot.Customers.Count);
        var profiles = new ProfileBuilder(Options).BuildDictionary(snapshot, asOf);
        var baseSeconds = watch.Elapsed.TotalSeconds;
        // The builder's dictionary and records are ours: the enriched fields are written into the base records, so no
        // second generation of a million records is allocated (the replaced ones would stay in gen 2 until a full GC).
        var run = EnrichInPlace(snapshot, engagement, asOf, profiles, ownsRecords: true, progress, returnMemory);
        var timings = new Dictionary<string, double>(run.Summary.Timings, StringComparer.Ordinal) { ["rfm_lifecycle"] = Math.Round(baseSeconds, 3) };
        return run with { Summary = run.Summary with { Timings = timings } };
    }

    /// <summary>Fills the richer fields of <paramref name="profiles"/> (built by <see cref="ProfileBuilder"/> for the same snapshot and moment).</summary>
    public ProfileRun Enrich(StoreSnapshot snapshot, ProfileEngagement engagement, DateTimeOffset asOf, IReadOnlyDictionary<string, CustomerProfile> profiles, Progress? progress = null) =>
        EnrichInPlace(snapshot, engagement, asOf, new Dictionary<string, CustomerProfile>(profiles, StringComparer.Ordinal), ownsRecords: false, progress, returnMemory: false);

    private ProfileRun EnrichInPlace(StoreSnapshot snapshot, ProfileEngagement engagement, DateTimeOffset asOf, Dictionary<string, CustomerProfile> profiles, bool ownsRecords, Progress? progress, bool returnMemory)
    {
        var timings = new Dictionary<string, double>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var watch = Stopwatch.StartNew();
        var ids = profiles.Keys.ToArray();
        Array.Sort(ids, StringComparer.Ordinal);
        var n = ids.Length;
        if (!ownsRecords)
        {
            // A caller's records may be shared: fill copies (steps 1 and 6 write into the records).
            foreach (var id in ids)
            {
                profiles[id] = profiles[id] with { };
            }
        }

        // 1. CLV on the store's orders, written into the records at once: a million predictions held until the
        // assembly would sit in the peak of the run (docs/benchmarks.md, "Profile memory, 4 December").
        progress?.Invoke("lifetime value (BG/NBD + Gamma-Gamma)", 0, 0);
        var clvSummary = FitClv(snapshot, asOf, warnings, profiles);
        timings["clv"] = Lap(watch);

        // 2. Reviews: score every text once, in parallel.
        progress?.Invoke("review sentiment", 0, snapshot.Reviews.Count);
        var (reviewsByCustomer, productSentiment) = ScoreReviews(snapshot, asOf);
        timings["sentiment"] = Lap(watch);

        // 3. One pass per customer.
        if (returnMemory)
        {
            // The base profiles' and the CLV fit's garbage, given back before the pass builds a million maps.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        progress?.Invoke("preferences and send time", 0, n);
        var catalog = new CatalogPaths(snapshot.Products);
        var prices = new CategoryPrices(snapshot.Products);
        var dimension = FixedFeatures + catalog.TopLevels.Count;
        var features = new float[n * dimension];
        var facts = new PreferenceFacts[n];
        long done = 0;
        Parallel.For(0, (n + 1023) / 1024, () => new Scratch(), (chunk, _, scratch) =>
        {
            var end = Math.Min(n, (chunk + 1) * 1024);
            for (var i = chunk * 1024; i < end; i++)
            {
                var profile = profiles[ids[i]];
                snapshot.CustomersById.TryGetValue(ids[i], out var customer);
                facts[i] = Measure(snapshot, customer, profile, engagement.Of(ids[i]), reviewsByCustomer, asOf, catalog, prices, scratch, features.AsSpan(i * dimension, dimension));
            }
            var total = Interlocked.Add(ref done, end - (chunk * 1024));
            if (progress is not null)
            {
                // Progress sinks (a console display) are not thread-safe; one report at a time.
                lock (facts)
                {
                    progress("preferences and send time", total, n);
                }
            }
            return scratch;
        }, _ => { });
        if (returnMemory)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
        timings["preferences"] = Lap(watch);

        // 4. Store-wide: the discount base rate and the send-time prior.
        long orders = 0, discounted = 0;
        foreach (var f in facts)
        {
            orders += f.Orders;
            discounted += f.DiscountedOrders;
        }
        var baseRate = orders > 0 ? (double)discounted / orders : 0;
        var prior = PopulationPrior(ids, profiles);

        // 5. Clusters.
        progress?.Invoke("behavioural clusters (k-means)", 0, 0);
        ClusterResult? clusters = null;
        try
        {
            clusters = BehaviourClusters.Run(features, dimension, FeatureNames(catalog), Options);
            if (clusters is null)
            {
                warnings.Add($"clusters: only {n:N0} customers, too few to cluster");
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            warnings.Add($"clusters: k-means failed ({e.Message}); cluster fields are empty");
        }
        timings["clusters"] = Lap(watch);

        // 6. Assemble.
        var result = profiles;
        var outcomes = engagement.DeliveryOutcomes;
        var outcomeRates = outcomes.Count > 0 ? SendTimeOutcomes.PopulationRates(outcomes.Values) : null;
        var hoursFromOutcomes = 0;
        var k = Options.DiscountPriorOrders;
        for (var i = 0; i < n; i++)
        {
            var p = profiles[ids[i]];
            var f = facts[i];
            double? shrunk = baseRate > 0 ? (f.DiscountedOrders + (k * baseRate)) / (f.Orders + k) : null;
            int? bestHour = null;
            double? confidence = null;
            if (p.SendTimeCounts is { } histogram)
            {
                var (hour, c) = SendTime.Best(histogram, prior, Options.SendTimePriorStrength);
                (bestHour, confidence) = (hour, Math.Round(c, 4));
            }
            if (outcomeRates is not null && outcomes.TryGetValue(ids[i], out var outcome)
                && LearnedHour(outcome, outcomeRates, bestHour is null ? null : confidence) is { } learned)
            {
                (bestHour, confidence) = (learned.HourOfWeek, Math.Round(learned.Confidence, 4));
                hoursFromOutcomes++;
            }
            var cluster = clusters?.Assignment[i];
            var fields = new EnrichedFields(
                RfmSegment: RfmSegments.Classify(p.R, p.F, p.M, p.Frequency),
                Cluster: cluster,
                ClusterLabel: cluster is { } c2 ? clusters!.Clusters[c2].Label : null,
                ShrunkDiscountShare: shrunk,
                // s / (s + base): 0.5 at the base rate, toward 1 for a customer who buys on discount far more often.
                DiscountSensitivity: shrunk is { } s ? s / (s + baseRate) : null,
                BestHourOfWeek: bestHour,
                BestHourConfidence: confidence);
            // In place: our own base records, or the copies of a caller's made at the start.
            p.FillEnriched(fields);
        }
        timings["assemble"] = Lap(watch);
        var summary = new ProfileRunSummary(asOf, n, clvSummary, clusters?.K,
            clusters?.Silhouettes ?? new Dictionary<int, double>(), clusters?.Clusters ?? [], baseRate, prior, warnings, timings)
        {
            BestHoursFromOutcomes = hoursFromOutcomes,
        };
        return new ProfileRun(result, productSentiment, summary);
    }


    /// <summary>
    /// The hour learned from delivery outcomes when it should replace the engagement histogram's: the customer
    /// responded to at least one delivery, was delivered at two or more distinct hours (with one, the outcomes cannot
    /// tell hours apart and the histogram knows more about the others), and its confidence beats
    /// <paramref name="engagementConfidence"/> (null: the histogram had nothing, any learned hour wins).
    /// </summary>
    internal static (int HourOfWeek, double Confidence)? LearnedHour(SendHourCounts outcome, IReadOnlyList<double> populationRates, double? engagementConfidence)
    {
        var hours = 0;
        foreach (var d in outcome.Delivered)
        {
            hours += d > 0 ? 1 : 0;
        }
        if (hours < 2 || SendTimeOutcomes.BestHour(outcome, populationRates) is not { } learned)
        {
            return null;
        }
        return engagementConfidence is { } c && learned.Confidence <= c ? null : learned;
    }
    private static double Lap(Stopwatch watch)
    {
        var s = Math.Round(watch.Elapsed.TotalSeconds, 3);
        watch.Restart();
        return s;
    }

    internal static decimal? Money(double? value) =>
        value is { } v && double.IsFinite(v) ? Math.Round((decimal)v, 2, MidpointRounding.ToEven) : null;

    // ---- CLV ------------------------------------------------------------------------------------------

    /// <summary>The order value the CLV models see: the total, else the lines minus the discount.</summary>
    internal static double OrderValue(StoreSnapshot snapshot, Order order)
    {
        if (order.Total is { } total)
        {
            return (double)total;
        }
        decimal sum = 0;
        foreach (var line in snapshot.LinesOf(order.OrderId))
        {
            sum += line.Quantity * line.UnitPrice;
        }
        return (double)(sum - (order.DiscountAmount ?? 0));
    }

    /// <summary>The store's orders at or before <paramref name="asOf"/> as CLV transactions (same-day orders are merged by the dataset).</summary>
    internal static List<ClvTransaction> Transactions(StoreSnapshot snapshot, DateTimeOffset asOf, DateTimeOffset? notAfter = null)
    {
        var limit = notAfter ?? asOf;
        var list = new List<ClvTransaction>(snapshot.Orders.Count);
        foreach (var o in snapshot.Orders)
        {
            if (o.OrderedAt <= limit)
            {
                list.Add(new ClvTransaction(o.CustomerId, DateOnly.FromDateTime(o.OrderedAt.UtcDateTime), Math.Max(0, OrderValue(snapshot, o))));
            }
        }
        return list;
    }

    /// <summary>The CLV options the profile run applies (horizon, discount rate, minimum repeat buyers from <see cref="ProfileOptions"/>).</summary>
    public ClvOptions ClvOptions => new()
    {
        ClvMonths = Options.ClvMonths,
        MonthlyDiscountRate = Options.ClvMonthlyDiscountRate,
        MinRepeatCustomers = Options.ClvMinRepeatCustomers,
    };

    /// <summary>Fits the CLV models and fills the CLV fields of <paramref name="profiles"/> (empty for a customer without a prediction).</summary>
    private ClvRunSummary FitClv(StoreSnapshot snapshot, DateTimeOffset asOf, List<string> warnings, Dictionary<string, CustomerProfile> profiles)
    {
        var watch = Stopwatch.StartNew();
        foreach (var p in profiles.Values)
        {
            p.FillClv(null);
        }
        try
        {
            var data = ClvDataset.Create(Transactions(snapshot, asOf), DateOnly.FromDateTime(asOf.UtcDateTime));
            var fit = ClvModel.Fit(data, ClvOptions);
            if (fit.Status != ClvFitStatus.Fitted)
            {
                warnings.Add($"clv: {fit.Status}: {fit.Message}" + (fit.CanPredict ? "; order value and CLV are empty" : "; CLV fields are empty"));
            }
            if (fit.CanPredict)
            {
                var all = new ClvPredictor(fit).PredictAll(data);
                for (var i = 0; i < data.Count; i++)
                {
                    if (profiles.TryGetValue(data.CustomerIds[i], out var p))
                    {
                        p.FillClv(all[i]);
                    }
                }
            }
            return new ClvRunSummary(fit.Status.ToString(), fit.Message, data.Count, data.RepeatCustomers,
                fit.BgNbd?.Parameters, fit.BgNbd?.LogLikelihood, fit.GammaGamma?.Parameters, Math.Round(watch.Elapsed.TotalSeconds, 3));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
        {
            // A fit that cannot run on this store must not stop the profile run: the CLV fields stay empty.
            warnings.Add($"clv: the fit failed ({e.Message}); CLV fields are empty");
            return new ClvRunSummary("Failed", e.Message, 0, 0, null, null, null, Math.Round(watch.Elapsed.TotalSeconds, 3));
        }
    }

    // ---- reviews --------------------------------------------------------------------------------------

    private static (Dictionary<string, List<double>> ByCustomer, Dictionary<string, ProductSentiment> ByProduct) ScoreReviews(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var reviews = snapshot.Reviews;
        var scores = new double?[reviews.Count];
        var scorer = SentimentScorer.Default;
        Parallel.For(0, reviews.Count, i =>
        {
            var r = reviews[i];
            if (!string.IsNullOrWhiteSpace(r.Text) && (r.CreatedAt is null || r.CreatedAt <= asOf))
            {
                snapshot.CustomersById.TryGetValue(r.CustomerId, out var c);
                scores[i] = scorer.Score(r.Text, c?.Locale).Score;
            }
        });
        var byCustomer = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var sums = new Dictionary<string, (int Reviews, int Scored, double Sentiment, double Rating)>(StringComparer.Ordinal);
        for (var i = 0; i < reviews.Count; i++)
        {
            var r = reviews[i];
            if (r.CreatedAt is { } at && at > asOf)
            {
                continue;
            }
            var s = sums.GetValueOrDefault(r.ProductId);
            s.Reviews++;
            s.Rating += r.Rating;
            if (scores[i] is { } score)
            {
                s.Scored++;
                s.Sentiment += score;
                if (!byCustomer.TryGetValue(r.CustomerId, out var list))
                {
                    byCustomer[r.CustomerId] = list = [];
                }
                list.Add(score);
            }
            sums[r.ProductId] = s;
        }
        var byProduct = new Dictionary<string, ProductSentiment>(sums.Count, StringComparer.Ordinal);
        foreach (var (product, s) in sums)
        {
            byProduct[product] = new ProductSentiment(s.Reviews, s.Scored, s.Scored > 0 ? Math.Round(s.Sentiment / s.Scored, 4) : null, Math.Round(s.Rating / s.Reviews, 3));
        }
        return (byCustomer, byProduct);
    }

    // ---- the per-customer pass ------------------------------------------------------------------------

    /// <summary>Recency, frequency, monetary, price position, discount share, email engagement, visits; then one share per top-level category.</summary>
    private const int FixedFeatures = 7;

    private static List<ClusterFeature> FeatureNames(CatalogPaths catalog)
    {
        var names = new List<ClusterFeature>
        {
            new("recency", "long since the last order", "ordered recently"),
            new("frequency", "frequent buyers", "rarely buy"),
            new("monetary", "big spenders", "small spenders"),
            new("price_position", "premium prices", "budget prices"),
            new("discount_share", "buy on discount", "pay full price"),
            new("email_engagement", "open and click email", "ignore email"),
            new("visits", "browse a lot", "rarely visit"),
        };
        foreach (var top in catalog.TopLevels)
        {
            names.Add(new ClusterFeature("share:" + top, "like " + top, null));
        }
        return names;
    }

    // A value in one array: a million of them are alive until the profiles are assembled, so only what the record
    // does not hold (the affinities, sentiment, language and histogram go into it as they are measured).
    private readonly record struct PreferenceFacts(int Orders, int DiscountedOrders);

    private sealed class Scratch
    {
        public readonly List<Interaction> Interactions = [];
        public readonly Dictionary<string, double> Categories = new(StringComparer.Ordinal);
        public readonly Dictionary<string, double> Brands = new(StringComparer.Ordinal);
        public readonly double[] Hours = new double[SendTimeHistogram.HoursOfWeek];
        public double[] TopShares = [];
    }

    private PreferenceFacts Measure(StoreSnapshot snapshot, Customer? customer, CustomerProfile profile, EngagementTouches touches,
        Dictionary<string, List<double>> reviews, DateTimeOffset asOf, CatalogPaths catalog, CategoryPrices prices, Scratch scratch, Span<float> features)
    {
        var o = Options;
        var id = profile.CustomerId;

        // Affinities: the same time-decayed interest weights as the top categories, added to every level of the path.
        var interactions = scratch.Interactions;
        CustomerInteractions.Collect(snapshot, id, asOf, interactions);
        var categories = scratch.Categories;
        var brands = scratch.Brands;
        categories.Clear();
        brands.Clear();
        if (scratch.TopShares.Length != catalog.TopLevels.Count)
        {
            scratch.TopShares = new double[catalog.TopLevels.Count];
        }
        var topShares = scratch.TopShares;
        Array.Clear(topShares);
        double total = 0, brandTotal = 0;
        foreach (var x in interactions)
        {
            if (!catalog.TryGet(x.ProductId, out var info))
            {
                continue;
            }
            var kindWeight = x.Kind switch
            {
                InteractionKind.Purchase => o.PurchaseWeight,
                InteractionKind.AddToCart => o.AddToCartWeight,
                _ => o.ViewWeight,
            };
            var w = kindWeight * CustomerInteractions.Decay(x.At, asOf, o.InterestHalfLifeDays);
            total += w;
            foreach (var level in info.Levels)
            {
                categories[level] = categories.GetValueOrDefault(level) + w;
            }
            if (info.TopIndex >= 0)
            {
                topShares[info.TopIndex] += w;
            }
            if (info.Brand is { } brand)
            {
                brands[brand] = brands.GetValueOrDefault(brand) + w;
                brandTotal += w;
            }
        }
        var categoryAffinity = total > 0 ? AffinityDictionary.From(categories.Select(kv => KeyValuePair.Create(kv.Key, Math.Round(kv.Value / total, 4)))) : AffinityDictionary.Empty;
        var brandAffinity = brandTotal > 0 ? AffinityDictionary.From(brands.Select(kv => KeyValuePair.Create(kv.Key, Math.Round(kv.Value / brandTotal, 4)))) : AffinityDictionary.Empty;

        // Send time: weighted activity per local hour of the week.
        var clock = LocalClock.For(customer?.TimeZone);
        var hours = scratch.Hours;
        Array.Clear(hours);
        var any = false;
        int orders = 0, discounted = 0, visits = 0;
        foreach (var order in snapshot.OrdersOf(id))
        {
            if (order.OrderedAt > asOf)
            {
                continue;
            }
            orders++;
            if (!string.IsNullOrEmpty(order.DiscountCode) || order.DiscountAmount > 0)
            {
                discounted++;
            }
            hours[clock.HourOfWeek(order.OrderedAt)] += o.SendTimeOrderWeight;
            any = true;
        }
        var texts = new ScriptCounts();
        foreach (var e in snapshot.EventsOf(id))
        {
            if (e.OccurredAt > asOf)
            {
                continue;
            }
            if (e.Type is EventTypes.Unsubscribe or EventTypes.EmailOpen or EventTypes.EmailClick)
            {
                // Email events imported with the store data count like tracked ones; an unsubscribe is not a good time.
                if (e.Type != EventTypes.Unsubscribe)
                {
                    hours[clock.HourOfWeek(e.OccurredAt)] += e.Type == EventTypes.EmailOpen ? o.SendTimeOpenWeight : o.SendTimeClickWeight;
                    any = true;
                }
                continue;
            }
            visits++;
            hours[clock.HourOfWeek(e.OccurredAt)] += o.SendTimeVisitWeight;
            any = true;
            if (e.Type == EventTypes.Search && e.Query is { } query)
            {
                texts.Add(query);
            }
        }
        var asOfTicks = asOf.UtcTicks;
        foreach (var t in touches.Opens)
        {
            if (t <= asOfTicks)
            {
                hours[clock.HourOfWeek(t)] += o.SendTimeOpenWeight;
                any = true;
            }
        }
        foreach (var t in touches.Clicks)
        {
            if (t <= asOfTicks)
            {
                hours[clock.HourOfWeek(t)] += o.SendTimeClickWeight;
                any = true;
            }
        }
        SendTimeHistogram? sendTime = null;
        if (any)
        {
            var count = 0;
            foreach (var h in hours)
            {
                if (h > 0)
                {
                    count++;
                }
            }
            var hs = new byte[count];
            var ws = new float[count];
            var j = 0;
            for (var h = 0; h < hours.Length; h++)
            {
                if (hours[h] > 0)
                {
                    hs[j] = (byte)h;
                    ws[j++] = (float)hours[h];
                }
            }
            sendTime = new SendTimeHistogram(hs, ws);
        }

        // Reviews and language.
        double? sentiment = null;
        var reviewCount = 0;
        if (reviews.TryGetValue(id, out var scores) && scores.Count > 0)
        {
            sentiment = Math.Round(scores.Average(), 4);
            reviewCount = scores.Count;
        }
        if (snapshot.ReviewsByProduct.Count > 0 && reviewCount > 0)
        {
            foreach (var order in snapshot.OrdersOf(id))
            {
                // Reviews are grouped by product in the snapshot; the customer's texts are found through what they bought.
                foreach (var line in snapshot.LinesOf(order.OrderId))
                {
                    if (snapshot.ReviewsByProduct.TryGetValue(line.ProductId, out var productReviews))
                    {
                        foreach (var r in productReviews)
                        {
                            if (r.CustomerId == id && r.Text is { } text && (r.CreatedAt is null || r.CreatedAt <= asOf))
                            {
                                texts.Add(text);
                            }
                        }
                    }
                }
            }
        }
        var language = PreferredLanguage(customer?.Locale, texts, o.LanguageMinTexts);

        // Cluster features (raw; standardized later).
        var emailTouches = touches.Opens.Length + touches.Clicks.Length;
        features[0] = (float)Math.Log(1 + (profile.RecencyDays ?? 730));
        features[1] = (float)Math.Log(1 + profile.Frequency);
        features[2] = (float)Math.Log(1 + (double)Math.Max(0, profile.Monetary));
        features[3] = (float)PricePosition(profile);
        features[4] = (float)profile.DiscountShare;
        features[5] = (float)Math.Log(1 + emailTouches);
        features[6] = (float)Math.Log(1 + visits);
        for (var t = 0; t < topShares.Length; t++)
        {
            features[FixedFeatures + t] = total > 0 ? (float)(topShares[t] / total) : 0f;
        }
        _ = prices;
        // Into the record now: held as facts until the assembly, they would add to the run's peak.
        profile.FillPreferences(categoryAffinity, brandAffinity, sentiment, reviewCount, language, sendTime);
        return new PreferenceFacts(orders, discounted);
    }

    /// <summary>The price position as a number: budget 0.2, mid 0.5, premium 0.8, unknown 0.5.</summary>
    private static double PricePosition(CustomerProfile p) => p.PriceBand switch
    {
        PriceBand.Budget => 0.2,
        PriceBand.Premium => 0.8,
        _ => 0.5,
    };

    /// <summary>
    /// π_h ∝ Σ_customers n_ch / n_c + 1/168: each customer with activity contributes their own distribution once (so a
    /// heavy user does not set everybody's prior), plus one customer's worth of uniform mass so no hour has zero prior.
    /// </summary>
    private static double[] PopulationPrior(string[] ids, Dictionary<string, CustomerProfile> profiles)
    {
        var prior = new double[SendTimeHistogram.HoursOfWeek];
        foreach (var id in ids)
        {
            if (profiles[id].SendTimeCounts is not { } s)
            {
                continue;
            }
            var total = s.Total;
            for (var i = 0; i < s.Count; i++)
            {
                prior[s.HourAt(i)] += s.WeightAt(i) / total;
            }
        }
        var sum = 0.0;
        for (var h = 0; h < prior.Length; h++)
        {
            prior[h] += 1.0 / prior.Length;
            sum += prior[h];
        }
        for (var h = 0; h < prior.Length; h++)
        {
            prior[h] /= sum;
        }
        return prior;
    }

    // ---- language -------------------------------------------------------------------------------------

    /// <summary>Texts a customer wrote (reviews, searches), counted by script.</summary>
    internal sealed class ScriptCounts
    {
        public int Han;
        public int Kana;
        public int Hangul;
        public int Latin;

        public int Total => Han + Kana + Hangul + Latin;

        public void Add(string text)
        {
            bool han = false, kana = false, hangul = false, latin = false;
            foreach (var ch in text)
            {
                if (ch is >= '\u3040' and <= '\u30ff')
                {
                    kana = true;
                }
                else if (ch is >= '\u4e00' and <= '\u9fff')
                {
                    han = true;
                }
                else if (ch is >= '\uac00' and <= '\ud7af')
                {
                    hangul = true;
                }
                else if (char.IsAsciiLetter(ch))
                {
                    latin = true;
                }
            }
            // Kana marks Japanese even among Han characters; Han alone is Chinese.
            if (kana)
            {
                Kana++;
            }
            else if (hangul)
            {
                Hangul++;
            }
            else if (han)
            {
                Han++;
            }
            else if (latin)
            {
                Latin++;
            }
        }
    }

    /// <summary>
    /// The customer's locale, unless at least <paramref name="minTexts"/> of their texts, and more than half, are in one
    /// script that the locale's language does not write: then that script's language (zh-CN, ja-JP, ko-KR, or en-US for
    /// Latin text from a customer whose locale is not Latin-script).
    /// </summary>
    internal static string? PreferredLanguage(string? locale, ScriptCounts texts, int minTexts)
    {
        var language = locale?.Split('-', 2)[0].ToLowerInvariant();
        var own = language switch
        {
            "zh" => "han",
            "ja" => "kana",
            "ko" => "hangul",
            null or "" => null,
            _ => "latin",
        };
        var total = texts.Total;
        (string Script, int Count, string Locale)[] candidates =
        [
            ("han", texts.Han, "zh-CN"), ("kana", texts.Kana, "ja-JP"), ("hangul", texts.Hangul, "ko-KR"), ("latin", texts.Latin, "en-US"),
        ];
        foreach (var (script, count, target) in candidates)
        {
            // Japanese writes Han too: a ja customer's Han-only texts are not evidence against their locale.
            var ownScript = script == own || (own == "kana" && script == "han");
            if (!ownScript && count >= minTexts && count * 2 > total)
            {
                return target;
            }
        }
        return string.IsNullOrEmpty(locale) ? null : locale;
    }
}

/// <summary>Per catalog product: every level of its category path, its top-level index, its brand. Immutable.</summary>
internal sealed class CatalogPaths
{
    /// <summary>At most this many top-level categories become cluster features (the ones with the most products).</summary>
    public const int MaxTopLevels = 12;

    private readonly Dictionary<string, ProductPath> _products;

    public CatalogPaths(IReadOnlyList<Product> products)
    {
        var levelsByCategory = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var topCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in products)
        {
            if (!levelsByCategory.TryGetValue(p.Category, out var levels))
            {
                levelsByCategory[p.Category] = levels = Levels(p.Category);
            }
            if (levels.Length > 0)
            {
                topCounts[levels[0]] = topCounts.GetValueOrDefault(levels[0]) + 1;
            }
        }
        TopLevels = topCounts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(MaxTopLevels).Select(kv => kv.Key).ToArray();
        var topIndex = TopLevels.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var brands = new Dictionary<string, string>(StringComparer.Ordinal);
        _products = new Dictionary<string, ProductPath>(products.Count, StringComparer.Ordinal);
        foreach (var p in products)
        {
            var levels = levelsByCategory[p.Category];
            string? brand = null;
            if (!string.IsNullOrWhiteSpace(p.Brand))
            {
                var b = p.Brand.Trim();
                if (!brands.TryGetValue(b, out brand))
                {
                    brands[b] = brand = b;
                }
            }
            _products[p.ProductId] = new ProductPath(levels, levels.Length > 0 && topIndex.TryGetValue(levels[0], out var t) ? t : -1, brand);
        }
    }

    /// <summary>Top-level categories used as cluster features, most products first.</summary>
    public IReadOnlyList<string> TopLevels { get; }

    public bool TryGet(string productId, out ProductPath path) => _products.TryGetValue(productId, out path!);

    /// <summary><c>A &gt; B &gt; C</c> → <c>A</c>, <c>A &gt; B</c>, <c>A &gt; B &gt; C</c> (segments trimmed, joined by " &gt; ").</summary>
    internal static string[] Levels(string category)
    {
        var parts = category.Split('>', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var levels = new string[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            levels[i] = i == 0 ? parts[0] : levels[i - 1] + " > " + parts[i];
        }
        return levels;
    }
}

/// <summary>A product's category levels (top first), top-level feature index (−1 when not a feature) and brand.</summary>
internal sealed record ProductPath(string[] Levels, int TopIndex, string? Brand);
