namespace Mailsmith.Profile;

/// <summary>Lifecycle stages (ids used in storage, JSON and audience rules). Rules: docs/profiles.md.</summary>
public static class Lifecycle
{
    public const string New = "new";
    public const string Active = "active";
    public const string AtRisk = "at_risk";
    public const string Lapsed = "lapsed";
    public const string Vip = "vip";

    public static IReadOnlyList<string> All { get; } = [New, Active, AtRisk, Lapsed, Vip];
}

/// <summary>Price bands, relative to the prices of each category in the catalog.</summary>
public static class PriceBand
{
    public const string Budget = "budget";
    public const string Mid = "mid";
    public const string Premium = "premium";
    public const string Unknown = "unknown";
}

/// <summary>What the Profile stage knows of one customer as of a moment.</summary>
/// <param name="RecencyDays">Days since the last order; null when the customer never ordered.</param>
/// <param name="Frequency">Number of orders.</param>
/// <param name="Monetary">Total spend over all orders (order totals in their own currency, summed).</param>
/// <param name="R">Recency score 1–5 (5 = most recent), by quintiles over customers who ordered; 0 for none.</param>
/// <param name="F">Frequency score 1–5, by quintiles; 0 for none.</param>
/// <param name="M">Monetary score 1–5, by quintiles; 0 for none.</param>
/// <param name="TopCategories">Full category paths (as in <c>Product.Category</c>) by time-decayed weighted interest (purchases &gt; carts &gt; views), strongest first, at most 3.</param>
/// <param name="ActiveHour">The hour 0–23 of the customer's local time at which they are most active; null without events.</param>
/// <param name="DiscountShare">Share of orders that used a discount, 0–1.</param>
/// <param name="PriceSensitivity">0–1: how strongly price and discounts move this customer (from price band and discount share).</param>
public sealed record CustomerProfile(
    string CustomerId,
    double? RecencyDays,
    int Frequency,
    decimal Monetary,
    int R,
    int F,
    int M,
    string Lifecycle,
    IReadOnlyList<string> TopCategories,
    string PriceBand,
    int? ActiveHour,
    double DiscountShare,
    decimal? AverageOrderValue,
    double PriceSensitivity)
{
    // Storage (docs/benchmarks.md, "Profile memory"): a million profiles are held at once, so optional numbers are kept
    // without Nullable's flag and padding: a double as a NaN with a payload no computation produces, an int as
    // int.MinValue (every int here is a count, an hour or a cluster number, never negative), a decimal beside one bit
    // of _hasMoney. What the properties return is exactly what was set.
    private readonly double _recencyDays = PackDouble(RecencyDays);
    private readonly int _activeHour = PackInt(ActiveHour);
    private readonly decimal _averageOrderValue = AverageOrderValue ?? 0;
    private byte _hasMoney = (byte)(AverageOrderValue is null ? 0 : 1);

    /// <summary>Days since the last order; null when the customer never ordered.</summary>
    public double? RecencyDays { get => UnpackDouble(_recencyDays); init => _recencyDays = PackDouble(value); }

    /// <summary>The hour 0–23 of the customer's local time at which they are most active; null without events.</summary>
    public int? ActiveHour { get => UnpackInt(_activeHour); init => _activeHour = PackInt(value); }

    /// <summary>Mean order value; null when the customer never ordered.</summary>
    public decimal? AverageOrderValue { get => Money(_averageOrderValue, 1); init => _averageOrderValue = SetMoney(value, 1); }

    private const long NullDoubleBits = 0x7FF8_0000_6E75_6C6CL;

    private static double PackDouble(double? value) => value ?? BitConverter.Int64BitsToDouble(NullDoubleBits);

    private static double? UnpackDouble(double stored) => BitConverter.DoubleToInt64Bits(stored) == NullDoubleBits ? null : stored;

    private static int PackInt(int? value) => value ?? int.MinValue;

    private static int? UnpackInt(int stored) => stored == int.MinValue ? null : stored;

    private decimal? Money(decimal stored, int bit) => (_hasMoney & bit) != 0 ? stored : null;

    private decimal SetMoney(decimal? value, int bit)
    {
        _hasMoney = (byte)(value is null ? _hasMoney & ~bit : _hasMoney | bit);
        return value ?? 0;
    }

    /// <summary>The RFM cell as three digits, e.g. <c>545</c>; <c>000</c> for a customer who never ordered.</summary>
    public string Rfm => $"{R}{F}{M}";

    // The fields below are filled by the richer profile stage (issue 3); null or empty until it has run.
    // Segments (docs/segments.md), Compose and Deliver read them; each is documented where it is computed.

    /// <summary>Named RFM group id (<c>champions</c>, <c>loyal</c>, … <c>lost</c>); null before it is computed.</summary>
    public string? RfmSegment { get => _rfmSegment; init => _rfmSegment = value; }

    private string? _rfmSegment;

    /// <summary>Behavioural cluster number (k-means); null before clustering ran.</summary>
    public int? Cluster { get => UnpackInt(_cluster); init => _cluster = PackInt(value); }

    private int _cluster = PackInt(null);

    /// <summary>BG/NBD probability that the customer is still active, 0–1.</summary>
    public double? PAlive { get => UnpackDouble(_pAlive); init => _pAlive = PackDouble(value); }

    private double _pAlive = PackDouble(null);

    /// <summary>Expected number of purchases in the next 30 days (BG/NBD).</summary>
    public double? ExpectedPurchases30 { get => UnpackDouble(_expectedPurchases30); init => _expectedPurchases30 = PackDouble(value); }

    private double _expectedPurchases30 = PackDouble(null);

    /// <summary>Expected number of purchases in the next 90 days (BG/NBD).</summary>
    public double? ExpectedPurchases90 { get => UnpackDouble(_expectedPurchases90); init => _expectedPurchases90 = PackDouble(value); }

    private double _expectedPurchases90 = PackDouble(null);

    /// <summary>Expected number of purchases in the next 365 days (BG/NBD).</summary>
    public double? ExpectedPurchases365 { get => UnpackDouble(_expectedPurchases365); init => _expectedPurchases365 = PackDouble(value); }

    private double _expectedPurchases365 = PackDouble(null);

    /// <summary>Expected average order value (Gamma-Gamma), in the store currency.</summary>
    public decimal? ExpectedOrderValue { get => Money(_expectedOrderValue, 2); init => _expectedOrderValue = SetMoney(value, 2); }

    private decimal _expectedOrderValue;

    /// <summary>Discounted expected customer value over the next 365 days, in the store currency.</summary>
    public decimal? Clv365 { get => Money(_clv365, 4); init => _clv365 = SetMoney(value, 4); }

    private decimal _clv365;

    /// <summary>Expected date of the next order; null when the customer is unlikely to order again.</summary>
    public DateOnly? NextOrderDate { get => _nextOrderDate; init => _nextOrderDate = value; }

    private DateOnly? _nextOrderDate;

    /// <summary>Time-decayed affinity 0–1 per category at every level of the path (<c>Shoes</c> and <c>Shoes/Running</c>).</summary>
    public IReadOnlyDictionary<string, double> CategoryAffinity { get => _categoryAffinity; init => _categoryAffinity = value; }

    private IReadOnlyDictionary<string, double> _categoryAffinity = EmptyAffinity;

    /// <summary>Time-decayed affinity 0–1 per brand.</summary>
    public IReadOnlyDictionary<string, double> BrandAffinity { get => _brandAffinity; init => _brandAffinity = value; }

    private IReadOnlyDictionary<string, double> _brandAffinity = EmptyAffinity;

    /// <summary>0–1: how much more than the store's base rate this customer buys on discount (0.5 = base rate).</summary>
    public double? DiscountSensitivity { get => UnpackDouble(_discountSensitivity); init => _discountSensitivity = PackDouble(value); }

    private double _discountSensitivity = PackDouble(null);

    /// <summary>Mean sentiment of the customer's reviews, −1 to 1; null without reviews.</summary>
    public double? ReviewSentiment { get => UnpackDouble(_reviewSentiment); init => _reviewSentiment = PackDouble(value); }

    private double _reviewSentiment = PackDouble(null);

    /// <summary>Preferred language/locale (e.g. <c>zh-CN</c>), from the customer record and behaviour.</summary>
    public string? PreferredLanguage { get => _preferredLanguage; init => _preferredLanguage = value; }

    private string? _preferredLanguage;

    /// <summary>Best hour of the week 0–167 (Monday 00:00 = 0) in the customer's own time zone.</summary>
    public int? BestHourOfWeek { get => UnpackInt(_bestHourOfWeek); init => _bestHourOfWeek = PackInt(value); }

    private int _bestHourOfWeek = PackInt(null);

    /// <summary>Confidence 0–1 in <see cref="BestHourOfWeek"/> (posterior mass of that hour relative to the prior's).</summary>
    public double? BestHourConfidence { get => UnpackDouble(_bestHourConfidence); init => _bestHourConfidence = PackDouble(value); }

    private double _bestHourConfidence = PackDouble(null);

    /// <summary>The customer's weighted activity per hour of the week (sparse); null without any activity. The posterior over hours is <see cref="SendTime.Posterior"/> with the run's population prior.</summary>
    public SendTimeHistogram? SendTimeCounts { get => _sendTimeCounts; init => _sendTimeCounts = value; }

    private SendTimeHistogram? _sendTimeCounts;

    /// <summary>The behavioural cluster's description in words (e.g. "frequent buyers, big spenders, likes Beauty"); null before clustering ran.</summary>
    public string? ClusterLabel { get => _clusterLabel; init => _clusterLabel = value; }

    private string? _clusterLabel;

    /// <summary>Discount share shrunk toward the store's base rate: (discounted orders + k·base) / (orders + k); null when the store has no discounted order.</summary>
    public double? ShrunkDiscountShare { get => UnpackDouble(_shrunkDiscountShare); init => _shrunkDiscountShare = PackDouble(value); }

    private double _shrunkDiscountShare = PackDouble(null);

    /// <summary>Number of reviews with text behind <see cref="ReviewSentiment"/>.</summary>
    public int ReviewCount { get => _reviewCount; init => _reviewCount = value; }

    private int _reviewCount;

    /// <summary>
    /// Writes the fields the richer stage computes into this record, as <c>with { … }</c> would into a copy. Only for a
    /// record the stage built itself and has not handed out yet (<see cref="ProfileEnricher"/>): a million enriched
    /// copies would otherwise live beside a million base records until the next full collection
    /// (docs/benchmarks.md, "Profile memory").
    /// </summary>
    internal void FillEnriched(in EnrichedFields e)
    {
        _rfmSegment = e.RfmSegment;
        _cluster = PackInt(e.Cluster);
        _clusterLabel = e.ClusterLabel;
        _shrunkDiscountShare = PackDouble(e.ShrunkDiscountShare);
        _discountSensitivity = PackDouble(e.DiscountSensitivity);
        _bestHourOfWeek = PackInt(e.BestHourOfWeek);
        _bestHourConfidence = PackDouble(e.BestHourConfidence);
    }

    /// <summary>Writes the fields the enricher's per-customer pass measures, as <see cref="FillEnriched"/> does the others.</summary>
    internal void FillPreferences(IReadOnlyDictionary<string, double> categoryAffinity, IReadOnlyDictionary<string, double> brandAffinity,
        double? reviewSentiment, int reviewCount, string? preferredLanguage, SendTimeHistogram? sendTimeCounts)
    {
        _categoryAffinity = categoryAffinity;
        _brandAffinity = brandAffinity;
        _reviewSentiment = PackDouble(reviewSentiment);
        _reviewCount = reviewCount;
        _preferredLanguage = preferredLanguage;
        _sendTimeCounts = sendTimeCounts;
    }

    /// <summary>
    /// Writes the CLV fields from <paramref name="prediction"/> (all empty for null), as <see cref="FillEnriched"/> does
    /// the others: the enricher fills them right after the fit so the predictions need not be kept.
    /// </summary>
    internal void FillClv(in Clv.ClvPrediction? prediction)
    {
        _pAlive = PackDouble(prediction?.ProbabilityAlive);
        _expectedPurchases30 = PackDouble(prediction?.ExpectedPurchases30);
        _expectedPurchases90 = PackDouble(prediction?.ExpectedPurchases90);
        _expectedPurchases365 = PackDouble(prediction?.ExpectedPurchases365);
        _expectedOrderValue = SetMoney(ProfileEnricher.Money(prediction?.ExpectedOrderValue), 2);
        _clv365 = SetMoney(ProfileEnricher.Money(prediction?.Clv), 4);
        _nextOrderDate = prediction?.ExpectedNextOrder;
    }

    /// <summary>The affinity 0–1 of any level of a category path (<c>Beauty</c> or <c>Beauty &gt; Skincare</c>); 0 when none.</summary>
    public double Affinity(string category) => CategoryAffinity.TryGetValue(category, out var v) ? v : 0;

    /// <summary>The affinity 0–1 of a brand; 0 when none.</summary>
    public double BrandAffinityOf(string brand) => BrandAffinity.TryGetValue(brand, out var v) ? v : 0;

    private static readonly IReadOnlyDictionary<string, double> EmptyAffinity = AffinityDictionary.Empty;
}

/// <summary>The fields <see cref="CustomerProfile.FillEnriched"/> writes, one per enriched property of the same name.</summary>
internal readonly record struct EnrichedFields(
    string? RfmSegment,
    int? Cluster,
    string? ClusterLabel,
    double? ShrunkDiscountShare,
    double? DiscountSensitivity,
    int? BestHourOfWeek,
    double? BestHourConfidence);
