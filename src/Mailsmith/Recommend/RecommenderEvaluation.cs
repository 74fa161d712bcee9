using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>Offline quality of one recommender at list length <see cref="K"/>, averaged over <see cref="Users"/> customers.</summary>
/// <param name="HitRate">Share of customers with at least one bought product in their top K.</param>
/// <param name="Recall">Mean over customers of (bought products in the top K) / (bought products).</param>
/// <param name="Ndcg">Mean normalized discounted cumulative gain of the top K, binary relevance.</param>
public sealed record EvaluationResult(string Recommender, int K, int Users, double HitRate, double Recall, double Ndcg);

/// <summary>Time-split offline evaluation of recommenders.</summary>
public static class RecommenderEvaluation
{
    /// <summary>
    /// Fits <paramref name="recommender"/> on the data strictly before <paramref name="split"/>, then asks it for
    /// <paramref name="k"/> products per customer and scores them against the products the customer bought (order lines)
    /// at or after the split. Products bought before the split are neither asked for nor counted. Customers with no such
    /// new purchase of a catalog product are left out; a customer the recommender knows nothing of counts as a miss.
    /// </summary>
    /// <remarks>Leaves <paramref name="recommender"/> fitted at the split.</remarks>
    public static EvaluationResult HitRateAtK(StoreSnapshot snapshot, DateTimeOffset split, IRecommender recommender, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var trainEnd = split.AddTicks(-1);
        recommender.Fit(snapshot, trainEnd);

        var customers = snapshot.OrdersByCustomer.Keys.ToArray();
        Array.Sort(customers, StringComparer.Ordinal);
        var interactions = new List<Interaction>();
        var boughtBefore = new HashSet<string>(StringComparer.Ordinal);
        var targets = new HashSet<string>(StringComparer.Ordinal);
        int users = 0, hits = 0;
        double recall = 0, ndcg = 0;
        foreach (var customerId in customers)
        {
            CustomerInteractions.Collect(snapshot, customerId, trainEnd, interactions);
            boughtBefore.Clear();
            foreach (var x in interactions)
            {
                if (x.Kind == InteractionKind.Purchase)
                {
                    boughtBefore.Add(x.ProductId);
                }
            }
            targets.Clear();
            foreach (var order in snapshot.OrdersOf(customerId))
            {
                if (order.OrderedAt < split)
                {
                    continue;
                }
                foreach (var line in snapshot.LinesOf(order.OrderId))
                {
                    if (!boughtBefore.Contains(line.ProductId) && snapshot.ProductsById.ContainsKey(line.ProductId))
                    {
                        targets.Add(line.ProductId);
                    }
                }
            }
            if (targets.Count == 0)
            {
                continue;
            }
            users++;
            var recommendations = recommender.Recommend(customerId, k, p => !boughtBefore.Contains(p));
            int found = 0;
            double dcg = 0;
            for (var i = 0; i < Math.Min(k, recommendations.Count); i++)
            {
                if (targets.Contains(recommendations[i].ProductId))
                {
                    found++;
                    dcg += 1 / Math.Log2(i + 2);
                }
            }
            double idcg = 0;
            for (var i = 0; i < Math.Min(k, targets.Count); i++)
            {
                idcg += 1 / Math.Log2(i + 2);
            }
            hits += found > 0 ? 1 : 0;
            recall += (double)found / targets.Count;
            ndcg += dcg / idcg;
        }
        return users == 0
            ? new EvaluationResult(recommender.Name, k, 0, 0, 0, 0)
            : new EvaluationResult(recommender.Name, k, users, (double)hits / users, recall / users, ndcg / users);
    }
}
