using Mailsmith.Pipeline;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Profile.Segments;

public sealed class SegmentCatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-segments-").FullName;
    private readonly MailsmithStore _store;
    private readonly SegmentCatalog _catalog;

    public SegmentCatalogTests()
    {
        _store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        _catalog = new SegmentCatalog(_store);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Create_Valid_IsStoredAndFoundInAnyCase()
    {
        var saved = _catalog.Create("at-risk", "  lifecycle = 'at_risk' and clv_365 > 200 ", "worth winning back", Rows.Context);
        Assert.Equal("lifecycle = 'at_risk' and clv_365 > 200", saved.Expression);
        var found = _catalog.Get("AT-RISK");
        Assert.Equal("at-risk", found.Name);
        Assert.Equal("worth winning back", found.Description);
        Assert.Equal(["at-risk"], _catalog.List().Select(s => s.Name));
    }

    [Fact]
    public void Create_InvalidExpression_StoresNothing()
    {
        var e = Assert.Throws<SegmentExpressionException>(() => _catalog.Create("bad", "lifecycle = 'at_risk' and clv365 > 200", null, Rows.Context));
        Assert.StartsWith("unknown field 'clv365'", e.Message, StringComparison.Ordinal);
        Assert.Throws<SegmentExpressionException>(() => _catalog.Create("bad", "frequency >", null, Rows.Context));
        Assert.Empty(_catalog.List());
    }

    [Fact]
    public void Create_InvalidReplacement_KeepsTheStoredExpression()
    {
        _catalog.Create("vip", "lifecycle = 'vip'", null, Rows.Context);
        Assert.Throws<SegmentExpressionException>(() => _catalog.Create("vip", "lifecycle = 'vipp'", null, Rows.Context, replace: true));
        Assert.Equal("lifecycle = 'vip'", _catalog.Get("vip").Expression);
    }

    [Fact]
    public void Create_ExistingName_RefusedUnlessReplace()
    {
        var first = _catalog.Create("vip", "lifecycle = 'vip'", "one", Rows.Context);
        var e = Assert.Throws<ArgumentException>(() => _catalog.Create("VIP", "frequency > 1", null, Rows.Context));
        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("lifecycle = 'vip'", _catalog.Get("vip").Expression);

        var replaced = _catalog.Create("VIP", "frequency > 1", "two", Rows.Context, replace: true);
        Assert.Equal("vip", replaced.Name);
        Assert.Equal("frequency > 1", replaced.Expression);
        Assert.Equal(first.CreatedAt, replaced.CreatedAt);
        Assert.Single(_catalog.List());
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("a,b")]
    [InlineData("-leading")]
    public void Create_BadName_Refused(string name)
    {
        Assert.Throws<ArgumentException>(() => _catalog.Create(name, "consent", null, Rows.Context));
        Assert.Empty(_catalog.List());
    }

    [Fact]
    public void Get_Unknown_SuggestsANearName()
    {
        _catalog.Create("winback-shoes", "consent", null, Rows.Context);
        var e = Assert.Throws<KeyNotFoundException>(() => _catalog.Get("winbak-shoes"));
        Assert.Equal("no segment 'winbak-shoes' (did you mean 'winback-shoes'?)", e.Message);
    }

    [Fact]
    public void Delete_TargetedByACampaign_RefusedUnlessForced()
    {
        _catalog.Create("vip", "lifecycle = 'vip'", null, Rows.Context);
        _catalog.Create("other", "consent", null, Rows.Context);
        var campaign = _store.CreateCampaign("recommendations", "vip picks", Audience.WithSegment("lifecycle=vip", "vip"), [new CampaignVariant("A", 1)], 1, DateTimeOffset.UtcNow);
        var e = Assert.Throws<ArgumentException>(() => SegmentTargeting.Delete(_store, "VIP"));
        Assert.Contains(campaign.CampaignId, e.Message, StringComparison.Ordinal);
        Assert.NotNull(_store.GetSegment("vip"));

        SegmentTargeting.Delete(_store, "other");
        Assert.Null(_store.GetSegment("other"));
        SegmentTargeting.Delete(_store, "vip", force: true);
        Assert.Empty(_catalog.List());
        Assert.Throws<KeyNotFoundException>(() => SegmentTargeting.Delete(_store, "vip"));
    }

    [Fact]
    public void Audience_SegmentClause_ResolvedThroughTheStore()
    {
        _catalog.Create("big", "monetary > 100", null, Rows.Context);
        var resolver = SegmentTargeting.Resolver(_store, Rows.Context);
        var audience = Audience.Parse("lifecycle=active;segment=big", resolver);
        var facts = new AudienceFacts(new StoreSnapshot([], [], [], [], [], []), Rows.AsOf, new CampaignOptions());
        Assert.True(audience.Includes("recommendations", Rows.CustomerOf(), Rows.ProfileOf(monetary: 250m), facts));
        Assert.False(audience.Includes("recommendations", Rows.CustomerOf(), Rows.ProfileOf(monetary: 50m), facts));
        Assert.False(audience.Includes("recommendations", Rows.CustomerOf(), Rows.ProfileOf(lifecycle: "vip", monetary: 250m), facts));
        Assert.Throws<KeyNotFoundException>(() => Audience.Parse("segment=nope", resolver));
        Assert.Throws<FormatException>(() => Audience.Parse("segment=big"));
        Assert.Equal(["big"], Audience.SegmentNames("lifecycle=active; segment = big"));
        Assert.Equal("segment=big", Audience.WithSegment("default", "big"));
        Assert.Equal("segment=big", Audience.WithSegment(null, "big"));
    }
}
