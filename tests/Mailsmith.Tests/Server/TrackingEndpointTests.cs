using System.Net;
using System.Text;
using Mailsmith.Track;

namespace Mailsmith.Tests.Server;

/// <summary>The open pixel and the click redirect over real HTTP: what is answered, what is stored, what is refused.</summary>
public sealed class TrackingEndpointTests
{
    [Fact]
    public async Task Open_ValidToken_AnswersPixelAndStoresOneHumanOpen()
    {
        await using var h = await ServerHarness.StartAsync();
        var send = h.Sends[0];
        using var response = await h.Client.GetAsync(h.OpenPath(send));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/gif", response.Content.Headers.ContentType!.MediaType);
        Assert.StartsWith("GIF89a", Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        // Persisted before the answer: no waiting, no flush.
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE type = 'open' AND send_id = {send.SendId} AND is_machine = 0 AND variant = '{send.Variant}'"));
    }

    [Theory]
    [InlineData("tamper")]
    [InlineData("other-key")]
    [InlineData("garbage")]
    [InlineData("no-gif")]
    [InlineData("click-token-as-open")]
    public async Task Open_ForgedOrTamperedToken_404AndNothingStored(string kind)
    {
        await using var h = await ServerHarness.StartAsync();
        var send = h.Sends[0];
        var token = h.Links.MessageToken(h.Ref(send));
        var path = kind switch
        {
            // Flip one character of the payload: the MAC no longer matches.
            "tamper" => $"/o/{(token[0] == 'A' ? 'B' : 'A')}{token[1..]}.gif",
            "other-key" => $"/o/{new TrackingLinks(new TrackOptions(), new LinkSigner(new byte[32])).MessageToken(h.Ref(send))}.gif",
            "garbage" => "/o/%2e%2e%2fetc%2fpasswd.gif",
            "no-gif" => $"/o/{token}",
            _ => "/o/" + ServerHarness.PathOf(h.Links.Click(h.Ref(send), "https://shop.example/"))["/c/".Length..] + ".gif",
        };
        using var response = await h.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events"));
    }

    [Fact]
    public async Task Click_ValidToken_RedirectsToTheSignedUrlOnlyAndStoresTheClick()
    {
        await using var h = await ServerHarness.StartAsync();
        var send = h.Sends[1];
        var path = h.ClickPath(send, "https://shop.example/p/42?utm_source=mail");
        // An attacker appending their own destination changes nothing: the target lives inside the signature.
        using var response = await h.Client.GetAsync(path + "?url=https://evil.example/&next=//evil.example");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("https://shop.example/p/42?utm_source=mail", response.Headers.Location!.ToString());
        Assert.Equal(1, h.Count($"SELECT count(*) FROM engagement_events WHERE type = 'click' AND send_id = {send.SendId} AND url = 'https://shop.example/p/42?utm_source=mail'"));
    }

    [Fact]
    public async Task Click_TamperedDestination_404AndNothingStored()
    {
        await using var h = await ServerHarness.StartAsync();
        var signer = LinkSigner.FromOptions(h.Settings.Track, h.Settings.DefaultKeyFile);
        var token = h.ClickPath(h.Sends[0], "https://shop.example/")["/c/".Length..];
        var dot = token.LastIndexOf('.');
        // Same MAC, payload rewritten to point elsewhere.
        var payload = Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, dot))).Replace("https://shop.example/", "https://evil.example/", StringComparison.Ordinal);
        var forged = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + token[dot..];
        using var response = await h.Client.GetAsync("/c/" + forged);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        // A correctly signed javascript: URL (say, from a bad catalogue row) is refused too, never redirected to.
        var js = signer.Sign(string.Join('\u001f', h.Sends[0].SendId.ToString(System.Globalization.CultureInfo.InvariantCulture), h.Campaign.CampaignId, h.Sends[0].CustomerId, "A", "javascript:alert(1)"));
        using var script = await h.Client.GetAsync("/c/" + js);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events"));
    }

    [Fact]
    public async Task Open_ConcurrentRequests_EveryAnsweredRequestIsOneRowSharingCommits()
    {
        await using var h = await ServerHarness.StartAsync(customers: 50);
        const int requests = 3000;
        var ok = 0;
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (i, ct) =>
        {
            using var response = await h.Client.GetAsync(h.OpenPath(h.Sends[i % h.Sends.Count]), ct);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Increment(ref ok);
            }
        });
        Assert.Equal(requests, ok);
        Assert.Equal(requests, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'open'"));
        // Group commit: concurrent requests shared transactions.
        Assert.True(h.Recorder.Batches < requests / 2, $"{h.Recorder.Batches} commits for {requests} events");
        Assert.Equal(requests, h.Stats.Opens);
    }

    [Fact]
    public async Task HugeOrMalformedRequests_AreRefusedWithoutRecording()
    {
        await using var h = await ServerHarness.StartAsync();
        using var longUrl = await h.Client.GetAsync("/o/" + new string('A', 10_000) + ".gif");
        Assert.True(longUrl.StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, longUrl.StatusCode.ToString());
        using var dotOnly = await h.Client.GetAsync("/c/.");
        Assert.Equal(HttpStatusCode.NotFound, dotOnly.StatusCode);
        using var badBase64 = await h.Client.GetAsync("/c/!!!!.????");
        Assert.Equal(HttpStatusCode.NotFound, badBase64.StatusCode);
        using var post = await h.Client.PostAsync(h.OpenPath(h.Sends[0]), new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events"));
    }
}
