using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mailsmith.Track;

namespace Mailsmith.Tests.Server;

/// <summary>The JSON API over real HTTP: keys, limits, the import path's validation, webhooks, attribution, reports.</summary>
public sealed class ApiTests
{
    private static async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(ServerHarness h, HttpRequestMessage request)
    {
        using (request)
        using (var response = await h.Client.SendAsync(request))
        {
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, JsonNode.Parse(text)!);
        }
    }

    [Fact]
    public async Task Api_WithoutOrWithWrongKey_401AndNothingStored()
    {
        await using var h = await ServerHarness.StartAsync();
        const string body = """{"customer_id":"x1","email":"x1@example.com"}""";
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/customers", body, key: null))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/customers", body, key: ServerHarness.ApiKey + "x"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/customers", body, key: ServerHarness.ApiKey[..^1]))).Status);
        Assert.Null(h.Store.GetCustomer("x1"));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/customers", body))).Status);
        Assert.NotNull(h.Store.GetCustomer("x1"));
    }

    [Fact]
    public async Task PostRecords_BadRow_422WithImportsErrorFormatAndNothingStored()
    {
        await using var h = await ServerHarness.StartAsync();
        var (status, body) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/customers",
            """[{"customer_id":"n1","email":"n1@example.com"},{"customer_id":"n2","email":"not-an-address"},{"customer_id":"n3","email":"n3@example.com","locale":"xx_!!"}]"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var errors = body["errors"]!.AsArray();
        Assert.Equal(2, body["error_count"]!.GetValue<long>());
        Assert.Equal("request:2: email: invalid email address 'not-an-address'", errors[0]!["message"]!.GetValue<string>());
        Assert.Equal(3, errors[1]!["line"]!.GetValue<long>());
        Assert.Equal("locale", errors[1]!["column"]!.GetValue<string>());
        Assert.Null(h.Store.GetCustomer("n1"));
    }

    [Fact]
    public async Task PostRecords_MalformedOversizedOrUnknown_ClearErrors()
    {
        await using var h = await ServerHarness.StartAsync(config: new Dictionary<string, string?> { ["Server:MaxRequestBodyBytes"] = "4096" });
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/events", "[{\"customer_id\":"))).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/events", ""))).Status);
        var big = "[" + string.Join(',', Enumerable.Repeat("""{"customer_id":"c001","type":"view","occurred_at":"2026-01-01T00:00:00Z"}""", 100)) + "]";
        var (status, body) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/events", big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("Server:MaxRequestBodyBytes", body["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(h, h.Api(HttpMethod.Post, "/api/wishlists", "{}"))).Status);
        Assert.Equal(0, h.Count("SELECT count(*) FROM events"));
    }

    [Fact]
    public async Task OrderAfterClick_IsAttributedToTheMessagesCampaignAndVariantWithRevenue()
    {
        await using var h = await ServerHarness.StartAsync(customers: 10);
        var clicked = h.Sends[3]; // c004, variant B
        using (await h.Client.GetAsync(h.ClickPath(clicked, "https://shop.example/p/1")))
        {
        }
        var now = DateTimeOffset.UtcNow;
        string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        // An order of the clicking customer within the window, one of another customer, one before the click (too early).
        var orders = $$"""
            {"order_id":"o1","customer_id":"c004","ordered_at":"{{Iso(now.AddMinutes(30))}}","total":"59.90","currency":"USD"}
            {"order_id":"o2","customer_id":"c005","ordered_at":"{{Iso(now.AddMinutes(30))}}","total":"10.00","currency":"USD"}
            {"order_id":"o3","customer_id":"c004","ordered_at":"{{Iso(now.AddDays(-1))}}","total":"5.00","currency":"USD"}
            """;
        var (status, body) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/orders", orders));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body["stored"]!.GetValue<long>());
        Assert.Equal(1, body["conversions"]!.GetValue<long>());

        var (reportStatus, report) = await SendAsync(h, h.Api(HttpMethod.Get, $"/api/campaigns/{h.Campaign.CampaignId}/report"));
        Assert.Equal(HttpStatusCode.OK, reportStatus);
        Assert.Equal(1, report["conversions"]!.GetValue<long>());
        Assert.Equal(59.90m, report["revenue"]!.GetValue<decimal>());
        Assert.Equal("USD", report["currency"]!.GetValue<string>());
        Assert.Equal(1, report["variants"]!["B"]!["conversions"]!.GetValue<long>());
        Assert.Equal(0, report["variants"]!["A"]!["conversions"]!.GetValue<long>());
        Assert.Equal(59.90m / 5, report["variants"]!["B"]!["revenue_per_recipient"]!.GetValue<decimal>());
        // Posting the same orders again attributes nothing twice.
        var (_, again) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/orders", orders));
        Assert.Equal(0, again["conversions"]!.GetValue<long>());
    }

    [Fact]
    public async Task Report_HasExactlyTheDocumentedKeysAtTopLevelAndPerVariant()
    {
        await using var h = await ServerHarness.StartAsync(customers: 40);
        foreach (var send in h.Sends.Take(20))
        {
            // Twenty readers, each with their own mail client (one client opening twenty messages at once is a burst).
            using var request = new HttpRequestMessage(HttpMethod.Get, h.OpenPath(send));
            request.Headers.UserAgent.Clear();
            request.Headers.TryAddWithoutValidation("User-Agent", ServerHarness.Browser + " reader/" + send.CustomerId);
            using var r = await h.Client.SendAsync(request);
        }
        foreach (var send in h.Sends.Take(6))
        {
            using var r = await h.Client.GetAsync(h.ClickPath(send, "https://shop.example/"));
        }
        var json = new CampaignReporter(h.Store, h.Settings.Track).Build(h.Campaign.CampaignId).ToJson();
        string[] keys = ["sent", "delivered", "bounced", "human_opens", "machine_opens", "clicks", "ctr", "unsubscribes", "complaints", "conversions", "revenue", "revenue_per_recipient"];
        foreach (var node in new[] { json, json["variants"]!["A"]!, json["variants"]!["B"]! })
        {
            foreach (var key in keys)
            {
                Assert.NotNull(node[key]);
            }
        }
        Assert.Equal(40, json["sent"]!.GetValue<long>());
        Assert.Equal(20, json["human_opens"]!.GetValue<long>());
        Assert.Equal(6, json["clicks"]!.GetValue<long>());
        Assert.Equal(0.15, json["ctr"]!.GetValue<double>(), 6);
        var ci = json["ci95"]!["ctr"]!.AsArray().Select(x => x!.GetValue<double>()).ToArray();
        // Wilson interval of 6/40: about [0.071, 0.291].
        Assert.InRange(ci[0], 0.06, 0.08);
        Assert.InRange(ci[1], 0.28, 0.30);
        Assert.Equal(20, json["variants"]!["A"]!["sent"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("mailsmith", """[{"type":"bounce","email":"reader3@example.com","message_id":"<{CMP}.c003@shop.example>","reason":"550 5.1.1 no such user"},{"type":"bounce","email":"reader4@example.com","permanent":false}]""")]
    [InlineData("sendgrid", """[{"email":"reader3@example.com","event":"bounce","type":"bounce","reason":"550 5.1.1","smtp-id":"<{CMP}.c003@shop.example>","timestamp":1760000000},{"email":"reader4@example.com","event":"bounce","type":"blocked"},{"email":"reader5@example.com","event":"open"}]""")]
    [InlineData("ses", """{"Type":"Notification","Message":"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\",\"bouncedRecipients\":[{\"emailAddress\":\"reader3@example.com\",\"diagnosticCode\":\"smtp; 550 5.1.1\"}],\"timestamp\":\"2026-11-30T10:00:00Z\"},\"mail\":{\"commonHeaders\":{\"messageId\":\"<{CMP}.c003@shop.example>\"}}}"}""")]
    public async Task Webhook_HardBounce_SuppressesAndCountsOnTheMessage_SoftBounceDoesNot(string provider, string payload)
    {
        await using var h = await ServerHarness.StartAsync();
        var (status, body) = await SendAsync(h, h.Api(HttpMethod.Post, $"/api/webhooks/{provider}", payload.Replace("{CMP}", h.Campaign.CampaignId, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, body["suppressed"]!.GetValue<long>());
        Assert.Equal(1, body["matched"]!.GetValue<long>());
        Assert.Contains("reader3@example.com", h.Store.LoadSuppressedEmails());
        Assert.DoesNotContain("reader4@example.com", h.Store.LoadSuppressedEmails());
        var report = new CampaignReporter(h.Store, h.Settings.Track).Build(h.Campaign.CampaignId);
        Assert.Equal(1, report.Total.Bounced);
        Assert.Equal(report.Total.Sent - 1, report.Total.Delivered);
        // Delivered again (a provider retry): nothing counted twice.
        await SendAsync(h, h.Api(HttpMethod.Post, $"/api/webhooks/{provider}", payload.Replace("{CMP}", h.Campaign.CampaignId, StringComparison.Ordinal)));
        Assert.Equal(1, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'bounce'"));
    }

    [Fact]
    public async Task Webhook_Complaint_SuppressesAndIsReported()
    {
        await using var h = await ServerHarness.StartAsync();
        var (status, _) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/webhooks/sendgrid", """[{"email":"Reader2@Example.com","event":"spamreport"}]"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("reader2@example.com", h.Store.LoadSuppressedEmails());
        Assert.Equal(1, new CampaignReporter(h.Store, h.Settings.Track).Build(h.Campaign.CampaignId).Total.Complaints);
        var (bad, error) = await SendAsync(h, h.Api(HttpMethod.Post, "/api/webhooks/mailsmith", """[{"type":"bounce","email":"nope"}]"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("item 1: email: invalid email address 'nope'", error["error"]!.GetValue<string>());
    }

    [Fact]
    public void Json_RoundTripsThroughSystemTextJson()
    {
        // The report's JSON is plain JSON that any client parses.
        var node = new JsonObject { ["ctr"] = 0.1 };
        Assert.Equal(0.1, JsonDocument.Parse(node.ToJsonString()).RootElement.GetProperty("ctr").GetDouble());
    }
}
