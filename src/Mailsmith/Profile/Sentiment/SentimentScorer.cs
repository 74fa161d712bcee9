using System.Text;

namespace Mailsmith.Profile.Sentiment;

/// <summary>The language a text was scored in.</summary>
public enum SentimentLanguage
{
    English,
    Chinese,
}

/// <summary>A text's sentiment: <see cref="Score"/> in [−1, 1] and its <see cref="Label"/>.</summary>
/// <param name="Score">−1 very negative … 0 neutral … +1 very positive (the summed valence v normalized as v/√(v²+15)).</param>
/// <param name="Label">"positive" (score ≥ 0.05), "negative" (≤ −0.05) or "neutral".</param>
/// <param name="Hits">Sentiment terms (words, phrases, emoji) that contributed.</param>
public readonly record struct SentimentResult(double Score, string Label, SentimentLanguage Language, int Hits)
{
    public bool IsPositive => Label == SentimentScorer.Positive;

    public bool IsNegative => Label == SentimentScorer.Negative;
}

/// <summary>
/// Lexicon-based sentiment for English and Chinese shopping reviews: valence words and phrases, negation with a scope,
/// boosters and dampeners, contrast ("but", 但是) and concession ("although", 虽然), exclamation marks, capitals,
/// emoticons and emoji. Chinese is segmented by longest match over the lexicon. Immutable and thread-safe; the
/// lexicons load once per process. Rules and weights: docs/sentiment.md.
/// </summary>
public sealed class SentimentScorer
{
    public const string Positive = "positive";
    public const string Negative = "negative";
    public const string Neutral = "neutral";

    /// <summary>A negator affects a sentiment term at most this many tokens after it, within the clause.</summary>
    private const int NegationWindow = 3;

    /// <summary>A booster or dampener affects a sentiment term at most this many tokens after it.</summary>
    private const int DegreeWindow = 3;

    /// <summary>A negated positive term keeps this share of its valence, flipped ("not good" is bad, less than "bad").</summary>
    private const double NegatedPositive = -0.74;

    /// <summary>A negated negative term keeps this share, flipped ("not bad" is mildly good).</summary>
    private const double NegatedNegative = -0.5;

    /// <summary>Each exclamation mark (up to 3) adds this to the magnitude of a non-zero sum.</summary>
    private const double ExclamationBoost = 0.3;

    /// <summary>The normalization constant of v/√(v²+α).</summary>
    private const double Alpha = 15;

    public static SentimentScorer Default { get; } = new();

    /// <summary>Scores <paramref name="text"/> in the language named by <paramref name="locale"/> (zh* → Chinese, en* → English), else by its script.</summary>
    public SentimentResult Score(string? text, string? locale = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new SentimentResult(0, Neutral, SentimentLanguage.English, 0);
        }
        // NFKC folds full-width letters and punctuation (ＯＫ, ！) to their ordinary forms. It throws on an unpaired
        // surrogate (a truncated emoji from a model or a bad import), so those become U+FFFD first, as UTF-8 encoding would.
        text = WellFormed(text).Normalize(NormalizationForm.FormKC);
        var language = LanguageOf(text, locale);
        var tokens = language == SentimentLanguage.Chinese ? TokenizeChinese(text) : TokenizeEnglish(text);
        var (sum, hits) = Combine(tokens);
        var exclamations = text.Count(c => c is '!' or '！');
        if (sum != 0 && exclamations > 0)
        {
            sum += Math.Sign(sum) * ExclamationBoost * Math.Min(exclamations, 3);
        }
        var score = sum / Math.Sqrt(sum * sum + Alpha);
        var label = score >= 0.05 ? Positive : score <= -0.05 ? Negative : Neutral;
        return new SentimentResult(score, label, language, hits);
    }

    /// <summary><paramref name="text"/> with every unpaired UTF-16 surrogate replaced by U+FFFD; the same string when there is none.</summary>
    internal static string WellFormed(string text)
    {
        var span = text.AsSpan();
        var at = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (at < 0)
        {
            return text;
        }
        char[]? copy = null;
        for (var i = at; i < span.Length; i++)
        {
            var c = span[i];
            if (char.IsHighSurrogate(c) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                copy ??= span.ToArray();
                copy[i] = '\uFFFD';
            }
        }
        return copy is null ? text : new string(copy);
    }

    /// <summary>Chinese for a zh locale, English for an en locale; otherwise Chinese when Han characters are at least a third of the letters.</summary>
    public static SentimentLanguage LanguageOf(string text, string? locale = null)
    {
        if (locale is { Length: >= 2 })
        {
            if (locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
            {
                return SentimentLanguage.Chinese;
            }
            if (locale.StartsWith("en", StringComparison.OrdinalIgnoreCase))
            {
                return SentimentLanguage.English;
            }
        }
        int han = 0, latin = 0;
        foreach (var c in text)
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
        return han > 0 && han * 3 >= latin ? SentimentLanguage.Chinese : SentimentLanguage.English;
    }

    private static bool IsHan(char c) => c is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF';

    /// <summary>A token: a lexicon term (with its kind), a neutral word, or a clause or sentence boundary.</summary>
    private readonly record struct Token(TermKind? Kind, double Weight, bool Emphasized = false, Boundary Boundary = Boundary.None);

    private enum Boundary
    {
        None,
        Clause,
        Sentence,
    }

    /// <summary>
    /// Sums the valence of the tokens. Within a sentence, a contrast token halves everything before it and weighs what
    /// follows ×1.5; a concession token halves its own clause. Negation and degree apply to the next sentiment term
    /// within their window, and stop at a clause boundary or a contrast.
    /// </summary>
    private static (double Sum, int Hits) Combine(List<Token> tokens)
    {
        double total = 0;
        var hits = 0;
        var sentenceStart = 0;
        for (var i = 0; i <= tokens.Count; i++)
        {
            if (i < tokens.Count && tokens[i].Boundary != Boundary.Sentence)
            {
                continue;
            }
            var (sum, h) = Sentence(tokens, sentenceStart, i);
            total += sum;
            hits += h;
            sentenceStart = i + 1;
        }
        return (total, hits);
    }

    private static (double Sum, int Hits) Sentence(List<Token> tokens, int start, int end)
    {
        var values = new List<(int Index, double Value)>();
        int? lastContrast = null;
        var negatorAt = -100;
        var negations = 0;
        var degree = 1.0;
        var degreeAt = -100;
        var concession = false;
        var position = 0;
        for (var i = start; i < end; i++)
        {
            var token = tokens[i];
            if (token.Boundary == Boundary.Clause)
            {
                negations = 0;
                degree = 1;
                concession = false;
                continue;
            }
            position++;
            switch (token.Kind)
            {
                case TermKind.Negator:
                    negations = position - negatorAt <= NegationWindow ? negations + 1 : 1;
                    negatorAt = position;
                    break;
                case TermKind.Booster:
                case TermKind.Dampener:
                    degree = position - degreeAt <= DegreeWindow ? degree * token.Weight : token.Weight;
                    degreeAt = position;
                    break;
                case TermKind.Contrast:
                    lastContrast = i;
                    negations = 0;
                    degree = 1;
                    concession = false;
                    break;
                case TermKind.Concession:
                    concession = true;
                    break;
                case TermKind.Word when token.Weight != 0:
                    var v = token.Weight;
                    if (position - degreeAt <= DegreeWindow)
                    {
                        v *= degree;
                    }
                    if (token.Emphasized)
                    {
                        v *= 1.25;
                    }
                    if (negations % 2 == 1 && position - negatorAt <= NegationWindow)
                    {
                        v *= v > 0 ? NegatedPositive : NegatedNegative;
                    }
                    if (concession)
                    {
                        v *= 0.5;
                    }
                    values.Add((i, v));
                    negations = 0;
                    degree = 1;
                    degreeAt = -100;
                    break;
            }
        }
        var sum = 0.0;
        foreach (var (index, value) in values)
        {
            sum += lastContrast is { } c ? value * (index < c ? 0.5 : 1.5) : value;
        }
        return (sum, values.Count);
    }

    private static List<Token> TokenizeEnglish(string text)
    {
        var lexicon = SentimentLexicon.English;
        var lower = text.ToLowerInvariant();
        // The emphasis of an ALL-CAPS word counts only when the text is not all capitals anyway.
        var mixedCase = text.Any(char.IsLower);
        var words = new List<(string Word, bool Caps, Boundary Boundary)>();
        var i = 0;
        while (i < lower.Length)
        {
            var c = lower[i];
            if (TryEmoji(lower, i, out var emojiLength, out _))
            {
                words.Add((lower.Substring(i, emojiLength), false, Boundary.None));
                i += emojiLength;
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                var start = i;
                // A word is a run of letters (with inner apostrophes and hyphens) or a run of digits: "good7" is two.
                var letters = char.IsLetter(c);
                while (i < lower.Length && ((letters ? char.IsLetter(lower[i]) : char.IsDigit(lower[i])) || (letters && (lower[i] is '\'' or '’' or '-') && i + 1 < lower.Length && char.IsLetter(lower[i + 1]))))
                {
                    i++;
                }
                var word = lower[start..i].Replace('’', '\'');
                var original = text.AsSpan(start, i - start);
                var caps = mixedCase && original.Length > 1 && !original.ContainsAnyExceptInRange('A', 'Z');
                words.Add((word, caps, Boundary.None));
                continue;
            }
            var boundary = c switch
            {
                '.' or '!' or '?' or '\n' or '…' => Boundary.Sentence,
                ',' or ';' or ':' or '(' or ')' or '"' or '—' or '–' => Boundary.Clause,
                _ => Boundary.None,
            };
            if (boundary != Boundary.None && (words.Count == 0 || words[^1].Boundary == Boundary.None || boundary > words[^1].Boundary))
            {
                if (words.Count > 0 && words[^1].Boundary != Boundary.None)
                {
                    words[^1] = ("", false, boundary);
                }
                else
                {
                    words.Add(("", false, boundary));
                }
            }
            i++;
        }
        var tokens = new List<Token>(words.Count);
        var terms = lexicon.Terms.GetAlternateLookup<ReadOnlySpan<char>>();
        var phrase = new char[64];
        for (var w = 0; w < words.Count;)
        {
            if (words[w].Boundary != Boundary.None)
            {
                tokens.Add(new Token(null, 0, Boundary: words[w].Boundary));
                w++;
                continue;
            }
            if (SentimentLexicon.Emoji.TryGetValue(words[w].Word, out var emoji))
            {
                tokens.Add(new Token(emoji.Kind, emoji.Weight));
                w++;
                continue;
            }
            // Longest phrase first: "waste of money" before "waste", "does not work" before "not".
            var matched = false;
            for (var n = Math.Min(lexicon.MaxTermWords, words.Count - w); n >= 1 && !matched; n--)
            {
                if (!TryJoin(words, w, n, ref phrase))
                {
                    continue;
                }
                if (terms.TryGetValue(phrase.AsSpan(0, PhraseLength(words, w, n)), out var term))
                {
                    tokens.Add(new Token(term.Kind, term.Weight, n == 1 && words[w].Caps));
                    w += n;
                    matched = true;
                }
            }
            if (!matched)
            {
                var word = words[w].Word;
                // "n't" endings not listed ("needn't") still negate.
                tokens.Add(word.EndsWith("n't", StringComparison.Ordinal) ? new Token(TermKind.Negator, 0) : new Token(null, 0));
                w++;
            }
        }
        return tokens;
    }

    /// <summary>
    /// Writes words <paramref name="w"/>…<paramref name="w"/>+<paramref name="n"/>−1 joined by single spaces into
    /// <paramref name="buffer"/> (grown when needed); false when one of them is a boundary, which no phrase spans.
    /// </summary>
    private static bool TryJoin(List<(string Word, bool Caps, Boundary Boundary)> words, int w, int n, ref char[] buffer)
    {
        for (var k = w; k < w + n; k++)
        {
            if (words[k].Boundary != Boundary.None)
            {
                return false;
            }
        }
        var length = PhraseLength(words, w, n);
        if (buffer.Length < length)
        {
            buffer = new char[Math.Max(length, buffer.Length * 2)];
        }
        var at = 0;
        for (var k = w; k < w + n; k++)
        {
            if (k > w)
            {
                buffer[at++] = ' ';
            }
            words[k].Word.CopyTo(buffer.AsSpan(at));
            at += words[k].Word.Length;
        }
        return true;
    }

    private static int PhraseLength(List<(string Word, bool Caps, Boundary Boundary)> words, int w, int n)
    {
        var length = n - 1;
        for (var k = w; k < w + n; k++)
        {
            length += words[k].Word.Length;
        }
        return length;
    }

    private static List<Token> TokenizeChinese(string text)
    {
        var lexicon = SentimentLexicon.Chinese;
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (TryEmoji(text, i, out var emojiLength, out var emoji))
            {
                tokens.Add(new Token(emoji.Kind, emoji.Weight));
                i += emojiLength;
                continue;
            }
            if (IsHan(c))
            {
                // Longest match: extend while some term starts with the text so far, remember the longest full term.
                var best = 0;
                LexiconTerm bestTerm = default;
                var prefixes = lexicon.Prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
                var terms = lexicon.Terms.GetAlternateLookup<ReadOnlySpan<char>>();
                for (var n = 1; n <= lexicon.MaxTermLength && i + n <= text.Length; n++)
                {
                    var piece = text.AsSpan(i, n);
                    if (!prefixes.Contains(piece))
                    {
                        break;
                    }
                    if (terms.TryGetValue(piece, out var term))
                    {
                        best = n;
                        bestTerm = term;
                    }
                }
                tokens.Add(best > 0 ? new Token(bestTerm.Kind, bestTerm.Weight) : new Token(null, 0));
                i += Math.Max(best, 1);
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c))
            {
                // Latin words inside Chinese reviews ("ok", "nice", "bug") are looked up in both lexicons.
                var start = i;
                while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
                {
                    i++;
                }
                var word = text[start..i].ToLowerInvariant();
                tokens.Add(lexicon.Terms.TryGetValue(word, out var zh) ? new Token(zh.Kind, zh.Weight)
                    : SentimentLexicon.English.Terms.TryGetValue(word, out var en) && en.Kind == TermKind.Word ? new Token(en.Kind, en.Weight)
                    : new Token(null, 0));
                continue;
            }
            var boundary = c switch
            {
                '。' or '！' or '？' or '!' or '?' or '\n' or '…' or '.' => Boundary.Sentence,
                '，' or ',' or '；' or ';' or '、' or '：' or ':' or '（' or '）' or '~' or '～' or ' ' => Boundary.Clause,
                _ => Boundary.None,
            };
            if (boundary != Boundary.None)
            {
                if (tokens.Count > 0 && tokens[^1].Boundary != Boundary.None)
                {
                    if (boundary > tokens[^1].Boundary)
                    {
                        tokens[^1] = new Token(null, 0, Boundary: boundary);
                    }
                }
                else
                {
                    tokens.Add(new Token(null, 0, Boundary: boundary));
                }
            }
            i++;
        }
        return tokens;
    }

    /// <summary>An emoticon or emoji starting at <paramref name="i"/> (longest first, up to 4 chars).</summary>
    private static bool TryEmoji(string text, int i, out int length, out LexiconTerm term)
    {
        var emoji = SentimentLexicon.Emoji;
        // Most characters start no emoticon or emoji: skip the lookups for them (same answer, far fewer hashes).
        if (!SentimentLexicon.EmojiStarts.Contains(text[i]))
        {
            length = 0;
            term = default;
            return false;
        }
        for (var n = Math.Min(4, text.Length - i); n >= 1; n--)
        {
            // A one-letter emoticon prefix such as "d:" must not eat the end of a word ("good:").
            if (n >= 2 && char.IsLetter(text[i]) && i > 0 && char.IsLetter(text[i - 1]))
            {
                continue;
            }
            var piece = text.AsSpan(i, n);
            if (piece.Length > 0 && char.IsLetter(piece[0]) && piece.Length < 2)
            {
                continue;
            }
            if (emoji.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(piece, out term))
            {
                // Emoticons that start or end with a letter ("xd", "d:") stand alone, not inside a word.
                if (char.IsLetter(piece[^1]) && i + n < text.Length && char.IsLetter(text[i + n]))
                {
                    continue;
                }
                length = n;
                return true;
            }
        }
        length = 0;
        term = default;
        return false;
    }
}
