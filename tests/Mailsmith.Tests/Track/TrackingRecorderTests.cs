using Mailsmith.Tests.Server;
using Mailsmith.Track;

namespace Mailsmith.Tests.Track;

public sealed class TrackingRecorderTests
{
    [Fact]
    public async Task Record_MixedBurstLongerThanOneStatement_EveryEventStoredWithItsFields()
    {
        await using var h = await ServerHarness.StartAsync(customers: 20);
        var at = DateTimeOffset.UtcNow;
        var events = new List<TrackingEvent>();
        // 75 events queued at once: more than two 32-row statements of opens and clicks, with an unsubscribe in the
        // middle of the run and a token of another database (send id ours, customer not) that must store nothing.
        for (var i = 0; i < 75; i++)
        {
            var send = h.Sends[i % h.Sends.Count];
            var e = TrackingEvent.For(i % 3 == 0 ? TrackingEventKind.Click : TrackingEventKind.Open, h.Ref(send), at.AddMilliseconds(i));
            events.Add(i switch
            {
                40 => TrackingEvent.For(TrackingEventKind.Unsubscribe, h.Ref(send), at),
                41 => e with { CustomerId = "c999" },
                _ => e with
                {
                    Url = e.Kind == TrackingEventKind.Click ? $"https://shop.example/p/{i}" : null,
                    UserAgent = i % 5 == 0 ? null : $"agent {i}",
                    Client = $"client{i}",
                    MachineReason = i % 5 == 0 ? "no_user_agent" : null,
                },
            });
        }

        var outcomes = await Task.WhenAll(events.Select(h.Recorder.RecordAsync));

        Assert.All(outcomes, o => Assert.Equal(RecordOutcome.Recorded, o));
        var opens = events.Count(e => e.Kind == TrackingEventKind.Open && e.CustomerId != "c999");
        var clicks = events.Count(e => e.Kind == TrackingEventKind.Click && e.CustomerId != "c999");
        Assert.Equal(opens, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'open'"));
        Assert.Equal(clicks, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'click'"));
        Assert.Equal(1, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'unsubscribe'"));
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events WHERE customer_id = 'c999'"));
        // Each row carries its own values (positions bound per row, not shifted between rows) and the send's variant.
        Assert.Equal(clicks, h.Count("""
            SELECT count(*) FROM engagement_events e JOIN sends s ON s.send_id = e.send_id
            WHERE e.type = 'click' AND e.url = 'https://shop.example/p/' || substr(e.client, 7) AND e.variant = s.variant
            """));
        Assert.Equal(events.Count(e => e.MachineReason is not null && e.Kind is TrackingEventKind.Open or TrackingEventKind.Click && e.CustomerId != "c999"),
            h.Count("SELECT count(*) FROM engagement_events WHERE is_machine = 1 AND machine_reason = 'no_user_agent' AND user_agent IS NULL"));
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events WHERE type IN ('open', 'click') AND (is_machine = 1) <> (user_agent IS NULL)"));
        Assert.Equal(0, h.Count("SELECT count(*) FROM engagement_events WHERE type IN ('open', 'click') AND user_agent <> 'agent ' || substr(client, 7)"));
    }

    [Fact]
    public async Task Record_WriterNeverIdle_BackgroundCheckpointsKeepTheWalShort()
    {
        await using var h = await ServerHarness.StartAsync(customers: 200);
        var at = DateTimeOffset.UtcNow;
        // Everything queued at once, so the writer commits batch after batch and a background checkpoint rarely finds
        // a moment in which SQLite may restart the WAL: the writer's catch-up does it. Measured: WAL 9.7-10.5 MB with
        // the catch-up, 19.0 MB without it (the writer's gaps alone let it restart now and then).
        var events = Enumerable.Range(0, 30_000)
            .Select(i => TrackingEvent.For(i % 4 == 0 ? TrackingEventKind.Click : TrackingEventKind.Open, h.Ref(h.Sends[i % h.Sends.Count]), at.AddMilliseconds(i)))
            .ToList();

        var outcomes = await Task.WhenAll(events.Select(h.Recorder.RecordAsync));
        var wal = new FileInfo(h.Settings.DatabasePath + "-wal");

        Assert.All(outcomes, o => Assert.Equal(RecordOutcome.Recorded, o));
        Assert.Equal(events.Count, h.Count("SELECT count(*) FROM engagement_events WHERE type IN ('open', 'click')"));
        Assert.True(h.Recorder.Checkpoints >= 2, $"{h.Recorder.Checkpoints} checkpoints");
        // The WAL file keeps the largest size it ever had: bounded by a few thresholds' worth of pages.
        Assert.True(wal.Exists && wal.Length < 4L * TrackingRecorder.CheckpointPages * 4096, $"WAL {wal.Length:N0} bytes");
    }
}
