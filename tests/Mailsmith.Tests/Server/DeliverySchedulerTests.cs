using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Server;
using Mailsmith.Storage;
using Mailsmith.Tests.Deliver;
using Microsoft.Extensions.DependencyInjection;

namespace Mailsmith.Tests.Server;

/// <summary>
/// The scheduler of <c>mailsmith serve</c> (a real Kestrel on 127.0.0.1) sending to a real smtp-sink: messages a
/// <c>send</c> left planned for later hours go out when the clock reaches them, each once, never to the unmailable.
/// </summary>
public sealed class DeliverySchedulerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-scheduler-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Serve_MessagesPlannedForLaterHours_SchedulerSendsEachOnceWhenDueAndNeverToTheUnmailable()
    {
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        var (store, settings) = DeliveryStore.Create(_dir, 300, new Dictionary<string, string?>
        {
            ["Smtp:Url"] = sink.Url,
            ["Smtp:Concurrency"] = "4",
            ["Delivery:SchedulerIntervalSeconds"] = "1",
            // Quiet hours off: what is due is exactly what is scheduled at or before the clock.
            ["Delivery:QuietHoursStart"] = "0",
            ["Delivery:QuietHoursEnd"] = "0",
            ["Delivery:PauseErrorRate"] = "0",
        });
        var clock = new SettableClock(new DateTimeOffset(2026, 12, 3, 6, 0, 0, TimeSpan.Zero));
        var runner = new CampaignRunner(store, settings, clock);
        var campaign = runner.Create("recommendations", seed: 4);

        // mailsmith send: delivers what is due now, plans the rest for later hours.
        var options = new SmtpOptions { Concurrency = 4, TimeoutSeconds = 5 };
        SendRunResult first;
        await using (var sender = new SmtpSender(SmtpRelay.From(sink.Url, options), options, null))
        {
            first = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), sender, new SendRunOptions { Concurrency = 4 });
        }
        var sentFirst = DeliveryStore.SentIds(store, campaign.CampaignId);
        Assert.Equal(first.Delivery.Sent, sentFirst.Count);
        Assert.Equal(sentFirst.Order(StringComparer.Ordinal), sink.CountByMessageId().Keys.Order(StringComparer.Ordinal));
        var planned = store.LoadSends(campaign.CampaignId).Where(s => s.State == SendState.Planned).OrderBy(s => s.ScheduledFor).ThenBy(s => s.SendId).ToList();
        Assert.True(planned.Count > 50, $"only {planned.Count} messages left for later");
        Assert.All(planned, s => Assert.True(s.ScheduledFor > clock.GetUtcNow(), $"{s.MessageId} planned at {s.ScheduledFor}"));
        Assert.True(planned.Select(s => s.ScheduledFor).Distinct().Count() > 3, "the messages are not spread over several hours");

        // The first step: the clock moves to the middle of the plan. Two of the messages then due, and one due later,
        // belong to customers who meanwhile unsubscribed or whose address was suppressed.
        var step = planned[planned.Count / 2].ScheduledFor!.Value;
        var dueAtStep = planned.Where(s => s.ScheduledFor <= step).ToList();
        var later = planned.Where(s => s.ScheduledFor > step).ToList();
        Assert.NotEmpty(later);
        var emails = store.LoadCustomers().ToDictionary(c => c.CustomerId, c => c.Email, StringComparer.Ordinal);
        store.MarkUnsubscribed(dueAtStep[0].CustomerId, clock.GetUtcNow());
        store.Suppress(emails[dueAtStep[1].CustomerId], "manual", clock.GetUtcNow());
        store.MarkUnsubscribed(later[^1].CustomerId, clock.GetUtcNow());
        var unmailable = new HashSet<string>([dueAtStep[0].MessageId, dueAtStep[1].MessageId, later[^1].MessageId], StringComparer.Ordinal);

        var app = MailsmithServer.Build(settings, "http://127.0.0.1:0", time: clock);
        await app.StartAsync();
        try
        {
            var scheduler = app.Services.GetRequiredService<DeliveryScheduler>();
            Assert.Null(scheduler.OffBecause);
            Assert.Contains("the scheduler is on", scheduler.Status, StringComparison.Ordinal);

            // Nothing is due yet: passes send nothing.
            await PassesAsync(scheduler, 2);
            Assert.Equal(sentFirst.Count, sink.Messages().Count);

            clock.Set(step);
            await PassesAsync(scheduler, 2);
            var counts = sink.CountByMessageId();
            foreach (var s in dueAtStep)
            {
                Assert.Equal(unmailable.Contains(s.MessageId) ? 0 : 1, counts.GetValueOrDefault(s.MessageId));
            }
            Assert.All(later, s => Assert.False(counts.ContainsKey(s.MessageId), $"{s.MessageId} due at {s.ScheduledFor} was sent at {step}"));
            Assert.Equal(sentFirst.Count + dueAtStep.Count - 2, counts.Values.Sum());
            var states = store.LoadSends(campaign.CampaignId).ToDictionary(s => s.MessageId, StringComparer.Ordinal);
            Assert.Equal((SendState.Suppressed, "unsubscribed"), (states[dueAtStep[0].MessageId].State, states[dueAtStep[0].MessageId].Reason));
            Assert.Equal((SendState.Suppressed, "suppressed"), (states[dueAtStep[1].MessageId].State, states[dueAtStep[1].MessageId].Reason));
            Assert.All(later, s => Assert.Equal(SendState.Planned, states[s.MessageId].State));
            Assert.Equal(CampaignStatus.Sending, store.GetCampaign(campaign.CampaignId)!.Status);

            // The second step: past every planned moment. The rest goes out; nothing arrives twice.
            clock.Set(later[^1].ScheduledFor!.Value.AddHours(1));
            await PassesAsync(scheduler, 2);
            counts = sink.CountByMessageId();
            Assert.All(counts, kv => Assert.Equal(1, kv.Value));
            foreach (var s in planned)
            {
                Assert.Equal(unmailable.Contains(s.MessageId) ? 0 : 1, counts.GetValueOrDefault(s.MessageId));
            }
            var final = store.LoadSends(campaign.CampaignId);
            Assert.Equal(final.Where(s => s.State == SendState.Sent).Select(s => s.MessageId).Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(SendState.Suppressed, final.Single(s => s.MessageId == later[^1].MessageId).State);
            Assert.DoesNotContain(final, s => s.State is SendState.Planned or SendState.Deferred or SendState.Sending);
            Assert.Equal(CampaignStatus.Sent, store.GetCampaign(campaign.CampaignId)!.Status);
            Assert.Equal(0, scheduler.Errors);
            Assert.Equal(counts.Count - sentFirst.Count, scheduler.Sent);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Serve_NoRelayOrTurnedOff_SchedulerSaysWhyItIsOff()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var off = new[]
        {
            (settings, "no SMTP relay: set Smtp:Url or Smtp:Host"),
            (MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?> { ["Smtp:Url"] = "smtp://127.0.0.1:2525", ["Delivery:SchedulerEnabled"] = "false" }),
                "Delivery:SchedulerEnabled is false"),
            (MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?> { ["Smtp:Url"] = "http://relay.example" }),
                "SMTP URL 'http://relay.example'"),
            (MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?> { ["Smtp:Url"] = "smtp://127.0.0.1:2525", ["Dkim:KeyPath"] = Path.Combine(_dir, "missing.pem"), ["Dkim:Domain"] = "shop.example" }),
                "missing.pem"),
        };
        foreach (var (s, why) in off)
        {
            var app = MailsmithServer.Build(s, "http://127.0.0.1:0");
            await app.StartAsync();
            try
            {
                var scheduler = app.Services.GetRequiredService<DeliveryScheduler>();
                Assert.Contains(why, scheduler.OffBecause, StringComparison.Ordinal);
                Assert.StartsWith("the scheduler is off (", scheduler.Status, StringComparison.Ordinal);
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    // Waits until the scheduler has completed n whole passes begun after this call.
    private static async Task PassesAsync(DeliveryScheduler scheduler, int n)
    {
        var target = scheduler.Passes + n + 1;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (scheduler.Passes < target)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the scheduler completed {scheduler.Passes} passes, waiting for {target}");
            await Task.Delay(50);
        }
    }

    /// <summary>A clock that stands still until the test moves it; timers run on the system's.</summary>
    private sealed class SettableClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;

        public void Set(DateTimeOffset at) => Interlocked.Exchange(ref _ticks, at.UtcTicks);

        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    }
}
