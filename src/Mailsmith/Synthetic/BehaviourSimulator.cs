using Mailsmith.Storage;

namespace Mailsmith.Synthetic;

internal enum EventKind : byte
{
    View,
    Search,
    AddToCart,
    RemoveFromCart,
    Purchase,
    Unsubscribe,
}

/// <summary>One behavioural event; <see cref="Product"/> and <see cref="Query"/> are −1 when absent.</summary>
internal readonly record struct EventRow(long Time, int Customer, int Sequence, EventKind Kind, int Product, int Query);

/// <summary>An order; its lines are <c>Lines[FirstLine..FirstLine+LineCount)</c> of the history.</summary>
internal readonly record struct OrderRow(long Time, int Customer, int FirstLine, int LineCount, string? Code, decimal Discount, decimal Total);

internal readonly record struct LineRow(int Product, int Quantity, decimal UnitPrice);

internal readonly record struct ReviewRow(long Time, int Customer, int Product, int Rating, string Text);

/// <summary>Everything the customers did, in generation order (per customer, in time).</summary>
internal sealed class StoreHistory
{
    public List<EventRow> Events { get; } = new(1 << 16);
    public List<OrderRow> Orders { get; } = new(1 << 12);
    public List<LineRow> Lines { get; } = new(1 << 13);
    public List<ReviewRow> Reviews { get; } = new(1 << 10);
    /// <summary>Distinct search strings; events refer to them by index.</summary>
    public List<string> Queries { get; } = [];
}

/// <summary>
/// Turns each customer's hidden preferences into sessions, events, orders and reviews.
/// </summary>
/// <remarks>
/// A customer visits every <c>cycle / 1.7</c> days on average (more often in a sale, by their discount
/// sensitivity), at their active hour in their own time zone. A session looks at products mostly in the affinity
/// categories (<see cref="ExplorationRate"/> elsewhere), picked by how well the price position suits their price
/// sensitivity; roughly 55 % of sessions end in an order whose extra lines favour complements of what is already in
/// the cart. Sessions never start within two hours of the customer's horizon, so no event passes the end.
/// </remarks>
internal sealed class BehaviourSimulator
{
    /// <summary>Share of product choices made outside the customer's affinity categories.</summary>
    public const double ExplorationRate = 0.10;

    private const long Day = 86_400;
    private const double SessionsPerCycle = 1.7;
    private const double PriceFitWidth = 0.2;
    // Out-of-stock products are the ones that sold out lately: before this window they could still be bought.
    private const long SoldOutWindow = 21 * Day;

    private readonly SyntheticVocabulary _vocabulary;
    private readonly SyntheticCatalog _catalog;
    private readonly long _start;
    private readonly long _end;
    private readonly IReadOnlyList<Promotion> _promotions;
    private readonly StoreHistory _history = new();
    private readonly Dictionary<string, int> _queryIndex = new(StringComparer.Ordinal);
    private readonly double[] _weights;
    private readonly List<int> _viewed = [];
    private readonly List<int> _cart = [];
    private readonly HashSet<int> _reviewed = [];
    private int _sequence;

    public BehaviourSimulator(SyntheticVocabulary vocabulary, SyntheticCatalog catalog, long start, long end, IReadOnlyList<Promotion> promotions)
    {
        _vocabulary = vocabulary;
        _catalog = catalog;
        _start = start;
        _end = end;
        _promotions = promotions;
        _weights = new double[catalog.ByCategory.Max(c => c.Length)];
    }

    public StoreHistory Run(IReadOnlyList<SyntheticCustomer> customers)
    {
        foreach (var customer in customers)
        {
            Simulate(customer);
        }
        return _history;
    }

    private void Simulate(SyntheticCustomer c)
    {
        var rng = c.Rng;
        _reviewed.Clear();
        var horizon = c.AbandonAt is { } abandon ? abandon - 3600 : c.ActivityEnd;
        var lastStart = horizon - (2 * 3600);
        var meanGap = c.PurchaseCycleDays / SessionsPerCycle * Day;
        var orders = 0;
        var signsUpInWindow = c.SignupAt >= _start;
        // A customer who signs up inside the window is browsing at that moment; older ones are first seen later.
        var t = signsUpInWindow ? c.SignupAt : _start + (long)rng.Exponential(meanGap);
        var first = true;
        var lastEnd = long.MinValue;
        while (true)
        {
            var sessionStart = first && signsUpInWindow ? c.SignupAt : AtActiveHour(c, t);
            if (lastEnd != long.MinValue && sessionStart < lastEnd + 1800)
            {
                sessionStart = lastEnd + 1800;
            }
            if (sessionStart >= lastStart)
            {
                break;
            }
            lastEnd = Session(c, sessionStart, first && signsUpInWindow, ref orders);
            first = false;
            var promotion = Promotions.At(_promotions, lastEnd);
            var boost = promotion is null ? 1.0 : 1.0 + (2.0 * c.DiscountSensitivity);
            t = lastEnd + (long)Math.Max(0.2 * Day, rng.Exponential(meanGap / boost));
        }
        if (c.AbandonAt is { } at)
        {
            AbandonSession(c, at);
        }
    }

    /// <summary>A moment near the customer's active hour (local time) on the local day of <paramref name="notBefore"/>, or the next day.</summary>
    private static long AtActiveHour(SyntheticCustomer c, long notBefore)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.UnixEpoch.AddSeconds(notBefore), c.Zone);
        var hour = c.ActiveHour + 0.5 + (c.Rng.Normal() * 1.4);
        hour = ((hour % 24) + 24) % 24;
        var candidate = DateTime.SpecifyKind(local.Date.AddSeconds(Math.Floor(hour * 3600)), DateTimeKind.Unspecified);
        // Unspecified times are read as the zone's own wall clock; a time skipped by a DST change gets the standard offset.
        var offset = c.Zone.GetUtcOffset(candidate);
        var utc = (candidate.Ticks - offset.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;
        return utc < notBefore ? utc + Day : utc;
    }

    private long Session(SyntheticCustomer c, long ts, bool signupSession, ref int orders)
    {
        var rng = c.Rng;
        var category = PickCategory(c);
        var kinds = _catalog.ByCategoryKind[category];
        var searchKind = -1;
        if (rng.Chance(0.3))
        {
            var k = rng.Next(kinds.Length);
            if (kinds[k].Length > 0)
            {
                searchKind = k;
                Emit(c, ref ts, EventKind.Search, -1, Query(c, category, k));
            }
        }

        var promotion = Promotions.At(_promotions, ts);
        var buyChance = c.Fate == Fate.Loyal ? 0.6 : signupSession ? 0.3 : 0.55;
        if (promotion is not null)
        {
            buyChance *= 1.0 + c.DiscountSensitivity;
        }
        var buy = rng.Chance(Math.Min(0.9, buyChance));

        var views = 1;
        while (views < 12 && rng.Chance(0.5))
        {
            views++;
        }
        if (buy)
        {
            views = Math.Max(views, 2);
        }
        _viewed.Clear();
        for (var v = 0; v < views; v++)
        {
            var pool = searchKind >= 0 && rng.Chance(0.8) ? kinds[searchKind] : _catalog.ByCategory[v == 0 ? category : PickCategory(c, category)];
            var p = Choose(c, pool, ts);
            Emit(c, ref ts, EventKind.View, p, -1);
            _viewed.Add(p);
        }

        if (buy)
        {
            Purchase(c, ref ts, category, ref orders);
        }
        else if (rng.Chance(0.18))
        {
            var p = _viewed[rng.Next(_viewed.Count)];
            if (Purchasable(p, ts))
            {
                Emit(c, ref ts, EventKind.AddToCart, p, -1);
                if (rng.Chance(0.35))
                {
                    Emit(c, ref ts, EventKind.RemoveFromCart, p, -1);
                }
            }
        }
        return ts;
    }

    private void Purchase(SyntheticCustomer c, ref long ts, int category, ref int orders)
    {
        var rng = c.Rng;
        _cart.Clear();
        // The product settled on is the last purchasable one viewed.
        for (var i = _viewed.Count - 1; i >= 0; i--)
        {
            if (Purchasable(_viewed[i], ts))
            {
                _cart.Add(_viewed[i]);
                break;
            }
        }
        if (_cart.Count == 0)
        {
            return;
        }
        var lineDraw = rng.NextDouble();
        var lines = lineDraw < 0.45 ? 1 : lineDraw < 0.75 ? 2 : lineDraw < 0.92 ? 3 : 4;
        for (var tries = 0; _cart.Count < lines && tries < 8; tries++)
        {
            int p;
            if (rng.Chance(0.7))
            {
                // Bought together: a complement of something already in the cart.
                var anchor = _catalog.Products[_cart[rng.Next(_cart.Count)]];
                var complements = _catalog.ComplementKinds[anchor.CategoryIndex][anchor.KindIndex];
                if (complements.Length == 0)
                {
                    continue;
                }
                var pool = _catalog.ByCategoryKind[anchor.CategoryIndex][complements[rng.Next(complements.Length)]];
                if (pool.Length == 0)
                {
                    continue;
                }
                p = Choose(c, pool, ts);
            }
            else
            {
                p = Choose(c, _catalog.ByCategory[category], ts);
            }
            if (_cart.Contains(p) || !Purchasable(p, ts))
            {
                continue;
            }
            if (!_viewed.Contains(p))
            {
                Emit(c, ref ts, EventKind.View, p, -1);
                _viewed.Add(p);
            }
            _cart.Add(p);
        }
        foreach (var p in _cart)
        {
            Emit(c, ref ts, EventKind.AddToCart, p, -1);
        }
        if (rng.Chance(0.12))
        {
            var extra = Choose(c, _catalog.ByCategory[category], ts);
            if (!_cart.Contains(extra) && Purchasable(extra, ts))
            {
                Emit(c, ref ts, EventKind.View, extra, -1);
                Emit(c, ref ts, EventKind.AddToCart, extra, -1);
                Emit(c, ref ts, EventKind.RemoveFromCart, extra, -1);
            }
        }

        var orderTime = ts;
        var firstLine = _history.Lines.Count;
        var subtotal = 0m;
        foreach (var p in _cart)
        {
            var product = _catalog.Products[p];
            var quantityDraw = rng.NextDouble();
            var quantity = quantityDraw < (c.Fate == Fate.Loyal ? 0.7 : 0.8) ? 1 : quantityDraw < 0.96 ? 2 : 3;
            _history.Lines.Add(new LineRow(p, quantity, product.Price));
            subtotal += quantity * product.Price;
            _history.Events.Add(new EventRow(orderTime, c.Index, _sequence++, EventKind.Purchase, p, -1));
            MaybeReview(c, product, orderTime);
        }
        ts += 1 + rng.Next(20, 90);

        var (code, percent) = DiscountFor(c, orderTime, orders == 0);
        var discount = Math.Round(subtotal * percent / 100m, 2, MidpointRounding.AwayFromZero);
        _history.Orders.Add(new OrderRow(orderTime, c.Index, firstLine, _cart.Count, code, discount, subtotal - discount));
        orders++;
    }

    private (string? Code, int Percent) DiscountFor(SyntheticCustomer c, long time, bool firstOrder)
    {
        var rng = c.Rng;
        var ds = c.DiscountSensitivity;
        if (Promotions.At(_promotions, time) is { } promotion && rng.Chance(0.05 + (0.85 * ds)))
        {
            return (promotion.Code, promotion.Percent);
        }
        if (firstOrder && time - c.SignupAt < 30 * Day && rng.Chance(0.2 + (0.6 * ds)))
        {
            return ("WELCOME10", 10);
        }
        if (c.Fate == Fate.Loyal && rng.Chance(0.05 + (0.3 * ds)))
        {
            return ("VIP15", 15);
        }
        return rng.Chance(0.2 * ds) ? ("SAVE10", 10) : (null, 0);
    }

    private void MaybeReview(SyntheticCustomer c, SyntheticProduct product, long orderTime)
    {
        var rng = c.Rng;
        // People review more when delighted or let down.
        var chance = (c.Fate == Fate.Loyal ? 0.18 : 0.10) * (product.Quality is < 0.4 or > 0.85 ? 1.6 : 1.0);
        if (!rng.Chance(chance) || _reviewed.Contains(product.Index))
        {
            return;
        }
        var created = orderTime + (long)rng.Uniform(2 * Day, 21 * Day);
        if (created >= _end)
        {
            return;
        }
        var score = product.Quality + (rng.Normal() * 0.12);
        var rating = score < 0.3 ? 1 : score < 0.45 ? 2 : score < 0.6 ? 3 : score < 0.78 ? 4 : 5;
        var pools = _vocabulary.Reviews.TryGetValue(c.Locale, out var byLocale) ? byLocale : _vocabulary.Reviews["en-US"];
        var pool = pools[rating - 1];
        var a = rng.Next(pool.Length);
        var text = pool[a];
        if (rng.Chance(0.5))
        {
            var b = (a + 1 + rng.Next(pool.Length - 1)) % pool.Length;
            text += (c.Locale is "zh-CN" or "ja-JP" ? "" : " ") + pool[b];
        }
        if (text.Contains("{noun}", StringComparison.Ordinal))
        {
            var noun = c.Locale == "zh-CN" ? product.Kind.Name.Zh : ProductCopy.InSentence(product.Kind.Name.En, _vocabulary.KeepCase);
            text = text.Replace("{noun}", noun, StringComparison.Ordinal);
        }
        _reviewed.Add(product.Index);
        _history.Reviews.Add(new ReviewRow(created, c.Index, product.Index, rating, text));
    }

    /// <summary>The customer's last act: fill a cart with something from their favourite category and leave.</summary>
    private void AbandonSession(SyntheticCustomer c, long ts)
    {
        var rng = c.Rng;
        var category = c.AffinityCategories[0];
        var views = 1 + rng.Next(3);
        _viewed.Clear();
        for (var v = 0; v < views; v++)
        {
            var p = Choose(c, _catalog.ByCategory[category], ts);
            Emit(c, ref ts, EventKind.View, p, -1);
            _viewed.Add(p);
        }
        var added = 0;
        foreach (var p in _viewed)
        {
            if (_catalog.Products[p].InStock && added < 2)
            {
                Emit(c, ref ts, EventKind.AddToCart, p, -1);
                added++;
            }
        }
    }

    private void Emit(SyntheticCustomer c, ref long ts, EventKind kind, int product, int query)
    {
        _history.Events.Add(new EventRow(ts, c.Index, _sequence++, kind, product, query));
        // Strictly increasing times per customer keep the events' natural key unique.
        ts += c.Rng.Next(15, 150);
    }

    private int PickCategory(SyntheticCustomer c, int? sameAs = null)
    {
        var rng = c.Rng;
        if (sameAs is { } keep && rng.Chance(0.75))
        {
            return keep;
        }
        if (rng.Chance(ExplorationRate))
        {
            return rng.Next(_catalog.Categories.Count);
        }
        var x = rng.NextDouble();
        for (var i = 0; i < c.AffinityWeights.Length; i++)
        {
            x -= c.AffinityWeights[i];
            if (x < 0)
            {
                return c.AffinityCategories[i];
            }
        }
        return c.AffinityCategories[0];
    }

    private int Choose(SyntheticCustomer c, int[] pool, long ts)
    {
        var preferred = 1.0 - c.PriceSensitivity;
        var weights = _weights.AsSpan(0, pool.Length);
        for (var i = 0; i < pool.Length; i++)
        {
            var product = _catalog.Products[pool[i]];
            var d = (product.PricePosition - preferred) / PriceFitWidth;
            weights[i] = (Math.Exp(-0.5 * d * d) + 0.03) * (Purchasable(pool[i], ts) ? 1.0 : 0.3);
        }
        return pool[c.Rng.Weighted(weights)];
    }

    private bool Purchasable(int product, long ts) => _catalog.Products[product].InStock || ts < _end - SoldOutWindow;

    private int Query(SyntheticCustomer c, int category, int kindIndex)
    {
        var rng = c.Rng;
        var vocabulary = _catalog.Categories[category];
        var kind = vocabulary.Kinds[kindIndex];
        // Only English and Chinese product vocabulary exists; customers in other locales search the store in English.
        var chinese = c.Locale == "zh-CN";
        var template = rng.Pick(chinese ? _vocabulary.SearchTemplatesZh : _vocabulary.SearchTemplatesEn);
        var text = ProductCopy.Fill(template, slot => slot switch
        {
            "noun" => chinese ? kind.Name.Zh : kind.Name.En,
            "adj" => chinese ? rng.Pick(kind.Adjectives ?? vocabulary.Adjectives).Zh : rng.Pick(kind.Adjectives ?? vocabulary.Adjectives).En,
            "variant" => chinese ? rng.Pick(kind.Variants).Zh : rng.Pick(kind.Variants).En,
            "brand" => rng.Pick(vocabulary.Brands).Name,
            "size" => chinese ? rng.Pick(kind.Sizes).Zh : rng.Pick(kind.Sizes).En,
            _ => throw new InvalidDataException($"Unknown search slot '{{{slot}}}'."),
        });
        if (!chinese)
        {
            // People type searches in lower case.
            text = text.ToLowerInvariant();
        }
        if (!_queryIndex.TryGetValue(text, out var index))
        {
            index = _history.Queries.Count;
            _history.Queries.Add(text);
            _queryIndex[text] = index;
        }
        return index;
    }

    public static string TypeName(EventKind kind) => kind switch
    {
        EventKind.View => EventTypes.View,
        EventKind.Search => EventTypes.Search,
        EventKind.AddToCart => EventTypes.AddToCart,
        EventKind.RemoveFromCart => EventTypes.RemoveFromCart,
        EventKind.Unsubscribe => EventTypes.Unsubscribe,
        _ => EventTypes.Purchase,
    };
}
