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
/// <param name="Currency">ISO 4217 code of <paramref name="Amount"/>; null: the currency of the email's products.</param>
public sealed record CampaignOffer(string? Code, int? Percent, decimal? Amount = null, string? Currency = null, DateOnly? Expires = null)
{
    /// <summary>Longest code accepted (codes are typed by hand at checkout).</summary>
    public const int MaxCodeLength = 32;

    /// <summary>Checks the offer can be stated truthfully: a percentage or an amount (not both), a code of letters, digits, '-' or '_'.</summary>
    /// <exception cref="ArgumentException">What is wrong, naming the option (<c>--offer-percent</c>, …).</exception>
    public void Validate()
    {
        if (Percent is null && Amount is null)
        {
            throw new ArgumentException("an offer needs --offer-percent N or --offer-amount X (a code alone states no discount)");
        }
        if (Percent is not null && Amount is not null)
        {
            throw new ArgumentException("an offer is either --offer-percent or --offer-amount, not both");
        }
        if (Percent is < 1 or > 90)
        {
            throw new ArgumentException($"--offer-percent {Percent}: must be a whole percent from 1 to 90");
        }
        if (Amount is { } amount && (amount <= 0 || amount > 1_000_000 || decimal.Round(amount, 2) != amount))
        {
            throw new ArgumentException($"--offer-amount {amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}: must be more than 0, at most 1,000,000, with at most 2 decimals");
        }
        if (Currency is not null && (Currency.Length != 3 || !Currency.All(char.IsAsciiLetterUpper)))
        {
            throw new ArgumentException($"--offer-currency '{Currency}': must be an ISO 4217 code such as USD or CNY");
        }
        if (Currency is not null && Amount is null)
        {
            throw new ArgumentException("--offer-currency is the currency of --offer-amount; give the amount too");
        }
        if (Code is not null && (Code.Length is < 3 or > MaxCodeLength || !Code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException($"--offer-code '{Code}': 3 to {MaxCodeLength} letters, digits, '-' or '_'");
        }
    }
}

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
    /// <summary>The discount the email states, if any (default: the campaign's own); only then may it mention a discount.</summary>
    public CampaignOffer? Offer { get; init; } = Campaign.Offer;

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
