using System.Text.RegularExpressions;

namespace Mailsmith.Profile.Sentiment;

/// <summary>A review to score: who wrote it, about what, the text and (optionally) the writer's locale.</summary>
public readonly record struct ReviewText(string CustomerId, string ProductId, string? Text, string? Locale = null);

/// <summary>The mean sentiment of a customer's or a product's reviews.</summary>
/// <param name="Mean">Mean score in [−1, 1] over the reviews that have text.</param>
/// <param name="Reviews">Reviews with text that were scored.</param>
/// <param name="PositiveShare">Share of those labelled positive.</param>
public readonly record struct SentimentSummary(double Mean, int Reviews, double PositiveShare);

/// <summary>A sentence fit to quote as social proof: short, clearly positive, about the product.</summary>
public readonly record struct SocialProofLine(string Sentence, double Score, string CustomerId);

/// <summary>Review sentiment for the profile (per customer, per product) and social-proof sentences for Compose.</summary>
public static partial class ReviewSentiment
{
    /// <summary>Mean sentiment per customer and per product. Reviews without text are left out of both.</summary>
    public static (Dictionary<string, SentimentSummary> ByCustomer, Dictionary<string, SentimentSummary> ByProduct) Summarize(
        IEnumerable<ReviewText> reviews, SentimentScorer? scorer = null)
    {
        scorer ??= SentimentScorer.Default;
        var customers = new Dictionary<string, (double Sum, int N, int Positive)>(StringComparer.Ordinal);
        var products = new Dictionary<string, (double Sum, int N, int Positive)>(StringComparer.Ordinal);
        foreach (var review in reviews)
        {
            if (string.IsNullOrWhiteSpace(review.Text))
            {
                continue;
            }
            var result = scorer.Score(review.Text, review.Locale);
            Add(customers, review.CustomerId, result);
            Add(products, review.ProductId, result);
        }
        return (Finish(customers), Finish(products));

        static void Add(Dictionary<string, (double Sum, int N, int Positive)> into, string key, SentimentResult r)
        {
            var (sum, n, positive) = into.GetValueOrDefault(key);
            into[key] = (sum + r.Score, n + 1, positive + (r.IsPositive ? 1 : 0));
        }

        static Dictionary<string, SentimentSummary> Finish(Dictionary<string, (double Sum, int N, int Positive)> from) =>
            from.ToDictionary(kv => kv.Key, kv => new SentimentSummary(kv.Value.Sum / kv.Value.N, kv.Value.N, (double)kv.Value.Positive / kv.Value.N), StringComparer.Ordinal);
    }

    /// <summary>
    /// Up to <paramref name="count"/> short positive sentences from a product's reviews, best first: each sentence
    /// scores at least <paramref name="minScore"/> on its own, has no contrast or negation (a quoted "good, but …" or
    /// "not bad" reads wrong out of context), has 3–<paramref name="maxChars"/> characters (half that for Chinese,
    /// whose characters carry more), and comes from a review that is positive as a whole. One sentence per customer;
    /// duplicates (ignoring case and punctuation) appear once.
    /// </summary>
    public static List<SocialProofLine> PickSocialProof(IEnumerable<ReviewText> productReviews, int count = 3, int maxChars = 90, double minScore = 0.5,
        SentimentScorer? scorer = null)
    {
        scorer ??= SentimentScorer.Default;
        var candidates = new List<SocialProofLine>();
        foreach (var review in productReviews)
        {
            if (string.IsNullOrWhiteSpace(review.Text) || !scorer.Score(review.Text, review.Locale).IsPositive)
            {
                continue;
            }
            foreach (var sentence in SplitSentences(review.Text))
            {
                var chinese = SentimentScorer.LanguageOf(sentence, review.Locale) == SentimentLanguage.Chinese;
                var limit = chinese ? maxChars / 2 : maxChars;
                if (sentence.Length < 3 || sentence.Length > limit || HedgeWords().IsMatch(sentence))
                {
                    continue;
                }
                var score = scorer.Score(sentence, review.Locale).Score;
                if (score >= minScore)
                {
                    candidates.Add(new SocialProofLine(sentence, score, review.CustomerId));
                }
            }
        }
        var seenText = new HashSet<string>(StringComparer.Ordinal);
        var seenCustomer = new HashSet<string>(StringComparer.Ordinal);
        var picked = new List<SocialProofLine>();
        foreach (var line in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Sentence.Length).ThenBy(c => c.Sentence, StringComparer.Ordinal))
        {
            var key = new string([.. line.Sentence.ToLowerInvariant().Where(char.IsLetterOrDigit)]);
            if (seenText.Add(key) && seenCustomer.Add(line.CustomerId))
            {
                picked.Add(line);
                if (picked.Count == count)
                {
                    break;
                }
            }
        }
        return picked;
    }

    /// <summary>Sentences of a review, ending punctuation kept, surrounding whitespace trimmed.</summary>
    public static IEnumerable<string> SplitSentences(string text) =>
        SentenceEnd().Split(text).Select(s => s.Trim()).Where(s => s.Length > 0);

    [GeneratedRegex(@"(?<=[.!?。！？…])\s*|\n+")]
    private static partial Regex SentenceEnd();

    // Contrast, concession and negation words: a sentence holding one does not stand alone as praise.
    [GeneratedRegex(@"\b(but|however|though|although|except|not|no|never|n't|nothing|without|hardly)\b|n't|但|可是|不过|然而|虽然|尽管|只是|不(?!错)|没|别|无|未|就是", RegexOptions.IgnoreCase)]
    private static partial Regex HedgeWords();
}
