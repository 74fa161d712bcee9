namespace Mailsmith.Recommend.Evaluation;

/// <summary>Ranking metrics at k for one model, averaged over users (the definitions of Microsoft Recommenders).</summary>
public sealed record RankingScores(double Precision, double Recall, double Ndcg, double Map, double Coverage, int Users);

/// <summary>
/// Metrics as Microsoft Recommenders defines them (<c>python_evaluation</c>), over users that have both test items and
/// recommendations: precision@k = hits / k; recall@k = hits / relevant; nDCG@k with binary gain and a natural-log
/// discount 1/ln(1 + rank), normalised by the ideal ranking of min(relevant, k) hits; MAP = Σ precision at each hit /
/// relevant (the Recommenders definition, not divided by min(k, relevant)). Coverage = distinct recommended items /
/// items in training.
/// </summary>
public static class RankingMetrics
{
    /// <summary>Scores of one user's top-k list against their relevant test items.</summary>
    public static (double Precision, double Recall, double Ndcg, double Map) ForUser(IReadOnlyList<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            throw new ArgumentException("a user without relevant items has no metrics");
        }
        var hits = 0;
        var dcg = 0.0;
        var precisionSum = 0.0;
        for (var r = 0; r < Math.Min(k, ranked.Count); r++)
        {
            if (relevant.Contains(ranked[r]))
            {
                hits++;
                dcg += 1 / Math.Log(2 + r);
                precisionSum += hits / (double)(r + 1);
            }
        }
        var ideal = 0.0;
        for (var r = 0; r < Math.Min(k, relevant.Count); r++)
        {
            ideal += 1 / Math.Log(2 + r);
        }
        return (hits / (double)k, hits / (double)relevant.Count, dcg / ideal, precisionSum / relevant.Count);
    }

    /// <summary>Averages <see cref="ForUser"/> over users with test items and a non-empty list.</summary>
    public static RankingScores Average(IReadOnlyDictionary<int, IReadOnlyList<int>> recommendations, IReadOnlyDictionary<int, HashSet<int>> relevant, int k, int trainItems)
    {
        double p = 0, r = 0, n = 0, m = 0;
        var users = 0;
        var covered = new HashSet<int>();
        foreach (var (user, list) in recommendations)
        {
            foreach (var item in list)
            {
                covered.Add(item);
            }
            if (list.Count == 0 || !relevant.TryGetValue(user, out var truth) || truth.Count == 0)
            {
                continue;
            }
            var (pu, ru, nu, mu) = ForUser(list, truth, k);
            p += pu;
            r += ru;
            n += nu;
            m += mu;
            users++;
        }
        return users == 0
            ? new RankingScores(0, 0, 0, 0, 0, 0)
            : new RankingScores(p / users, r / users, n / users, m / users, trainItems == 0 ? 0 : covered.Count / (double)trainItems, users);
    }
}
