using System.Globalization;

namespace Mailsmith.Synthetic;

/// <summary>One generated product with its hidden attributes (tier, quality) that drive behaviour and reviews.</summary>
internal sealed class SyntheticProduct
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required int CategoryIndex { get; init; }
    public required CategoryVocabulary Category { get; init; }
    public required int KindIndex { get; init; }
    public required ProductKind Kind { get; init; }
    public required string Brand { get; init; }
    /// <summary>0 budget, 1 mid, 2 premium.</summary>
    public required int Tier { get; init; }
    public required decimal Price { get; init; }
    /// <summary>Where the price sits in its kind's range, 0 (cheapest) to 1 (dearest); what price-sensitive customers react to.</summary>
    public required double PricePosition { get; init; }
    public required bool InStock { get; init; }
    /// <summary>Hidden quality 0–1 that drives review ratings.</summary>
    public required double Quality { get; init; }
    public required string TitleEn { get; init; }
    public required string DescriptionEn { get; init; }
    public required string TitleZh { get; init; }
    public required string DescriptionZh { get; init; }
    public required string[] Tags { get; init; }
}

/// <summary>The generated catalog with the lookups the behaviour simulation needs.</summary>
internal sealed class SyntheticCatalog
{
    public SyntheticCatalog(IReadOnlyList<CategoryVocabulary> categories, IReadOnlyList<SyntheticProduct> products)
    {
        Categories = categories;
        Products = products;
        ByCategory = new int[categories.Count][];
        ByCategoryKind = new int[categories.Count][][];
        ComplementKinds = new int[categories.Count][][];
        for (var c = 0; c < categories.Count; c++)
        {
            var kinds = categories[c].Kinds;
            ComplementKinds[c] = kinds
                .Select(k => k.Complements.Select(name => Array.FindIndex(kinds, other => other.Kind == name)).ToArray())
                .ToArray();
            ByCategory[c] = products.Where(p => p.CategoryIndex == c).Select(p => p.Index).ToArray();
            ByCategoryKind[c] = new int[categories[c].Kinds.Length][];
            for (var k = 0; k < categories[c].Kinds.Length; k++)
            {
                ByCategoryKind[c][k] = products.Where(p => p.CategoryIndex == c && p.KindIndex == k).Select(p => p.Index).ToArray();
            }
        }
    }

    public IReadOnlyList<CategoryVocabulary> Categories { get; }
    public IReadOnlyList<SyntheticProduct> Products { get; }
    /// <summary>Product indexes per category.</summary>
    public int[][] ByCategory { get; }
    /// <summary>Product indexes per category and kind (may be empty for a kind when the catalog is small).</summary>
    public int[][][] ByCategoryKind { get; }
    /// <summary>For each category and kind, the indexes of the kinds bought together with it.</summary>
    public int[][][] ComplementKinds { get; }
}

/// <summary>
/// Builds products from the vocabulary: each category gets an equal share, kinds and price tiers are cycled so
/// every category spans budget to premium and every kind (and so every complement pair) is present.
/// </summary>
internal sealed class CatalogBuilder(SyntheticVocabulary vocabulary)
{
    private const double OutOfStockRate = 0.08;
    private const double LemonRate = 0.06;
    private const int TitleAttempts = 60;

    public SyntheticCatalog Build(int count, Random rng)
    {
        var categories = vocabulary.Categories;
        var width = Math.Max(4, count.ToString(CultureInfo.InvariantCulture).Length);
        var products = new List<SyntheticProduct>(count);
        var seenEn = new HashSet<string>(StringComparer.Ordinal);
        var seenZh = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < categories.Count; c++)
        {
            var category = categories[c];
            var share = (count / categories.Count) + (c < count % categories.Count ? 1 : 0);
            var kindOrder = Enumerable.Range(0, category.Kinds.Length).ToArray();
            rng.Shuffle(kindOrder);
            var tierOffset = rng.Next(3);
            for (var j = 0; j < share; j++)
            {
                var index = products.Count;
                var id = "P" + (index + 1).ToString("D" + width, CultureInfo.InvariantCulture);
                products.Add(BuildProduct(rng, index, id, c, category, kindOrder[j % kindOrder.Length], (j + tierOffset) % 3, seenEn, seenZh));
            }
        }
        return new SyntheticCatalog(categories, products);
    }

    private SyntheticProduct BuildProduct(Random rng, int index, string id, int categoryIndex, CategoryVocabulary category, int kindIndex, int tier, HashSet<string> seenEn, HashSet<string> seenZh)
    {
        var kind = category.Kinds[kindIndex];
        Phrase adjective = default, variant = default, size = default;
        var brand = "";
        string titleEn = "", titleZh = "";
        // Draw until both titles are new; a small catalog rarely needs more than a few tries, and after the
        // limit a repeat is accepted (the 95 % distinct-title bar leaves room for it).
        for (var attempt = 0; attempt < TitleAttempts; attempt++)
        {
            var b = PickBrand(rng, category.Brands, tier);
            var a = rng.Pick(kind.Adjectives ?? category.Adjectives);
            var v = rng.Pick(kind.Variants);
            var z = rng.Pick(kind.Sizes);
            if (Repeats(a, v, kind.Name))
            {
                continue;
            }
            // Keep the latest usable draw, so a repeat accepted after the limit still matches its description.
            (brand, adjective, variant, size) = (b, a, v, z);
            titleEn = Title(category.TitleTemplate.En, brand, adjective, variant, kind.Name, size, english: true);
            titleZh = Title(category.TitleTemplate.Zh, brand, adjective, variant, kind.Name, size, english: false);
            if (!seenEn.Contains(titleEn) && !seenZh.Contains(titleZh))
            {
                break;
            }
        }
        if (titleEn.Length == 0)
        {
            throw new InvalidDataException($"{category.Path}/{kind.Kind}: every adjective and variant repeats the product name.");
        }
        seenEn.Add(titleEn);
        seenZh.Add(titleZh);

        var position = (tier + rng.NextDouble()) / 3.0;
        var price = CharmPrice(kind.MinPrice + ((kind.MaxPrice - kind.MinPrice) * (decimal)position));
        var actualPosition = Math.Clamp((double)((price - kind.MinPrice) / (kind.MaxPrice - kind.MinPrice)), 0, 1);

        Span<int> features = stackalloc int[3];
        PickDistinct(rng, kind.Features.Length, features);
        var use = rng.Pick(category.Uses);
        var descriptionEn = Description(rng.Pick(category.DescriptionTemplatesEn), brand, adjective, variant, kind, size, features, use, english: true);
        var descriptionZh = Description(rng.Pick(category.DescriptionTemplatesZh), brand, adjective, variant, kind, size, features, use, english: false);

        var quality = rng.Chance(LemonRate)
            ? rng.Uniform(0.1, 0.35)
            : Math.Clamp(0.55 + (0.3 * rng.NextDouble()) + (0.06 * tier), 0, 1);

        var tags = category.Tags.Concat(kind.Tags)
            .Append(tier switch { 0 => "value", 2 => "premium", _ => "bestseller" })
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        return new SyntheticProduct
        {
            Index = index,
            Id = id,
            CategoryIndex = categoryIndex,
            Category = category,
            KindIndex = kindIndex,
            Kind = kind,
            Brand = brand,
            Tier = tier,
            Price = price,
            PricePosition = actualPosition,
            InStock = !rng.Chance(OutOfStockRate),
            Quality = Draw.Round3(quality),
            TitleEn = titleEn,
            DescriptionEn = descriptionEn,
            TitleZh = titleZh,
            DescriptionZh = descriptionZh,
            Tags = tags,
        };
    }

    private string Title(string template, string brand, Phrase adjective, Phrase variant, Phrase noun, Phrase size, bool english) =>
        ProductCopy.Fill(template, slot => slot switch
        {
            "brand" => brand,
            "Adj" => english ? adjective.En : adjective.Zh,
            "adj" => english ? ProductCopy.InSentence(adjective.En, vocabulary.KeepCase) : adjective.Zh,
            "Variant" or "variant" => english ? variant.En : variant.Zh,
            "Noun" => english ? noun.En : noun.Zh,
            "noun" => english ? ProductCopy.InSentence(noun.En, vocabulary.KeepCase) : noun.Zh,
            "size" => english ? size.En : size.Zh,
            _ => throw new InvalidDataException($"Unknown title slot '{{{slot}}}'."),
        });

    private string Description(string template, string brand, Phrase adjective, Phrase variant, ProductKind kind, Phrase size, ReadOnlySpan<int> features, Phrase use, bool english)
    {
        var keep = vocabulary.KeepCase;
        string Text(Phrase p) => english ? p.En : p.Zh;
        string Lower(Phrase p) => english ? ProductCopy.InSentence(p.En, keep) : p.Zh;
        var f1 = Text(kind.Features[features[0]]);
        var f2 = Text(kind.Features[features[1]]);
        var f3 = Text(kind.Features[features[2]]);
        var adj = Lower(adjective);
        return ProductCopy.Fill(template, slot => slot switch
        {
            "brand" => brand,
            "adj" => adj,
            "Adj" => Text(adjective),
            "a_adj" => english ? ProductCopy.Article(adj) + " " + adj : adj,
            "variant" => Lower(variant),
            "Variant" => Text(variant),
            "noun" => Lower(kind.Name),
            "Noun" => Text(kind.Name),
            "size" => Text(size),
            "use" => Text(use),
            "f1" => f1,
            "f2" => f2,
            "f3" => f3,
            _ => throw new InvalidDataException($"Unknown description slot '{{{slot}}}'."),
        });
    }

    /// <summary>True when two title words say the same thing ("Compact Compact Power Bank", "尼龙编织编织充电线").</summary>
    private static bool Repeats(Phrase adjective, Phrase variant, Phrase noun)
    {
        static bool Overlap(string a, string b) =>
            a.Contains(b, StringComparison.OrdinalIgnoreCase) || b.Contains(a, StringComparison.OrdinalIgnoreCase);
        return Overlap(adjective.En, variant.En) || Overlap(adjective.Zh, variant.Zh)
            || noun.En.Contains(adjective.En, StringComparison.OrdinalIgnoreCase) || noun.Zh.Contains(adjective.Zh, StringComparison.Ordinal)
            || noun.En.Contains(variant.En, StringComparison.OrdinalIgnoreCase) || noun.Zh.Contains(variant.Zh, StringComparison.Ordinal);
    }

    private static string PickBrand(Random rng, Brand[] brands, int tier)
    {
        // The brand tells the price tier, as in a real store; with no brand at the tier, take the nearest one.
        for (var distance = 0; distance <= 2; distance++)
        {
            var count = 0;
            foreach (var b in brands)
            {
                if (Math.Abs(b.Tier - tier) == distance)
                {
                    count++;
                }
            }
            if (count == 0)
            {
                continue;
            }
            var pick = rng.Next(count);
            foreach (var b in brands)
            {
                if (Math.Abs(b.Tier - tier) == distance && pick-- == 0)
                {
                    return b.Name;
                }
            }
        }
        return brands[0].Name;
    }

    /// <summary>Rounds to a shop price: x.99 under 10, x.49 or x.99 under 100, a multiple of 5 minus a cent above.</summary>
    private static decimal CharmPrice(decimal raw)
    {
        if (raw < 10m)
        {
            return decimal.Floor(raw) + 0.99m;
        }
        if (raw < 100m)
        {
            var whole = decimal.Floor(raw);
            return raw - whole < 0.5m ? whole - 0.01m : whole + 0.49m;
        }
        return (decimal.Round(raw / 5m, 0, MidpointRounding.AwayFromZero) * 5m) - 0.01m;
    }

    private static void PickDistinct(Random rng, int n, Span<int> into)
    {
        for (var i = 0; i < into.Length; i++)
        {
            int candidate;
            do
            {
                candidate = rng.Next(n);
            }
            while (into[..i].Contains(candidate));
            into[i] = candidate;
        }
    }
}
