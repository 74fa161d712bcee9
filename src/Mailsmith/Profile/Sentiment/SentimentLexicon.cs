using System.Globalization;
using System.Reflection;

namespace Mailsmith.Profile.Sentiment;

/// <summary>What a lexicon term does (docs/sentiment.md).</summary>
internal enum TermKind
{
    Word,
    Negator,
    Booster,
    Dampener,
    Contrast,
    Concession,
}

internal readonly record struct LexiconTerm(TermKind Kind, double Weight);

/// <summary>
/// One language's terms (plus the shared emoticons and emoji), loaded once from the embedded TSV files in
/// <c>Profile/Sentiment/Lexicons/</c>. Immutable and thread-safe.
/// </summary>
internal sealed class SentimentLexicon
{
    private static readonly Lazy<SentimentLexicon> EnglishLexicon = new(() => Load("en.tsv"));
    private static readonly Lazy<SentimentLexicon> ChineseLexicon = new(() => Load("zh.tsv"));
    private static readonly Lazy<Dictionary<string, LexiconTerm>> EmojiTerms = new(() => Parse("emoji.tsv"));

    private SentimentLexicon(Dictionary<string, LexiconTerm> terms)
    {
        Terms = terms;
        MaxTermLength = terms.Keys.Max(k => k.Length);
        MaxTermWords = terms.Keys.Max(k => k.Count(c => c == ' ') + 1);
        // Every prefix of a term, so longest-match segmentation can stop as soon as no term continues.
        Prefixes = new HashSet<string>(terms.Keys.SelectMany(k => Enumerable.Range(1, k.Length).Select(n => k[..n])), StringComparer.Ordinal);
    }

    public static SentimentLexicon English => EnglishLexicon.Value;

    public static SentimentLexicon Chinese => ChineseLexicon.Value;

    /// <summary>Emoticons and emoji, shared by every language, matched before words.</summary>
    public static Dictionary<string, LexiconTerm> Emoji => EmojiTerms.Value;

    /// <summary>The first characters of <see cref="Emoji"/>'s keys: an emoticon or emoji can start only at one of them.</summary>
    public static System.Buffers.SearchValues<char> EmojiStarts => EmojiStartChars.Value;

    private static readonly Lazy<System.Buffers.SearchValues<char>> EmojiStartChars =
        new(() => System.Buffers.SearchValues.Create([.. Emoji.Keys.Where(k => k.Length > 0).Select(k => k[0]).Distinct()]));

    public Dictionary<string, LexiconTerm> Terms { get; }

    public HashSet<string> Prefixes { get; }

    /// <summary>The longest term, in chars.</summary>
    public int MaxTermLength { get; }

    /// <summary>The most words in one term (for multi-word English phrases).</summary>
    public int MaxTermWords { get; }

    private static SentimentLexicon Load(string file) => new(Parse(file));

    private static Dictionary<string, LexiconTerm> Parse(string file)
    {
        var name = $"Mailsmith.Profile.Sentiment.Lexicons.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded lexicon {name} is missing from the build");
        using var reader = new StreamReader(stream);
        var terms = new Dictionary<string, LexiconTerm>(StringComparer.Ordinal);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var parts = line.Split('\t');
            if (parts.Length != 3 || !Enum.TryParse<TermKind>(parts[1], ignoreCase: true, out var kind)
                || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
            {
                throw new InvalidOperationException($"{file}:{lineNumber}: expected term<TAB>word|negator|booster|dampener|contrast|concession<TAB>number");
            }
            if (!terms.TryAdd(parts[0], new LexiconTerm(kind, weight)))
            {
                throw new InvalidOperationException($"{file}:{lineNumber}: '{parts[0]}' is listed twice");
            }
        }
        return terms;
    }
}
