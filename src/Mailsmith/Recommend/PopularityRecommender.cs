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
/// <see cref="RecommendInCategories"/> is the per-category list (<see cref="ReasonKind.PopularIn"/>).
/// Thread-safe after <see cref="Fit"/>.</para>
/// </remarks>
public sealed class PopularityRecommender(RecommendOptions options) : IRecommender
{
    private Model? _model;

    /// <inheritdoc/>
    public string Name => "popularity";

    /// <summary>The options this recommender applies.</summary>
    public RecommendOptions Options { get; } = options;

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var catalog = new ItemCatalog(snapshot.Products);
        var purchases = new double[catalog.Count];
        var interest = new double[catalog.Count];
        var interactions = new List<Interaction>();
        foreach (var customerId in ItemCatalog.CustomerIds(snapshot))
        {
            CustomerInteractions.Collect(snapshot, customerId, asOf, interactions);
            foreach (var x in interactions)
            {
                if (!catalog.TryGetIndex(x.ProductId, out var i))
                {
                    continue;
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
        Volatile.Write(ref _model, new Model(catalog, purchases, overall, byCategory));
    }

    /// <summary>The store-wide best sellers; the customer is not consulted.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
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
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
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

    private sealed record Model(ItemCatalog Catalog, double[] Purchases, int[] Overall, Dictionary<string, int[]> ByCategory);
}
