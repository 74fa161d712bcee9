namespace Mailsmith.Compose.Llm;

/// <summary>
/// A check only model copy needs: a product name the model made up ("our new Titanium Pour-Over Kettle") has no digit,
/// price or code for the grounding check to catch. The model may name products only through slots, so in the body and
/// the blurbs (slots removed, the store's name and the segment's category blanked) a run of two or more capitalised
/// words, or a title in 《》, is a name the plan does not have. Subjects are exempt (title case is common there).
/// </summary>
internal static class ProperNouns
{
    /// <summary>The first invented-looking name, or null.</summary>
    public static string? Find(SlottedCopy copy, EmailPlan plan)
    {
        foreach (var text in copy.Paragraphs.Concat(copy.Blurbs))
        {
            var cleaned = Clean(text, plan);
            if (FindRun(cleaned) is { } run)
            {
                return run;
            }
            var open = cleaned.IndexOf('《');
            if (open >= 0 && cleaned.IndexOf('》', open) is var close and > 0 && close > open + 1)
            {
                return cleaned[open..(close + 1)];
            }
        }
        return null;
    }

    private static string Clean(string text, EmailPlan plan)
    {
        // Slots become a neutral word, so "{product_1} Gift Set" still shows the invented "Gift Set" as a run.
        var cleaned = string.Join(" x ", text.Split('{', '}').Where((_, i) => i % 2 == 0));
        foreach (var fact in new[] { plan.StoreName, plan.TopCategory })
        {
            if (!string.IsNullOrWhiteSpace(fact))
            {
                cleaned = cleaned.Replace(fact, " x ", StringComparison.OrdinalIgnoreCase);
            }
        }
        return cleaned;
    }

    private static string? FindRun(string text)
    {
        var words = text.Split([' ', '\t', '\n', ',', ';', ':', '(', ')', '"', '“', '”'], StringSplitOptions.RemoveEmptyEntries);
        var start = -1;
        for (var i = 0; i <= words.Length; i++)
        {
            var capital = i < words.Length && IsCapitalised(words[i]);
            if (capital && start < 0)
            {
                start = i;
            }
            else if (!capital && start >= 0)
            {
                if (i - start >= 2)
                {
                    return string.Join(' ', words[start..i]);
                }
                start = -1;
            }
            // A sentence ends: the next word's capital means nothing.
            if (i < words.Length && words[i][^1] is '.' or '!' or '?' && start >= 0)
            {
                if (i + 1 - start >= 2)
                {
                    return string.Join(' ', words[start..(i + 1)]);
                }
                start = -1;
            }
        }
        return null;
    }

    private static bool IsCapitalised(string word) => word.Length > 1 && char.IsAsciiLetterUpper(word[0]) && word.Skip(1).Any(char.IsAsciiLetterLower);
}
