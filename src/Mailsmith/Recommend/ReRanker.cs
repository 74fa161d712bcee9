using System.Globalization;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// The business rules that re-rank a candidate pool into one email's list: price near the customer's band, optional
/// boosts (new arrivals, margin, campaign theme) and diversity across categories by maximal marginal relevance (MMR).
/// </summary>
/// <remarks>
/// <para>Relevance of a candidate is its place in the pool (the chain's order, best first): 1 − i / pool size. The
/// adjusted relevance adds <see cref="RecommendOptions.NewArrivalBoost"/> for a new arrival,
/// <see cref="RecommendOptions.MarginBoost"/> × margin, <see cref="RecommendOptions.ThemeBoost"/> for a product carrying
/// a theme tag, and subtracts <see cref="RecommendOptions.PriceBandWeight"/> × 3 × the distance (in percentiles of its
/// category's prices) between the product's price and the customer's band (budget below the 33rd percentile, mid up to
/// the 67th, premium above, as the Profile stage's defaults): one band away costs about the weight, a price inside the
/// band nothing, an unknown band nothing.</para>
/// <para>Selection is greedy MMR: the next product maximises λ · adjusted − (1 − λ) · max similarity to the products
/// already in the email, with similarity 1 for the same category path, 0.5 for the same top-level category, else 0
/// (λ = <see cref="RecommendOptions.DiversityLambda"/>; 1 is relevance only). Ties go to the better pool place.</para>
/// <para>Reasons: a boosted new arrival in one of the customer's top categories says
/// <see cref="ReasonKind.NewInFavourite"/> with that category; every other candidate keeps its recommender's reason.</para>
/// <para>Immutable after construction; thread-safe.</para>
/// </remarks>
internal sealed class ReRanker
{
    private const double BudgetBelow = 1.0 / 3;
    private const double PremiumAbove = 2.0 / 3;

    private readonly RecommendOptions _options;
    private readonly CategoryPrices _prices;
    private readonly HashSet<string> _newArrivals;
    private readonly IReadOnlyDictionary<string, Product> _products;

    public ReRanker(StoreSnapshot snapshot, DateTimeOffset asOf, RecommendOptions options)
    {
        _options = options;
        _products = snapshot.ProductsById;
        _prices = new CategoryPrices(snapshot.Products);
        _newArrivals = NewArrivals(snapshot, asOf, options);
    }

    /// <summary>
    /// Products that count as new arrivals as of the fit: tagged <see cref="RecommendOptions.NewArrivalTag"/>, or first
    /// seen (first view, cart or order) within <see cref="RecommendOptions.NewArrivalDays"/> before asOf and at least as
    /// many days after the store's earliest record (before that, first-seen says nothing about age).
    /// </summary>
    public IReadOnlySet<string> NewArrivalIds => _newArrivals;

    /// <summary>Where the product's list price sits among its category's prices, 0–1; null for a product not in the catalog.</summary>
    public double? PricePercentile(string productId) =>
        _prices.TryGet(productId, null, out _, out var percentile) ? percentile : null;

    /// <summary>The margin share a product's tags state (<c>margin:0.35</c>, prefix <see cref="RecommendOptions.MarginTagPrefix"/>), clamped to 0–1; 0 when none.</summary>
    public double MarginOf(Product product)
    {
        foreach (var tag in product.Tags)
        {
            if (tag.StartsWith(_options.MarginTagPrefix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(tag.AsSpan(_options.MarginTagPrefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var margin)
                && double.IsFinite(margin))
            {
                return Math.Clamp(margin, 0, 1);
            }
        }
        return 0;
    }

    /// <summary>The price penalty's distance: how far (in category percentiles) a price sits outside the band; 0 inside it or for an unknown band.</summary>
    public static double BandDistance(string priceBand, double percentile)
    {
        var (low, high) = priceBand switch
        {
            PriceBand.Budget => (0.0, BudgetBelow),
            PriceBand.Mid => (BudgetBelow, PremiumAbove),
            PriceBand.Premium => (PremiumAbove, 1.0),
            _ => (0.0, 1.0),
        };
        return Math.Max(0, Math.Max(low - percentile, percentile - high));
    }

    /// <summary>
    /// Picks up to <paramref name="want"/> of <paramref name="pool"/> (best first) in the order the rules rank them.
    /// <paramref name="inEmail"/> are products already in the email (diversity counts them); <paramref name="fits"/>
    /// says whether a product may still join (the category cap), given the categories chosen so far; <paramref name="chosen"/>
    /// is told each pick as it is made.
    /// </summary>
    public List<Recommendation> Select(
        IReadOnlyList<Recommendation> pool,
        int want,
        CustomerProfile profile,
        IReadOnlyList<string> themeTags,
        IEnumerable<Product> inEmail,
        Func<Product, bool> fits,
        Action<Product> chosen)
    {
        var products = _products;
        var candidates = new List<(Recommendation Pick, Product Product, double Adjusted)>(pool.Count);
        for (var i = 0; i < pool.Count; i++)
        {
            if (!products.TryGetValue(pool[i].ProductId, out var product))
            {
                continue;
            }
            var (adjusted, reason) = Adjust(pool[i], product, 1 - (double)i / pool.Count, profile, themeTags);
            candidates.Add((reason == pool[i].Reason ? pool[i] : pool[i] with { Reason = reason }, product, adjusted));
        }
        var lambda = Math.Clamp(_options.DiversityLambda, 0, 1);
        var picked = new List<Product>(inEmail);
        var result = new List<Recommendation>(want);
        var taken = new bool[candidates.Count];
        while (result.Count < want)
        {
            var best = -1;
            var bestValue = double.NegativeInfinity;
            for (var c = 0; c < candidates.Count; c++)
            {
                if (taken[c] || !fits(candidates[c].Product))
                {
                    continue;
                }
                var similarity = 0.0;
                foreach (var p in picked)
                {
                    similarity = Math.Max(similarity, Similarity(p, candidates[c].Product));
                }
                var value = lambda * candidates[c].Adjusted - (1 - lambda) * similarity;
                if (value > bestValue)
                {
                    best = c;
                    bestValue = value;
                }
            }
            if (best < 0)
            {
                break;
            }
            taken[best] = true;
            picked.Add(candidates[best].Product);
            chosen(candidates[best].Product);
            result.Add(candidates[best].Pick);
        }
        return result;
    }

    private (double Adjusted, RecommendationReason Reason) Adjust(Recommendation pick, Product product, double relevance, CustomerProfile profile, IReadOnlyList<string> themeTags)
    {
        var adjusted = relevance;
        var reason = pick.Reason;
        if (_options.PriceBandWeight > 0 && _prices.TryGet(product.ProductId, null, out _, out var percentile))
        {
            adjusted -= _options.PriceBandWeight * 3 * BandDistance(profile.PriceBand, percentile);
        }
        if (_options.NewArrivalBoost > 0 && _newArrivals.Contains(product.ProductId))
        {
            adjusted += _options.NewArrivalBoost;
            if (reason.Kind != ReasonKind.InCart && profile.TopCategories.Contains(product.Category, StringComparer.Ordinal))
            {
                reason = new RecommendationReason(ReasonKind.NewInFavourite, Category: product.Category);
            }
        }
        if (_options.MarginBoost > 0)
        {
            adjusted += _options.MarginBoost * MarginOf(product);
        }
        if (_options.ThemeBoost > 0 && themeTags.Count > 0 && product.Tags.Any(t => themeTags.Contains(t, StringComparer.OrdinalIgnoreCase)))
        {
            adjusted += _options.ThemeBoost;
        }
        return (adjusted, reason);
    }

    private static double Similarity(Product a, Product b) =>
        string.Equals(a.Category, b.Category, StringComparison.Ordinal) ? 1
        : string.Equals(a.TopCategory, b.TopCategory, StringComparison.Ordinal) ? 0.5
        : 0;

    private static HashSet<string> NewArrivals(StoreSnapshot snapshot, DateTimeOffset asOf, RecommendOptions options)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in snapshot.Products)
        {
            if (options.NewArrivalTag.Length > 0 && p.Tags.Contains(options.NewArrivalTag, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(p.ProductId);
            }
        }
        if (options.NewArrivalDays <= 0)
        {
            return result;
        }
        // First seen = the earliest view, cart or order line at or before asOf; a product first seen recently is new.
        var firstSeen = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var e in snapshot.Events)
        {
            if (e.ProductId is { } id && e.OccurredAt <= asOf && (!firstSeen.TryGetValue(id, out var seen) || e.OccurredAt < seen))
            {
                firstSeen[id] = e.OccurredAt;
            }
        }
        var orderedAt = snapshot.Orders.ToDictionary(o => o.OrderId, o => o.OrderedAt, StringComparer.Ordinal);
        foreach (var line in snapshot.OrderLines)
        {
            if (orderedAt.TryGetValue(line.OrderId, out var at) && at <= asOf && (!firstSeen.TryGetValue(line.ProductId, out var seen) || at < seen))
            {
                firstSeen[line.ProductId] = at;
            }
        }
        // The data's start censors first-seen: a product seen from the first days on may be older than the data, so only
        // one first seen at least NewArrivalDays after the earliest record can be new.
        if (firstSeen.Count == 0)
        {
            return result;
        }
        var earliest = firstSeen.Values.Min();
        var since = asOf.AddDays(-options.NewArrivalDays);
        var censored = earliest.AddDays(options.NewArrivalDays);
        foreach (var (id, at) in firstSeen)
        {
            if (at > since && at > censored)
            {
                result.Add(id);
            }
        }
        return result;
    }
}
