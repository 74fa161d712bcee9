namespace Mailsmith.Recommend.Rules;

/// <summary>
/// One association rule <c>{antecedent} ⇒ {consequent}</c>, with the arules measures: support = baskets holding
/// every item of the rule / all baskets; confidence = support(rule) / support(antecedent); lift = confidence /
/// support(consequent).
/// </summary>
public sealed record AssociationRule(
    IReadOnlyList<string> Antecedent,
    string Consequent,
    double Support,
    double Confidence,
    double Lift,
    int Count)
{
    /// <summary>Items in the rule, antecedent and consequent together (what arules' <c>minlen</c> counts).</summary>
    public int Length => Antecedent.Count + 1;
}

/// <summary>Thresholds of <see cref="AssociationRules.Mine"/>, with arules' meaning.</summary>
public sealed record RuleMiningOptions
{
    /// <summary>Minimum support as a ratio of baskets, compared as count / baskets ≥ this (arules' <c>supp</c>). Default 0.01.</summary>
    public double MinSupport { get; init; } = 0.01;

    /// <summary>Minimum confidence (arules' <c>conf</c>). Default 0.5.</summary>
    public double MinConfidence { get; init; } = 0.5;

    /// <summary>Minimum number of items in a rule, antecedent plus consequent (arules' <c>minlen</c>). Default 2.</summary>
    public int MinLength { get; init; } = 2;

    /// <summary>Maximum number of items in a rule (arules' <c>maxlen</c>). Default 10.</summary>
    public int MaxLength { get; init; } = 10;

    internal void Validate()
    {
        if (MinSupport is <= 0 or > 1 || double.IsNaN(MinSupport))
        {
            throw new ArgumentException($"minimum support {MinSupport}: must be above 0 and at most 1");
        }
        if (MinConfidence is < 0 or > 1 || double.IsNaN(MinConfidence))
        {
            throw new ArgumentException($"minimum confidence {MinConfidence}: must be between 0 and 1");
        }
        if (MinLength < 2)
        {
            throw new ArgumentException($"minimum length {MinLength}: a rule has at least 2 items (one before and one after the arrow)");
        }
        if (MaxLength < MinLength)
        {
            throw new ArgumentException($"maximum length {MaxLength} is below the minimum length {MinLength}");
        }
    }
}

/// <summary>Association rules with single-item consequents from FP-Growth's frequent itemsets (the arules conventions).</summary>
public static class AssociationRules
{
    /// <summary>
    /// All rules meeting the thresholds, strongest lift first (ties: higher confidence, higher support, then by items).
    /// </summary>
    public static IReadOnlyList<AssociationRule> Mine(Baskets baskets, RuleMiningOptions options)
    {
        options.Validate();
        var n = baskets.Count;
        // The smallest count whose ratio meets the threshold, computed as arules does it (count / n >= supp in doubles).
        var minCount = (int)Math.Floor(options.MinSupport * n);
        while (minCount > 0 && (double)(minCount - 1) / n >= options.MinSupport)
        {
            minCount--;
        }
        while ((double)minCount / n < options.MinSupport)
        {
            minCount++;
        }
        minCount = Math.Max(minCount, 1);

        var itemsets = FpGrowth.Mine(baskets, minCount, options.MaxLength);
        var counts = new Dictionary<ItemsetKey, int>(itemsets.Count);
        foreach (var set in itemsets)
        {
            counts[new ItemsetKey(set.Items)] = set.Count;
        }
        var rules = new List<AssociationRule>();
        var antecedent = new List<int>();
        foreach (var set in itemsets)
        {
            if (set.Items.Length < options.MinLength)
            {
                continue;
            }
            foreach (var consequent in set.Items)
            {
                antecedent.Clear();
                foreach (var item in set.Items)
                {
                    if (item != consequent)
                    {
                        antecedent.Add(item);
                    }
                }
                // Every subset of a frequent itemset is frequent, so both look-ups succeed.
                var antecedentCount = counts[new ItemsetKey([.. antecedent])];
                var confidence = (double)set.Count / antecedentCount;
                if (confidence < options.MinConfidence)
                {
                    continue;
                }
                var consequentSupport = (double)counts[new ItemsetKey([consequent])] / n;
                rules.Add(new AssociationRule(
                    [.. antecedent.Select(baskets.Name)],
                    baskets.Name(consequent),
                    (double)set.Count / n,
                    confidence,
                    confidence / consequentSupport,
                    set.Count));
            }
        }
        return [.. rules
            .OrderByDescending(r => r.Lift)
            .ThenByDescending(r => r.Confidence)
            .ThenByDescending(r => r.Support)
            .ThenBy(r => string.Join('\u0001', r.Antecedent), StringComparer.Ordinal)
            .ThenBy(r => r.Consequent, StringComparer.Ordinal)];
    }

    private readonly struct ItemsetKey(int[] items) : IEquatable<ItemsetKey>
    {
        private readonly int[] _items = items;

        public bool Equals(ItemsetKey other) => _items.AsSpan().SequenceEqual(other._items);

        public override bool Equals(object? obj) => obj is ItemsetKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in _items)
            {
                hash.Add(item);
            }
            return hash.ToHashCode();
        }
    }
}
