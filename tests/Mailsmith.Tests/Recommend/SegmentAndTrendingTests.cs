using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;
using static Mailsmith.Tests.Recommend.RecommendTestData;

namespace Mailsmith.Tests.Recommend;

/// <summary>Best sellers of the customer's segment and trending products, as recommenders and as the chain's fallbacks.</summary>
public sealed class SegmentAndTrendingTests
{
    private static readonly RecommendOptions Plain = new() { DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10 };

    /// <summary>Champions bought "a" (3 of them), the lost bought "b" (5 of them): "b" sells more store-wide.</summary>
    private static (StoreSnapshot Snapshot, Dictionary<string, CustomerProfile> Profiles) TwoSegments()
    {
        var data = new SnapshotBuilder().Product("a", Tea).Product("b", Coffee).Product("c", Books);
        var profiles = new Dictionary<string, CustomerProfile>(StringComparer.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            data.Customer($"champ{i}").Order($"champ{i}", DaysAgo(5), ["a"]);
            profiles[$"champ{i}"] = ProfileOf($"champ{i}") with { RfmSegment = "champions", Lifecycle = Lifecycle.Vip };
        }
        for (var i = 0; i < 5; i++)
        {
            data.Customer($"lost{i}").Order($"lost{i}", DaysAgo(5), ["b"]);
            profiles[$"lost{i}"] = ProfileOf($"lost{i}") with { RfmSegment = "lost", Lifecycle = Lifecycle.Lapsed };
        }
        data.Customer("me");
        profiles["me"] = ProfileOf("me") with { RfmSegment = "champions" };
        return (data.Build(), profiles);
    }

    [Fact]
    public void RecommendInSegment_BestSellersOfThatSegmentOnly()
    {
        var (snapshot, profiles) = TwoSegments();
        var popularity = new PopularityRecommender(RecommendOptions.Default);
        popularity.Fit(snapshot, AsOf, id => profiles.TryGetValue(id, out var p) ? p.RfmSegment : null);

        var champions = popularity.RecommendInSegment("champions", 5, _ => true);
        Assert.Equal(["a"], champions.Select(r => r.ProductId));
        Assert.Equal(new RecommendationReason(ReasonKind.PopularWithSimilar, Segment: "champions"), champions[0].Reason);
        Assert.Equal(["b"], popularity.RecommendInSegment("lost", 5, _ => true).Select(r => r.ProductId));
        Assert.Empty(popularity.RecommendInSegment("nobody", 5, _ => true));
        Assert.Empty(popularity.RecommendInSegment(null, 5, _ => true));
        Assert.Equal(["b", "a"], popularity.Recommend("me", 2, _ => true).Select(r => r.ProductId));
    }

    [Fact]
    public void Service_ColdCustomerWithASegment_SegmentBestSellerBeforeStoreWide()
    {
        var (snapshot, profiles) = TwoSegments();
        var withSegments = new RecommendationService(Plain);
        withSegments.Fit(snapshot, AsOf, profiles);
        var picks = withSegments.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], profiles["me"], 2);
        Assert.Equal(["a", "b"], picks.Select(r => r.ProductId));
        Assert.Equal(ReasonKind.PopularWithSimilar, picks[0].Reason.Kind);

        // Segments by lifecycle: "me" is active like nobody who bought; both products are trending, "b" more.
        var byLifecycle = new RecommendationService(new RecommendOptions { DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10, PopularSegmentField = "lifecycle" });
        byLifecycle.Fit(snapshot, AsOf, profiles);
        Assert.Equal(["b", "a"], byLifecycle.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], profiles["me"], 2).Select(r => r.ProductId));

        // Without profiles at fit time there are no segments: trending, "b" first.
        var without = new RecommendationService(Plain);
        without.Fit(snapshot, AsOf);
        Assert.Equal(["b", "a"], without.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], profiles["me"], 2).Select(r => r.ProductId));
    }

    [Fact]
    public void Fit_UnknownSegmentField_SaysWhichKey()
    {
        var (snapshot, profiles) = TwoSegments();
        var service = new RecommendationService(new RecommendOptions { PopularSegmentField = "colour" });
        var e = Assert.Throws<ArgumentException>(() => service.Fit(snapshot, AsOf, profiles));
        Assert.Contains("Recommend:PopularSegmentField 'colour'", e.Message);
    }

    /// <summary>
    /// "rising": one view a week for the four baseline weeks, six views in the last week. "steady": ten views every week.
    /// "blip": two views in the last week, none before. "steady" is the only product sold (20 days ago, in its baseline).
    /// </summary>
    private static StoreSnapshot Trends()
    {
        var data = new SnapshotBuilder().Product("rising", Tea).Product("steady", Coffee).Product("blip", Books).Customer("me").Customer("buyer");
        var viewer = 0;
        void View(string product, double daysAgo)
        {
            var id = $"v{viewer++}";
            data.Customer(id).Event(id, EventTypes.View, DaysAgo(daysAgo), product);
        }
        for (var week = 0; week < 5; week++)
        {
            for (var v = 0; v < 10; v++)
            {
                View("steady", week * 7 + 0.5 + v * 0.5);
            }
            if (week > 0)
            {
                View("rising", week * 7 + 3);
            }
        }
        for (var v = 0; v < 6; v++)
        {
            View("rising", 0.5 + v);
        }
        View("blip", 1);
        View("blip", 2);
        data.Order("buyer", DaysAgo(20), ["steady"]);
        return data.Build();
    }

    [Fact]
    public void RecommendTrending_GrowthOverTheBaseline_NotSteadyOrTooFewRecent()
    {
        var popularity = new PopularityRecommender(RecommendOptions.Default);
        popularity.Fit(Trends(), AsOf);
        var trending = popularity.RecommendTrending(5, _ => true);
        Assert.Equal(["rising"], trending.Select(r => r.ProductId));
        Assert.Equal(new RecommendationReason(ReasonKind.Trending), trending[0].Reason);
        // (6/7 + 1/28) / (4/28 + 1/28) = 5.
        Assert.Equal(5, trending[0].Score, 9);

        // A lower bar on recent interactions lets the blip in: (2/7 + 1/28) / (1/28) = 9, above rising.
        var lenient = new PopularityRecommender(new RecommendOptions { TrendingMinRecent = 2 });
        lenient.Fit(Trends(), AsOf);
        Assert.Equal(["blip", "rising"], lenient.RecommendTrending(5, _ => true).Select(r => r.ProductId));
    }

    [Fact]
    public void Service_ColdCustomer_TrendingBeforeStoreWideBestSellers()
    {
        var snapshot = Trends();
        var service = new RecommendationService(Plain);
        service.Fit(snapshot, AsOf);
        var picks = service.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], ProfileOf("me"), 2);
        Assert.Equal(["rising", "steady"], picks.Select(r => r.ProductId));
        Assert.Equal(ReasonKind.Trending, picks[0].Reason.Kind);
        Assert.Equal(ReasonKind.Popular, picks[1].Reason.Kind);
    }
}
