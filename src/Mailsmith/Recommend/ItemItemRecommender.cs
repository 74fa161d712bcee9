using System.Buffers;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>
/// Item-to-item collaborative filtering (<c>item-item</c>): products are similar when the same customers view, cart
/// and buy them. Each customer's interest in a product is the sum of its interactions' weights (view &lt; add_to_cart
/// &lt; purchase), each decayed with the interaction's age; two products' similarity is the cosine of their interest
/// vectors over customers, kept only when at least <see cref="RecommendOptions.MinCoOccurrence"/> customers share them.
/// Each product keeps its <see cref="RecommendOptions.NeighboursPerItem"/> most similar neighbours.
/// </summary>
/// <remarks>
/// <para>A customer's score for a product is the sum, over the products in their history, of interest × similarity.
/// The reason names the history product that contributed most: <see cref="ReasonKind.BoughtWith"/> when the customer
/// bought it, else <see cref="ReasonKind.Viewed"/>.</para>
/// <para>Memory is sparse: histories and neighbour lists are compressed rows, and the fit's only dense arrays have one
/// slot per item per worker thread. Fit work is the sum over customers of their history size squared, bounded by
/// <see cref="RecommendOptions.MaxHistoryItems"/>.</para>
/// <para>Thread-safe after <see cref="Fit"/>: <see cref="Recommend"/> reads the immutable model and keeps its scratch
/// per thread. A later <see cref="Fit"/> replaces the model atomically.</para>
/// </remarks>
public sealed class ItemItemRecommender(RecommendOptions options) : IRecommender
{
    // Candidates ordered beyond the requested count, for the ones allow refuses, before falling back to a full sort.
    private const int HeadSlack = 16;

    [ThreadStatic]
    private static ScoreScratch? t_scratch;

    private Model? _model;

    /// <inheritdoc/>
    public string Name => "item-item";

    /// <summary>The options this recommender applies.</summary>
    public RecommendOptions Options { get; } = options;

    /// <inheritdoc/>
    public void Fit(StoreSnapshot snapshot, DateTimeOffset asOf)
    {
        var catalog = new ItemCatalog(snapshot.Products);
        var customers = ItemCatalog.CustomerIds(snapshot);
        var histories = new HistoryEntry[customers.Length][];
        Parallel.For(
            0,
            customers.Length,
            () => (Interactions: new List<Interaction>(), Items: new Dictionary<int, HistoryEntry>()),
            (u, _, scratch) =>
            {
                histories[u] = History(snapshot, customers[u], asOf, catalog, scratch.Interactions, scratch.Items);
                return scratch;
            },
            _ => { });

        // Inverted index, item → (customer, interest), as compressed rows.
        var n = catalog.Count;
        var offsets = new int[n + 1];
        foreach (var h in histories)
        {
            foreach (var e in h)
            {
                offsets[e.Item + 1]++;
            }
        }
        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] += offsets[i];
        }
        var byItemUser = new int[offsets[n]];
        var byItemWeight = new float[offsets[n]];
        var cursor = (int[])offsets.Clone();
        var norms = new double[n];
        for (var u = 0; u < histories.Length; u++)
        {
            foreach (var e in histories[u])
            {
                var at = cursor[e.Item]++;
                byItemUser[at] = u;
                byItemWeight[at] = e.Weight;
                norms[e.Item] += (double)e.Weight * e.Weight;
            }
        }
        for (var i = 0; i < n; i++)
        {
            norms[i] = Math.Sqrt(norms[i]);
        }

        var neighbours = new Neighbour[n][];
        Parallel.For(
            0,
            n,
            () => new CoScratch(n),
            (i, _, scratch) =>
            {
                neighbours[i] = NeighboursOf(i, offsets, byItemUser, byItemWeight, histories, norms, scratch);
                return scratch;
            },
            _ => { });

        var historyByCustomer = new Dictionary<string, HistoryEntry[]>(customers.Length, StringComparer.Ordinal);
        for (var u = 0; u < customers.Length; u++)
        {
            if (histories[u].Length > 0)
            {
                historyByCustomer[customers[u]] = histories[u];
            }
        }
        Volatile.Write(ref _model, new Model(catalog, historyByCustomer, Compress(neighbours)));
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    public IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before Recommend.");
        if (count <= 0 || !model.Histories.TryGetValue(customerId, out var history))
        {
            return [];
        }
        var scratch = t_scratch;
        if (scratch is null || scratch.Score.Length < model.Catalog.Count)
        {
            t_scratch = scratch = new ScoreScratch(model.Catalog.Count);
        }

        // Accumulate into dense per-thread arrays; only touched slots are read back and reset.
        var score = scratch.Score;
        var best = scratch.Best;
        var source = scratch.Source;
        var touched = scratch.Touched;
        var touchedCount = 0;
        foreach (var h in history)
        {
            var start = model.NeighbourOffsets[h.Item];
            var end = model.NeighbourOffsets[h.Item + 1];
            for (var k = start; k < end; k++)
            {
                var j = model.NeighbourItems[k];
                var contribution = h.Weight * model.NeighbourSimilarities[k];
                if (source[j] < 0)
                {
                    touched[touchedCount++] = j;
                    score[j] = contribution;
                    best[j] = contribution;
                    source[j] = h.Item;
                    continue;
                }
                score[j] += contribution;
                if (contribution > best[j] || (contribution == best[j] && h.Item < source[j]))
                {
                    best[j] = contribution;
                    source[j] = h.Item;
                }
            }
        }
        if (touchedCount == 0)
        {
            return [];
        }

        var candidates = ArrayPool<Candidate>.Shared.Rent(touchedCount);
        try
        {
            for (var t = 0; t < touchedCount; t++)
            {
                var j = touched[t];
                candidates[t] = new Candidate(j, score[j], source[j]);
                source[j] = -1;
            }
            // The scratch is clean again before any caller code (allow) runs on this thread.
            var head = SelectHead(candidates, touchedCount, count + HeadSlack);

            var result = new List<Recommendation>(Math.Min(count, touchedCount));
            for (var t = 0; t < touchedCount && result.Count < count; t++)
            {
                if (t == head)
                {
                    // allow refused more than the slack: order the rest too (all of it ranks below the head).
                    Array.Sort(candidates, head, touchedCount - head, CandidateOrder.Instance);
                }
                var c = candidates[t];
                var productId = model.Catalog.Ids[c.Item];
                if (!allow(productId))
                {
                    continue;
                }
                var sourceId = model.Catalog.Ids[c.Source];
                var kind = Purchased(history, c.Source) ? ReasonKind.BoughtWith : ReasonKind.Viewed;
                result.Add(new Recommendation(productId, c.Score, new RecommendationReason(kind, ProductId: sourceId)));
            }
            return result;
        }
        finally
        {
            ArrayPool<Candidate>.Shared.Return(candidates);
        }
    }

    /// <summary>The neighbours kept for <paramref name="productId"/>, most similar first (empty for an unknown product).</summary>
    /// <exception cref="InvalidOperationException"><see cref="Fit"/> has not been called.</exception>
    internal IReadOnlyList<(string ProductId, double Similarity)> Neighbours(string productId)
    {
        var model = Volatile.Read(ref _model) ?? throw new InvalidOperationException("Call Fit before Neighbours.");
        if (!model.Catalog.TryGetIndex(productId, out var i))
        {
            return [];
        }
        var list = new List<(string, double)>();
        for (var k = model.NeighbourOffsets[i]; k < model.NeighbourOffsets[i + 1]; k++)
        {
            list.Add((model.Catalog.Ids[model.NeighbourItems[k]], model.NeighbourSimilarities[k]));
        }
        return list;
    }

    /// <summary>One customer's strongest items: decayed weighted interest, purchase flag, capped at <see cref="RecommendOptions.MaxHistoryItems"/>.</summary>
    private HistoryEntry[] History(
        StoreSnapshot snapshot, string customerId, DateTimeOffset asOf, ItemCatalog catalog,
        List<Interaction> interactions, Dictionary<int, HistoryEntry> items)
    {
        CustomerInteractions.Collect(snapshot, customerId, asOf, interactions);
        items.Clear();
        foreach (var x in interactions)
        {
            if (!catalog.TryGetIndex(x.ProductId, out var item))
            {
                continue;
            }
            var kindWeight = x.Kind switch
            {
                InteractionKind.Purchase => Options.PurchaseWeight,
                InteractionKind.AddToCart => Options.AddToCartWeight,
                _ => Options.ViewWeight,
            };
            var w = (float)(kindWeight * CustomerInteractions.Decay(x.At, asOf, Options.HalfLifeDays));
            var previous = items.GetValueOrDefault(item, new HistoryEntry(item, 0, false));
            items[item] = new HistoryEntry(item, previous.Weight + w, previous.Purchased || x.Kind == InteractionKind.Purchase);
        }
        if (items.Count == 0)
        {
            return [];
        }
        var entries = items.Values.ToArray();
        Array.Sort(entries, static (a, b) => a.Weight != b.Weight ? b.Weight.CompareTo(a.Weight) : a.Item.CompareTo(b.Item));
        return entries.Length > Options.MaxHistoryItems ? entries[..Options.MaxHistoryItems] : entries;
    }

    private Neighbour[] NeighboursOf(
        int i, int[] offsets, int[] byItemUser, float[] byItemWeight, HistoryEntry[][] histories, double[] norms, CoScratch scratch)
    {
        var dot = scratch.Dot;
        var shared = scratch.Shared;
        var touched = scratch.Touched;
        var touchedCount = 0;
        for (var k = offsets[i]; k < offsets[i + 1]; k++)
        {
            var wi = (double)byItemWeight[k];
            foreach (var e in histories[byItemUser[k]])
            {
                var j = e.Item;
                if (j == i)
                {
                    continue;
                }
                if (shared[j] == 0)
                {
                    touched[touchedCount++] = j;
                }
                shared[j]++;
                dot[j] += wi * e.Weight;
            }
        }
        var kept = scratch.Kept;
        kept.Clear();
        for (var t = 0; t < touchedCount; t++)
        {
            var j = touched[t];
            if (shared[j] >= Options.MinCoOccurrence && norms[i] > 0 && norms[j] > 0)
            {
                kept.Add(new Neighbour(j, (float)(dot[j] / (norms[i] * norms[j]))));
            }
            dot[j] = 0;
            shared[j] = 0;
        }
        kept.Sort(static (a, b) => a.Similarity != b.Similarity ? b.Similarity.CompareTo(a.Similarity) : a.Item.CompareTo(b.Item));
        return kept.Count > Options.NeighboursPerItem ? kept.GetRange(0, Options.NeighboursPerItem).ToArray() : kept.ToArray();
    }

    private static (int[] Offsets, int[] Items, float[] Similarities) Compress(Neighbour[][] neighbours)
    {
        var offsets = new int[neighbours.Length + 1];
        for (var i = 0; i < neighbours.Length; i++)
        {
            offsets[i + 1] = offsets[i] + neighbours[i].Length;
        }
        var items = new int[offsets[^1]];
        var sims = new float[offsets[^1]];
        for (var i = 0; i < neighbours.Length; i++)
        {
            var at = offsets[i];
            foreach (var nb in neighbours[i])
            {
                items[at] = nb.Item;
                sims[at] = nb.Similarity;
                at++;
            }
        }
        return (offsets, items, sims);
    }

    /// <summary>
    /// Moves the best <paramref name="size"/> of <paramref name="candidates"/>[0..<paramref name="length"/>) to the front, in
    /// order, keeping the rest behind them unordered; returns the head's length. Most lists need only <c>count</c> items, so
    /// this replaces a full sort of every touched item (the bulk of a call's time) with one pass of cheap comparisons.
    /// </summary>
    private static int SelectHead(Candidate[] candidates, int length, int size)
    {
        var head = Math.Min(length, size);
        var order = CandidateOrder.Instance;
        for (var t = 0; t < length; t++)
        {
            var x = candidates[t];
            int at;
            if (t < head)
            {
                at = t;
            }
            else if (order.Compare(x, candidates[head - 1]) < 0)
            {
                // x enters the head; the head's last element takes x's slot behind it.
                candidates[t] = candidates[head - 1];
                at = head - 1;
            }
            else
            {
                continue;
            }
            while (at > 0 && order.Compare(x, candidates[at - 1]) < 0)
            {
                candidates[at] = candidates[at - 1];
                at--;
            }
            candidates[at] = x;
        }
        return head;
    }

    // A linear scan: histories are short (MaxHistoryItems) and this runs once per returned product.
    private static bool Purchased(HistoryEntry[] history, int item)
    {
        foreach (var h in history)
        {
            if (h.Item == item)
            {
                return h.Purchased;
            }
        }
        return false;
    }

    private readonly record struct HistoryEntry(int Item, float Weight, bool Purchased);

    private readonly record struct Neighbour(int Item, float Similarity);

    private readonly record struct Candidate(int Item, float Score, int Source);

    private sealed class CandidateOrder : IComparer<Candidate>
    {
        public static readonly CandidateOrder Instance = new();

        // Best score first; equal scores in product-id order.
        public int Compare(Candidate a, Candidate b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item);
    }

    private sealed class Model(ItemCatalog catalog, Dictionary<string, HistoryEntry[]> histories, (int[] Offsets, int[] Items, float[] Similarities) neighbours)
    {
        public ItemCatalog Catalog { get; } = catalog;
        public Dictionary<string, HistoryEntry[]> Histories { get; } = histories;
        public int[] NeighbourOffsets { get; } = neighbours.Offsets;
        public int[] NeighbourItems { get; } = neighbours.Items;
        public float[] NeighbourSimilarities { get; } = neighbours.Similarities;
    }

    /// <summary>Per-thread fit buffers: one slot per item.</summary>
    private sealed class CoScratch(int items)
    {
        public readonly double[] Dot = new double[items];
        public readonly int[] Shared = new int[items];
        public readonly int[] Touched = new int[items];
        public readonly List<Neighbour> Kept = [];
    }

    /// <summary>Per-thread scoring buffers: one slot per item; <see cref="Source"/> is −1 in every untouched slot.</summary>
    private sealed class ScoreScratch
    {
        public ScoreScratch(int items)
        {
            Score = new float[items];
            Best = new float[items];
            Source = new int[items];
            Touched = new int[items];
            Array.Fill(Source, -1);
        }

        public float[] Score { get; }
        public float[] Best { get; }
        public int[] Source { get; }
        public int[] Touched { get; }
    }
}
