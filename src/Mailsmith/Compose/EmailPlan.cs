namespace Mailsmith.Compose;

/// <summary>
/// What one email may say: every fact a writer may state (names, products, prices, discounts, dates, reasons, review
/// quotes) and the inputs that decide how it is framed — nothing else. Built by <c>EmailPlanner</c> from the
/// profile, the recommendations and the campaign; read by every <see cref="ICopyWriter"/>, by <see cref="CopyChecks"/>
/// (anything in the copy that is not in the plan fails the message) and by the renderer.
/// </summary>
/// <remarks>
/// Immutable and per recipient. Every money amount and date carries the exact text it is shown as
/// (<see cref="PlanMoney.Formatted"/>, <see cref="PlanDate.Formatted"/>), in the reader's culture: a writer copies
/// that text, and the grounding check accepts only that text.
/// </remarks>
/// <param name="CampaignId">The campaign, for records and cache keys.</param>
/// <param name="CampaignType">One of <see cref="CampaignTypes"/>.</param>
/// <param name="Goal">What the email is for (<see cref="CampaignGoals"/>); writers word the call to action after it.</param>
/// <param name="Variant">The campaign experiment arm, so arms can test copy.</param>
/// <param name="Seed">Seeds every draw of the built-in writer: same plan and seed, same words.</param>
/// <param name="Locale">The locale the words are written in (a phrase file's locale, e.g. <c>zh-CN</c>).</param>
/// <param name="Culture">The culture money and dates are formatted in (the recipient's own, e.g. <c>fr-FR</c>).</param>
/// <param name="Recipient">Who it is for.</param>
/// <param name="Framing">Facts about the recipient that choose wording, never stated as such.</param>
/// <param name="Products">The products shown, in order (first is the lead).</param>
/// <param name="Offer">The discount this email may mention; null: it mentions none.</param>
/// <param name="Reviews">Review sentences by real customers about products in <see cref="Products"/>.</param>
/// <param name="Dates">Dates the email may state (the offer's expiry, a birthday), by name.</param>
/// <param name="StoreName">The sender's name as shown.</param>
public sealed record EmailPlan(
    string CampaignId,
    string CampaignType,
    string Goal,
    string Variant,
    int Seed,
    string Locale,
    string Culture,
    PlanRecipient Recipient,
    PlanFraming Framing,
    IReadOnlyList<PlanProduct> Products,
    PlanOffer? Offer,
    IReadOnlyList<PlanReview> Reviews,
    IReadOnlyList<PlanDate> Dates,
    string StoreName)
{
    /// <summary>The product the copy leads with (the first cart item for abandoned-cart mail, else the first shown).</summary>
    public PlanProduct Lead => Products[LeadIndex];

    /// <summary>Index of <see cref="Lead"/> in <see cref="Products"/>.</summary>
    public int LeadIndex { get; init; }

    /// <summary>Learned multipliers for the phrase draws (from <see cref="EmailContext.SlotWeights"/>); null: file weights only.</summary>
    public Mailsmith.Learn.ISlotWeights? SlotWeights { get; init; }

    /// <summary>How many items the copy may count (<c>3 items</c>): cart items for abandoned-cart mail, else products shown.</summary>
    public int ItemCount { get; init; }

    /// <summary>The lowest price shown in the lead product's currency ("from $12.99"), or null.</summary>
    public PlanMoney? FromPrice { get; init; }

    /// <summary>The profile's top category as readers of <see cref="Locale"/> know it, or null.</summary>
    public string? TopCategory { get; init; }
}

/// <summary>The recipient as the email may address them.</summary>
/// <param name="FirstName">Trimmed; null when unknown (no variant then addresses them by name).</param>
/// <param name="FullName"><c>王小明</c> (family name first) when both parts are Chinese, else <c>Anna Berg</c>; null without a first name.</param>
/// <param name="Honorific">The locale's polite form of address (<c>您</c> in zh-CN), or null where none is used; gender is never guessed.</param>
public sealed record PlanRecipient(string CustomerId, string? FirstName, string? LastName, string? FullName, string? Honorific);

/// <summary>
/// Inputs that decide framing and wording; see docs/compose.md "Framing rules". Bands are <c>high</c>, <c>mid</c>, <c>low</c>.
/// </summary>
/// <param name="Lifecycle">One of <see cref="Profile.Lifecycle"/>.</param>
/// <param name="PriceSensitivity">Band of <c>CustomerProfile.PriceSensitivity</c>.</param>
/// <param name="DiscountSensitivity">Band of <c>CustomerProfile.DiscountSensitivity</c>, else of <c>DiscountShare</c>.</param>
/// <param name="Frame">The frame drawn for this email: <see cref="Frames.Value"/>, <see cref="Frames.Quality"/> or <see cref="Frames.Neutral"/>.</param>
/// <param name="Season">Northern-hemisphere season of the send date: <c>spring</c>, <c>summer</c>, <c>autumn</c>, <c>winter</c>.</param>
/// <param name="Daypart">Of the customer's most active hour: <c>morning</c>, <c>afternoon</c>, <c>evening</c>, <c>night</c>; null unknown.</param>
/// <param name="Orders"><c>none</c>, <c>one</c>, <c>repeat</c>.</param>
/// <param name="Category">Top-level category of the lead product as written in the catalog (for conditions).</param>
public sealed record PlanFraming(
    string Lifecycle,
    string PriceSensitivity,
    string DiscountSensitivity,
    string Frame,
    string Season,
    string? Daypart,
    string Orders,
    string Category);

/// <summary>Frames an email can be written in.</summary>
public static class Frames
{
    /// <summary>Price, savings and the offer lead.</summary>
    public const string Value = "value";
    /// <summary>Craft, durability and fit lead; the offer, if any, is mentioned once, late.</summary>
    public const string Quality = "quality";
    /// <summary>Neither leads.</summary>
    public const string Neutral = "neutral";
}

/// <summary>An amount of money and the exact text it is shown as.</summary>
public sealed record PlanMoney(decimal Value, string Currency, string Formatted);

/// <summary>A date and the exact text it is shown as (in the plan's culture).</summary>
/// <param name="Name">What it is, e.g. <c>offer_expires</c>, <c>birthday</c>.</param>
public sealed record PlanDate(string Name, DateOnly Value, string Formatted);

/// <summary>A product shown in the email.</summary>
/// <param name="Title">In the reader's language.</param>
/// <param name="Category">Its most specific category as readers of the locale know it.</param>
/// <param name="Url">The product page, untracked (the renderer wraps it); null: the store's home page.</param>
/// <param name="ImageUrl">Null when the catalog has none.</param>
/// <param name="ImageAlt">Alt text for the image (the title).</param>
public sealed record PlanProduct(
    string ProductId,
    string Title,
    string Category,
    PlanMoney Price,
    string? Url,
    string? ImageUrl,
    string ImageAlt,
    PlanReason Reason);

/// <summary>Why a product is shown, in structured form.</summary>
/// <param name="Kind">One of <c>Recommend.ReasonKind</c>.</param>
/// <param name="ProductTitle">Title of the product the reason refers to (viewed X), in the reader's language, when known.</param>
/// <param name="Category">Category the reason refers to (popular in Z), as readers of the locale know it.</param>
public sealed record PlanReason(string Kind, string? ProductId, string? ProductTitle, string? Category);

/// <summary>The discount an email may state. Exactly one of <see cref="Percent"/> and <see cref="Amount"/> is set.</summary>
/// <param name="Code">The code to type at checkout, or null when the discount applies by itself.</param>
/// <param name="Percent">Whole percent off, e.g. 15.</param>
/// <param name="PercentFormatted">How the percentage is shown (<c>15%</c>; in zh-CN also <c>85折</c> is accepted, see <see cref="CopyChecks"/>).</param>
/// <param name="Amount">Fixed amount off.</param>
/// <param name="Expires">Last day it is valid, or null.</param>
public sealed record PlanOffer(string? Code, int? Percent, string? PercentFormatted, PlanMoney? Amount, PlanDate? Expires);

/// <summary>A real review sentence about a shown product (social proof), as the customer wrote it.</summary>
public sealed record PlanReview(string ProductId, string Quote, int Rating, double Sentiment);

/// <summary>The goal of each campaign type (docs/compose.md).</summary>
public static class CampaignGoals
{
    public const string Onboard = "onboard";
    public const string ReturnToBrowse = "return_to_browse";
    public const string CompleteCheckout = "complete_checkout";
    public const string ReviewAndCrossSell = "review_and_cross_sell";
    public const string Reactivate = "reactivate";
    public const string Discover = "discover";
    public const string BuyAtLowerPrice = "buy_at_lower_price";
    public const string BuyRestocked = "buy_restocked";
    public const string Celebrate = "celebrate";
    public const string Reorder = "reorder";
    public const string Engage = "engage";
    public const string Redeem = "redeem";

    /// <summary>The goal of a campaign type.</summary>
    public static string For(string campaignType) => campaignType switch
    {
        CampaignTypes.Welcome => Onboard,
        CampaignTypes.BrowseAbandonment => ReturnToBrowse,
        CampaignTypes.AbandonedCart => CompleteCheckout,
        CampaignTypes.PostPurchase => ReviewAndCrossSell,
        CampaignTypes.Winback => Reactivate,
        CampaignTypes.NewArrivals => Discover,
        CampaignTypes.PriceDrop => BuyAtLowerPrice,
        CampaignTypes.BackInStock => BuyRestocked,
        CampaignTypes.Birthday => Celebrate,
        CampaignTypes.Replenishment => Reorder,
        CampaignTypes.Recommendations => Engage,
        CampaignTypes.Promotion => Redeem,
        _ => throw new ArgumentOutOfRangeException(nameof(campaignType), campaignType, "Not a known campaign type."),
    };
}
