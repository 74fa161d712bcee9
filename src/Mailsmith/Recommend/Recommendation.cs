using Mailsmith.Storage;

namespace Mailsmith.Recommend;

/// <summary>Reason kinds a recommendation can carry; Compose turns each into a sentence in the recipient's language.</summary>
public static class ReasonKind
{
    /// <summary>The product is in the customer's abandoned cart.</summary>
    public const string InCart = "in_cart";
    /// <summary>Similar to or co-viewed with a product the customer viewed (<see cref="RecommendationReason.ProductId"/>).</summary>
    public const string Viewed = "viewed";
    /// <summary>Often bought together with a product the customer bought (<see cref="RecommendationReason.ProductId"/>).</summary>
    public const string BoughtWith = "bought_with";
    /// <summary>Popular in a category the customer likes (<see cref="RecommendationReason.Category"/>).</summary>
    public const string PopularIn = "popular_in";
    /// <summary>Popular across the store (it has sold).</summary>
    public const string Popular = "popular";
    /// <summary>Fills a list from the rest of the catalog; claims nothing about the product (it has not sold yet).</summary>
    public const string Explore = "explore";
    /// <summary>Its description, category and tags are close to a product the customer viewed or bought (<see cref="RecommendationReason.ProductId"/>).</summary>
    public const string SimilarTo = "similar_to";
    /// <summary>New (nobody has interacted with it yet, or a new arrival boosted by the re-rank) in one of the customer's favourite categories (<see cref="RecommendationReason.Category"/>).</summary>
    public const string NewInFavourite = "new_in_favourite";
    /// <summary>Best seller among customers of the same segment (<see cref="RecommendationReason.Segment"/>; the email says "shoppers like you", never the segment's name).</summary>
    public const string PopularWithSimilar = "popular_with_similar";
    /// <summary>Interest in it grew lately (last days against the weeks before).</summary>
    public const string Trending = "trending";
}

/// <summary>Why a product was recommended, in structured form.</summary>
/// <param name="Kind">One of <see cref="ReasonKind"/>.</param>
/// <param name="ProductId">The product the reason refers to (viewed X, bought with Y), when any.</param>
/// <param name="Category">The category the reason refers to (popular in Z), when any.</param>
/// <param name="Segment">The customer segment the reason refers to (popular with similar customers), when any; for analysis, not for the email's words.</param>
public sealed record RecommendationReason(string Kind, string? ProductId = null, string? Category = null, string? Segment = null);

/// <summary>One recommended product with its score and reason.</summary>
public sealed record Recommendation(string ProductId, double Score, RecommendationReason Reason);

/// <summary>A recommendation strategy. Fit once per run on a snapshot, then ask per customer (thread-safe after Fit).</summary>
public interface IRecommender
{
    /// <summary>A short id, e.g. <c>item-item</c>, <c>popularity</c>.</summary>
    string Name { get; }

    /// <summary>Learns from the snapshot's events and orders up to <paramref name="asOf"/>.</summary>
    void Fit(StoreSnapshot snapshot, DateTimeOffset asOf);

    /// <summary>Up to <paramref name="count"/> products for the customer, best first, only ones <paramref name="allow"/> accepts.</summary>
    IReadOnlyList<Recommendation> Recommend(string customerId, int count, Func<string, bool> allow);
}
