using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
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
    public void Recommend_AllowRefusesBeyondHead_SameOrderAsFullRanking()
    {
        var random = new Random(5);
        var data = new SnapshotBuilder();
        for (var i = 0; i < 80; i++)
        {
            data.Product($"p{i:00}", $"Cat {i % 4}");
        }
        for (var c = 0; c < 60; c++)
        {
            data.Customer($"c{c}");
            for (var e = 0; e < 12; e++)
            {
                data.Event($"c{c}", e % 3 == 0 ? EventTypes.AddToCart : EventTypes.View, DaysAgo(random.Next(100)), $"p{random.Next(80):00}");
            }
        }
        data.Customer("me");
        for (var i = 0; i < 10; i++)
        {
            data.Event("me", EventTypes.View, DaysAgo(i), $"p{i * 7:00}");
        }
        var recommender = Fitted(data.Build());

        var full = recommender.Recommend("me", 1000, _ => true);
        Assert.True(full.Count > 40, $"{full.Count} candidates");
        for (var i = 1; i < full.Count; i++)
        {
            Assert.True(
                full[i - 1].Score > full[i].Score || (full[i - 1].Score == full[i].Score && string.CompareOrdinal(full[i - 1].ProductId, full[i].ProductId) < 0),
                $"{full[i - 1]} before {full[i]}");
        }
        Assert.Equal(full.Take(5), recommender.Recommend("me", 5, _ => true));
        var refused = full.Take(20).Select(r => r.ProductId).ToHashSet();
        Assert.Equal(full.Skip(20).Take(10), recommender.Recommend("me", 10, p => !refused.Contains(p)));
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
