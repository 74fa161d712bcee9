using System.Text;

namespace Mailsmith.Compose;

/// <summary>The small amount of grammar a phrase needs after its placeholders are filled in.</summary>
internal static class Grammar
{
    /// <summary>"a" or "an" for the English word or name that follows, by sound where the spelling misleads.</summary>
    public static string IndefiniteArticle(string word)
    {
        var span = word.AsSpan().TrimStart();
        if (span.IsEmpty)
        {
            return "a";
        }
        // Initialisms are read letter by letter: "an LED lamp", "a USB cable".
        var capsRun = 0;
        while (capsRun < span.Length && char.IsAsciiLetterUpper(span[capsRun]))
        {
            capsRun++;
        }
        if (capsRun >= 2 && (capsRun == span.Length || !char.IsAsciiLetterLower(span[capsRun])))
        {
            return "AEFHILMNORSX".Contains(span[0], StringComparison.Ordinal) ? "an" : "a";
        }
        if (char.IsAsciiDigit(span[0]))
        {
            // "an 8-cup press", "an 11-piece set", "an 18-inch pan", "a 10-inch pan".
            return span[0] == '8' || span.StartsWith("11") || span.StartsWith("18") ? "an" : "a";
        }
        Span<char> lower = stackalloc char[Math.Min(span.Length, 6)];
        span[..lower.Length].ToLowerInvariant(lower);
        ReadOnlySpan<char> head = lower;
        if (head.StartsWith("hour") || head.StartsWith("honest") || head.StartsWith("honou") || head.StartsWith("honor") || head.StartsWith("heir"))
        {
            return "an";
        }
        // A vowel letter that sounds like a consonant: "a unique", "a useful", "a European", "a one-off".
        if (head.StartsWith("uni") || head.StartsWith("use") || head.StartsWith("usu") || head.StartsWith("uti") || head.StartsWith("eu")
            || head.StartsWith("one") || head.StartsWith("once") || head.StartsWith("ure") || head.StartsWith("uro"))
        {
            return "a";
        }
        return "aeiou".Contains(head[0], StringComparison.Ordinal) ? "an" : "a";
    }

    /// <summary>English: a sentence starts with a capital, whatever the placeholder that opens it (<c>{category|lower}</c> included).</summary>
    public static void PolishEnglish(StringBuilder builder)
    {
        var sentenceStart = true;
        for (var i = 0; i < builder.Length; i++)
        {
            var c = builder[i];
            if (char.IsLetter(c))
            {
                if (sentenceStart && char.IsLower(c))
                {
                    builder[i] = char.ToUpperInvariant(c);
                }
                sentenceStart = false;
            }
            else if (c is '.' or '!' or '?')
            {
                // Only a full stop followed by a space ends a sentence: "$49.99" and "e.g." in a title do not.
                sentenceStart = i + 1 < builder.Length && builder[i + 1] == ' ';
            }
            else if (!char.IsWhiteSpace(c) && c is not ('"' or '\'' or '(' or '“' or '‘'))
            {
                sentenceStart = false;
            }
        }
    }

    /// <summary>
    /// Chinese: full-width punctuation after Chinese text, no spaces between Chinese characters, digits or punctuation,
    /// and one space between Chinese text and a Latin word (a brand name such as "Aeropress").
    /// </summary>
    public static string PolishChinese(StringBuilder source, StringBuilder scratch)
    {
        scratch.Clear();
        var length = source.Length;
        for (var i = 0; i < length; i++)
        {
            var c = source[i];
            var previous = scratch.Length > 0 ? scratch[^1] : '\0';
            if (c == ' ')
            {
                var next = NextNonSpace(source, i);
                // A space survives only between a Latin word and something that is not Chinese punctuation,
                // or between Chinese and a Latin letter.
                var keep = previous != '\0' && next != '\0'
                    && !IsFullWidthPunctuation(previous) && !IsFullWidthPunctuation(next)
                    && !(IsCjk(previous) && !char.IsAsciiLetter(next))
                    && !(IsCjk(next) && !char.IsAsciiLetter(previous))
                    && previous != ' ';
                if (keep)
                {
                    scratch.Append(' ');
                }
                continue;
            }
            if (IsCjk(previous) || (IsFullWidthPunctuation(previous) && previous != '）'))
            {
                var full = c switch
                {
                    ',' => '，',
                    '!' => '！',
                    '?' => '？',
                    ':' => '：',
                    ';' => '；',
                    '.' when i + 1 >= length || source[i + 1] == ' ' || IsCjk(source[i + 1]) => '。',
                    _ => c,
                };
                if (full != c)
                {
                    scratch.Append(full);
                    continue;
                }
            }
            if ((IsCjk(previous) && char.IsAsciiLetter(c)) || (char.IsAsciiLetter(previous) && IsCjk(c)))
            {
                scratch.Append(' ');
            }
            scratch.Append(c);
        }
        return scratch.ToString();
    }

    private static char NextNonSpace(StringBuilder builder, int index)
    {
        for (var j = index + 1; j < builder.Length; j++)
        {
            if (builder[j] != ' ')
            {
                return builder[j];
            }
        }
        return '\0';
    }

    /// <summary>CJK ideographs (the unified block and extension A) and kana.</summary>
    public static bool IsCjk(char c) => c is (>= '\u4E00' and <= '\u9FFF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u3040' and <= '\u30FF');

    /// <summary>CJK punctuation and full-width forms (，。！？：；“”（）…).</summary>
    public static bool IsFullWidthPunctuation(char c) =>
        c is (>= '\u3000' and <= '\u303F') or (>= '\uFF01' and <= '\uFF0F') or (>= '\uFF1A' and <= '\uFF20') or '“' or '”' or '…' or '—';

    /// <summary>Whether every letter of <paramref name="text"/> is a CJK character (a Chinese name written in Chinese).</summary>
    public static bool IsAllCjk(string text)
    {
        foreach (var c in text)
        {
            if (!IsCjk(c) && c != '·')
            {
                return false;
            }
        }
        return text.Length > 0;
    }

    /// <summary>Whether <paramref name="text"/> holds a pictographic emoji (they are added by policy only, never written into subjects).</summary>
    public static bool ContainsEmoji(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value is >= 0x1F000 and <= 0x1FAFF or >= 0x2600 and <= 0x27BF or >= 0x2B00 and <= 0x2BFF or 0xFE0F)
            {
                return true;
            }
        }
        return false;
    }
}
