using Mailsmith.Profile;
using Mailsmith.Recommend.Evaluation;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// EASE (Steck 2019) on the store's own data: every customer's viewed, carted and bought products up to asOf as a
/// binary row; the item-item weights B from the closed form (<see cref="EaseModel"/>). It scored 7% above SAR in nDCG@10
/// on the generated store (docs/recommend.md), so the default chain asks it first. The reason names the history product
/// whose weight contributed most: <see cref="ReasonKind.BoughtWith"/> when the customer bought it, else
/// <see cref="ReasonKind.Viewed"/>. Catalogs above <see cref="EaseModel.MaxItems"/> products are left to
/// <see cref="ItemItemRecommender"/>: this one then recommends nothing.
/// </summary>
public sealed class EaseRecommender(RecommendOptions options) : IRecommender
{
    private Model? _model;

    /// <inheritdoc/>
    public string Name => "ease";

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var products = snapshot.Products.Select(p => p.ProductId).ToArray();
        if (products.Length == 0 || products.Length > EaseModel.MaxItems)
        {
            Volatile.Write(ref _model, null);
            return;
        }
        var index = new Dictionary<string, int>(products.Length, StringComparer.Ordinal);
        for (var i = 0; i < products.Length; i++)
        {
            index[products[i]] = i;
        }
        var customers = snapshot.Customers.Select(c => c.CustomerId).ToArray();
        var rows = new List<Evaluation.Interaction>();
        var histories = new Dictionary<string, (int[] Items, bool[] Bought)>(StringComparer.Ordinal);
        var collected = new List<Profile.Interaction>();
        for (var u = 0; u < customers.Length; u++)
        {
            collected.Clear();
            CustomerInteractions.Collect(snapshot, customers[u], asOf, collected);
            var items = new Dictionary<int, bool>();
            foreach (var x in collected)
            {
                if (index.TryGetValue(x.ProductId, out var item))
                {
                    items[item] = items.GetValueOrDefault(item) || x.Kind == InteractionKind.Purchase;
                }
            }
            if (items.Count == 0)
            {
                continue;
            }
            foreach (var item in items.Keys)
            {
                rows.Add(new Evaluation.Interaction(u, item, 0, 1));
            }
            var ordered = items.Keys.Order().ToArray();
            histories[customers[u]] = (ordered, [.. ordered.Select(i => items[i])]);
        }
        if (rows.Count == 0)
        {
            Volatile.Write(ref _model, null);
            return;
        }
        var matrix = new TrainMatrix(rows, customers.Length, products.Length);
        var ease = new EaseModel(options.EaseLambda);
        ease.Fit(matrix);
        Volatile.Write(ref _model, new Model(products, ease.Weights, histories));
    }

    /// <inheritdoc/>
    public IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model);
        if (model is null || count <= 0 || !model.Histories.TryGetValue(customerId, out var history))
        {
            return [];
        }
        var n = model.Products.Length;
        var scores = new float[n];
        foreach (var item in history.Items)
        {
            Vectors.AddScaled(scores, model.Weights.AsSpan(item * n, n), 1f);
        }
        foreach (var item in history.Items)
        {
            scores[item] = float.NegativeInfinity;
        }
        var result = new List<Recommendation>(count);
        foreach (var item in Ranked(scores, model.Products, count + 16))
        {
            if (!allow(model.Products[item]))
            {
                continue;
            }
            // The reason: the history product with the largest weight toward this one.
            var source = 0;
            for (var h = 1; h < history.Items.Length; h++)
            {
                if (model.Weights[history.Items[h] * n + item] > model.Weights[history.Items[source] * n + item])
                {
                    source = h;
                }
            }
            var kind = history.Bought[source] ? ReasonKind.BoughtWith : ReasonKind.Viewed;
            result.Add(new Recommendation(model.Products[item], scores[item], new RecommendationReason(kind, ProductId: model.Products[history.Items[source]])));
            if (result.Count == count)
            {
                break;
            }
        }
        return result;
    }

    /// <summary>
    /// Items with a positive score, best first (ties by product id): the best <paramref name="head"/> by a bounded min-heap
    /// (O(n log head), not a sort of the catalog), then, only if the caller reads past them because its filter refused
    /// some, the rest sorted.
    /// </summary>
    internal static IEnumerable<int> Ranked(float[] scores, string[] products, int head)
    {
        var better = Comparer<int>.Create((a, b) => scores[a] != scores[b] ? scores[a].CompareTo(scores[b]) : string.CompareOrdinal(products[b], products[a]));
        var heap = new PriorityQueue<int, int>(head + 1, better);
        var positive = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (!(scores[i] > 0))
            {
                continue;
            }
            positive++;
            if (heap.Count < head)
            {
                heap.Enqueue(i, i);
            }
            else if (better.Compare(i, heap.Peek()) > 0)
            {
                heap.DequeueEnqueue(i, i);
            }
        }
        var top = new int[heap.Count];
        for (var k = top.Length - 1; k >= 0; k--)
        {
            top[k] = heap.Dequeue();
        }
        foreach (var item in top)
        {
            yield return item;
        }
        if (positive <= top.Length)
        {
            yield break;
        }
        var inHead = new HashSet<int>(top);
        var rest = new List<int>(positive - top.Length);
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > 0 && !inHead.Contains(i))
            {
                rest.Add(i);
            }
        }
        rest.Sort((a, b) => better.Compare(b, a));
        foreach (var item in rest)
        {
            yield return item;
        }
    }

    private sealed record Model(string[] Products, float[] Weights, Dictionary<string, (int[] Items, bool[] Bought)> Histories);
}
