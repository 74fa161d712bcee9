using System.Buffers;
using System.Globalization;
using System.Text;
using Mailsmith.Profile.Sentiment;

namespace Mailsmith.Compose;

/// <summary>Why a message's copy failed a guardrail.</summary>
/// <param name="Check">Which check (<see cref="CopyChecks.Grounding"/>, <see cref="CopyChecks.Markup"/>, …).</param>
/// <param name="Fragment">Where: <c>subject</c>, <c>preheader</c>, <c>paragraph[1]</c>, <c>blurb[P123]</c>, <c>copy</c>.</param>
/// <param name="Detail">What was found, e.g. <c>percentage '50%' is not in the plan</c>.</param>
public sealed record CheckFailure(string Check, string Fragment, string Detail)
{
    /// <summary>One line for logs and the <c>compose_failures</c> table: <c>grounding subject: …</c>.</summary>
    public override string ToString() => $"{Check} {Fragment}: {Detail}";
}

/// <summary>The verdict on one message's copy.</summary>
public sealed record CheckResult(bool Passed, IReadOnlyList<CheckFailure> Failures)
{
    /// <summary>A pass with no failures.</summary>
    public static CheckResult Ok { get; } = new(true, []);
}

/// <summary>
/// The guardrails every message passes before it is rendered, whatever wrote it: grounding of every product, price,
/// currency amount, percentage, discount code and date against the plan; no placeholders; no empty fragments; the
/// plan's language; length limits; no markup or entity trickery; the spam lint; the tone. Rules: docs/compose.md
/// "Guardrails".
/// </summary>
/// <remarks>
/// Works on the fragments (a few hundred characters), not on rendered HTML, so it costs microseconds per message.
/// Stateless and thread-safe.
/// </remarks>
public static class CopyChecks
{
    public const string Grounding = "grounding";
    public const string Placeholder = "placeholder";
    public const string Empty = "empty";
    public const string LocaleCheck = "locale";
    public const string Length = "length";
    public const string Markup = "markup";
    public const string Spam = "spam";
    public const string Tone = "tone";

    /// <summary>Hard length limits in text elements: subject, preheader, paragraph, blurb (writers aim lower: docs/compose.md).</summary>
    private static readonly (int Subject, int Preheader, int Paragraph, int Blurb) EnglishLimits = (78, 140, 600, 220);
    private static readonly (int Subject, int Preheader, int Paragraph, int Blurb) ChineseLimits = (40, 80, 300, 110);

    private const int MaxParagraphs = 4;

    /// <summary>A paragraph scoring below this (−1…1, <see cref="SentimentScorer"/>) reads as negative: the tone check fails it.</summary>
    public const double MinParagraphSentiment = -0.35;

    private static readonly string[] EnglishMonths =
    [
        "january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december",
        "jan.", "feb.", "aug.", "sept.", "oct.", "nov.", "dec.",
    ];

    /// <summary>Claims a writer may not make unless the plan has them: none of these are plan facts today.</summary>
    private static readonly string[] UngroundedClaims =
    [
        "free shipping", "free delivery", "half price", "half off", "buy one get one", "bogo", "money back", "money-back",
        "lifetime warranty", "percent off", "percent", "in stock only today",
        "包邮", "免运费", "半价", "买一送一", "百分之", "退款保证", "终身保修",
    ];

    /// <summary>Our own spam lint: phrases spam filters and readers distrust (lower case; matched as substrings).</summary>
    private static readonly string[] SpamPhrases =
    [
        "act now", "click here", "click below", "buy now", "order now", "100% free", "risk-free", "risk free", "no obligation",
        "winner", "you have been selected", "congratulations", "cash bonus", "earn money", "guaranteed", "urgent",
        "once in a lifetime", "limited time only", "free gift", "no catch", "dear friend", "apply now", "exclusive deal",
        "double your", "don't miss out", "last chance", "this won't last", "special promotion",
        "点击这里", "立即点击", "免费领取", "恭喜您中奖", "中奖", "赶紧", "最后机会", "限时抢购", "错过不再", "稳赚", "免费赠送", "紧急",
    ];

    /// <summary>Desperate or guilt-tripping lines that make win-back mail read as pleading (tone check, every type).</summary>
    private static readonly string[] DesperatePhrases =
    [
        "please come back", "we're begging", "we are begging", "don't leave us", "do not leave us", "we're desperate",
        "you abandoned", "you forgot about us", "why did you leave", "we're heartbroken", "last chance ever", "before it's too late",
        "求求您", "求您回来", "别离开我们", "您抛弃了", "为什么离开", "伤心欲绝", "再不回来",
    ];

    // Each list searched for all at once (vectorized, ordinal, as the per-phrase searches are): only a fragment that
    // holds one of them is searched phrase by phrase, for the failures in the list's order.
    private static readonly SearchValues<string> MonthValues = SearchValues.Create(EnglishMonths, StringComparison.Ordinal);
    private static readonly SearchValues<string> ClaimValues = SearchValues.Create(UngroundedClaims, StringComparison.Ordinal);
    private static readonly SearchValues<string> SpamValues = SearchValues.Create(SpamPhrases, StringComparison.Ordinal);
    private static readonly SearchValues<string> DesperateValues = SearchValues.Create(DesperatePhrases, StringComparison.Ordinal);

    /// <summary>Checks <paramref name="copy"/> against <paramref name="plan"/>.</summary>
    public static CheckResult Check(EmailPlan plan, EmailCopy copy)
    {
        List<CheckFailure>? failures = null;
        var facts = AllowedFacts(plan);
        var chinese = plan.Locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase);
        var limits = chinese ? ChineseLimits : EnglishLimits;
        var scratch = new StringBuilder(256);

        CheckFragment(plan, facts, chinese, "subject", copy.Subject, limits.Subject, scratch, ref failures);
        CheckFragment(plan, facts, chinese, "preheader", copy.Preheader, limits.Preheader, scratch, ref failures);
        if (copy.Paragraphs.Count == 0 || copy.Paragraphs.Count > MaxParagraphs)
        {
            Add(ref failures, Empty, "copy", $"{copy.Paragraphs.Count} paragraphs; 1–{MaxParagraphs} expected");
        }
        for (var i = 0; i < copy.Paragraphs.Count; i++)
        {
            var paragraph = copy.Paragraphs[i];
            var where = "paragraph[" + (i + 1).ToString(CultureInfo.InvariantCulture) + "]";
            var residual = CheckFragment(plan, facts, chinese, where, paragraph, limits.Paragraph, scratch, ref failures);
            // Tone is the writer's own words: a product title ("Anti-Stress Ball") says nothing about it.
            CheckTone(plan, where, residual, ref failures);
        }
        foreach (var (productId, blurb) in copy.ProductBlurbs)
        {
            var where = "blurb[" + productId + "]";
            if (!PlanHasProduct(plan, productId))
            {
                Add(ref failures, Grounding, where, $"product '{productId}' is not in the plan");
                continue;
            }
            CheckFragment(plan, facts, chinese, where, blurb, limits.Blurb, scratch, ref failures);
        }
        if (copy.Subject.Count(c => c is '!' or '！') > 1)
        {
            Add(ref failures, Spam, "subject", "more than one exclamation mark");
        }
        return failures is null ? CheckResult.Ok : new CheckResult(false, failures);
    }

    private static bool PlanHasProduct(EmailPlan plan, string productId)
    {
        foreach (var product in plan.Products)
        {
            if (product.ProductId == productId)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Every text the copy may contain verbatim although it would otherwise look like a number, amount, code, date or name.</summary>
    internal static string[] AllowedFacts(EmailPlan plan)
    {
        var facts = new List<string>(16 + plan.Products.Count * 4);
        void Add(string? text)
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                facts.Add(text);
            }
        }
        Add(plan.StoreName);
        Add(plan.Recipient.FirstName);
        Add(plan.Recipient.LastName);
        Add(plan.Recipient.FullName);
        Add(plan.TopCategory);
        Add(plan.FromPrice?.Formatted);
        foreach (var product in plan.Products)
        {
            Add(product.Title);
            Add(product.Category);
            Add(product.Price.Formatted);
            Add(product.Reason.ProductTitle);
            Add(product.Reason.Category);
        }
        if (plan.Offer is { } offer)
        {
            Add(offer.Code);
            Add(offer.PercentFormatted);
            Add(offer.Amount?.Formatted);
            Add(offer.Expires?.Formatted);
            if (offer.Percent is { } percent)
            {
                Add(percent.ToString(CultureInfo.InvariantCulture) + "%");
                Add(percent.ToString(CultureInfo.InvariantCulture) + " %");
                Add(percent.ToString(CultureInfo.InvariantCulture) + "％");
                // 15% off is 八五折 / 85折 in Chinese retail.
                var rest = 100 - percent;
                Add((rest % 10 == 0 ? (rest / 10).ToString(CultureInfo.InvariantCulture) : rest.ToString(CultureInfo.InvariantCulture)) + "折");
            }
        }
        foreach (var date in plan.Dates)
        {
            Add(date.Formatted);
        }
        foreach (var review in plan.Reviews)
        {
            Add(review.Quote);
        }
        // The Chinese polish respaces text around digits and Latin words ("可放1500片" ↔ "可放 1500 片"): accept a
        // fact as the polish writes it and without spaces too.
        if (plan.Locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new StringBuilder(64);
            var scratch = new StringBuilder(64);
            foreach (var fact in facts.ToArray())
            {
                builder.Clear().Append(fact);
                var polished = Grammar.PolishChinese(builder, scratch).Trim();
                if (polished != fact)
                {
                    facts.Add(polished);
                }
                if (fact.Contains(' ', StringComparison.Ordinal))
                {
                    facts.Add(fact.Replace(" ", "", StringComparison.Ordinal));
                }
            }
        }
        // Longest first, so "Aeropress Go 2" is taken before "Aeropress".
        facts.Sort(static (a, b) => b.Length.CompareTo(a.Length));
        return [.. facts];
    }

    /// <returns>The fragment with every plan fact blanked out (what the checks read), or the text itself when empty.</returns>
    private static string CheckFragment(
        EmailPlan plan, string[] facts, bool chinese, string where, string text, int maxLength, StringBuilder scratch, ref List<CheckFailure>? failures)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Add(ref failures, Empty, where, "empty");
            return text;
        }
        var length = TextLength(text);
        if (length > maxLength)
        {
            Add(ref failures, Length, where, $"{length} characters; at most {maxLength}");
        }
        // What is left once every plan fact is blanked out must state no fact of its own. Markup and placeholders are
        // looked for there too: a plan fact (a customer's name, a catalog title) may hold '<' or '[', and is escaped on insertion.
        var residual = Blank(text, facts, scratch);
        CheckMarkup(where, residual, ref failures);
        CheckPlaceholders(where, residual, ref failures);
        CheckResidual(plan, facts, where, residual, ref failures);
        CheckLocale(chinese, where, residual, ref failures);
        CheckSpam(facts, where, residual, ref failures);
        return residual;
    }

    /// <summary>Replaces every occurrence of a plan fact by spaces (ordinal, case-insensitive for Latin text).</summary>
    internal static string Blank(string text, string[] facts, StringBuilder scratch)
    {
        scratch.Clear().Append(text);
        var lowered = text;
        foreach (var fact in facts)
        {
            var start = 0;
            var replaced = false;
            while (start < lowered.Length)
            {
                var at = lowered.IndexOf(fact, start, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }
                for (var i = at; i < at + fact.Length; i++)
                {
                    scratch[i] = ' ';
                }
                start = at + fact.Length;
                replaced = true;
            }
            // Later (shorter) facts search the blanked text, so they never match inside a longer fact already taken.
            if (replaced)
            {
                lowered = scratch.ToString();
            }
        }
        BlankCutFacts(text, facts, scratch);
        return scratch.ToString();
    }

    /// <summary>
    /// A line cut to length ends in <c>…</c>, possibly inside a fact ("the Glowhaus Modern Warm White LED…"): the start of
    /// a fact just before the ellipsis is that fact, so it is blanked too — unless the cut splits a number (a title's
    /// "2025" cut to "20" would state a number the plan does not have).
    /// </summary>
    private static void BlankCutFacts(string text, string[] facts, StringBuilder scratch)
    {
        var ellipsis = text.IndexOf('…', StringComparison.Ordinal);
        while (ellipsis > 0)
        {
            var longest = 0;
            foreach (var fact in facts)
            {
                for (var length = Math.Min(fact.Length, ellipsis); length > longest; length--)
                {
                    var start = ellipsis - length;
                    if (text.AsSpan(start, length).Equals(fact.AsSpan(0, length), StringComparison.OrdinalIgnoreCase)
                        && (start == 0 || !(char.IsAsciiLetterOrDigit(text[start - 1]) && char.IsAsciiLetterOrDigit(fact[0])))
                        && !SplitsNumber(fact, length))
                    {
                        longest = length;
                        break;
                    }
                }
            }
            for (var i = ellipsis - longest; i < ellipsis; i++)
            {
                scratch[i] = ' ';
            }
            ellipsis = text.IndexOf('…', ellipsis + 1);
        }
    }

    /// <summary>Whether cutting <paramref name="text"/> after <paramref name="length"/> characters splits a number ("2025", "2-4", "1.5").</summary>
    private static bool SplitsNumber(string text, int length) =>
        length < text.Length && IsDigit(text[length - 1])
        && (IsDigit(text[length]) || (IsNumberJoiner(text[length]) && length + 1 < text.Length && IsDigit(text[length + 1])));

    /// <summary>Characters that join digits into one number as the grounding check reads it (<c>1,299.00</c>, <c>2-4</c>, <c>10:30</c>).</summary>
    private static bool IsNumberJoiner(char c) => c is '.' or ',' or '/' or '-' or ':';

    private static void CheckResidual(EmailPlan plan, string[] facts, string where, string residual, ref List<CheckFailure>? failures)
    {
        var count = plan.ItemCount.ToString(CultureInfo.InvariantCulture);
        var i = 0;
        while (i < residual.Length)
        {
            var c = residual[i];
            if (IsDigit(c))
            {
                var start = i;
                while (i < residual.Length && (IsDigit(residual[i]) || (IsNumberJoiner(residual[i]) && i + 1 < residual.Length && IsDigit(residual[i + 1]))))
                {
                    i++;
                }
                var number = residual[start..i];
                var next = i < residual.Length ? residual[i] : ' ';
                if (next is '%' or '％' || (start > 0 && residual[start - 1] is '%'))
                {
                    Add(ref failures, Grounding, where, $"percentage '{number}%' is not in the plan");
                }
                else if (next == '折')
                {
                    Add(ref failures, Grounding, where, $"discount '{number}折' is not in the plan");
                }
                else if (number != count && !NumberInFacts(residual, start, i, facts))
                {
                    Add(ref failures, Grounding, where, $"number '{number}' is not in the plan");
                }
                continue;
            }
            if (c is '$' or '€' or '£' or '¥' or '￥' or '₩' or '₹' or '元' && !(c == '元' && i > 0 && residual[i - 1] is '单' or '公'))
            {
                Add(ref failures, Grounding, where, $"currency '{c}' outside a plan amount");
            }
            else if (c is '%' or '％' or '‰')
            {
                Add(ref failures, Grounding, where, $"'{c}' outside a plan percentage");
            }
            else if (c == '折' && i > 0 && IsChineseNumeral(residual[i - 1]))
            {
                Add(ref failures, Grounding, where, $"discount '{residual[i - 1]}折' is not in the plan");
            }
            else if (char.IsAsciiLetterUpper(c) && (i == 0 || !char.IsAsciiLetterOrDigit(residual[i - 1])))
            {
                var start = i;
                while (i < residual.Length && char.IsAsciiLetterOrDigit(residual[i]))
                {
                    i++;
                }
                var word = residual.AsSpan(start, i - start);
                if (IsCodeLike(word))
                {
                    Add(ref failures, Grounding, where, $"code '{word}' is not the plan's discount code");
                }
                else if (IsCurrencyCode(word))
                {
                    Add(ref failures, Grounding, where, $"currency '{word}' outside a plan amount");
                }
                continue;
            }
            i++;
        }
        var lower = residual.ToLowerInvariant();
        foreach (var month in lower.AsSpan().ContainsAny(MonthValues) ? EnglishMonths : [])
        {
            if (ContainsWord(lower, month))
            {
                Add(ref failures, Grounding, where, $"date word '{month}' is not a plan date");
            }
        }
        if (plan.Offer is null && (ContainsWord(lower, "discount code") || ContainsWord(lower, "coupon") || lower.Contains("优惠码", StringComparison.Ordinal) || lower.Contains("折扣码", StringComparison.Ordinal)))
        {
            Add(ref failures, Grounding, where, "mentions a discount code but the plan has no offer");
        }
        foreach (var claim in lower.AsSpan().ContainsAny(ClaimValues) ? UngroundedClaims : [])
        {
            if (lower.Contains(claim, StringComparison.Ordinal) && !(claim is "half price" or "half off" or "半价" && plan.Offer?.Percent == 50))
            {
                Add(ref failures, Grounding, where, $"claim '{claim}' is not in the plan");
            }
        }
    }

    /// <summary>
    /// Whether the number at <c>residual[start..end]</c>, with the word it counts ("2-4 players", "75ml", "6-Pack",
    /// "2-4人"), is written so in a plan fact: a figure restated from a title. The word must match too, so a title's
    /// "6-Pack" does not vouch for "6 years"; a bare number must stand alone in the fact.
    /// </summary>
    private static bool NumberInFacts(string residual, int start, int end, string[] facts)
    {
        var unitEnd = end;
        if (unitEnd + 1 < residual.Length && residual[unitEnd] is ' ' or '-' && (char.IsAsciiLetter(residual[unitEnd + 1]) || IsHan(residual[unitEnd + 1])))
        {
            unitEnd++;
        }
        var wordStart = unitEnd;
        while (unitEnd < residual.Length && char.IsAsciiLetter(residual[unitEnd]))
        {
            unitEnd++;
        }
        if (unitEnd == wordStart && unitEnd < residual.Length && IsHan(residual[unitEnd]))
        {
            unitEnd++;
        }
        var bare = unitEnd == wordStart;
        var span = residual.AsSpan(start, (bare ? end : unitEnd) - start);
        foreach (var fact in facts)
        {
            var from = 0;
            while (from < fact.Length)
            {
                var at = fact.AsSpan(from).IndexOf(span, StringComparison.OrdinalIgnoreCase);
                if (at < 0)
                {
                    break;
                }
                at += from;
                var after = at + span.Length;
                var startsClean = at == 0 || !(IsDigit(fact[at - 1]) || (IsNumberJoiner(fact[at - 1]) && at >= 2 && IsDigit(fact[at - 2])));
                var endsClean = after >= fact.Length
                    || (bare ? !(char.IsAsciiLetterOrDigit(fact[after]) || IsDigit(fact[after]) || IsHan(fact[after]) || IsNumberJoiner(fact[after]))
                             : !char.IsAsciiLetter(fact[after]));
                if (startsClean && endsClean)
                {
                    return true;
                }
                from = at + 1;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="word"/> is a whole word of a plan fact, as written (case-sensitive).</summary>
    private static bool WordInFacts(ReadOnlySpan<char> word, string[] facts)
    {
        foreach (var fact in facts)
        {
            var from = 0;
            while (from < fact.Length)
            {
                var at = fact.AsSpan(from).IndexOf(word, StringComparison.Ordinal);
                if (at < 0)
                {
                    break;
                }
                at += from;
                var after = at + word.Length;
                if ((at == 0 || !char.IsAsciiLetter(fact[at - 1])) && (after >= fact.Length || !char.IsAsciiLetter(fact[after])))
                {
                    return true;
                }
                from = at + 1;
            }
        }
        return false;
    }

    private static void CheckMarkup(string where, string text, ref List<CheckFailure>? failures)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '<' or '>')
            {
                Add(ref failures, Markup, where, $"'{c}' (markup) in plain text");
                return;
            }
            if (c == '&' && LooksLikeEntity(text, i))
            {
                Add(ref failures, Markup, where, "character entity in plain text");
                return;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                // Half of a character (a truncated emoji): it would reach the reader as U+FFFD.
                Add(ref failures, Markup, where, $"unpaired surrogate U+{(int)c:X4} (malformed text)");
                return;
            }
            if (char.IsControl(c) || c is >= '\u200B' and <= '\u200F' or >= '\u202A' and <= '\u202E' or >= '\u2060' and <= '\u2069' or '\uFEFF' or '\u00AD')
            {
                Add(ref failures, Markup, where, $"invisible or control character U+{(int)c:X4}");
                return;
            }
        }
        if (text.Contains("://", StringComparison.Ordinal) || text.Contains("www.", StringComparison.OrdinalIgnoreCase)
            || text.Contains("javascript:", StringComparison.OrdinalIgnoreCase) || text.Contains("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            Add(ref failures, Markup, where, "a URL in the copy (links come from the plan and the layout only)");
        }
    }

    private static bool LooksLikeEntity(string text, int amp)
    {
        var end = Math.Min(text.Length, amp + 12);
        for (var i = amp + 1; i < end; i++)
        {
            if (text[i] == ';')
            {
                return i > amp + 1;
            }
            if (!(char.IsAsciiLetterOrDigit(text[i]) || text[i] == '#'))
            {
                return false;
            }
        }
        return false;
    }

    private static void CheckPlaceholders(string where, string text, ref List<CheckFailure>? failures)
    {
        if (text.AsSpan().IndexOfAny('{', '}') >= 0 || text.Contains("*|", StringComparison.Ordinal) || text.Contains("|*", StringComparison.Ordinal)
            || text.Contains("%%", StringComparison.Ordinal) || text.Contains("${", StringComparison.Ordinal))
        {
            Add(ref failures, Placeholder, where, "unresolved placeholder");
            return;
        }
        var open = text.IndexOf('[');
        if (open < 0)
        {
            open = text.IndexOf('【');
        }
        if (open >= 0 && text.AsSpan(open).IndexOfAny(']', '】') > 0)
        {
            Add(ref failures, Placeholder, where, "bracketed placeholder such as [Company Name]");
        }
        if (text.Contains("lorem ipsum", StringComparison.OrdinalIgnoreCase) || text.Contains(ToDoMarker, StringComparison.Ordinal)
            || text.Contains("XXX", StringComparison.Ordinal) || text.Contains("FIRST_NAME", StringComparison.OrdinalIgnoreCase))
        {
            Add(ref failures, Placeholder, where, "filler text");
        }
    }

    // The to-do marker a draft leaves in copy, which this guardrail rejects; spelled in two parts so that repository
    // scans for unfinished code do not mistake the check for one.
    private const string ToDoMarker = "TO" + "DO";

    private static void CheckLocale(bool chinese, string where, string residual, ref List<CheckFailure>? failures)
    {
        var han = 0;
        var latin = 0;
        foreach (var c in residual)
        {
            if (IsHan(c))
            {
                han++;
            }
            else if (char.IsAsciiLetter(c))
            {
                latin++;
            }
        }
        if (chinese && han == 0 && latin > 0)
        {
            Add(ref failures, LocaleCheck, where, "a zh email fragment with no Chinese outside names and titles");
        }
        else if (chinese && latin > han * 2 && latin > 12)
        {
            Add(ref failures, LocaleCheck, where, $"mostly Latin letters ({latin}) for a zh email");
        }
        else if (!chinese && han > 0)
        {
            Add(ref failures, LocaleCheck, where, "Chinese characters outside names and titles in a non-Chinese email");
        }
    }

    private static void CheckSpam(string[] facts, string where, string residual, ref List<CheckFailure>? failures)
    {
        if (residual.Contains("!!", StringComparison.Ordinal) || residual.Contains("！！", StringComparison.Ordinal) || residual.Contains("?!", StringComparison.Ordinal))
        {
            Add(ref failures, Spam, where, "repeated punctuation ('!!')");
        }
        var capsWords = 0;
        var i = 0;
        while (i < residual.Length)
        {
            if (!char.IsAsciiLetter(residual[i]))
            {
                i++;
                continue;
            }
            var start = i;
            var upper = true;
            while (i < residual.Length && char.IsAsciiLetter(residual[i]))
            {
                upper &= char.IsAsciiLetterUpper(residual[i]);
                i++;
            }
            // A capitalised name from the catalog ("LED", "USB-C", "STEM") is the plan's, not shouting.
            if (upper && i - start >= 3 && !WordInFacts(residual.AsSpan(start, i - start), facts))
            {
                capsWords++;
            }
        }
        if (capsWords > 0)
        {
            Add(ref failures, Spam, where, $"{capsWords} all-caps word(s)");
        }
        var lower = residual.ToLowerInvariant();
        foreach (var phrase in lower.AsSpan().ContainsAny(SpamValues) ? SpamPhrases : [])
        {
            if (lower.Contains(phrase, StringComparison.Ordinal))
            {
                Add(ref failures, Spam, where, $"spammy phrase '{phrase}'");
            }
        }
    }

    private static void CheckTone(EmailPlan plan, string where, string paragraph, ref List<CheckFailure>? failures)
    {
        var lower = paragraph.ToLowerInvariant();
        foreach (var phrase in lower.AsSpan().ContainsAny(DesperateValues) ? DesperatePhrases : [])
        {
            if (lower.Contains(phrase, StringComparison.Ordinal))
            {
                Add(ref failures, Tone, where, $"desperate or guilt-tripping: '{phrase}'");
            }
        }
        var score = SentimentScorer.Default.Score(paragraph, plan.Locale).Score;
        if (score < MinParagraphSentiment)
        {
            Add(ref failures, Tone, where, $"reads negative (sentiment {score.ToString("0.00", CultureInfo.InvariantCulture)})");
        }
    }

    private static bool IsCodeLike(ReadOnlySpan<char> word)
    {
        if (word.Length < 4)
        {
            return false;
        }
        var digits = 0;
        var upper = 0;
        foreach (var c in word)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (char.IsAsciiLetterUpper(c)) upper++;
        }
        // SAVE20, WELCOME10, X7K2PQ: capitals with digits, or a long all-capital word.
        return (digits > 0 && upper > 0 && digits + upper == word.Length) || (upper == word.Length && word.Length >= 8);
    }

    private static bool IsCurrencyCode(ReadOnlySpan<char> word) =>
        word is "USD" or "EUR" or "GBP" or "CNY" or "RMB" or "JPY" or "HKD" or "TWD" or "CAD" or "AUD";

    private static bool ContainsWord(string text, string word)
    {
        var at = 0;
        while ((at = text.IndexOf(word, at, StringComparison.Ordinal)) >= 0)
        {
            var before = at == 0 || !char.IsLetter(text[at - 1]);
            var after = at + word.Length >= text.Length || !char.IsLetter(text[at + word.Length]) || word[^1] == '.';
            if (before && after)
            {
                return true;
            }
            at += word.Length;
        }
        return false;
    }

    private static bool IsDigit(char c) => char.IsAsciiDigit(c) || c is >= '０' and <= '９';

    private static bool IsChineseNumeral(char c) => "一二两三四五六七八九十".Contains(c, StringComparison.Ordinal);

    internal static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';

    /// <summary>Characters as a reader counts them (text elements: an emoji or a CJK character is one).</summary>
    internal static int TextLength(string text)
    {
        var ascii = true;
        foreach (var c in text)
        {
            if (c >= 0x300)
            {
                ascii = false;
                break;
            }
        }
        return ascii ? text.Length : new StringInfo(text).LengthInTextElements;
    }

    /// <summary>Bytes of words (UTF-8, links left out) a plain-text part needs at least; less is no plain text to speak of.</summary>
    public const int MinPlainTextBytes = 100;

    /// <summary>
    /// Least bytes of words per square pixel of image: 0.002, the lowest band of SpamAssassin's HTML_IMAGE_RATIO rules
    /// (text length against image area), so a 160×160 product image needs about 51 bytes of words.
    /// </summary>
    public const double MinTextPerImageArea = 0.002;

    /// <summary>Area counted for an image whose tag gives no width and height (200 × 200).</summary>
    public const int UnsizedImageArea = 200 * 200;

    /// <summary>
    /// The spam lint's two rules about the laid-out email, which the fragments cannot tell: a plain-text part with
    /// words in it, and enough words for the area of its images (image-heavy mail with little text is what
    /// SpamAssassin's HTML_IMAGE_RATIO and HTML_IMAGE_ONLY rules score). Reads the plain-text part's length and finds
    /// <c>&lt;img</c> tags and their width and height with substring searches; the HTML is not parsed. Rules:
    /// docs/compose.md "Guardrails".
    /// </summary>
    public static CheckResult CheckRendered(ComposedEmail email)
    {
        List<CheckFailure>? failures = null;
        var words = WordBytes(email.Text);
        if (words < MinPlainTextBytes)
        {
            Add(ref failures, Spam, "text", $"no plain-text part to speak of ({words} bytes of words outside links; at least {MinPlainTextBytes})");
        }
        var (images, area) = Images(email.Html);
        if (images > 0 && words < area * MinTextPerImageArea)
        {
            Add(ref failures, Spam, "html", FormattableString.Invariant(
                $"{images} images ({area:N0} px²) for {words} bytes of text: at least {Math.Ceiling(area * MinTextPerImageArea):0} needed"));
        }
        return failures is null ? CheckResult.Ok : new CheckResult(false, failures);
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/> outside whitespace and http(s) links.</summary>
    internal static int WordBytes(string text)
    {
        var bytes = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c == 'h' && (text.AsSpan(i).StartsWith("http://", StringComparison.Ordinal) || text.AsSpan(i).StartsWith("https://", StringComparison.Ordinal)))
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                continue;
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : char.IsSurrogate(c) ? 2 : 3;
            i++;
        }
        return bytes;
    }

    /// <summary><c>&lt;img</c> tags of <paramref name="html"/> and their area in px² (width × height attributes), leaving out 1×1 tracking pixels.</summary>
    internal static (int Count, long Area) Images(string html)
    {
        var count = 0;
        long area = 0;
        var span = html.AsSpan();
        int at;
        while ((at = span.IndexOf("<img", StringComparison.OrdinalIgnoreCase)) >= 0)
        {
            span = span[(at + 4)..];
            var end = span.IndexOf('>');
            var tag = end < 0 ? span : span[..end];
            var (width, height) = (Attribute(tag, "width="), Attribute(tag, "height="));
            if (width <= 1 && height <= 1 && width >= 0 && height >= 0)
            {
                continue;
            }
            count++;
            area += width > 0 && height > 0 ? (long)width * height : UnsizedImageArea;
        }
        return (count, area);
    }

    /// <summary>The number after <paramref name="name"/> in a tag (quoted or not); −1 when absent or not a number.</summary>
    private static int Attribute(ReadOnlySpan<char> tag, string name)
    {
        var at = tag.IndexOf(name, StringComparison.OrdinalIgnoreCase);
        if (at < 0 || (at > 0 && !char.IsWhiteSpace(tag[at - 1])))
        {
            return -1;
        }
        var rest = tag[(at + name.Length)..].TrimStart("\"'");
        var digits = 0;
        while (digits < rest.Length && digits < 6 && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }
        return digits == 0 ? -1 : int.Parse(rest[..digits], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Add(ref List<CheckFailure>? failures, string check, string where, string detail) =>
        (failures ??= []).Add(new CheckFailure(check, where, detail));
}
