using System.Globalization;

namespace Mailsmith.Compose;

/// <summary>Reads and checks one phrase file (format: docs/compose.md). Every error names the file and line.</summary>
internal static class LocaleFileReader
{
    private static readonly string[] TopLevelKeys = ["locale", "subject_length", "subject_emoji", "categories", "counts", "slots", "campaigns"];
    private static readonly string[] VariantKeys = ["text", "when", "tags", "weight", "id"];
    private static readonly string[] ConditionKeys = ["lifecycle", "price_sensitivity", "daypart", "orders", "variant", "has_name", "first_order", "discount_sensitivity", "frame", "season", "category", "has_offer", "has_code"];

    /// <param name="fallback">The default locale's file, whose counted nouns this file may use without declaring them; null when reading the default.</param>
    /// <param name="nounIds">Placeholder ids of counted nouns across all files, so every file gives <c>{items}</c> the same id.</param>
    public static LocalePhrases Read(string path, LocalePhrases? fallback, Dictionary<string, int> nounIds)
    {
        var file = Path.GetFileName(path);
        var root = PhraseJson.Parse(File.ReadAllBytes(path), file);
        if (!root.IsObject)
        {
            throw Error(file, root, "the file must hold one JSON object.");
        }
        var locale = Path.GetFileNameWithoutExtension(path);
        try
        {
            locale = CultureInfo.GetCultureInfo(locale, predefinedOnly: true).Name;
        }
        catch (CultureNotFoundException e)
        {
            throw new InvalidDataException($"{file}: '{locale}' is not a known locale; name phrase files <locale>.json, e.g. zh-CN.json.", e);
        }
        var language = locale.Split('-', 2)[0] switch
        {
            "en" => PhraseLanguage.English,
            "zh" => PhraseLanguage.Chinese,
            _ => PhraseLanguage.Other,
        };

        int? subjectMin = null, subjectMax = null;
        var categories = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var emoji = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var nouns = new Dictionary<string, (int Id, CountForms Forms)>(StringComparer.Ordinal);
        if (fallback is not null)
        {
            foreach (var (name, noun) in fallback.CountNouns)
            {
                nouns[name] = noun;
            }
        }
        PhraseJson? slotsNode = null, campaignsNode = null;
        // Counted nouns first: phrases anywhere in the file may use them, whatever the key order.
        foreach (var (key, value) in root.Members)
        {
            if (key == "counts")
            {
                ReadCounts(file, value, nouns, nounIds);
            }
        }
        foreach (var (key, value) in root.Members)
        {
            switch (key)
            {
                case "locale":
                    if (!value.IsString || !string.Equals(value.String, locale, StringComparison.OrdinalIgnoreCase))
                    {
                        throw Error(file, value, $"\"locale\" must be \"{locale}\", the file's name.");
                    }
                    break;
                case "subject_length":
                    subjectMin = ReadInt(file, Member(file, value, "min"));
                    subjectMax = ReadInt(file, Member(file, value, "max"));
                    if (subjectMin < 1 || subjectMax < subjectMin)
                    {
                        throw Error(file, value, "subject_length needs 1 <= min <= max.");
                    }
                    break;
                case "subject_emoji":
                    foreach (var (campaign, list) in Members(file, value))
                    {
                        if (!list.IsArray || list.Items.Any(i => !i.IsString || !Grammar.ContainsEmoji(i.String!)))
                        {
                            throw Error(file, list, $"subject_emoji.{campaign} must be a list of emoji strings.");
                        }
                        emoji[campaign] = [.. list.Items.Select(i => i.String!)];
                    }
                    break;
                case "categories":
                    foreach (var (name, translation) in Members(file, value))
                    {
                        categories[name.Trim()] = RequireString(file, translation, $"categories.{name}");
                    }
                    break;
                case "counts":
                    break;
                case "slots":
                    slotsNode = value;
                    break;
                case "campaigns":
                    campaignsNode = value;
                    break;
                default:
                    if (!IsNote(key))
                    {
                        throw Error(file, value, $"unknown key \"{key}\"; expected one of {string.Join(", ", TopLevelKeys)} (keys starting with _ are notes).");
                    }
                    break;
            }
        }

        var shared = new PhraseSlot?[SlotNames.All.Length];
        if (slotsNode is not null)
        {
            ReadSlots(file, locale, language, "*", "slots", slotsNode, shared, nouns);
        }
        var campaigns = new Dictionary<string, PhraseSlot?[]>(StringComparer.Ordinal);
        if (campaignsNode is not null)
        {
            foreach (var (campaign, node) in Members(file, campaignsNode))
            {
                if (campaign.Length == 0 || !campaign.All(c => char.IsAsciiLetterLower(c) || c == '_'))
                {
                    throw Error(file, node, $"campaign type \"{campaign}\" must be lower_snake_case, e.g. abandoned_cart.");
                }
                var slots = new PhraseSlot?[SlotNames.All.Length];
                ReadSlots(file, locale, language, campaign, $"campaigns.{campaign}", node, slots, nouns);
                campaigns[campaign] = slots;
            }
        }
        return new LocalePhrases
        {
            Locale = locale,
            File = file,
            Language = language,
            SubjectMin = subjectMin,
            SubjectMax = subjectMax,
            Categories = categories,
            CountNouns = nouns,
            Shared = shared,
            Campaigns = campaigns,
            SubjectEmoji = emoji,
        };
    }

    private static void ReadCounts(string file, PhraseJson node, Dictionary<string, (int Id, CountForms Forms)> nouns, Dictionary<string, int> nounIds)
    {
        foreach (var (name, forms) in Members(file, node))
        {
            if (Placeholder.IdOf(name) is not null || name.Length == 0 || !name.All(c => char.IsAsciiLetterLower(c) || c == '_'))
            {
                throw Error(file, forms, $"counted noun \"{name}\" must be lower_snake_case and not a built-in placeholder name.");
            }
            if (!nounIds.TryGetValue(name, out var id))
            {
                id = Placeholder.FirstCountNoun + nounIds.Count;
                if (id >= 64)
                {
                    throw Error(file, forms, "too many counted nouns (at most 56 across all files).");
                }
                nounIds[name] = id;
            }
            PhraseTemplate? one = null;
            PhraseTemplate? other = null;
            foreach (var (form, text) in Members(file, forms))
            {
                var where = $"{file}:{text.Line} counts.{name}.{form}";
                var compiled = PhraseTemplate.Parse(RequireString(file, text, $"counts.{name}.{form}"), where, nouns, allowCountNouns: false);
                switch (form)
                {
                    case "one":
                        one = compiled;
                        break;
                    case "other":
                        other = compiled;
                        break;
                    default:
                        throw Error(file, text, $"counts.{name} takes \"one\" and \"other\", not \"{form}\".");
                }
            }
            nouns[name] = (id, new CountForms(name, one, other ?? throw Error(file, forms, $"counts.{name} needs an \"other\" form.")));
        }
    }

    private static void ReadSlots(
        string file, string locale, PhraseLanguage language, string campaign, string path, PhraseJson node, PhraseSlot?[] into,
        Dictionary<string, (int Id, CountForms Forms)> nouns)
    {
        foreach (var (slotName, list) in Members(file, node))
        {
            if (IsNote(slotName))
            {
                continue;
            }
            var slot = SlotNames.IdOf(slotName)
                ?? throw Error(file, list, $"unknown slot \"{slotName}\" in {path}; slots are {string.Join(", ", SlotNames.All)}.");
            if (!list.IsArray || list.Items.Count == 0)
            {
                throw Error(file, list, $"{path}.{slotName} must be a non-empty list of variants.");
            }
            var variants = new List<PhraseVariant>(list.Items.Count);
            for (var i = 0; i < list.Items.Count; i++)
            {
                variants.AddRange(ReadVariants(file, locale, campaign, slot, $"{path}.{slotName}", i, list.Items[i], nouns));
            }
            into[slot] = new PhraseSlot(slotName, $"{file} {path}.{slotName}", [.. variants], language, locale);
        }
    }

    /// <summary>
    /// Reads one entry of a slot's list. Its text may hold alternatives, <c>[Fresh|New] picks for you</c>: each
    /// combination is a variant of its own (ids <c>…:0</c>, <c>…:1</c>, … in order), with the entry's conditions and tags.
    /// </summary>
    private static IEnumerable<PhraseVariant> ReadVariants(
        string file, string locale, string campaign, int slot, string path, int index, PhraseJson node,
        Dictionary<string, (int Id, CountForms Forms)> nouns)
    {
        var variant = ReadVariant(file, locale, campaign, slot, path, index, node, nouns, out var source);
        if (source.IndexOf('[') < 0)
        {
            yield return variant;
            yield break;
        }
        var expanded = Alternatives.Expand(source, $"{file}:{node.Line} {path}[{index}]");
        for (var k = 0; k < expanded.Count; k++)
        {
            var where = $"{file}:{node.Line} {path}[{index}]";
            var compiled = PhraseTemplate.Parse(expanded[k], where, nouns);
            if (compiled.IsEmpty && !SlotNames.IsOptional(slot))
            {
                throw Error(file, node, $"{path}[{index}] expands to an empty text; only optional slots may be empty.");
            }
            yield return variant with { Id = variant.Id + ":" + k.ToString(CultureInfo.InvariantCulture), Text = compiled };
        }
    }

    private static PhraseVariant ReadVariant(
        string file, string locale, string campaign, int slot, string path, int index, PhraseJson node,
        Dictionary<string, (int Id, CountForms Forms)> nouns, out string source)
    {
        string? text = null, id = null;
        var when = PhraseCondition.Always;
        string[] tags = [];
        var weight = 1.0;
        if (node.IsString)
        {
            text = node.String;
        }
        else if (node.IsObject)
        {
            foreach (var (key, value) in node.Members)
            {
                switch (key)
                {
                    case "text":
                        text = RequireString(file, value, $"{path}[{index}].text");
                        break;
                    case "id":
                        id = RequireString(file, value, $"{path}[{index}].id");
                        break;
                    case "when":
                        when = ReadCondition(file, value);
                        break;
                    case "tags":
                        tags = ReadStrings(file, value, "tags");
                        break;
                    case "weight":
                        weight = value.Kind == System.Text.Json.JsonTokenType.Number && value.Number > 0
                            ? value.Number
                            : throw Error(file, value, "weight must be a positive number.");
                        break;
                    default:
                        if (!IsNote(key))
                        {
                            throw Error(file, value, $"unknown variant key \"{key}\"; expected {string.Join(", ", VariantKeys)}.");
                        }
                        break;
                }
            }
        }
        if (text is null)
        {
            throw Error(file, node, $"{path}[{index}] needs a \"text\" (a string, or an object with \"text\").");
        }
        source = text;
        var where = $"{file}:{node.Line} {path}[{index}]";
        var compiled = PhraseTemplate.Parse(text.Contains('[', StringComparison.Ordinal) ? Alternatives.Expand(text, where)[0] : text, where, nouns);
        if (compiled.IsEmpty && !SlotNames.IsOptional(slot))
        {
            throw Error(file, node, $"{path}[{index}] is empty; only optional slots (closing) may have an empty variant.");
        }
        if (slot == SlotNames.Subject && Grammar.ContainsEmoji(text))
        {
            throw Error(file, node, $"{path}[{index}] holds an emoji; subjects get at most one, added by the emoji policy from subject_emoji.");
        }
        // A variant written for one frame is labelled with it, so Choices show the framing without hand-kept tags.
        if (when.Frame is [var frameName] && !tags.Contains(frameName))
        {
            tags = [.. tags, frameName];
        }
        var effectiveWeight = weight * (1 + when.Count);
        return new PhraseVariant(id ?? $"{locale}:{campaign}:{SlotNames.All[slot]}:{index}", compiled, when, effectiveWeight, tags);
    }

    private static PhraseCondition ReadCondition(string file, PhraseJson node)
    {
        string[]? lifecycle = null, sensitivity = null, daypart = null, orders = null, variant = null;
        string[]? discount = null, frame = null, season = null, category = null;
        bool? hasName = null, firstOrder = null, hasOffer = null, hasCode = null;
        var count = 0;
        foreach (var (key, value) in Members(file, node))
        {
            count++;
            switch (key)
            {
                case "lifecycle":
                    lifecycle = ReadAllowed(file, value, key, Facts.Lifecycles);
                    break;
                case "price_sensitivity":
                    sensitivity = ReadAllowed(file, value, key, Facts.Sensitivities);
                    break;
                case "daypart":
                    daypart = ReadAllowed(file, value, key, Facts.Dayparts);
                    break;
                case "orders":
                    orders = ReadAllowed(file, value, key, Facts.OrderCounts);
                    break;
                case "variant":
                    variant = ReadStrings(file, value, key);
                    break;
                case "has_name":
                    hasName = RequireBool(file, value, key);
                    break;
                case "first_order":
                    firstOrder = RequireBool(file, value, key);
                    break;
                case "discount_sensitivity":
                    discount = ReadAllowed(file, value, key, Facts.Sensitivities);
                    break;
                case "frame":
                    frame = ReadAllowed(file, value, key, Facts.FrameNames);
                    break;
                case "season":
                    season = ReadAllowed(file, value, key, Facts.Seasons);
                    break;
                case "category":
                    category = ReadStrings(file, value, key);
                    break;
                case "has_offer":
                    hasOffer = RequireBool(file, value, key);
                    break;
                case "has_code":
                    hasCode = RequireBool(file, value, key);
                    break;
                default:
                    throw Error(file, value, $"unknown condition \"{key}\"; expected {string.Join(", ", ConditionKeys)}.");
            }
        }
        return new PhraseCondition
        {
            Lifecycle = lifecycle,
            PriceSensitivity = sensitivity,
            Daypart = daypart,
            Orders = orders,
            Variant = variant,
            HasName = hasName,
            FirstOrder = firstOrder,
            DiscountSensitivity = discount,
            Frame = frame,
            Season = season,
            Category = category,
            HasOffer = hasOffer,
            HasCode = hasCode,
            Count = count,
        };
    }

    private static string[] ReadAllowed(string file, PhraseJson node, string key, IReadOnlyList<string> allowed)
    {
        var values = ReadStrings(file, node, key);
        foreach (var value in values)
        {
            if (!allowed.Contains(value))
            {
                throw Error(file, node, $"{key} \"{value}\" is not one of {string.Join(", ", allowed)}.");
            }
        }
        return values;
    }

    private static string[] ReadStrings(string file, PhraseJson node, string key)
    {
        if (node.IsString)
        {
            return [node.String!];
        }
        if (node.IsArray && node.Items.Count > 0 && node.Items.All(i => i.IsString))
        {
            return [.. node.Items.Select(i => i.String!)];
        }
        throw Error(file, node, $"{key} must be a string or a non-empty list of strings.");
    }

    private static List<KeyValuePair<string, PhraseJson>> Members(string file, PhraseJson node) =>
        node.IsObject ? node.Members : throw Error(file, node, "expected an object.");

    private static PhraseJson Member(string file, PhraseJson node, string name) =>
        Members(file, node).FirstOrDefault(m => m.Key == name).Value ?? throw Error(file, node, $"missing \"{name}\".");

    private static string RequireString(string file, PhraseJson node, string what) =>
        node.IsString ? node.String! : throw Error(file, node, $"{what} must be a string.");

    private static bool RequireBool(string file, PhraseJson node, string what) =>
        node.IsBool ? node.Bool : throw Error(file, node, $"{what} must be true or false.");

    private static int ReadInt(string file, PhraseJson node) =>
        node.Kind == System.Text.Json.JsonTokenType.Number && node.Number == Math.Floor(node.Number)
            ? (int)node.Number
            : throw Error(file, node, "expected a whole number.");

    private static bool IsNote(string key) => key.StartsWith('_');

    private static InvalidDataException Error(string file, PhraseJson node, string message) => new($"{file}:{node.Line}: {message}");
}

/// <summary>Expands <c>[a|b|]</c> groups in a phrase into every combination, in order (an empty alternative is allowed).</summary>
internal static class Alternatives
{
    /// <summary>At most this many texts from one entry, so a typo cannot blow up a file.</summary>
    public const int Max = 512;

    /// <exception cref="InvalidDataException">An unbalanced or nested bracket, or too many combinations; the message names <paramref name="where"/>.</exception>
    public static List<string> Expand(string text, string where)
    {
        var results = new List<string> { "" };
        var i = 0;
        while (i < text.Length)
        {
            var open = text.IndexOf('[', i);
            var literal = open < 0 ? text[i..] : text[i..open];
            if (literal.Contains(']', StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{where}: a ']' without its '[' in \"{text}\".");
            }
            for (var r = 0; r < results.Count; r++)
            {
                results[r] += literal;
            }
            if (open < 0)
            {
                break;
            }
            var close = text.IndexOf(']', open + 1);
            if (close < 0 || text.AsSpan(open + 1, close - open - 1).Contains('['))
            {
                throw new InvalidDataException($"{where}: an unclosed or nested '[' in \"{text}\".");
            }
            var options = text[(open + 1)..close].Split('|');
            var next = new List<string>(results.Count * options.Length);
            foreach (var prefix in results)
            {
                foreach (var option in options)
                {
                    next.Add(prefix + option);
                }
            }
            if (next.Count > Max)
            {
                throw new InvalidDataException($"{where}: \"{text}\" expands to more than {Max} texts.");
            }
            results = next;
            i = close + 1;
        }
        // "a  b" after an empty alternative reads as one space.
        for (var r = 0; r < results.Count; r++)
        {
            while (results[r].Contains("  ", StringComparison.Ordinal))
            {
                results[r] = results[r].Replace("  ", " ", StringComparison.Ordinal);
            }
        }
        return results;
    }
}
