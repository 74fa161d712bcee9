using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Compose;

/// <summary>Campaign type ids, used everywhere: folders, options, JSON.</summary>
public static class CampaignTypes
{
    public const string Welcome = "welcome";
    public const string BrowseAbandonment = "browse_abandonment";
    public const string AbandonedCart = "abandoned_cart";
    public const string PostPurchase = "post_purchase";
    public const string Winback = "winback";
    public const string NewArrivals = "new_arrivals";
    public const string PriceDrop = "price_drop";
    public const string BackInStock = "back_in_stock";
    public const string Birthday = "birthday";
    public const string Replenishment = "replenishment";
    public const string Recommendations = "recommendations";
    public const string Promotion = "promotion";

    /// <summary>The four types of the first release, which every store's default locale words and the recommender rules cover.</summary>
    public static IReadOnlyList<string> Core { get; } = [Welcome, AbandonedCart, Winback, Recommendations];

    /// <summary>Every campaign type (issue 5), each with a goal (<see cref="CampaignGoals"/>) and phrase slots.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Welcome, BrowseAbandonment, AbandonedCart, PostPurchase, Winback, NewArrivals, PriceDrop, BackInStock, Birthday, Replenishment, Recommendations, Promotion];
}

/// <summary>A product to show, with the reason it was picked.</summary>
public sealed record ProductBlock(Product Product, Recommendation Recommendation);

/// <summary>The links an email carries, already signed by the Track stage.</summary>
/// <param name="Unsubscribe">One-click unsubscribe page (https), also used in the footer.</param>
/// <param name="Click">Wraps a destination URL in a tracked, signed redirect; identity when tracking is off.</param>
public sealed record EmailLinks(string Unsubscribe, Func<string, string> Click)
{
    /// <summary>The open-tracking pixel (<c>TrackingLinks.OpenPixel</c>); null: no pixel.</summary>
    public string? OpenPixel { get; init; }

    /// <summary>"View in browser" (<c>TrackingLinks.View</c>); null: no link.</summary>
    public string? View { get; init; }

    /// <summary>The preference centre (<c>TrackingLinks.Preferences</c>); null: no link.</summary>
    public string? Preferences { get; init; }
}

/// <summary>A discount a campaign offers, as configured; the planner states it in the reader's formats.</summary>
/// <param name="Code">Code to type at checkout, or null when it applies by itself.</param>
/// <param name="Percent">Whole percent off (1–90), or null.</param>
/// <param name="Amount">Fixed amount off in <paramref name="Currency"/>, or null.</param>
/// <param name="Expires">Last valid day, or null.</param>
public sealed record CampaignOffer(string? Code, int? Percent, decimal? Amount = null, string? Currency = null, DateOnly? Expires = null);

/// <summary>Everything Compose may use to write one recipient's email: nothing else is stated in it.</summary>
/// <param name="Seed">Seeds the wording draws; the same seed gives the same email.</param>
public sealed record EmailContext(
    Campaign Campaign,
    string Variant,
    Customer Customer,
    CustomerProfile Profile,
    IReadOnlyList<ProductBlock> Products,
    EmailLinks Links,
    DateTimeOffset AsOf,
    int Seed)
{
    /// <summary>The campaign's discount, if it has one; only then may the email mention a discount.</summary>
    public CampaignOffer? Offer { get; init; }

    /// <summary>Learned multipliers for the built-in writer's phrase draws (Learn's <c>PhraseSlotArms</c>); null: file weights only.</summary>
    public Mailsmith.Learn.ISlotWeights? SlotWeights { get; init; }
}

/// <summary>One rendered email, ready for MIME.</summary>
public sealed record ComposedEmail(
    string Locale,
    string Subject,
    string Preheader,
    string Html,
    string Text,
    IReadOnlyList<string> ProductIds)
{
    /// <summary>Which phrase variant filled each slot and the probability of its draw (built-in writer's slots), for Learn and the preview page; empty for copy without phrase slots.</summary>
    public IReadOnlyList<PhraseChoice> Choices { get; init; } = [];
}
