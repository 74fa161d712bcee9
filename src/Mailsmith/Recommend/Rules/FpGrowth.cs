namespace Mailsmith.Recommend.Rules;

/// <summary>A frequent itemset: item ids ascending, and the number of baskets that contain all of them.</summary>
public readonly record struct Itemset(int[] Items, int Count);

/// <summary>
/// FP-Growth (Han, Pei &amp; Yin 2000): every itemset contained in at least <c>minCount</c> baskets, without candidate
/// generation. The tree is a flat array of nodes (item, count, parent, next-of-same-item), built once per conditional
/// pattern base; children are found through a per-node dictionary only while building.
/// </summary>
public static class FpGrowth
{
    /// <summary>Frequent itemsets of 1…<paramref name="maxLength"/> items with count ≥ <paramref name="minCount"/>.</summary>
    public static IReadOnlyList<Itemset> Mine(Baskets baskets, int minCount, int maxLength = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var paths = new List<(int[] Items, int Count)>(baskets.Count);
        for (var b = 0; b < baskets.Count; b++)
        {
            paths.Add((baskets[b].ToArray(), 1));
        }
        var result = new List<Itemset>();
        MineBase(paths, baskets.ItemCount, minCount, maxLength, [], result);
        return result;
    }

    private static void MineBase(List<(int[] Items, int Count)> paths, int itemCount, int minCount, int maxLength, int[] suffix, List<Itemset> result)
    {
        // Item supports in this (conditional) base; keep the frequent ones, ordered by descending support (ties by id).
        var support = new Dictionary<int, int>();
        foreach (var (items, count) in paths)
        {
            foreach (var item in items)
            {
                support[item] = support.GetValueOrDefault(item) + count;
            }
        }
        var frequent = support.Where(kv => kv.Value >= minCount).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Select(kv => kv.Key).ToArray();
        if (frequent.Length == 0)
        {
            return;
        }
        var rank = new Dictionary<int, int>(frequent.Length);
        for (var i = 0; i < frequent.Length; i++)
        {
            rank[frequent[i]] = i;
        }

        var tree = new Tree(frequent.Length);
        var buffer = new List<int>();
        foreach (var (items, count) in paths)
        {
            buffer.Clear();
            foreach (var item in items)
            {
                if (rank.TryGetValue(item, out var r))
                {
                    buffer.Add(r);
                }
            }
            if (buffer.Count == 0)
            {
                continue;
            }
            buffer.Sort();
            tree.Insert(buffer, count);
        }

        // From the least frequent item up: emit suffix ∪ {item}, then recurse on its conditional pattern base.
        for (var r = frequent.Length - 1; r >= 0; r--)
        {
            var item = frequent[r];
            var itemset = new int[suffix.Length + 1];
            suffix.CopyTo(itemset, 0);
            itemset[^1] = item;
            var sorted = (int[])itemset.Clone();
            Array.Sort(sorted);
            result.Add(new Itemset(sorted, support[item]));
            if (itemset.Length >= maxLength)
            {
                continue;
            }
            var conditional = new List<(int[] Items, int Count)>();
            for (var node = tree.Head[r]; node >= 0; node = tree.Next[node])
            {
                buffer.Clear();
                for (var p = tree.Parent[node]; p > 0; p = tree.Parent[p])
                {
                    buffer.Add(frequent[tree.Item[p]]);
                }
                if (buffer.Count > 0)
                {
                    conditional.Add((buffer.ToArray(), tree.Count[node]));
                }
            }
            if (conditional.Count > 0)
            {
                MineBase(conditional, itemCount, minCount, maxLength, itemset, result);
            }
        }
    }

    /// <summary>An FP-tree over ranks; node 0 is the root.</summary>
    private sealed class Tree
    {
        public readonly List<int> Item = [-1];
        public readonly List<int> Count = [0];
        public readonly List<int> Parent = [-1];
        public readonly List<int> Next = [-1];
        public readonly int[] Head;
        private readonly List<Dictionary<int, int>?> _children = [null];

        public Tree(int ranks)
        {
            Head = new int[ranks];
            Array.Fill(Head, -1);
        }

        public void Insert(List<int> ranks, int count)
        {
            var node = 0;
            foreach (var r in ranks)
            {
                var children = _children[node] ??= [];
                if (!children.TryGetValue(r, out var child))
                {
                    child = Item.Count;
                    Item.Add(r);
                    Count.Add(0);
                    Parent.Add(node);
                    Next.Add(Head[r]);
                    _children.Add(null);
                    Head[r] = child;
                    children[r] = child;
                }
                Count[child] += count;
                node = child;
            }
        }
    }
}
