using Mailsmith.Compose;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;
using static Mailsmith.Tests.Recommend.RecommendTestData;

namespace Mailsmith.Tests.Recommend;

public sealed class RecommendationServiceTests
{
    // The order of the recommenders alone: no diversity re-rank (ReRankerTests covers it).
    private static readonly RecommendOptions RelevanceOnly = new() { DiversityLambda = 1 };

    private static (RecommendationService Service, StoreSnapshot Snapshot) Fitted(SnapshotBuilder data, RecommendOptions? options = null)
    {
        var snapshot = data.Build();
        var service = new RecommendationService(options ?? RecommendOptions.Default);
        service.Fit(snapshot, AsOf);
        return (service, snapshot);
    }

    private static IReadOnlyList<Recommendation> For(
        (RecommendationService Service, StoreSnapshot Snapshot) fitted, string campaignType, string customerId, int count, params string[] topCategories) =>
        fitted.Service.For(campaignType, fitted.Snapshot.CustomersById[customerId], ProfileOf(customerId, topCategories), count);

    [Fact]
    public void For_StrongestNeighbourOutOfStock_NeverReturnedForAnyCampaign()
    {
        var fitted = Fitted(Store(k2InStock: false)
            .Customer("me").Event("me", EventTypes.View, DaysAgo(1), "k1").Event("me", EventTypes.AddToCart, DaysAgo(1), "k2"));
        foreach (var type in CampaignTypes.All)
        {
            var result = For(fitted, type, "me", 8, Coffee);
            Assert.Equal(8, result.Count);
            Assert.All(result, r => Assert.True(fitted.Snapshot.ProductsById[r.ProductId].InStock, $"{type}: {r.ProductId}"));
        }
    }

    [Fact]
    public void For_Recommendations_NeverAProductTheCustomerBought()
    {
        // t2 is t1's strongest neighbour, but the customer bought it long ago.
        var fitted = Fitted(Store().Customer("me").Order("me", DaysAgo(300), ["t2"]).Order("me", DaysAgo(2), ["t1"]));
        var result = For(fitted, CampaignTypes.Recommendations, "me", 10);
        Assert.Equal(10, result.Count);
        Assert.DoesNotContain(result, r => r.ProductId is "t1" or "t2");
    }

    [Fact]
    public void For_AbandonedCart_OpenCartFirstMostRecentFirst()
    {
        var fitted = Fitted(Store()
            .Customer("me")
            .Event("me", EventTypes.AddToCart, DaysAgo(2), "k3")
            .Event("me", EventTypes.AddToCart, DaysAgo(1), "t3")
            .Event("me", EventTypes.AddToCart, DaysAgo(1.5), "g3").Event("me", EventTypes.RemoveFromCart, DaysAgo(1), "g3")
            .Event("me", EventTypes.AddToCart, DaysAgo(3), "g4").Order("me", DaysAgo(2), ["g4"])
            .Event("me", EventTypes.AddToCart, DaysAgo(10), "b4")
            // Removed, then added again: in the cart.
            .Event("me", EventTypes.AddToCart, DaysAgo(5), "b3").Event("me", EventTypes.RemoveFromCart, DaysAgo(4), "b3")
            .Event("me", EventTypes.AddToCart, DaysAgo(3.5), "b3")
            .Event("me", EventTypes.View, DaysAgo(1), "k1"), RelevanceOnly);
        var result = For(fitted, CampaignTypes.AbandonedCart, "me", 6);

        Assert.Equal(6, result.Count);
        Assert.Equal(["t3", "k3", "b3"], result.Take(3).Select(r => r.ProductId));
        Assert.All(result.Take(3), r => Assert.Equal(new RecommendationReason(ReasonKind.InCart, ProductId: r.ProductId), r.Reason));
        Assert.Equal(3, result.Count(r => r.Reason.Kind == ReasonKind.InCart));
        // The bought one is neither in the cart nor in the fill.
        Assert.DoesNotContain(result, r => r.ProductId == "g4");
        // The fill starts with item-item: k2 was co-viewed with k1.
        Assert.Equal(new RecommendationReason(ReasonKind.Viewed, ProductId: "k1"), result[3].Reason);
    }

    [Fact]
    public void For_ManySimilarItemsInOneCategory_AtMostTwoOfIt()
    {
        var data = Store();
        for (var i = 1; i <= 5; i++)
        {
            data.Product($"x{i}", Coffee + " > Beans");
        }
        for (var s = 0; s < 4; s++)
        {
            data.Customer($"bean{s}");
            for (var i = 1; i <= 5; i++)
            {
                data.Event($"bean{s}", EventTypes.View, DaysAgo(3), $"x{i}");
            }
        }
        data.Customer("me").Event("me", EventTypes.View, DaysAgo(1), "x1");
        var fitted = Fitted(data);

        var result = For(fitted, CampaignTypes.Recommendations, "me", 5);
        Assert.Equal(5, result.Count);
        Assert.Equal(2, result.Count(r => r.ProductId.StartsWith('x')));
        Assert.All(result.GroupBy(r => fitted.Snapshot.ProductsById[r.ProductId].Category), g => Assert.True(g.Count() <= 2, g.Key));
    }

    [Fact]
    public void For_ColdCustomer_PopularInTopCategoryFirst()
    {
        var fitted = Fitted(Store().Customer("cold"), RelevanceOnly);
        var result = For(fitted, CampaignTypes.Recommendations, "cold", 3, Garden);
        // Then what is trending (k1: four views in the last week, none before) ahead of the store-wide best seller b1.
        Assert.Equal(["g2", "g1", "k1"], result.Select(r => r.ProductId));
        Assert.Equal(new RecommendationReason(ReasonKind.PopularIn, Category: Garden), result[0].Reason);
        Assert.Equal(new RecommendationReason(ReasonKind.PopularIn, Category: Garden), result[1].Reason);
        Assert.Equal(new RecommendationReason(ReasonKind.Trending), result[2].Reason);
    }

    [Fact]
    public void For_WelcomeWithoutTopCategories_StoreWideBestSellers()
    {
        var fitted = Fitted(Store().Customer("new"));
        var result = For(fitted, CampaignTypes.Welcome, "new", 3);
        Assert.Equal("b1", result[0].ProductId);
        Assert.Equal(3, result.Count);
        Assert.All(result, r => Assert.Equal(ReasonKind.Popular, r.Reason.Kind));
    }

    [Fact]
    public void For_Winback_AlternatesFavouriteBestSellersAndSimilarItems()
    {
        var fitted = Fitted(Store()
            .Customer("back").Event("back", EventTypes.View, DaysAgo(200), "k1").Order("back", DaysAgo(400), ["t1"])
            .Order("back", DaysAgo(30), ["b1"]));
        var result = For(fitted, CampaignTypes.Winback, "back", 6, Garden);
        Assert.Equal(6, result.Count);
        Assert.Equal(new RecommendationReason(ReasonKind.PopularIn, Category: Garden), result[0].Reason);
        Assert.Contains(result[1].Reason.Kind, new[] { ReasonKind.Viewed, ReasonKind.BoughtWith });
        Assert.Equal(new RecommendationReason(ReasonKind.PopularIn, Category: Garden), result[2].Reason);
        // Bought 30 days ago: left out; bought 400 days ago: may come back.
        Assert.DoesNotContain(result, r => r.ProductId == "b1");
    }

    [Fact]
    public void For_CategoryCapWouldLeaveListShort_FillsToCount()
    {
        var data = new SnapshotBuilder().Customer("me");
        for (var i = 1; i <= 5; i++)
        {
            data.Product($"s{i}", "Solo");
        }
        data.Product("gone", "Solo", inStock: false);
        var fitted = Fitted(data);
        Assert.Equal(4, For(fitted, CampaignTypes.Recommendations, "me", 4).Select(r => r.ProductId).Distinct().Count());
        // Only five products in stock: five is all the catalog allows.
        Assert.Equal(5, For(fitted, CampaignTypes.Recommendations, "me", 9).Count);

        var strict = Fitted(data, new RecommendOptions { RelaxCategoryCapToFill = false });
        Assert.Equal(2, For(strict, CampaignTypes.Recommendations, "me", 4).Count);
    }

    [Fact]
    public void For_ManyThreads_SameListsAsOneThread()
    {
        var data = Store();
        for (var c = 0; c < 40; c++)
        {
            data.Customer($"u{c}").Event($"u{c}", EventTypes.View, DaysAgo(c % 7), c % 2 == 0 ? "k1" : "t1")
                .Event($"u{c}", EventTypes.AddToCart, DaysAgo(c % 3), $"g{1 + (c % 4)}");
        }
        var fitted = Fitted(data);
        string[] types = [.. CampaignTypes.All];
        var expected = new string[160];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = string.Join(',', For(fitted, types[i % 4], $"u{i % 40}", 5, Garden).Select(r => $"{r.ProductId}:{r.Reason.Kind}"));
        }
        var actual = new string[expected.Length];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            actual[i] = string.Join(',', For(fitted, types[i % 4], $"u{i % 40}", 5, Garden).Select(r => $"{r.ProductId}:{r.Reason.Kind}")));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void For_UnknownCampaignType_Throws()
    {
        var fitted = Fitted(Store().Customer("me"));
        Assert.Throws<ArgumentOutOfRangeException>(() => For(fitted, "newsletter", "me", 3));
    }

    [Fact]
    public void For_ChainWithoutPopularity_StillFillsFromOwnPopularity()
    {
        var snapshot = Store().Customer("me").Event("me", EventTypes.View, DaysAgo(1), "k1").Build();
        var service = new RecommendationService(RecommendOptions.Default, [new ItemItemRecommender(RecommendOptions.Default)]);
        service.Fit(snapshot, AsOf);
        var result = service.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], ProfileOf("me"), 4);
        Assert.Equal(["k2", "b1", "t1", "t2"], result.Select(r => r.ProductId));
    }
}
