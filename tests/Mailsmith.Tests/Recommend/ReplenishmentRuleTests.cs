using Mailsmith.Compose;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

public sealed class ReplenishmentRuleTests
{
    private static IReadOnlyList<Recommendation> Recommend(RecommendOptions options, double boughtDaysAgo)
    {
        var d = new SnapshotBuilder()
            .Product("beans", "Kitchen > Coffee")
            .Product("mug", "Home > Mugs")
            .Product(new Product("filters", "filters", null, "Home > Paper", null, 10m, "USD", true, null, null, ["Replenishable"], new Dictionary<string, LocalizedText>()))
            .Product("other", "Books");
        for (var i = 0; i < 5; i++)
        {
            d.Customer($"fan{i}").Order($"fan{i}", DaysAgo(5), ["beans", "mug", "filters"]);
        }
        d.Customer("me").Order("me", DaysAgo(boughtDaysAgo), ["beans", "mug", "filters"]);
        var snapshot = d.Build();
        var service = new RecommendationService(options, [new PopularityRecommender(options)]);
        service.Fit(snapshot, AsOf);
        return service.For(CampaignTypes.Recommendations, snapshot.CustomersById["me"], RecommendTestData.ProfileOf("me"), 4);
    }

    [Fact]
    public void For_ReplenishableBoughtLongAgo_IsProposedAgainOthersNever()
    {
        var picks = Recommend(new RecommendOptions { ReplenishableCategories = ["kitchen"], ReplenishAfterDays = 30 }, boughtDaysAgo: 40).Select(p => p.ProductId).ToList();

        Assert.Contains("beans", picks);   // top-level category listed
        Assert.Contains("filters", picks); // tagged, case-insensitively
        Assert.DoesNotContain("mug", picks);
    }

    [Fact]
    public void For_ReplenishableBoughtRecently_IsNotProposed()
    {
        var picks = Recommend(new RecommendOptions { ReplenishableCategories = ["Kitchen > Coffee"], ReplenishAfterDays = 30 }, boughtDaysAgo: 10).Select(p => p.ProductId).ToList();

        Assert.DoesNotContain("beans", picks);
        Assert.DoesNotContain("filters", picks);
        Assert.DoesNotContain("mug", picks);
    }
}
