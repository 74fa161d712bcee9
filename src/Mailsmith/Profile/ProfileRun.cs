using Mailsmith.Learn;
using Mailsmith.Profile.Clv;

namespace Mailsmith.Profile;

/// <summary>
/// Opens and clicks per customer (machine opens excluded), the part of <c>engagement_events</c> the send-time
/// profile reads. Times are UTC ticks.
/// </summary>
public sealed class ProfileEngagement
{
    /// <summary>No engagement at all.</summary>
    public static ProfileEngagement Empty { get; } = new(new Dictionary<string, EngagementTouches>(StringComparer.Ordinal));

    public ProfileEngagement(IReadOnlyDictionary<string, EngagementTouches> byCustomer) => ByCustomer = byCustomer;

    public IReadOnlyDictionary<string, EngagementTouches> ByCustomer { get; }

    /// <summary>
    /// Outcomes by local delivery hour per customer (<c>customer_send_hours</c>, <see cref="SendTimeOutcomes"/>): the
    /// send time learned from what deliveries achieved, which the profile prefers over the engagement histogram where
    /// it is more certain. Empty when none is known.
    /// </summary>
    public IReadOnlyDictionary<string, SendHourCounts> DeliveryOutcomes { get; init; } = new Dictionary<string, SendHourCounts>(StringComparer.Ordinal);

    /// <summary>A customer's touches (empty when none).</summary>
    public EngagementTouches Of(string customerId) => ByCustomer.TryGetValue(customerId, out var t) ? t : EngagementTouches.None;
}

/// <summary>One customer's opens and clicks as UTC ticks.</summary>
public sealed record EngagementTouches(long[] Opens, long[] Clicks)
{
    public static EngagementTouches None { get; } = new([], []);
}

/// <summary>Sentiment of one product's reviews.</summary>
/// <param name="Reviews">Reviews of the product (at or before as-of).</param>
/// <param name="Scored">Reviews with text, scored by <c>SentimentScorer</c>.</param>
/// <param name="MeanSentiment">Mean score −1…1 of the scored reviews; null when none has text.</param>
/// <param name="MeanRating">Mean star rating 1–5.</param>
public sealed record ProductSentiment(int Reviews, int Scored, double? MeanSentiment, double MeanRating);

/// <summary>What the CLV fit on the store's orders gave (docs/profiles.md, "Lifetime value").</summary>
public sealed record ClvRunSummary(
    string Status,
    string Message,
    int Customers,
    int RepeatCustomers,
    BgNbdParameters? BgNbd,
    double? LogLikelihood,
    GammaGammaParameters? GammaGamma,
    double Seconds);

/// <summary>The store-wide results of a profile run, stored beside the profiles (table <c>profile_runs</c>).</summary>
/// <param name="DiscountBaseRate">Share of all orders that used a discount.</param>
/// <param name="PopulationHourOfWeek">The prior π of the send-time model: 168 shares summing to 1.</param>
/// <param name="Warnings">What could not be computed, and why (for example a CLV fit on too few repeat buyers).</param>
/// <param name="Timings">Seconds per step.</param>
public sealed record ProfileRunSummary(
    DateTimeOffset AsOf,
    int Customers,
    ClvRunSummary Clv,
    int? ClusterK,
    IReadOnlyDictionary<int, double> Silhouettes,
    IReadOnlyList<ClusterDescription> Clusters,
    double DiscountBaseRate,
    double[] PopulationHourOfWeek,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, double> Timings)
{
    /// <summary>Customers whose best send hour came from delivery outcomes rather than the engagement histogram.</summary>
    public int BestHoursFromOutcomes { get; init; }
}

/// <summary>A full profile run: every customer's profile, per-product review sentiment, and the store-wide summary.</summary>
public sealed record ProfileRun(
    IReadOnlyDictionary<string, CustomerProfile> Profiles,
    IReadOnlyDictionary<string, ProductSentiment> ProductSentiment,
    ProfileRunSummary Summary);
