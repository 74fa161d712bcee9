using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Recommend;

public sealed class PopularityReasonTests
{
    private static readonly DateTimeOffset AsOf = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Product Product(string id) =>
        new(id, "Title " + id, null, "Kitchen > Cookware", null, 10m, "USD", true, null, null, [], new Dictionary<string, LocalizedText>());

    [Fact]
    public void Recommend_ProductThatNeverSold_IsNotCalledPopular()
    {
        var customer = new Customer("C1", "c1@example.com", null, null, "en-US", null, AsOf.AddDays(-100), null, true, null);
        var snapshot = new StoreSnapshot(
            [customer],
            [Product("P1"), Product("P2")],
            [new Order("O1", "C1", AsOf.AddDays(-5), 10m, "USD", null, null)],
            [new OrderLine("O1", "P1", 1, 10m)],
            [], []);
        var popularity = new PopularityRecommender(new RecommendOptions());
        popularity.Fit(snapshot, AsOf);
        var list = popularity.Recommend("C9", 2, _ => true);
        Assert.Equal(["P1", "P2"], list.Select(r => r.ProductId));
        Assert.Equal(ReasonKind.Popular, list[0].Reason.Kind);
        Assert.Equal(ReasonKind.Explore, list[1].Reason.Kind);
    }
}
