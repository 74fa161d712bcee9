using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Pipeline;

public sealed class AudienceTests
{
    private static readonly DateTimeOffset AsOf = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static Customer Customer(string id, string locale = "en-US", DateTimeOffset? signup = null) =>
        new(id, $"{id}@example.com", "A", "B", locale, "UTC", signup, null, true, null);

    private static CustomerProfile Profile(string id, string lifecycle, int frequency = 1, string band = PriceBand.Mid, params string[] categories) =>
        new(id, 10, frequency, 100m, 3, 3, 3, lifecycle, categories, band, 9, 0, 50m, 0.5);

    private static AudienceFacts Facts(params StoreEvent[] events) =>
        new(new StoreSnapshot([], [], [], [], events, []), AsOf, new CampaignOptions());

    [Theory]
    [InlineData("lifecycle=vip;nope=1", "unknown field 'nope'")]
    [InlineData("lifecycle=sleepy", "unknown lifecycle 'sleepy'")]
    [InlineData("lifecycle", "expected field=value")]
    [InlineData("locale=", "no values")]
    public void Parse_BadRule_SaysWhatIsWrong(string rule, string message)
    {
        var e = Assert.Throws<FormatException>(() => Audience.Parse(rule));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Includes_ClausesMustAllHold()
    {
        var audience = Audience.Parse("lifecycle=at_risk,lapsed; locale=zh-CN");
        var facts = Facts();
        Assert.True(audience.Includes("recommendations", Customer("1", "zh-CN"), Profile("1", Lifecycle.AtRisk), facts));
        Assert.False(audience.Includes("recommendations", Customer("2", "en-US"), Profile("2", Lifecycle.AtRisk), facts));
        Assert.False(audience.Includes("recommendations", Customer("3", "zh-CN"), Profile("3", Lifecycle.Active), facts));
        Assert.True(Audience.Parse("category=Kitchen > Cookware").Includes("recommendations", Customer("4"), Profile("4", Lifecycle.Active, 1, PriceBand.Mid, "Kitchen > Cookware"), facts));
    }

    [Fact]
    public void Default_Welcome_IsRecentSignupsOnly()
    {
        var audience = Audience.Parse("default");
        var facts = Facts();
        Assert.True(audience.Includes("welcome", Customer("1", signup: AsOf.AddDays(-3)), Profile("1", Lifecycle.New), facts));
        Assert.False(audience.Includes("welcome", Customer("2", signup: AsOf.AddDays(-30)), Profile("2", Lifecycle.Active), facts));
        Assert.False(audience.Includes("welcome", Customer("3"), Profile("3", Lifecycle.Active), facts));
    }

    [Fact]
    public void Default_Winback_IsAtRiskOrLapsedBuyers()
    {
        var audience = Audience.Parse(null);
        var facts = Facts();
        Assert.True(audience.Includes("winback", Customer("1"), Profile("1", Lifecycle.Lapsed), facts));
        Assert.False(audience.Includes("winback", Customer("2"), Profile("2", Lifecycle.Lapsed, frequency: 0), facts));
        Assert.False(audience.Includes("winback", Customer("3"), Profile("3", Lifecycle.Vip), facts));
    }

    [Fact]
    public void AbandonedCarts_OpenCartWithinWindowOnly()
    {
        StoreEvent E(string c, string type, double hoursBefore, string p) => new(c, type, AsOf.AddHours(-hoursBefore), p, null, null);
        var carts = AudienceFacts.AbandonedCarts(new StoreSnapshot([], [], [], [],
        [
            E("open", "add_to_cart", 5, "P1"),
            E("bought", "add_to_cart", 10, "P1"), E("bought", "purchase", 2, "P1"),
            E("removed", "add_to_cart", 10, "P1"), E("removed", "remove_from_cart", 9, "P1"),
            E("old", "add_to_cart", 100, "P1"),
        ], []), AsOf, TimeSpan.FromHours(72));
        Assert.Equal(["open"], carts.Order());
    }
}

public sealed class WelcomeOnceTests
{
    [Fact]
    public void Default_Welcome_SkipsCustomersAlreadyWelcomed()
    {
        var asOf = DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var customer = new Customer("C1", "c1@example.com", "A", "B", "en-US", "UTC", asOf.AddDays(-2), null, true, null);
        var profile = new CustomerProfile("C1", null, 0, 0m, 0, 0, 0, Lifecycle.New, [], PriceBand.Unknown, null, 0, null, 0.5);
        var snapshot = new StoreSnapshot([customer], [], [], [], [], []);
        var audience = Audience.Parse("default");
        Assert.True(audience.Includes("welcome", customer, profile, new AudienceFacts(snapshot, asOf, new CampaignOptions())));
        Assert.False(audience.Includes("welcome", customer, profile, new AudienceFacts(snapshot, asOf, new CampaignOptions(), new HashSet<string> { "C1" })));
    }
}
