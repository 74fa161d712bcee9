using System.Net;
using Mailsmith.Track;

namespace Mailsmith.Tests.Server;

/// <summary>Unsubscribe (page and RFC 8058 one-click), the preference centre, and machine-open flagging.</summary>
public sealed class SubscriptionAndMachineTests
{
    [Fact]
    public async Task Unsubscribe_GetShowsConfirmButtonOnly_PostUnsubscribes_ReplayChangesNothing()
    {
        await using var h = await ServerHarness.StartAsync();
        var send = h.Sends[0];
        var path = h.UnsubscribePath(send);
        using (var page = await h.Client.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("<form method=\"post\"", html, StringComparison.Ordinal);
            Assert.Contains("r•••@example.com", html, StringComparison.Ordinal);
        }
        // A link scanner fetching the page unsubscribes nobody.
        Assert.Null(h.Store.GetCustomer(send.CustomerId)!.UnsubscribedAt);

        for (var i = 0; i < 3; i++)
        {
            using var oneClick = await h.Client.PostAsync(path, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }
        Assert.NotNull(h.Store.GetCustomer(send.CustomerId)!.UnsubscribedAt);
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE type = 'unsubscribe' AND send_id = {send.SendId}"));
        Assert.Equal(0, h.Count("SELECT count(*) FROM customers WHERE unsubscribed_at IS NOT NULL AND customer_id <> '" + send.CustomerId + "'"));
        using var page2 = await h.Client.GetAsync(path);
        Assert.DoesNotContain("<form", await page2.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_ForgedToken_404AndNobodyUnsubscribed()
    {
        await using var h = await ServerHarness.StartAsync();
        var forged = new TrackingLinks(new TrackOptions(), new LinkSigner(new byte[32])).Unsubscribe(h.Ref(h.Sends[0]));
        using var response = await h.Client.PostAsync(ServerHarness.PathOf(forged), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, h.Count("SELECT count(*) FROM customers WHERE unsubscribed_at IS NOT NULL"));
    }

    [Fact]
    public async Task Preferences_SaveMutedTypesAndPause_StoredAndShownAgain()
    {
        await using var h = await ServerHarness.StartAsync();
        var send = h.Sends[1];
        var path = ServerHarness.PathOf(h.Links.Preferences(h.Ref(send)));
        using (var page = await h.Client.GetAsync(path))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains("name=\"topic\" value=\"winback\" checked", html, StringComparison.Ordinal);
            Assert.Contains("邮件偏好", html, StringComparison.Ordinal); // c002 reads zh-CN
        }
        using var save = await h.Client.PostAsync(path, new FormUrlEncodedContent([new("topic", "recommendations"), new("topic", "welcome"), new("pause", "1")]));
        Assert.Equal(HttpStatusCode.OK, save.StatusCode);
        var prefs = h.Store.GetPreferences(send.CustomerId)!;
        // Every topic left unticked is muted: all campaign types but the two kept.
        Assert.Equal(Mailsmith.Compose.CampaignTypes.All.Where(t => t is not "recommendations" and not "welcome").Order(StringComparer.Ordinal),
            prefs.MutedTypes.Order(StringComparer.Ordinal));
        Assert.InRange(prefs.PausedUntil!.Value, DateTimeOffset.UtcNow.AddDays(29), DateTimeOffset.UtcNow.AddDays(31));
        Assert.Equal("paused", prefs.Excludes("recommendations", DateTimeOffset.UtcNow));
        Assert.Equal("muted_topic", prefs.Excludes("winback", DateTimeOffset.UtcNow.AddDays(40)));
        Assert.Null(prefs.Excludes("recommendations", DateTimeOffset.UtcNow.AddDays(40)));
        var html2 = await save.Content.ReadAsStringAsync();
        Assert.Contains("name=\"topic\" value=\"winback\">", html2, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", "user_agent")]
    [InlineData("Mozilla/5.0", "apple_mpp")]
    [InlineData("Barracuda Sentinel (EE)", "user_agent")]
    [InlineData("", "no_user_agent")]
    public async Task Open_KnownProxyOrScanner_IsFlaggedMachineNotHuman(string userAgent, string reason)
    {
        await using var h = await ServerHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, h.OpenPath(h.Sends[0]));
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        using var client = new HttpClient { BaseAddress = h.BaseUri };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE is_machine = 1 AND machine_reason = '{reason}'"));
        var report = new CampaignReporter(h.Store, h.Settings.Track).Build(h.Campaign.CampaignId);
        Assert.Equal(0, report.Total.HumanOpens);
        Assert.Equal(1, report.Total.MachineOpens);
    }

    [Fact]
    public async Task Open_SecondsAfterDelivery_IsFlaggedAndHeadIsAMachine()
    {
        await using var h = await ServerHarness.StartAsync(sentAgo: TimeSpan.FromSeconds(1));
        using (await h.Client.GetAsync(h.OpenPath(h.Sends[0])))
        {
        }
        using (await h.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, h.ClickPath(h.Sends[1], "https://shop.example/"))))
        {
        }
        Assert.Equal(1, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'open' AND is_machine = 1 AND machine_reason = 'after_delivery'"));
        Assert.Equal(1, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'click' AND is_machine = 1 AND machine_reason = 'head_request'"));
    }

    [Fact]
    public async Task Report_OneClientOpeningManyMessagesAtOnceWithoutClicks_FlagsTheBurst()
    {
        await using var h = await ServerHarness.StartAsync(customers: 12, config: new Dictionary<string, string?> { ["Track:BurstMessages"] = "5" });
        // One client opens 8 messages within a second and clicks one of them; another reader opens one message.
        foreach (var send in h.Sends.Take(8))
        {
            using var r = await h.Client.GetAsync(h.OpenPath(send));
        }
        using (await h.Client.GetAsync(h.ClickPath(h.Sends[0], "https://shop.example/")))
        {
        }
        var report = new CampaignReporter(h.Store, h.Settings.Track).Build(h.Campaign.CampaignId);
        // 7 burst opens flagged; the message that was clicked stays a human open.
        Assert.Equal(7, h.Count("SELECT count(*) FROM engagement_events WHERE machine_reason = 'burst'"));
        Assert.Equal(1, report.Total.HumanOpens);
        Assert.Equal(7, report.Total.MachineOpens);
        Assert.Equal(1, report.Total.Clicks);
    }
}
