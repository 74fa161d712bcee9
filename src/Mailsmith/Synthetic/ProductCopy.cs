using System.Text;

namespace Mailsmith.Synthetic;

/// <summary>
/// Fills title and description templates. Slots are <c>{name}</c>; in English a lower-case slot name gives the
/// in-sentence form (<c>{noun}</c> → "pour-over kettle") and a capitalised one the title form (<c>{Noun}</c> →
/// "Pour-Over Kettle"). Chinese has no case, so both give the same text.
/// </summary>
internal static class ProductCopy
{
    /// <summary>Replaces each <c>{slot}</c> with <paramref name="resolve"/>(slot); unknown slots are an error in the vocabulary.</summary>
    public static string Fill(string template, Func<string, string> resolve)
    {
        var sb = new StringBuilder(template.Length + 64);
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                sb.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new InvalidDataException($"Unclosed slot in template '{template}'.");
            }
            sb.Append(template, i, open - i);
            sb.Append(resolve(template[(open + 1)..close]));
            i = close + 1;
        }
        return sb.ToString();
    }

    /// <summary>
    /// The in-sentence form of an English title-case phrase: capitalised words are lowered unless they are proper
    /// nouns or acronyms listed in the vocabulary's <c>keepCase</c>, or already all capitals.
    /// </summary>
    public static string InSentence(string phrase, IReadOnlySet<string> keepCase)
    {
        var sb = new StringBuilder(phrase.Length);
        var start = 0;
        for (var i = 0; i <= phrase.Length; i++)
        {
            if (i < phrase.Length && phrase[i] is not (' ' or '-' or '/'))
            {
                continue;
            }
            var word = phrase[start..i];
            sb.Append(ShouldLower(word, keepCase) ? word.ToLowerInvariant() : word);
            if (i < phrase.Length)
            {
                sb.Append(phrase[i]);
            }
            start = i + 1;
        }
        return sb.ToString();
    }

    /// <summary>"a" or "an" before an English word, by its first letter.</summary>
    public static string Article(string word) =>
        word.Length > 0 && "aeiouAEIOU".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";

    private static bool ShouldLower(string word, IReadOnlySet<string> keepCase)
    {
        if (word.Length < 2 || keepCase.Contains(word) || !char.IsUpper(word[0]))
        {
            return false;
        }
        for (var i = 1; i < word.Length; i++)
        {
            if (char.IsUpper(word[i]))
            {
                return false;
            }
        }
        return true;
    }
}
