using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// Best sellers (<c>popularity</c>): each purchased order line counts 1, decayed with its age
/// (<see cref="RecommendOptions.PopularityHalfLifeDays"/>). Ranked store-wide and per category (full category path).
/// </summary>
/// <remarks>
/// <para>Ranking: decayed purchases, then decayed view and cart interest (weights as in <see cref="RecommendOptions"/>),
/// then product id. The store-wide ranking holds the whole catalog, so it can always fill a list; products nobody
/// touched come last with score 0, and products that never sold carry <see cref="ReasonKind.Explore"/>, not
/// <see cref="ReasonKind.Popular"/>. A category's ranking holds only products someone bought, carted or viewed.</para>
/// <para><see cref="Recommend"/> is the store-wide list (<see cref="ReasonKind.Popular"/>);
/// <see cref="RecommendInCategories"/> is the per-category list (<see cref="ReasonKind.PopularIn"/>);
/// <see cref="RecommendInSegment"/> ranks by the purchases of the customer's segment only
/// (<see cref="ReasonKind.PopularWithSimilar"/>, fitted when <see cref="Fit(StoreSnapshot, DateTimeOffset, Func{string, string?})"/>
/// is given each customer's segment); <see cref="RecommendTrending"/> is the products whose interest grew
/// (<see cref="ReasonKind.Trending"/>): weighted views, carts and purchases per day of the last
/// <see cref="RecommendOptions.TrendingRecentDays"/> over those of the <see cref="RecommendOptions.TrendingBaselineDays"/>
/// before, each smoothed by one interaction per baseline period, at least <see cref="RecommendOptions.TrendingMinRecent"/>
/// recent interactions and a ratio above <see cref="RecommendOptions.TrendingMinGrowth"/>.
/// Thread-safe after <see cref="Fit(StoreSnapshot, DateTimeOffset)"/>.</para>
/// </remarks>
public sealed class PopularityRecommender(RecommendOptions options) : IRecommender
{
    private Model? _model;

    /// <inheritdoc/>
    public string Name => "popularity";

    /// <summary>The options this recommender applies.</summary>
    public RecommendOptions Options { get; } = options;

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf) => Fit(snapshot, asOf, null);

    /// <summary>Fits the store-wide, per-category and trending rankings and, when <paramref name="segmentOf"/> is given, one ranking per segment (null = no segment).</summary>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf, Func<string, string?>? segmentOf)
    {
        var catalog = new ItemCatalog(snapshot.Products);
        var purchases = new double[catalog.Count];
        var interest = new double[catalog.Count];
        var recent = new double[catalog.Count];
        var baseline = new double[catalog.Count];
        var recentCount = new int[catalog.Count];
        var recentStart = asOf.AddDays(-Options.TrendingRecentDays);
        var baselineStart = recentStart.AddDays(-Options.TrendingBaselineDays);
        var segmentPurchases = new Dictionary<string, Dictionary<int, double>>(StringComparer.Ordinal);
        var interactions = new List<Interaction>();
        foreach (var customerId in ItemCatalog.CustomerIds(snapshot))
        {
            CustomerInteractions.Collect(snapshot, customerId, asOf, interactions);
            var segment = segmentOf?.Invoke(customerId);
            var inSegment = segment is null ? null
                : segmentPurchases.TryGetValue(segment, out var found) ? found : segmentPurchases[segment] = [];
            foreach (var x in interactions)
            {
                if (!catalog.TryGetIndex(x.ProductId, out var i))
                {
                    continue;
                }
                var kindWeight = x.Kind switch
                {
                    InteractionKind.Purchase => Options.PurchaseWeight,
                    InteractionKind.AddToCart => Options.AddToCartWeight,
                    _ => Options.ViewWeight,
                };
                if (x.At > recentStart)
                {
                    recent[i] += kindWeight;
                    recentCount[i]++;
                }
                else if (x.At > baselineStart)
                {
                    baseline[i] += kindWeight;
                }
                if (inSegment is not null && x.Kind == InteractionKind.Purchase)
                {
                    inSegment[i] = inSegment.GetValueOrDefault(i) + CustomerInteractions.Decay(x.At, asOf, Options.PopularityHalfLifeDays);
                }
                switch (x.Kind)
                {
                    case InteractionKind.Purchase:
                        purchases[i] += CustomerInteractions.Decay(x.At, asOf, Options.PopularityHalfLifeDays);
                        break;
                    case InteractionKind.AddToCart:
                        interest[i] += Options.AddToCartWeight * CustomerInteractions.Decay(x.At, asOf, Options.PopularityHalfLifeDays);
                        break;
                    default:
                        interest[i] += Options.ViewWeight * CustomerInteractions.Decay(x.At, asOf, Options.PopularityHalfLifeDays);
                        break;
                }
            }
        }

        var overall = new int[catalog.Count];
        for (var i = 0; i < overall.Length; i++)
        {
            overall[i] = i;
        }
        Array.Sort(overall, (a, b) =>
            purchases[a] != purchases[b] ? purchases[b].CompareTo(purchases[a])
            : interest[a] != interest[b] ? interest[b].CompareTo(interest[a])
            : a.CompareTo(b));

        var lists = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var i in overall)
        {
            if (purchases[i] <= 0 && interest[i] <= 0)
            {
                continue;
            }
            var category = catalog.Products[i].Category;
            if (!lists.TryGetValue(category, out var list))
            {
                lists[category] = list = [];
            }
            list.Add(i);
        }
        var byCategory = lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);

        var bySegment = new Dictionary<string, (int[] Ranking, double[] Scores)>(StringComparer.Ordinal);
        foreach (var (segment, counts) in segmentPurchases)
        {
            var ranking = counts.Keys.ToArray();
            Array.Sort(ranking, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
            bySegment[segment] = (ranking, [.. ranking.Select(i => counts[i])]);
        }

        // Growth per day, each period smoothed by one view's weight per baseline period so a product with no baseline
        // does not divide by zero and one lucky view is not a trend.
        var smoothing = Options.ViewWeight / Math.Max(1, Options.TrendingBaselineDays);
        var growth = new double[catalog.Count];
        var trendingList = new List<int>();
        for (var i = 0; i < catalog.Count; i++)
        {
            growth[i] = (recent[i] / Math.Max(1e-9, Options.TrendingRecentDays) + smoothing) / (baseline[i] / Math.Max(1e-9, Options.TrendingBaselineDays) + smoothing);
            if (recentCount[i] >= Options.TrendingMinRecent && growth[i] > Options.TrendingMinGrowth)
            {
                trendingList.Add(i);
            }
        }
        trendingList.Sort((a, b) => growth[a] != growth[b] ? growth[b].CompareTo(growth[a]) : a.CompareTo(b));
        Volatile.Write(ref _model, new Model(catalog, purchases, overall, byCategory, bySegment, [.. trendingList], growth));
    }

    /// <summary>
    /// Best sellers among the customers of <paramref name="segment"/> (purchases decayed as store-wide), each with
    /// <see cref="ReasonKind.PopularWithSimilar"/> naming the segment; nothing for an unknown segment or when segments were not fitted.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit(StoreSnapshot, DateTimeOffset)"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> RecommendInSegment(string? segment, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before RecommendInSegment.");
        var result = new List<Recommendation>(Math.Max(0, count));
        if (segment is null || !model.BySegment.TryGetValue(segment, out var ranked))
        {
            return result;
        }
        for (var k = 0; k < ranked.Ranking.Length && result.Count < count; k++)
        {
            var productId = model.Catalog.Ids[ranked.Ranking[k]];
            if (allow(productId))
            {
                result.Add(new Recommendation(productId, ranked.Scores[k], new RecommendationReason(ReasonKind.PopularWithSimilar, Segment: segment)));
            }
        }
        return result;
    }

    /// <summary>Products whose recent interest grew the most (see the remarks), best first, each with <see cref="ReasonKind.Trending"/>; the score is the growth ratio.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit(StoreSnapshot, DateTimeOffset)"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> RecommendTrending(int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before RecommendTrending.");
        var result = new List<Recommendation>(Math.Max(0, count));
        foreach (var i in model.Trending)
        {
            if (result.Count >= count)
            {
                break;
            }
            var productId = model.Catalog.Ids[i];
            if (allow(productId))
            {
                result.Add(new Recommendation(productId, model.Growth[i], new RecommendationReason(ReasonKind.Trending)));
            }
        }
        return result;
    }

    /// <summary>The store-wide best sellers; the customer is not consulted.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit(StoreSnapshot, DateTimeOffset)"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before Recommend.");
        var result = new List<Recommendation>(Math.Max(0, count));
        Take(model, model.Overall, count, allow, result, category: null);
        return result;
    }

    /// <summary>
    /// Best sellers of each of <paramref name="categories"/> (full category paths) in turn: the first category's
    /// ranking until <paramref name="allow"/> refuses all of it, then the next; unknown categories are skipped.
    /// Every result carries <see cref="ReasonKind.PopularIn"/> with its category.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit(StoreSnapshot, DateTimeOffset)"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> RecommendInCategories(IReadOnlyList<string> categories, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before RecommendInCategories.");
        var result = new List<Recommendation>(Math.Max(0, count));
        foreach (var category in categories)
        {
            if (result.Count >= count)
            {
                break;
            }
            if (model.ByCategory.TryGetValue(category, out var ranking))
            {
                Take(model, ranking, count, allow, result, category);
            }
        }
        return result;
    }

    private static void Take(Model model, int[] ranking, int count, Func<string, bool> allow, List<Recommendation> into, string? category)
    {
        foreach (var i in ranking)
        {
            if (into.Count >= count)
            {
                return;
            }
            var productId = model.Catalog.Ids[i];
            if (allow(productId))
            {
                // "Popular" is a claim the email makes to a person: only products that have sold may carry it.
                var reason = category is not null
                    ? new RecommendationReason(ReasonKind.PopularIn, Category: category)
                    : new RecommendationReason(model.Purchases[i] > 0 ? ReasonKind.Popular : ReasonKind.Explore);
                into.Add(new Recommendation(productId, model.Purchases[i], reason));
            }
        }
    }

    private sealed record Model(
        ItemCatalog Catalog,
        double[] Purchases,
        int[] Overall,
        Dictionary<string, int[]> ByCategory,
        Dictionary<string, (int[] Ranking, double[] Scores)> BySegment,
        int[] Trending,
        double[] Growth);
}
