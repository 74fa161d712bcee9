using Mailsmith.Profile;
using Mailsmith.Recommend.Rules;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// "Frequently bought together" (<c>bought-together</c>): association rules mined by FP-Growth
/// (<see cref="AssociationRules"/>) on the store's orders up to asOf, one basket per order. For a basket (the
/// customer's purchases of the last <see cref="RecommendOptions.BoughtTogetherRecentDays"/> days, or an abandoned cart)
/// every rule whose antecedent lies in the basket proposes its consequent; the best rule per consequent wins, ranked by
/// lift, then confidence, then support.
/// </summary>
/// <remarks>
/// The reason is <see cref="ReasonKind.BoughtWith"/> naming the rule's antecedent item (for a longer antecedent, its
/// first item in the rule). Products already in the basket are never proposed. Thread-safe after <see cref="Fit"/>.
/// </remarks>
public sealed class BoughtTogetherRecommender(RecommendOptions options) : IRecommender
{
    private Model? _model;

    /// <inheritdoc/>
    public string Name => "bought-together";

    /// <summary>The options this recommender applies.</summary>
    public RecommendOptions Options { get; } = options;

    /// <summary>The rules mined by the last <see cref="Fit"/> (empty before).</summary>
    public IReadOnlyList<AssociationRule> Rules => Volatile.Read(ref _model)?.Rules ?? [];

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var pairs = new List<(string Basket, string Item)>();
        foreach (var order in snapshot.Orders)
        {
            if (order.OrderedAt > asOf)
            {
                continue;
            }
            foreach (var line in snapshot.LinesOf(order.OrderId))
            {
                pairs.Add((order.OrderId, line.ProductId));
            }
        }
        var rules = pairs.Count == 0
            ? []
            : AssociationRules.Mine(Baskets.FromPairs(pairs), new RuleMiningOptions
            {
                MinSupport = Options.BoughtTogetherMinSupport,
                MinConfidence = Options.BoughtTogetherMinConfidence,
                MinLength = 2,
                MaxLength = 3,
            });
        var byAntecedentItem = new Dictionary<string, List<AssociationRule>>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            foreach (var item in rule.Antecedent)
            {
                if (!byAntecedentItem.TryGetValue(item, out var list))
                {
                    byAntecedentItem[item] = list = [];
                }
                list.Add(rule);
            }
        }

        var recent = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var since = asOf.AddDays(-Options.BoughtTogetherRecentDays);
        var interactions = new List<Interaction>();
        foreach (var customerId in ItemCatalog.CustomerIds(snapshot))
        {
            CustomerInteractions.Collect(snapshot, customerId, asOf, interactions);
            var bought = interactions.Where(x => x.Kind == InteractionKind.Purchase && x.At > since)
                .OrderByDescending(x => x.At).Select(x => x.ProductId).Distinct(StringComparer.Ordinal).ToArray();
            if (bought.Length > 0)
            {
                recent[customerId] = bought;
            }
        }
        Volatile.Write(ref _model, new Model(rules, byAntecedentItem, recent));
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before Recommend.");
        return model.Recent.TryGetValue(customerId, out var basket) ? ForBasket(basket, count, allow) : [];
    }

    /// <summary>Up to <paramref name="count"/> consequents of the rules whose antecedent lies in <paramref name="basket"/>, best first.</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> ForBasket(IReadOnlyCollection<string> basket, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before ForBasket.");
        if (count <= 0 || basket.Count == 0)
        {
            return [];
        }
        var inBasket = new HashSet<string>(basket, StringComparer.Ordinal);
        var best = new Dictionary<string, AssociationRule>(StringComparer.Ordinal);
        foreach (var item in inBasket)
        {
            if (!model.ByAntecedentItem.TryGetValue(item, out var rules))
            {
                continue;
            }
            foreach (var rule in rules)
            {
                if (inBasket.Contains(rule.Consequent) || !rule.Antecedent.All(inBasket.Contains))
                {
                    continue;
                }
                if (!best.TryGetValue(rule.Consequent, out var current) || Better(rule, current))
                {
                    best[rule.Consequent] = rule;
                }
            }
        }
        var ranked = best.Values.ToList();
        ranked.Sort(static (a, b) => Better(a, b) ? -1 : Better(b, a) ? 1 : 0);
        var picks = new List<Recommendation>(Math.Min(count, ranked.Count));
        foreach (var rule in ranked)
        {
            if (picks.Count == count)
            {
                break;
            }
            if (allow(rule.Consequent))
            {
                picks.Add(new Recommendation(rule.Consequent, rule.Lift * rule.Confidence,
                    new RecommendationReason(ReasonKind.BoughtWith, ProductId: rule.Antecedent[0])));
            }
        }
        return picks;
    }

    private static bool Better(AssociationRule a, AssociationRule b) =>
        a.Lift != b.Lift ? a.Lift > b.Lift
        : a.Confidence != b.Confidence ? a.Confidence > b.Confidence
        : a.Support != b.Support ? a.Support > b.Support
        : string.CompareOrdinal(a.Consequent, b.Consequent) < 0
          || (a.Consequent == b.Consequent && string.CompareOrdinal(string.Join('\u0001', a.Antecedent), string.Join('\u0001', b.Antecedent)) < 0);

    private sealed record Model(
        IReadOnlyList<AssociationRule> Rules,
        Dictionary<string, List<AssociationRule>> ByAntecedentItem,
        Dictionary<string, string[]> Recent);
}
