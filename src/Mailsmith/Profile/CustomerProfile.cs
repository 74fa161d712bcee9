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
    /// <summary>The RFM cell as three digits, e.g. <c>545</c>; <c>000</c> for a customer who never ordered.</summary>
    public string Rfm => $"{R}{F}{M}";
}
