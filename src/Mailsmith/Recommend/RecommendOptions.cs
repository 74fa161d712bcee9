namespace Mailsmith.Recommend;

/// <summary>Settings of the Recommend stage. Immutable; one instance is shared by the recommenders and the service.</summary>
public sealed class RecommendOptions
{
    /// <summary>The defaults listed on each property.</summary>
    public static RecommendOptions Default { get; } = new();

    /// <summary>Weight of one view event in a customer's interest in a product. Default 1.</summary>
    public double ViewWeight { get; init; } = 1;

    /// <summary>Weight of one add_to_cart event. Default 3.</summary>
    public double AddToCartWeight { get; init; } = 3;

    /// <summary>Weight of one purchased order line. Default 5.</summary>
    public double PurchaseWeight { get; init; } = 5;

    /// <summary>Half-life in days of the decay applied to interaction weights for item-item similarity and scoring. Default 90.</summary>
    public double HalfLifeDays { get; init; } = 90;

    /// <summary>Half-life in days of the decay applied to purchase counts for popularity (best sellers move faster than tastes). Default 30.</summary>
    public double PopularityHalfLifeDays { get; init; } = 30;

    /// <summary>Item-item keeps at most this many most similar neighbours per item. Default 50.</summary>
    public int NeighboursPerItem { get; init; } = 50;

    /// <summary>Two items are neighbours only if at least this many customers interacted with both. Default 2.</summary>
    public int MinCoOccurrence { get; init; } = 2;

    /// <summary>
    /// Per customer, only the this-many strongest (weighted, decayed) items take part in similarity and scoring.
    /// Bounds the per-customer pair work, which is quadratic in this number. Default 50.
    /// </summary>
    public int MaxHistoryItems { get; init; } = 50;

    /// <summary>At most this many products of one category (full path) in one list. Default 2.</summary>
    public int MaxPerCategory { get; init; } = 2;

    /// <summary>
    /// When the category cap alone keeps a list short of the requested count, fill the rest ignoring the cap.
    /// Default true: a complete email beats a strictly diverse one.
    /// </summary>
    public bool RelaxCategoryCapToFill { get; init; } = true;

    /// <summary>An abandoned cart holds products added to the cart within this many days before asOf. Default 7.</summary>
    public double CartWindowDays { get; init; } = 7;

    /// <summary>A winback list leaves out products the customer bought within this many days before asOf. Default 365.</summary>
    public double WinbackExcludeBoughtDays { get; init; } = 365;

    /// <summary>L2 regularisation λ of the EASE recommender (added to the diagonal of XᵀX). Default 250.</summary>
    public float EaseLambda { get; init; } = 250;

    /// <summary>Minimum support (share of orders holding every item of the rule) of a bought-together rule. Default 0.001.</summary>
    public double BoughtTogetherMinSupport { get; init; } = 0.001;

    /// <summary>Minimum confidence of a bought-together rule. Default 0.05.</summary>
    public double BoughtTogetherMinConfidence { get; init; } = 0.05;

    /// <summary>Bought-together starts from the customer's purchases of this many days before asOf. Default 90.</summary>
    public double BoughtTogetherRecentDays { get; init; } = 90;

    /// <summary>
    /// Categories (full path, or a top-level category) whose products are bought again (coffee, filters): a recommendations
    /// list may propose one again once <see cref="ReplenishAfterDays"/> have passed since the customer last bought it.
    /// Default none.
    /// </summary>
    public IReadOnlyList<string> ReplenishableCategories { get; init; } = [];

    /// <summary>A product carrying this tag is replenishable whatever its category. Default <c>replenishable</c>.</summary>
    public string ReplenishableTag { get; init; } = "replenishable";

    /// <summary>Days after its last purchase before a replenishable product may be recommended again. Default 30.</summary>
    public double ReplenishAfterDays { get; init; } = 30;

    /// <summary>
    /// The chain is asked for this many times the list's length in candidates, which the business rules (price band,
    /// boosts, diversity) then re-rank. Default 4; 1 turns re-ranking into a plain fill in chain order.
    /// </summary>
    public int CandidatePoolFactor { get; init; } = 4;

    /// <summary>
    /// λ of the maximal-marginal-relevance diversity re-rank: each pick maximises λ · relevance − (1 − λ) · similarity
    /// to the products already in the email (1 same category path, 0.5 same top-level category). 1 = relevance only.
    /// Default 0.7.
    /// </summary>
    public double DiversityLambda { get; init; } = 0.7;

    /// <summary>
    /// Penalty for a price outside the customer's price band (budget, mid, premium by thirds of the category's prices):
    /// relevance − weight × 3 × the distance in category percentiles, so one band away costs about the weight. 0 = off.
    /// Default 0.3.
    /// </summary>
    public double PriceBandWeight { get; init; } = 0.3;

    /// <summary>Relevance added to a new arrival; one in the customer's top categories then says <c>new_in_favourite</c>. 0 = off. Default 0.1.</summary>
    public double NewArrivalBoost { get; init; } = 0.1;

    /// <summary>
    /// A product first seen (first view, cart or order) within this many days before asOf, and at least this many days
    /// after the store's earliest record, is a new arrival. 0 = only the tag counts. Default 30.
    /// </summary>
    public double NewArrivalDays { get; init; } = 30;

    /// <summary>A product carrying this tag is a new arrival whatever its history. Default <c>new</c>.</summary>
    public string NewArrivalTag { get; init; } = "new";

    /// <summary>Relevance added per unit of margin share (a product tag such as <c>margin:0.35</c>, see <see cref="MarginTagPrefix"/>). 0 = off. Default 0.</summary>
    public double MarginBoost { get; init; }

    /// <summary>Prefix of the product tag that states its margin share 0–1 (<c>margin:0.35</c>). Default <c>margin:</c>.</summary>
    public string MarginTagPrefix { get; init; } = "margin:";

    /// <summary>Campaign theme: products carrying any of these tags get <see cref="ThemeBoost"/> (a call to <c>For</c> may name its own). Default none.</summary>
    public IReadOnlyList<string> ThemeTags { get; init; } = [];

    /// <summary>Relevance added to a product carrying a theme tag. Default 0.2.</summary>
    public double ThemeBoost { get; init; } = 0.2;

    /// <summary>
    /// The profile field whose value is a customer's segment for segment best sellers: <c>rfm_segment</c>,
    /// <c>lifecycle</c>, <c>cluster</c>, or <c>none</c>. Default <c>rfm_segment</c>.
    /// </summary>
    public string PopularSegmentField { get; init; } = "rfm_segment";

    /// <summary>Trending compares interest per day in this many most recent days… Default 7.</summary>
    public double TrendingRecentDays { get; init; } = 7;

    /// <summary>…with interest per day in this many days before them. Default 28.</summary>
    public double TrendingBaselineDays { get; init; } = 28;

    /// <summary>A trending product has at least this many interactions in the recent days. Default 3.</summary>
    public int TrendingMinRecent { get; init; } = 3;

    /// <summary>A trending product's smoothed recent-over-baseline rate ratio exceeds this. Default 1.5.</summary>
    public double TrendingMinGrowth { get; init; } = 1.5;
}
