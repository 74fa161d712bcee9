namespace Mailsmith.Profile;

/// <summary>Every threshold of the Profile stage. Immutable; the rules they feed are in docs/profiles.md.</summary>
public sealed class ProfileOptions
{
    /// <summary>The defaults described in docs/profiles.md.</summary>
    public static ProfileOptions Default { get; } = new();

    /// <summary>A customer who signed up at most this many days before asOf can be <c>new</c>. Default 30.</summary>
    public double NewCustomerDays { get; init; } = 30;

    /// <summary>A <c>new</c> customer has at most this many orders. Default 1.</summary>
    public int NewMaxOrders { get; init; } = 1;

    /// <summary>Last order at most this many days ago: <c>active</c> (or <c>vip</c>). Default 90.</summary>
    public double ActiveDays { get; init; } = 90;

    /// <summary>Last order more than this many days ago: <c>lapsed</c>; between <see cref="ActiveDays"/> and this: <c>at_risk</c>. Default 180.</summary>
    public double LapsedDays { get; init; } = 180;

    /// <summary>A customer who never ordered is <c>active</c> when their last event is at most this many days old. Default 30.</summary>
    public double BrowsingActiveDays { get; init; } = 30;

    /// <summary>A customer who never ordered is <c>lapsed</c> after this many days without any activity (event or signup). Default 90.</summary>
    public double NoOrderLapsedDays { get; init; } = 90;

    /// <summary>A repeat customer is <c>at_risk</c> when the days since their last order exceed this multiple of their mean gap between orders. Default 2.</summary>
    public double OverdueFactor { get; init; } = 2;

    /// <summary>The mean gap between orders is taken as at least this many days, so two orders on one day do not make a customer overdue the next morning. Default 7.</summary>
    public double OverdueMinGapDays { get; init; } = 7;

    /// <summary>A <c>vip</c> has a frequency score of at least this. Default 4.</summary>
    public int VipMinFrequencyScore { get; init; } = 4;

    /// <summary>A <c>vip</c> has a monetary score of at least this. Default 5.</summary>
    public int VipMinMonetaryScore { get; init; } = 5;

    /// <summary>Interest weight of one purchased order line. Default 5.</summary>
    public double PurchaseWeight { get; init; } = 5;

    /// <summary>Interest weight of one add_to_cart event. Default 3.</summary>
    public double AddToCartWeight { get; init; } = 3;

    /// <summary>Interest weight of one view event. Default 1.</summary>
    public double ViewWeight { get; init; } = 1;

    /// <summary>Half-life in days of the interest weights' exponential time decay. Default 60.</summary>
    public double InterestHalfLifeDays { get; init; } = 60;

    /// <summary>At most this many top categories per profile. Default 3.</summary>
    public int MaxTopCategories { get; init; } = 3;

    /// <summary>A mean price percentile below this is <c>budget</c>. Default 0.33.</summary>
    public double BudgetBelow { get; init; } = 0.33;

    /// <summary>A mean price percentile above this is <c>premium</c>. Default 0.67.</summary>
    public double PremiumAbove { get; init; } = 0.67;

    /// <summary>Weight of the price signal (1 − mean price percentile) in price sensitivity; the discount share gets the rest. Default 0.5.</summary>
    public double SensitivityPriceWeight { get; init; } = 0.5;

    // ---- CLV (BG/NBD + Gamma-Gamma on the store's orders; docs/clv.md, docs/profiles.md "Lifetime value") ----

    /// <summary>The CLV horizon in months (of 365.25/12 days) for <c>Clv365</c>. Default 12.</summary>
    public int ClvMonths { get; init; } = 12;

    /// <summary>Discount rate per month applied to each month's expected spend in the CLV. Default 0.01 (about 12.7% a year).</summary>
    public double ClvMonthlyDiscountRate { get; init; } = 0.01;

    /// <summary>Fewer customers than this who bought on two different days and the CLV fit is skipped (fields stay null, with a warning). Default 20.</summary>
    public int ClvMinRepeatCustomers { get; init; } = 20;

    /// <summary>Days held out at the end of the history by <c>profile report</c> to check CLV predictions against what happened. Default 90.</summary>
    public int ClvHoldoutDays { get; init; } = 90;

    // ---- preferences (docs/profiles.md "Affinities", "Discount sensitivity", "Language") ----

    /// <summary>Prior strength, in orders, that shrinks a customer's discount share toward the store's base rate. Default 5.</summary>
    public double DiscountPriorOrders { get; init; } = 5;

    /// <summary>A customer's reviews and searches must include at least this many texts in one other script before it overrides their locale's language. Default 2.</summary>
    public int LanguageMinTexts { get; init; } = 2;

    // ---- send time (docs/profiles.md "Send time") ----

    /// <summary>Weight of one email open in the send-time histogram. Default 2.</summary>
    public double SendTimeOpenWeight { get; init; } = 2;

    /// <summary>Weight of one email click in the send-time histogram. Default 3.</summary>
    public double SendTimeClickWeight { get; init; } = 3;

    /// <summary>Weight of one storefront event (a visit: view, search, cart, …) in the send-time histogram. Default 1.</summary>
    public double SendTimeVisitWeight { get; init; } = 1;

    /// <summary>Weight of one order in the send-time histogram. Default 2.</summary>
    public double SendTimeOrderWeight { get; init; } = 2;

    /// <summary>Strength κ of the Dirichlet prior (the population's hour-of-week distribution), in weighted observations. Default 10.</summary>
    public double SendTimePriorStrength { get; init; } = 10;

    /// <summary>
    /// Read the send time learned from outcomes (<c>customer_send_hours</c>: clicks and purchases by local delivery hour,
    /// rebuilt from the sends at every profile run) and prefer its hour where its confidence beats the engagement
    /// histogram's. Default true.
    /// </summary>
    public bool SendTimeFromOutcomes { get; init; } = true;

    /// <summary>Days after a delivery in which an order counts as a purchase of that message, for the send time learned from outcomes. Default 5.</summary>
    public double SendTimeOutcomeWindowDays { get; init; } = 5;

    // ---- behavioural clusters (docs/profiles.md "Clusters") ----

    /// <summary>Smallest k tried by the k-means cluster search. Default 2.</summary>
    public int ClusterMinK { get; init; } = 2;

    /// <summary>Largest k tried. Default 8.</summary>
    public int ClusterMaxK { get; init; } = 8;

    /// <summary>Customers sampled to train each k-means candidate. Default 20000.</summary>
    public int ClusterTrainSample { get; init; } = 20_000;

    /// <summary>Customers sampled to compute the silhouette that picks k (the silhouette is quadratic in this). Default 2000.</summary>
    public int ClusterSilhouetteSample { get; init; } = 2000;

    /// <summary>Seed of the cluster samples and of k-means, so a run repeats. Default 17.</summary>
    public int ClusterSeed { get; init; } = 17;
}
