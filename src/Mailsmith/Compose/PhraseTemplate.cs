using System.Text;

namespace Mailsmith.Compose;

/// <summary>Writing conventions a phrase is post-processed with, by the language of the file it came from.</summary>
internal enum PhraseLanguage
{
    Other,
    English,
    Chinese,
}

/// <summary>Placeholders a phrase may use. Count nouns (<c>{items}</c>) are declared per file and get ids from <see cref="FirstCountNoun"/> up.</summary>
internal static class Placeholder
{
    public const int FirstName = 0;
    public const int LastName = 1;
    public const int FullName = 2;
    public const int Store = 3;
    public const int Category = 4;
    public const int Product = 5;
    public const int Count = 6;
    public const int FromPrice = 7;
    public const int Code = 8;
    public const int Discount = 9;
    public const int Expires = 10;
    public const int Review = 11;
    public const int ReviewProduct = 12;
    public const int FirstCountNoun = 13;

    /// <summary>
    /// Not a placeholder: the bit a variant "uses" when its <c>when</c> names a daypart (it greets by the time of day,
    /// "Good evening."), so say-it-once keeps a later paragraph from saying it again after the greeting did.
    /// </summary>
    public const int TimeOfDay = 62;

    /// <summary>Names of the fixed placeholders, indexed by id.</summary>
    public static readonly string[] Names = ["first_name", "last_name", "full_name", "store", "category", "product", "count", "from_price", "code", "discount", "expires", "review", "review_product"];

    public static int? IdOf(string name)
    {
        var index = Array.IndexOf(Names, name);
        return index >= 0 ? index : null;
    }
}

/// <summary>How a placeholder's value is adjusted where it is inserted.</summary>
internal enum PhraseModifier : byte
{
    None,
    /// <summary><c>{category|a}</c>: English indefinite article, "a Camping pick" / "an Outdoors pick".</summary>
    Article,
    /// <summary><c>{category|lower}</c>: lower-cased, for the middle of a sentence.</summary>
    Lower,
    /// <summary><c>{category|cap}</c>: first letter upper-cased.</summary>
    Capitalize,
}

/// <summary>The placeholder values of one recipient (and, in reason slots, of one product). Copied by value; no allocation per phrase.</summary>
internal struct PhraseValues
{
    public string? FirstName;
    public string? LastName;
    public string? FullName;
    public string? Store;
    public string? Category;
    public string? Product;
    public string? FromPrice;
    public string? Code;
    public string? Discount;
    public string? Expires;
    public string? Review;
    public string? ReviewProduct;
    public int Count;

    /// <summary>An earlier fragment of this email already greeted by the time of day (<see cref="Placeholder.TimeOfDay"/>).</summary>
    public bool TimeOfDaySaid;

    /// <summary>Bit <c>1 &lt;&lt; id</c> set for every placeholder with a value; count nouns and <c>{count}</c> always have one.</summary>
    public readonly ulong Available
    {
        get
        {
            var mask = ~0UL << Placeholder.Count;
            if (FirstName is not null) mask |= 1UL << Placeholder.FirstName;
            if (LastName is not null) mask |= 1UL << Placeholder.LastName;
            if (FullName is not null) mask |= 1UL << Placeholder.FullName;
            if (Store is not null) mask |= 1UL << Placeholder.Store;
            if (Category is not null) mask |= 1UL << Placeholder.Category;
            if (Product is not null) mask |= 1UL << Placeholder.Product;
            if (FromPrice is null) mask &= ~(1UL << Placeholder.FromPrice);
            if (Code is null) mask &= ~(1UL << Placeholder.Code);
            if (Discount is null) mask &= ~(1UL << Placeholder.Discount);
            if (Expires is null) mask &= ~(1UL << Placeholder.Expires);
            if (Review is null) mask &= ~(1UL << Placeholder.Review);
            if (ReviewProduct is null) mask &= ~(1UL << Placeholder.ReviewProduct);
            if (TimeOfDaySaid) mask &= ~(1UL << Placeholder.TimeOfDay);
            return mask;
        }
    }

    public readonly string? Get(int id) => id switch
    {
        Placeholder.FirstName => FirstName,
        Placeholder.LastName => LastName,
        Placeholder.FullName => FullName,
        Placeholder.Store => Store,
        Placeholder.Category => Category,
        Placeholder.Product => Product,
        Placeholder.FromPrice => FromPrice,
        Placeholder.Code => Code,
        Placeholder.Discount => Discount,
        Placeholder.Expires => Expires,
        Placeholder.Review => Review,
        Placeholder.ReviewProduct => ReviewProduct,
        _ => null,
    };
}

/// <summary>The singular and plural of a counted noun, e.g. <c>{count} item</c> / <c>{count} items</c>, or <c>{count}件商品</c>.</summary>
internal sealed record CountForms(string Name, PhraseTemplate? One, PhraseTemplate Other);

/// <summary>
/// A phrase compiled once at load into literal and placeholder segments, so rendering is a loop of appends:
/// no parsing, no regex per email.
/// </summary>
internal sealed class PhraseTemplate
{
    private readonly Segment[] _segments;

    private PhraseTemplate(string source, Segment[] segments, ulong requires)
    {
        Source = source;
        _segments = segments;
        Requires = requires;
    }

    /// <summary>The text as written in the phrase file.</summary>
    public string Source { get; }

    /// <summary>Placeholders (as bits) that need a value for this phrase to be usable.</summary>
    public ulong Requires { get; }

    /// <summary>Whether the phrase renders to nothing (allowed only for optional slots).</summary>
    public bool IsEmpty => _segments.Length == 0;

    /// <summary>Names of the placeholders used, for error messages.</summary>
    public IEnumerable<string> PlaceholderNames => _segments.Where(s => s.Literal is null).Select(s => s.Name!);

    /// <summary>
    /// Compiles <paramref name="text"/>. <c>{name}</c> or <c>{name|modifier}</c> is a placeholder; any other brace is an error,
    /// so that no brace ever reaches an email.
    /// </summary>
    /// <param name="countNouns">Counted nouns this file (or the default locale) declares, by name.</param>
    /// <param name="allowCountNouns">False while compiling the count forms themselves (only <c>{count}</c> may appear there).</param>
    /// <exception cref="TemplateRenderException">An unknown placeholder or modifier, or a stray brace; the message names <paramref name="where"/>.</exception>
    public static PhraseTemplate Parse(string text, string where, IReadOnlyDictionary<string, (int Id, CountForms Forms)> countNouns, bool allowCountNouns = true)
    {
        var segments = new List<Segment>();
        ulong requires = 0;
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '}')
            {
                throw new TemplateRenderException($"{where}: a '}}' without its '{{' in \"{text}\".", "}", where);
            }
            if (c != '{')
            {
                literal.Append(c);
                i++;
                continue;
            }
            var end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                throw new TemplateRenderException($"{where}: a '{{' is never closed in \"{text}\".", "{", where);
            }
            var inner = text.AsSpan(i + 1, end - i - 1).Trim();
            var bar = inner.IndexOf('|');
            var name = (bar >= 0 ? inner[..bar] : inner).Trim().ToString();
            var modifierName = bar >= 0 ? inner[(bar + 1)..].Trim().ToString() : "";
            var modifier = modifierName switch
            {
                "" => PhraseModifier.None,
                "a" or "an" => PhraseModifier.Article,
                "lower" => PhraseModifier.Lower,
                "cap" => PhraseModifier.Capitalize,
                _ => throw new TemplateRenderException(
                    $"{where}: unknown modifier '|{modifierName}' on {{{name}}}; use |a, |lower or |cap.", modifierName, where),
            };
            int id;
            CountForms? forms = null;
            if (Placeholder.IdOf(name) is { } fixedId)
            {
                id = fixedId;
            }
            else if (allowCountNouns && countNouns.TryGetValue(name, out var noun))
            {
                (id, forms) = noun;
            }
            else
            {
                throw new TemplateRenderException(
                    $"{where}: unknown placeholder {{{name}}} in \"{text}\". Known: {string.Join(", ", Placeholder.Names.Select(n => "{" + n + "}"))}"
                    + (allowCountNouns && countNouns.Count > 0 ? ", " + string.Join(", ", countNouns.Keys.Select(n => "{" + n + "}")) : "")
                    + ".", name, where);
            }
            if (!allowCountNouns && id != Placeholder.Count)
            {
                throw new TemplateRenderException($"{where}: a counted noun may only use {{count}}, not {{{name}}}.", name, where);
            }
            if (literal.Length > 0)
            {
                segments.Add(new Segment(literal.ToString(), null, 0, PhraseModifier.None, null));
                literal.Clear();
            }
            segments.Add(new Segment(null, name, id, modifier, forms));
            if (id < 64)
            {
                requires |= 1UL << id;
            }
            i = end + 1;
        }
        if (literal.Length > 0)
        {
            segments.Add(new Segment(literal.ToString(), null, 0, PhraseModifier.None, null));
        }
        return new PhraseTemplate(text, [.. segments], requires);
    }

    /// <summary>Appends the phrase with <paramref name="values"/> filled in. Callers check <see cref="Requires"/> first.</summary>
    /// <exception cref="TemplateRenderException">A placeholder has no value (a caller skipped the check).</exception>
    public void Render(StringBuilder builder, in PhraseValues values)
    {
        foreach (ref readonly var segment in _segments.AsSpan())
        {
            if (segment.Literal is not null)
            {
                builder.Append(segment.Literal);
                continue;
            }
            if (segment.Forms is not null)
            {
                var form = values.Count == 1 && segment.Forms.One is not null ? segment.Forms.One : segment.Forms.Other;
                form.Render(builder, values);
                continue;
            }
            if (segment.Id == Placeholder.Count)
            {
                builder.Append(values.Count);
                continue;
            }
            var value = values.Get(segment.Id)
                ?? throw new TemplateRenderException($"Phrase \"{Source}\": placeholder {{{segment.Name}}} has no value.", segment.Name, Source);
            switch (segment.Modifier)
            {
                case PhraseModifier.Article:
                    builder.Append(Grammar.IndefiniteArticle(value)).Append(' ').Append(value);
                    break;
                case PhraseModifier.Lower:
                    foreach (var ch in value)
                    {
                        builder.Append(char.ToLowerInvariant(ch));
                    }
                    break;
                case PhraseModifier.Capitalize:
                    if (value.Length > 0)
                    {
                        builder.Append(char.ToUpperInvariant(value[0])).Append(value, 1, value.Length - 1);
                    }
                    break;
                default:
                    builder.Append(value);
                    break;
            }
        }
    }

    private readonly record struct Segment(string? Literal, string? Name, int Id, PhraseModifier Modifier, CountForms? Forms);
}
