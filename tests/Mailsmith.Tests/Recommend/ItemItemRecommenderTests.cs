using Mailsmith.Recommend;
using Mailsmith.Storage;
using static Mailsmith.Tests.Profile.SnapshotBuilder;
using static Mailsmith.Tests.Recommend.RecommendTestData;

namespace Mailsmith.Tests.Recommend;

public sealed class ItemItemRecommenderTests
{
    private static ItemItemRecommender Fitted(StoreSnapshot snapshot)
    {
        var recommender = new ItemItemRecommender(RecommendOptions.Default);
        recommender.Fit(snapshot, AsOf);
        return recommender;
    }

    [Fact]
    public void Recommend_ViewedItemWithCoViewedNeighbour_NamesViewedItem()
    {
        var snapshot = Store().Customer("me").Event("me", EventTypes.View, DaysAgo(1), "k1").Build();
        var result = Fitted(snapshot).Recommend("me", 3, _ => true);
        Assert.Equal("k2", result[0].ProductId);
        Assert.Equal(new RecommendationReason(ReasonKind.Viewed, ProductId: "k1"), result[0].Reason);
    }

    [Fact]
    public void Recommend_BoughtItemWithCoBoughtNeighbour_NamesBoughtItem()
    {
        var snapshot = Store().Customer("me").Order("me", DaysAgo(2), ["t1"]).Build();
        var result = Fitted(snapshot).Recommend("me", 3, _ => true);
        Assert.Equal("t2", result[0].ProductId);
        Assert.Equal(new RecommendationReason(ReasonKind.BoughtWith, ProductId: "t1"), result[0].Reason);
    }

    [Fact]
    public void Fit_PairSharedByOneCustomer_IsNotANeighbour()
    {
        // Only "once" views g3 and g4 together: below the minimum co-occurrence of 2.
        var snapshot = Store()
            .Customer("once").Event("once", EventTypes.View, DaysAgo(1), "g3").Event("once", EventTypes.View, DaysAgo(1), "g4")
            .Build();
        var recommender = Fitted(snapshot);
        Assert.Empty(recommender.Neighbours("g3"));
        Assert.Equal("k2", Assert.Single(recommender.Neighbours("k1")).ProductId);
    }

    [Fact]
    public void Recommend_AllowRefuses_SkipsToNextCandidate()
    {
        var snapshot = Store().Customer("me").Event("me", EventTypes.View, DaysAgo(1), "k1").Order("me", DaysAgo(1), ["t1"]).Build();
        var result = Fitted(snapshot).Recommend("me", 3, p => p != "k2");
        Assert.Equal(["t2"], result.Select(r => r.ProductId));
    }

    [Fact]
    public void Recommend_UnknownCustomer_ReturnsEmpty()
    {
        Assert.Empty(Fitted(Store().Build()).Recommend("nobody", 5, _ => true));
    }

    [Fact]
    public void Recommend_BeforeFit_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new ItemItemRecommender(RecommendOptions.Default).Recommend("x", 1, _ => true));
    }
}
