using System.Collections.Frozen;
using Mailsmith.Storage;

namespace Mailsmith.Profile.Segments;

/// <summary>The value types of the segment language.</summary>
public enum SegmentType
{
    Number,
    Text,
    Boolean,
    Date,
    /// <summary>A list of category paths (only <c>contains</c> applies).</summary>
    CategoryList,
}

/// <summary>What a segment is evaluated against: one customer, their current profile and what they bought.</summary>
/// <param name="Purchases">The customer's order lines at or before the as-of moment, for <c>bought(…)</c>; empty when not loaded.</param>
public sealed record SegmentRow(Customer Customer, CustomerProfile Profile, SegmentPurchase[]? Purchases = null);

/// <summary>One purchased order line: the product and the UTC day of its order (<see cref="DateOnly.DayNumber"/>).</summary>
public readonly record struct SegmentPurchase(string ProductId, int Day);

/// <summary>
/// One field a segment expression may name. The registry (<see cref="SegmentFields"/>) is the single source for
/// validation, evaluation, exports and docs/segments.md.
/// </summary>
/// <remarks>
/// Accessors are typed so the compiled predicate never boxes: numbers and dates are <see cref="double"/> (dates as
/// <see cref="DateOnly.DayNumber"/>) with <see cref="double.NaN"/> for a missing value.
/// </remarks>
public sealed class SegmentField
{
    internal SegmentField(string name, SegmentType type, string source, string description, IReadOnlyList<string>? values = null)
    {
        Name = name;
        Type = type;
        Source = source;
        Description = description;
        Values = values;
    }

    /// <summary>The snake_case name used in expressions.</summary>
    public string Name { get; }

    public SegmentType Type { get; }

    /// <summary><c>customer</c> (the imported record) or <c>profile</c> (computed by the Profile stage).</summary>
    public string Source { get; }

    public string Description { get; }

    /// <summary>The closed set of values a text field takes, when it has one (string literals are checked against it).</summary>
    public IReadOnlyList<string>? Values { get; }

    internal Func<SegmentRow, double>? Number { get; init; }
    internal Func<SegmentRow, string?>? Text { get; init; }
    internal Func<SegmentRow, bool?>? Boolean { get; init; }
    internal Func<SegmentRow, IReadOnlyList<string>>? List { get; init; }

    /// <summary>The field's value for <paramref name="row"/> as a plain object (null when missing), for exports and samples.</summary>
    public object? ValueOf(SegmentRow row) => Type switch
    {
        SegmentType.Number => Number!(row) is var d && double.IsNaN(d) ? null : d,
        SegmentType.Date => Number!(row) is var d && double.IsNaN(d) ? null : DateOnly.FromDayNumber((int)d),
        SegmentType.Text => Text!(row),
        SegmentType.Boolean => Boolean!(row),
        SegmentType.CategoryList => List!(row),
        _ => null,
    };
}

/// <summary>A function a segment expression may call.</summary>
/// <param name="Parameters">Parameter names and types, in order.</param>
/// <param name="Optional">How many trailing parameters may be left out.</param>
public sealed record SegmentFunction(string Name, IReadOnlyList<(string Name, SegmentType Type)> Parameters, SegmentType Returns, string Description, int Optional = 0)
{
    /// <summary>How many arguments a call must give.</summary>
    public int Required => Parameters.Count - Optional;

    /// <summary>How the function is written, e.g. <c>affinity(category)</c>; optional parameters in brackets.</summary>
    public string Signature => $"{Name}({string.Join(", ", Parameters.Select((p, i) => i >= Required ? $"[{p.Name}]" : p.Name))})";
}

/// <summary>Every field and function of the segment language.</summary>
public static class SegmentFields
{
    private static double N(double? v) => v ?? double.NaN;
    private static double N(decimal? v) => v is { } d ? (double)d : double.NaN;
    private static double D(DateOnly? v) => v is { } d ? d.DayNumber : double.NaN;
    private static double D(DateTimeOffset? v) => v is { } t ? DateOnly.FromDateTime(t.UtcDateTime).DayNumber : double.NaN;
    private static double I(int? v) => v ?? double.NaN;

    private static SegmentField Num(string name, string source, string description, Func<SegmentRow, double> get) =>
        new(name, SegmentType.Number, source, description) { Number = get };

    private static SegmentField Date(string name, string source, string description, Func<SegmentRow, double> get) =>
        new(name, SegmentType.Date, source, description) { Number = get };

    private static SegmentField Text(string name, string source, string description, Func<SegmentRow, string?> get, IReadOnlyList<string>? values = null) =>
        new(name, SegmentType.Text, source, description, values) { Text = get };

    private static SegmentField Bool(string name, string source, string description, Func<SegmentRow, bool?> get) =>
        new(name, SegmentType.Boolean, source, description) { Boolean = get };

    /// <summary>The region of a locale (<c>en-US</c> → <c>US</c>), or null when the locale names none.</summary>
    internal static string? Country(string locale)
    {
        var dash = locale.LastIndexOfAny(['-', '_']);
        return dash > 0 && dash < locale.Length - 1 && locale.Length - dash - 1 is 2 or 3 ? locale[(dash + 1)..].ToUpperInvariant() : null;
    }

    private const string C = "customer";
    private const string P = "profile";

    /// <summary>Every field, in the order docs/segments.md lists them.</summary>
    public static IReadOnlyList<SegmentField> All { get; } =
    [
        // The customer record, as imported.
        Text("customer_id", C, "The customer's id in the store.", r => r.Customer.CustomerId),
        Text("email", C, "Email address.", r => r.Customer.Email),
        Text("email_domain", C, "The part of the address after `@`, lower case (`example.com`).",
            r => r.Customer.Email.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? r.Customer.Email[(at + 1)..].ToLowerInvariant() : null),
        Text("first_name", C, "First name; null when not given.", r => r.Customer.FirstName),
        Text("last_name", C, "Last name; null when not given.", r => r.Customer.LastName),
        Text("locale", C, "The customer's locale as imported (`en-US`, `zh-CN`).", r => r.Customer.Locale),
        Text("language", C, "The language part of the locale (`en`, `zh`).", r => r.Customer.Locale.Split('-', '_')[0].ToLowerInvariant()),
        Text("country", C, "The region part of the locale, upper case (`US`, `CN`); null when the locale names no region.", r => Country(r.Customer.Locale)),
        Text("time_zone", C, "IANA time zone (`Asia/Shanghai`); null when not given.", r => r.Customer.TimeZone),
        Date("signup_date", C, "Day of signup (UTC); null when not given.", r => D(r.Customer.SignupAt)),
        Date("birthday", C, "Birthday; null when not given.", r => D(r.Customer.Birthday)),
        Bool("consent", C, "Whether the customer agreed to marketing email. Campaigns never mail a customer without it, whatever the segment says.", r => r.Customer.Consent),
        Date("consent_date", C, "Day consent was given (UTC); null when not recorded.", r => D(r.Customer.ConsentAt)),
        Bool("unsubscribed", C, "Whether the customer has unsubscribed (through a tracked link or the preference centre).", r => r.Customer.UnsubscribedAt is not null),
        Date("unsubscribed_date", C, "Day of the unsubscribe (UTC); null when subscribed.", r => D(r.Customer.UnsubscribedAt)),

        // The profile: RFM and lifecycle (docs/profiles.md).
        Num("recency_days", P, "Days since the last order; null when the customer never ordered.", r => N(r.Profile.RecencyDays)),
        Num("frequency", P, "Number of orders.", r => r.Profile.Frequency),
        Num("monetary", P, "Total spend over all orders.", r => (double)r.Profile.Monetary),
        Num("average_order_value", P, "Mean order total; null without orders.", r => N(r.Profile.AverageOrderValue)),
        Num("r_score", P, "Recency score 1–5 (5 = most recent), by quintiles; 0 without orders.", r => r.Profile.R),
        Num("f_score", P, "Frequency score 1–5, by quintiles; 0 without orders.", r => r.Profile.F),
        Num("m_score", P, "Monetary score 1–5, by quintiles; 0 without orders.", r => r.Profile.M),
        Text("rfm", P, "The RFM cell as three digits (`545`); `000` without orders.", r => r.Profile.Rfm),
        Text("lifecycle", P, "Lifecycle stage.", r => r.Profile.Lifecycle, Lifecycle.All),
        Text("rfm_segment", P, "Named RFM group (rules in docs/profiles.md); null until the profile stage computes it.", r => r.Profile.RfmSegment, RfmSegments.All),
        Num("cluster", P, "Behavioural cluster number (k-means); null until clustering ran.", r => I(r.Profile.Cluster)),
        Text("cluster_label", P, "The cluster described in words (`frequent buyers, big spenders, likes Beauty`); null until clustering ran.", r => r.Profile.ClusterLabel),
        Text("top_category", P, "The strongest of the top categories (a full path, `Home > Kitchen`); null without interest.",
            r => r.Profile.TopCategories.Count > 0 ? r.Profile.TopCategories[0] : null),
        new("top_categories", SegmentType.CategoryList, P, "Up to three category paths by time-decayed interest, strongest first. Only `contains` applies, and it matches any level of a path: `top_categories contains 'Home'` holds for `Home > Kitchen`.") { List = r => r.Profile.TopCategories },
        Text("price_band", P, "Price band relative to each category's prices.", r => r.Profile.PriceBand, [PriceBand.Budget, PriceBand.Mid, PriceBand.Premium, PriceBand.Unknown]),
        Num("price_sensitivity", P, "0–1: how strongly price and discounts move this customer.", r => r.Profile.PriceSensitivity),
        Num("discount_share", P, "Share of orders that used a discount, 0–1.", r => r.Profile.DiscountShare),
        Num("shrunk_discount_share", P, "Discount share shrunk toward the store's base rate; null when the store has no discounted order.", r => N(r.Profile.ShrunkDiscountShare)),
        Num("discount_sensitivity", P, "0–1: discount buying relative to the store's base rate (0.5 = base rate); null until computed.", r => N(r.Profile.DiscountSensitivity)),
        Num("active_hour", P, "Hour 0–23 of local time at which the customer is most active; null without events.", r => I(r.Profile.ActiveHour)),

        // The profile: CLV and churn (BG/NBD + Gamma-Gamma, docs/clv.md).
        Num("p_alive", P, "Probability 0–1 that the customer is still active (BG/NBD).", r => N(r.Profile.PAlive)),
        Num("expected_purchases_30", P, "Expected purchases in the next 30 days.", r => N(r.Profile.ExpectedPurchases30)),
        Num("expected_purchases_90", P, "Expected purchases in the next 90 days.", r => N(r.Profile.ExpectedPurchases90)),
        Num("expected_purchases_365", P, "Expected purchases in the next 365 days.", r => N(r.Profile.ExpectedPurchases365)),
        Num("expected_order_value", P, "Expected average order value (Gamma-Gamma), store currency.", r => N(r.Profile.ExpectedOrderValue)),
        Num("clv_365", P, "Discounted expected customer value over the next 365 days, store currency.", r => N(r.Profile.Clv365)),
        Date("next_order_date", P, "Expected date of the next order; null when unlikely to order again.", r => D(r.Profile.NextOrderDate)),

        // The profile: preferences and send time.
        Num("review_sentiment", P, "Mean sentiment of the customer's reviews, −1 to 1; null without reviews.", r => N(r.Profile.ReviewSentiment)),
        Num("review_count", P, "Number of the customer's reviews with text (behind `review_sentiment`).", r => r.Profile.ReviewCount),
        Text("preferred_language", P, "Preferred language/locale from the record and behaviour (`zh-CN`); null until computed.", r => r.Profile.PreferredLanguage),
        Num("best_hour_of_week", P, "Best hour of the week 0–167 (Monday 00:00 = 0) in the customer's time zone.", r => I(r.Profile.BestHourOfWeek)),
        Num("best_hour_confidence", P, "Confidence 0–1 in `best_hour_of_week`.", r => N(r.Profile.BestHourConfidence)),
    ];

    /// <summary>Every function, in the order docs/segments.md lists them.</summary>
    public static IReadOnlyList<SegmentFunction> Functions { get; } =
    [
        new("affinity", [("category", SegmentType.Text)], SegmentType.Number,
            "Time-decayed affinity 0–1 to a category at any level of its path (`'Shoes'`, `'Shoes > Running'`; `/` also separates levels). 0 when the customer has none. The name is checked against the catalog's categories."),
        new("brand_affinity", [("brand", SegmentType.Text)], SegmentType.Number,
            "Time-decayed affinity 0–1 to a brand; 0 when the customer has none. The name is checked against the catalog's brands."),
        new("days_ago", [("days", SegmentType.Number)], SegmentType.Date,
            "The date that many days before the evaluation's as-of moment: `signup_date > days_ago(30)`."),
        new("days_ahead", [("days", SegmentType.Number)], SegmentType.Date,
            "The date that many days after the evaluation's as-of moment: `next_order_date <= days_ahead(7)`."),
        new("today", [], SegmentType.Date, "The date of the evaluation's as-of moment."),
        new("bought", [("product", SegmentType.Text), ("days", SegmentType.Number)], SegmentType.Boolean,
            "Whether the customer bought (an order line at or before the as-of moment) a product: `bought('SKU-1')` by product id, `bought('category:Shoes')` anything at or under a category path level, `bought('brand:Acme')` anything of a brand; with `days`, only within that many days before the as-of moment: `bought('category:Shoes', 90)`, `not bought('SKU-1', 30)`. Names are checked against the catalog.",
            Optional: 1),
    ];

    private static readonly FrozenDictionary<string, SegmentField> ByName =
        All.ToFrozenDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, SegmentFunction> FunctionsByName =
        Functions.ToFrozenDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The field named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SegmentField? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The function named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static SegmentFunction? FindFunction(string name) => FunctionsByName.GetValueOrDefault(name);
}
