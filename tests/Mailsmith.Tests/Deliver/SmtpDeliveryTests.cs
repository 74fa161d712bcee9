using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Deliver;

/// <summary>Sending to a real smtp-sink on 127.0.0.1, with faults injected, checked by counting what the sink received.</summary>
public sealed class SmtpDeliveryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-smtp-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private static SmtpSender Sender(SmtpSink sink, int concurrency = 8, double rate = 0, DkimSigner? dkim = null)
    {
        var options = new SmtpOptions { Concurrency = concurrency, RatePerSecond = rate, TimeoutSeconds = 5 };
        return new SmtpSender(SmtpRelay.From(sink.Url, options), options, dkim);
    }

    private static Dictionary<string, string?> Fast(params (string Key, string Value)[] more)
    {
        var d = new Dictionary<string, string?>
        {
            ["Delivery:RetryAttempts"] = "6",
            ["Delivery:RetryDelayMilliseconds"] = "100",
            ["Delivery:PauseErrorRate"] = "0",
        };
        foreach (var (k, v) in more)
        {
            d[k] = v;
        }
        return d;
    }

    [Fact]
    public async Task SendAsync_ThousandsOfMessages_SinkReceivesEachOnceAsTheOutboxRecords()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 3000, Fast());
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 1);
        await using var sender = Sender(sink, concurrency: 16);

        var result = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true, Concurrency = 16 });

        var sends = store.LoadSends(campaign.CampaignId);
        var sent = sends.Where(s => s.State == SendState.Sent).ToList();
        var received = sink.Messages();
        Assert.True(sent.Count > 2000, $"only {sent.Count} sent");
        Assert.Equal(sent.Count, result.Delivery.Sent);
        Assert.Equal(sent.Count, received.Count);
        Assert.Equal(sent.Select(s => s.MessageId).Order(StringComparer.Ordinal), received.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        // Each message went to its own customer's address.
        var emails = store.LoadCustomers().ToDictionary(c => c.CustomerId, c => c.Email);
        var byId = received.ToDictionary(m => m.MessageId);
        Assert.All(sent, s => Assert.Equal(emails[s.CustomerId], byId[s.MessageId].Recipient));
        Assert.All(sends, s => Assert.True(s.State is SendState.Sent or SendState.Suppressed, $"{s.SendId}: {s.State}"));
        // Long-lived connections: far fewer connections than messages (one per worker, plus a new one per 1,000 messages).
        Assert.InRange(result.Delivery.ConnectionsOpened, 1, 16 + (sent.Count / 1000) + 16);
        Assert.Equal(CampaignStatus.Sent, store.GetCampaign(campaign.CampaignId)!.Status);
        Assert.Contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click", received[0].Raw, StringComparison.Ordinal);
        Assert.Contains("Feedback-ID: " + campaign.CampaignId + ":recommendations:mailsmith", received[0].Raw, StringComparison.Ordinal);
        Assert.Contains("X-Mailsmith-Message: ", received[0].Raw, StringComparison.Ordinal);

        // A second send finds nothing due and sends nothing again.
        var again = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true, Concurrency = 16 });
        Assert.Equal(0, again.Delivery.Sent);
        Assert.Equal(sent.Count, sink.Messages().Count);
    }

    [Fact]
    public async Task SendAsync_SinkKilledAndRestartedMidCampaign_EveryMessageArrivesExactlyOnce()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 1200, Fast());
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 2);
        await using var sender = Sender(sink, concurrency: 8, rate: 400);
        var context = PipelineContext.Prepare(store, settings);

        var sending = runner.SendAsync(campaign.CampaignId, context, sender, new SendRunOptions { IgnoreSchedule = true, Concurrency = 8 });
        while (DeliveryStore.SentIds(store, campaign.CampaignId).Count < 300)
        {
            Assert.False(sending.IsCompleted, "the campaign finished before the sink could be killed");
            await Task.Delay(20);
        }
        sink.Kill();
        await Task.Delay(1500);
        sink.Restart();
        var result = await sending;

        var sends = store.LoadSends(campaign.CampaignId).Where(s => s.State != SendState.Suppressed).ToList();
        var counts = sink.CountByMessageId();
        Assert.True(result.Delivery.Retries > 0, "the kill caused no retry");
        Assert.Equal(0, result.Delivery.Deferred);
        Assert.All(sends, s => Assert.Equal(SendState.Sent, s.State));
        // Exactly once, except that a message whose attempt was cut by the kill may have been taken before the sink died.
        Assert.All(sends, s => Assert.True(counts.GetValueOrDefault(s.MessageId) == 1 || (s.Attempts > 1 && counts.GetValueOrDefault(s.MessageId) == 2),
            $"{s.MessageId}: received {counts.GetValueOrDefault(s.MessageId)} times"));
        Assert.Equal(sends.Count, counts.Count);
    }

    [Fact]
    public async Task SendAsync_RelayAnswers4xx_DefersEveryMessageThenARerunDeliversEachOnce()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 150, Fast(("Delivery:RetryAttempts", "2"), ("Delivery:RetryDelayMilliseconds", "10")));
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"), "-r", "RCPT");
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 3);
        await using (var sender = Sender(sink))
        {
            var first = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true });
            Assert.Equal(0, first.Delivery.Sent);
            Assert.True(first.Delivery.Deferred > 50);
            Assert.Equal(first.Delivery.Deferred * 2, first.Delivery.Retries);
        }
        var deferred = store.LoadSends(campaign.CampaignId).Where(s => s.State == SendState.Deferred).ToList();
        Assert.Equal(store.LoadSends(campaign.CampaignId).Count(s => s.State != SendState.Suppressed), deferred.Count);
        Assert.All(deferred, s => Assert.StartsWith("450", s.Reason, StringComparison.Ordinal));
        Assert.All(deferred, s => Assert.True(s.ScheduledFor > DateTimeOffset.UtcNow.AddMinutes(10)));
        Assert.Empty(sink.Messages());

        // Not due yet without --now: nothing is sent.
        sink.Kill();
        sink.Restart();
        await using (var sender = Sender(sink))
        {
            var early = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions());
            Assert.Equal(0, early.Delivery.Sent);
            var rerun = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true });
            Assert.Equal(deferred.Count, rerun.Delivery.Sent);
        }
        var counts = sink.CountByMessageId();
        Assert.Equal(deferred.Count, counts.Count);
        Assert.All(deferred, s => Assert.Equal(1, counts[s.MessageId]));
    }

    [Fact]
    public async Task SendAsync_RelayAnswers5xx_BouncesSuppressAndTheCampaignPausesItself()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 300, Fast(("Delivery:PauseErrorRate", "0.5"), ("Delivery:PauseWindow", "20")));
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"), "-f", "RCPT");
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 4);
        await using (var sender = Sender(sink, concurrency: 2))
        {
            var result = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true, Concurrency = 2 });
            Assert.NotNull(result.Delivery.PausedBecause);
            Assert.InRange(result.Delivery.Bounced, 20, 40);
            Assert.Equal(0, result.Delivery.Retries);
        }
        Assert.Equal(CampaignStatus.Paused, store.GetCampaign(campaign.CampaignId)!.Status);
        var sends = store.LoadSends(campaign.CampaignId);
        var bounced = sends.Where(s => s.State == SendState.Failed).ToList();
        Assert.All(bounced, s => Assert.StartsWith("bounced: 500", s.Reason, StringComparison.Ordinal));
        var emails = store.LoadCustomers().ToDictionary(c => c.CustomerId, c => c.Email);
        var suppressed = store.LoadSuppressedEmails();
        Assert.All(bounced, s => Assert.Contains(emails[s.CustomerId], suppressed));
        Assert.Equal(bounced.Count, store.CountEngagementByType(campaign.CampaignId).GetValueOrDefault("bounce"));
        Assert.Contains(sends, s => s.State == SendState.Planned);

        // Paused: a send without --resume refuses; with it, the rest goes to a working relay and the bounced never again.
        sink.Kill();
        sink.Restart();
        await using (var sender = Sender(sink))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true }));
            var resumed = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { IgnoreSchedule = true, Resume = true });
            Assert.Null(resumed.Delivery.PausedBecause);
        }
        var counts = sink.CountByMessageId();
        var after = store.LoadSends(campaign.CampaignId);
        Assert.All(bounced, s => Assert.False(counts.ContainsKey(s.MessageId)));
        Assert.All(after.Where(s => s.State == SendState.Sent), s => Assert.Equal(1, counts[s.MessageId]));
        Assert.Equal(after.Count(s => s.State == SendState.Sent), counts.Count);
        Assert.Equal(CampaignStatus.Sent, store.GetCampaign(campaign.CampaignId)!.Status);
    }
}
