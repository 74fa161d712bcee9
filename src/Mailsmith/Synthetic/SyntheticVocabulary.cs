using System.Reflection;
using System.Text.Json;

namespace Mailsmith.Synthetic;

/// <summary>An English and a Chinese rendering of the same idea, written natively in each language.</summary>
internal readonly record struct Phrase(string En, string Zh)
{
    /// <summary>Parses <c>"English|中文"</c>; text without a bar is the same in both languages (sizes, units).</summary>
    public static Phrase Parse(string text)
    {
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? new Phrase(text, text) : new Phrase(text[..bar], text[(bar + 1)..]);
    }
}

internal sealed record Brand(string Name, int Tier);

/// <summary>One kind of product in a category (a pour-over kettle) with the words to describe it.</summary>
/// <param name="Adjectives">Style words for this kind; null to use the category's (a leash is "reflective", a bowl is not).</param>
internal sealed record ProductKind(
    string Kind,
    Phrase Name,
    Phrase[]? Adjectives,
    decimal MinPrice,
    decimal MaxPrice,
    Phrase[] Variants,
    Phrase[] Sizes,
    Phrase[] Features,
    string[] Tags,
    string[] Complements);

/// <summary>A category path with its vocabulary.</summary>
internal sealed record CategoryVocabulary(
    string Path,
    string Group,
    IReadOnlyDictionary<string, double> Popularity,
    Brand[] Brands,
    Phrase[] Adjectives,
    Phrase[] Uses,
    string[] Tags,
    Phrase TitleTemplate,
    string[] DescriptionTemplatesEn,
    string[] DescriptionTemplatesZh,
    ProductKind[] Kinds)
{
    public double PopularityFor(string locale) => Popularity.TryGetValue(locale, out var p) ? p : 1.0;
}

/// <summary>A person-name list for one locale. <see cref="Phrase.Zh"/> holds the ASCII romanization used in e-mail addresses.</summary>
internal sealed record NameList(Phrase[] First, Phrase[] Last);

/// <summary>
/// The data files under <c>Synthetic/Vocabulary/</c>, embedded in the assembly and checked on load so a broken
/// file fails at the first generate, not as odd output.
/// </summary>
internal sealed class SyntheticVocabulary
{
    private const string Prefix = "Mailsmith.Synthetic.Vocabulary.";

    private static readonly Lazy<SyntheticVocabulary> s_embedded = new(LoadEmbedded);

    private SyntheticVocabulary(
        IReadOnlyList<CategoryVocabulary> categories,
        HashSet<string> keepCase,
        string[] searchEn,
        string[] searchZh,
        IReadOnlyDictionary<string, NameList> names,
        IReadOnlyDictionary<string, string[][]> reviews)
    {
        Categories = categories;
        KeepCase = keepCase;
        SearchTemplatesEn = searchEn;
        SearchTemplatesZh = searchZh;
        Names = names;
        Reviews = reviews;
    }

    /// <summary>Categories in a stable order (group file name, then position in the file).</summary>
    public IReadOnlyList<CategoryVocabulary> Categories { get; }

    /// <summary>English words that keep their capitals inside a sentence (Bluetooth, LED).</summary>
    public IReadOnlySet<string> KeepCase { get; }

    public string[] SearchTemplatesEn { get; }

    public string[] SearchTemplatesZh { get; }

    /// <summary>Name lists by locale.</summary>
    public IReadOnlyDictionary<string, NameList> Names { get; }

    /// <summary>Review sentences by locale, indexed by rating − 1.</summary>
    public IReadOnlyDictionary<string, string[][]> Reviews { get; }

    /// <summary>The vocabulary embedded in this assembly, loaded once.</summary>
    public static SyntheticVocabulary Embedded => s_embedded.Value;

    private static SyntheticVocabulary LoadEmbedded()
    {
        var assembly = typeof(SyntheticVocabulary).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        using var copy = Parse(assembly, names, "copy.json");
        using var people = Parse(assembly, names, "names.json");
        using var reviews = Parse(assembly, names, "reviews.json");
        var catalogFiles = names
            .Where(n => n[Prefix.Length..].StartsWith("Catalog", StringComparison.Ordinal))
            .Select(n => Parse(assembly, n))
            .ToList();
        try
        {
            return Build(copy.RootElement, people.RootElement, reviews.RootElement, catalogFiles.Select(d => d.RootElement).ToList());
        }
        finally
        {
            foreach (var file in catalogFiles)
            {
                file.Dispose();
            }
        }
    }

    private static JsonDocument Parse(Assembly assembly, List<string> names, string file)
    {
        var name = names.SingleOrDefault(n => n.EndsWith("." + file, StringComparison.Ordinal) && !n[Prefix.Length..].StartsWith("Catalog", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"Embedded vocabulary file '{file}' is missing.");
        return Parse(assembly, name);
    }

    private static JsonDocument Parse(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidDataException($"Embedded vocabulary resource '{resource}' is missing.");
        return JsonDocument.Parse(stream);
    }

    private static SyntheticVocabulary Build(JsonElement copy, JsonElement people, JsonElement reviews, List<JsonElement> catalogFiles)
    {
        var defaultTitle = ReadTemplatePair(copy.GetProperty("titleTemplate"));
        var defaultDescriptions = copy.GetProperty("descriptionTemplates");
        var categories = new List<CategoryVocabulary>();
        foreach (var file in catalogFiles)
        {
            var group = file.GetProperty("group").GetString()!;
            foreach (var c in file.GetProperty("categories").EnumerateArray())
            {
                categories.Add(ReadCategory(group, c, defaultTitle, defaultDescriptions));
            }
        }
        if (categories.Count == 0)
        {
            throw new InvalidDataException("The vocabulary defines no categories.");
        }
        if (categories.Select(c => c.Path).Distinct(StringComparer.Ordinal).Count() != categories.Count)
        {
            throw new InvalidDataException("The vocabulary defines a category path twice.");
        }

        var keepCase = copy.GetProperty("keepCase").EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal);
        var search = copy.GetProperty("searchTemplates");

        var nameLists = new Dictionary<string, NameList>(StringComparer.Ordinal);
        foreach (var locale in people.EnumerateObject())
        {
            var first = Phrases(locale.Value.GetProperty("first"));
            var last = Phrases(locale.Value.GetProperty("last"));
            if (first.Length == 0 || last.Length == 0)
            {
                throw new InvalidDataException($"Name list '{locale.Name}' is empty.");
            }
            nameLists[locale.Name] = new NameList(first, last);
        }

        var reviewPools = new Dictionary<string, string[][]>(StringComparer.Ordinal);
        foreach (var locale in reviews.EnumerateObject())
        {
            var byRating = new string[5][];
            for (var rating = 1; rating <= 5; rating++)
            {
                byRating[rating - 1] = Strings(locale.Value.GetProperty(rating.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (byRating[rating - 1].Length < 2)
                {
                    throw new InvalidDataException($"Review phrases for '{locale.Name}' rating {rating} need at least two sentences.");
                }
            }
            reviewPools[locale.Name] = byRating;
        }

        return new SyntheticVocabulary(
            categories,
            keepCase,
            Strings(search.GetProperty("en")),
            Strings(search.GetProperty("zh")),
            nameLists,
            reviewPools);
    }

    private static CategoryVocabulary ReadCategory(string group, JsonElement c, Phrase defaultTitle, JsonElement defaultDescriptions)
    {
        var path = group + " > " + c.GetProperty("name").GetString();
        var popularity = new Dictionary<string, double>(StringComparer.Ordinal);
        if (c.TryGetProperty("popularity", out var pop))
        {
            foreach (var p in pop.EnumerateObject())
            {
                popularity[p.Name] = p.Value.GetDouble();
            }
        }
        var brands = Strings(c.GetProperty("brands")).Select(b =>
        {
            var colon = b.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(b.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var tier) || tier > 2)
            {
                throw new InvalidDataException($"{path}: brand '{b}' must be 'Name:tier' with tier 0–2.");
            }
            return new Brand(b[..colon], tier);
        }).ToArray();
        var descriptions = c.TryGetProperty("descriptionTemplates", out var d) ? d : defaultDescriptions;
        var kinds = c.GetProperty("items").EnumerateArray().Select(i => ReadKind(path, i)).ToArray();
        var kindNames = kinds.Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            foreach (var other in kind.Complements)
            {
                if (!kindNames.Contains(other) || other == kind.Kind)
                {
                    throw new InvalidDataException($"{path}: '{kind.Kind}' lists unknown complement '{other}'.");
                }
            }
        }
        var category = new CategoryVocabulary(
            path,
            group,
            popularity,
            brands,
            Phrases(c.GetProperty("adjectives")),
            Phrases(c.GetProperty("uses")),
            Strings(c.GetProperty("tags")),
            c.TryGetProperty("titleTemplate", out var t) ? ReadTemplatePair(t) : defaultTitle,
            Strings(descriptions.GetProperty("en")),
            Strings(descriptions.GetProperty("zh")),
            kinds);
        if (brands.Length == 0 || category.Adjectives.Length == 0 || category.Uses.Length == 0 || kinds.Length < 2
            || category.DescriptionTemplatesEn.Length == 0 || category.DescriptionTemplatesZh.Length == 0)
        {
            throw new InvalidDataException($"{path}: needs brands, adjectives, uses, description templates and at least two kinds.");
        }
        return category;
    }

    private static ProductKind ReadKind(string path, JsonElement i)
    {
        var price = i.GetProperty("price");
        var kind = new ProductKind(
            i.GetProperty("kind").GetString()!,
            Phrase.Parse(i.GetProperty("name").GetString()!),
            i.TryGetProperty("adjectives", out var adjectives) ? Phrases(adjectives) : null,
            price[0].GetDecimal(),
            price[1].GetDecimal(),
            Phrases(i.GetProperty("variants")),
            i.TryGetProperty("sizes", out var sizes) ? Phrases(sizes) : [],
            Phrases(i.GetProperty("features")),
            Strings(i.GetProperty("tags")),
            i.TryGetProperty("with", out var with) ? Strings(with) : []);
        if (kind.Adjectives is { Length: 0 } || kind.Features.Length < 3 || kind.Variants.Length == 0 || kind.Sizes.Length == 0 || kind.MinPrice <= 0 || kind.MaxPrice <= kind.MinPrice)
        {
            throw new InvalidDataException($"{path}/{kind.Kind}: needs ≥ 3 features, variants, sizes and a price range min < max.");
        }
        return kind;
    }

    private static Phrase ReadTemplatePair(JsonElement e) =>
        new(e.GetProperty("en").GetString()!, e.GetProperty("zh").GetString()!);

    private static string[] Strings(JsonElement array) =>
        array.EnumerateArray().Select(e => e.GetString() ?? throw new InvalidDataException("Null string in vocabulary.")).ToArray();

    private static Phrase[] Phrases(JsonElement array) => Strings(array).Select(Phrase.Parse).ToArray();
}
