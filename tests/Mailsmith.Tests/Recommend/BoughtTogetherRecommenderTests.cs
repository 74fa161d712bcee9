using Mailsmith.Compose;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

public sealed class BoughtTogetherRecommenderTests
{
    // 10 orders: {a,b} ×4, {a,c} ×2, {d} ×4 → a⇒b (conf 4/6, lift (4/6)/(4/10) ≈ 1.67), a⇒c (conf 2/6, lift 1.67), b⇒a (conf 1, lift 1.67).
    private static SnapshotBuilder Store()
    {
        var d = new SnapshotBuilder();
        foreach (var p in new[] { "a", "b", "c", "d" })
        {
            d.Product(p, "Cat " + p);
        }
        for (var i = 0; i < 4; i++)
        {
            d.Customer($"ab{i}").Order($"ab{i}", DaysAgo(20), ["a", "b"]);
            d.Customer($"d{i}").Order($"d{i}", DaysAgo(20), ["d"]);
        }
        for (var i = 0; i < 2; i++)
        {
            d.Customer($"ac{i}").Order($"ac{i}", DaysAgo(20), ["a", "c"]);
        }
        return d;
    }

    [Fact]
    public void Recommend_RecentPurchase_GivesConsequentsByLiftThenConfidenceWithBoughtWithReason()
    {
        var store = Store().Customer("me").Order("me", DaysAgo(3), ["a"]);
        var recommender = new BoughtTogetherRecommender(new RecommendOptions { BoughtTogetherMinSupport = 0.1, BoughtTogetherMinConfidence = 0.2 });
        recommender.Fit(store.Build(), AsOf);

        var picks = recommender.Recommend("me", 5, _ => true);

        // Equal lift (both ≈ 1.57 with "me"'s order counted): b wins on confidence.
        Assert.Equal(["b", "c"], picks.Select(p => p.ProductId));
        Assert.All(picks, p => Assert.Equal(new RecommendationReason(ReasonKind.BoughtWith, ProductId: "a"), p.Reason));
        Assert.Empty(recommender.Recommend("d0", 5, _ => true));
    }

    [Fact]
    public void Recommend_PurchaseOlderThanRecentDays_IsNotABasket()
    {
        var store = Store().Customer("me").Order("me", DaysAgo(200), ["a"]);
        var recommender = new BoughtTogetherRecommender(new RecommendOptions { BoughtTogetherMinSupport = 0.1, BoughtTogetherMinConfidence = 0.2 });
        recommender.Fit(store.Build(), AsOf);

        Assert.Empty(recommender.Recommend("me", 5, _ => true));
        Assert.Equal("b", recommender.ForBasket(["a"], 1, _ => true)[0].ProductId);
    }

    [Fact]
    public void For_AbandonedCart_FollowsCartWithItsBoughtTogetherProduct()
    {
        var store = Store().Customer("me").Event("me", EventTypes.AddToCart, DaysAgo(1), "b");
        var service = new RecommendationService(new RecommendOptions { BoughtTogetherMinSupport = 0.1, BoughtTogetherMinConfidence = 0.2 });
        service.Fit(store.Build(), AsOf);

        var picks = service.For(CampaignTypes.AbandonedCart, store.Build().CustomersById["me"], RecommendTestData.ProfileOf("me"), 3);

        Assert.Equal("b", picks[0].ProductId);
        Assert.Equal("a", picks[1].ProductId);
        Assert.Equal(new RecommendationReason(ReasonKind.BoughtWith, ProductId: "b"), picks[1].Reason);
    }
}
