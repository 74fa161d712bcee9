using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;
using static Mailsmith.Tests.Recommend.RecommendTestData;

namespace Mailsmith.Tests.Recommend;

/// <summary>
/// The business rules of the re-rank, each shown by a list that changes when the rule is on. A cold customer's chain is
/// the best sellers, so the relevance order is set by purchase counts.
/// </summary>
public sealed class ReRankerTests
{
    // Every rule off: the relevance order is the chain's (best sellers by purchases), no category cap in the way.
    private static readonly RecommendOptions Off = new()
    {
        DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MarginBoost = 0, ThemeBoost = 0, MaxPerCategory = 10,
    };

    /// <summary>Products (id, category, price, tags) each bought by a number of one-order shoppers, 10 days ago.</summary>
    private static SnapshotBuilder BestSellers(params (string Id, string Category, decimal Price, string[] Tags, int Buyers)[] products) =>
        BestSellers([], products);

    private static SnapshotBuilder BestSellers(string[] outOfStock, params (string Id, string Category, decimal Price, string[] Tags, int Buyers)[] products)
    {
        var data = new SnapshotBuilder();
        var shopper = 0;
        foreach (var (id, category, price, tags, buyers) in products)
        {
            data.Product(new Product(id, id, null, category, null, price, "USD", !outOfStock.Contains(id), null, null, tags, new Dictionary<string, LocalizedText>()));
            for (var b = 0; b < buyers; b++)
            {
                var customer = $"s{shopper++}";
                data.Customer(customer).Order(customer, DaysAgo(10), [id], price);
            }
        }
        data.Customer("me");
        return data;
    }

    private static List<string> Ids(SnapshotBuilder data, RecommendOptions options, int count, CustomerProfile? profile = null, IReadOnlyList<string>? theme = null) =>
        [.. List(data, options, count, profile, theme).Select(r => r.ProductId)];

    private static IReadOnlyList<Recommendation> List(SnapshotBuilder data, RecommendOptions options, int count, CustomerProfile? profile = null, IReadOnlyList<string>? theme = null)
    {
        var snapshot = data.Build();
        var service = new RecommendationService(options);
        service.Fit(snapshot, AsOf);
        return service.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], profile ?? ProfileOf("me"), count, theme);
    }

    private static SnapshotBuilder TwoCategories() => BestSellers(
        ("k1", Coffee, 10, [], 9), ("k2", Coffee, 10, [], 8), ("k3", Coffee, 10, [], 7), ("k4", Coffee, 10, [], 6),
        ("t1", Tea, 10, [], 5), ("t2", Tea, 10, [], 4), ("g1", Garden, 10, [], 3));

    [Fact]
    public void Diversity_LambdaBelowOne_AlternatesCategories()
    {
        Assert.Equal(["k1", "k2", "k3", "k4"], Ids(TwoCategories(), Off, 4));

        var diverse = Ids(TwoCategories(), new RecommendOptions { DiversityLambda = 0.5, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10 }, 4);
        // Same category costs 1, the same top-level category (Kitchen) 0.5: Garden comes before a second coffee.
        Assert.Equal(["k1", "g1", "t1", "k2"], diverse);
    }

    // a, b and c are out of stock, so never in a list, but their prices place the others: cheap, mid and dear sit at the
    // 8th, 58th and 92nd percentiles of Tea.
    private static SnapshotBuilder PricedTea() => BestSellers(
        ["a", "b", "c"],
        ("dear", Tea, 70, [], 6), ("mid", Tea, 30, [], 5), ("cheap", Tea, 5, [], 4),
        ("a", Tea, 6, [], 0), ("b", Tea, 28, [], 0), ("c", Tea, 60, [], 0));

    [Fact]
    public void PriceBand_BudgetCustomer_CheapFirst_PremiumCustomer_DearFirst()
    {
        var rules = new RecommendOptions { DiversityLambda = 1, NewArrivalBoost = 0, MaxPerCategory = 10, PriceBandWeight = 1 };
        Assert.Equal(["dear", "mid", "cheap"], Ids(PricedTea(), Off, 3, ProfileOf("me") with { PriceBand = PriceBand.Budget }));
        Assert.Equal(["cheap", "mid", "dear"], Ids(PricedTea(), rules, 3, ProfileOf("me") with { PriceBand = PriceBand.Budget }));
        Assert.Equal(["dear", "mid", "cheap"], Ids(PricedTea(), rules, 3, ProfileOf("me") with { PriceBand = PriceBand.Premium }));
        Assert.Equal(["mid", "dear", "cheap"], Ids(PricedTea(), rules, 3, ProfileOf("me") with { PriceBand = PriceBand.Mid }));
        // No band known: the chain's order.
        Assert.Equal(["dear", "mid", "cheap"], Ids(PricedTea(), rules, 3, ProfileOf("me")));
    }

    [Theory]
    [InlineData(PriceBand.Budget, 0.5, 1.0 / 6)]
    [InlineData(PriceBand.Budget, 0.2, 0)]
    [InlineData(PriceBand.Mid, 0.9, 0.9 - 2.0 / 3)]
    [InlineData(PriceBand.Mid, 0.1, 1.0 / 3 - 0.1)]
    [InlineData(PriceBand.Premium, 0.7, 0)]
    [InlineData(PriceBand.Premium, 0.0, 2.0 / 3)]
    [InlineData(PriceBand.Unknown, 0.0, 0)]
    public void BandDistance_OutsideTheBand_DistanceToItsEdge(string band, double percentile, double expected) =>
        Assert.Equal(expected, ReRanker.BandDistance(band, percentile), 9);

    [Fact]
    public void NewArrivalBoost_TaggedProductInFavouriteCategory_MovesUpWithItsReason()
    {
        var data = BestSellers(("t1", Tea, 10, [], 5), ("t2", Tea, 10, [], 4), ("n1", Coffee, 10, ["new"], 1), ("k1", Coffee, 10, [], 3));
        var profile = ProfileOf("me", Tea, Coffee);
        var off = List(data, Off, 3, profile);
        Assert.Equal(["t1", "t2", "k1"], off.Select(r => r.ProductId));

        var on = List(data, new RecommendOptions { DiversityLambda = 1, PriceBandWeight = 0, MaxPerCategory = 10, NewArrivalBoost = 1 }, 3, profile);
        Assert.Equal("n1", on[0].ProductId);
        Assert.Equal(new RecommendationReason(ReasonKind.NewInFavourite, Category: Coffee), on[0].Reason);
        Assert.Equal(new RecommendationReason(ReasonKind.PopularIn, Category: Tea), on[1].Reason);
    }

    [Fact]
    public void NewArrivals_FirstSeenRecentlyInAnOlderStore_AreNew_TheStoresFirstProductsAreNot()
    {
        var data = new SnapshotBuilder().Product("old", Tea).Product("recent", Tea).Product("quiet", Tea).Customer("c")
            .Event("c", EventTypes.View, DaysAgo(200), "old")
            .Event("c", EventTypes.View, DaysAgo(5), "old")
            .Order("c", DaysAgo(6), ["recent"]);
        var rules = new ReRanker(data.Build(), AsOf, new RecommendOptions { NewArrivalDays = 30 });
        Assert.Equal(["recent"], rules.NewArrivalIds);

        // A store whose data starts 10 days ago: nothing is known to be new.
        var young = new SnapshotBuilder().Product("a", Tea).Customer("c").Event("c", EventTypes.View, DaysAgo(10), "a").Event("c", EventTypes.View, DaysAgo(1), "a");
        Assert.Empty(new ReRanker(young.Build(), AsOf, new RecommendOptions { NewArrivalDays = 30 }).NewArrivalIds);
    }

    [Fact]
    public void MarginBoost_HighMarginProduct_MovesUp()
    {
        var data = BestSellers(("t1", Tea, 10, ["margin:0.05"], 5), ("t2", Tea, 10, [], 4), ("t3", Tea, 10, ["margin:0.9"], 3));
        Assert.Equal(["t1", "t2", "t3"], Ids(data, Off, 3));
        Assert.Equal(["t3", "t1", "t2"], Ids(data, new RecommendOptions { DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10, MarginBoost = 1 }, 3));
    }

    [Fact]
    public void ThemeBoost_ProductWithTheCampaignsThemeTag_MovesUp()
    {
        var data = BestSellers(("t1", Tea, 10, [], 5), ("t2", Tea, 10, [], 4), ("t3", Tea, 10, ["Summer"], 3));
        var rules = new RecommendOptions { DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10, ThemeBoost = 1 };
        Assert.Equal(["t1", "t2", "t3"], Ids(data, rules, 3));
        Assert.Equal(["t3", "t1", "t2"], Ids(data, rules, 3, theme: ["summer"]));
        // The configured theme applies when the call names none.
        Assert.Equal(["t3", "t1", "t2"], Ids(data, new RecommendOptions { DiversityLambda = 1, PriceBandWeight = 0, NewArrivalBoost = 0, MaxPerCategory = 10, ThemeBoost = 1, ThemeTags = ["summer"] }, 3));
    }

    [Fact]
    public void CategoryCap_StillHoldsUnderTheReRank()
    {
        var ids = Ids(TwoCategories(), new RecommendOptions { DiversityLambda = 1, MaxPerCategory = 2 }, 5);
        Assert.Equal(["k1", "k2", "t1", "t2", "g1"], ids);
    }
}
