using System.Diagnostics;
using System.Net;

namespace Mailsmith.Tests.Server;

/// <summary>The database refuses writes: readers still get their pixel at once, and every event arrives later, once.</summary>
public sealed class SpoolTests
{
    [Fact]
    public async Task Open_DatabaseLocked_PixelStillServedThenSpoolReplayedExactlyOnce()
    {
        await using var h = await ServerHarness.StartAsync(customers: 20, config: new Dictionary<string, string?> { ["Server:CommitTimeoutSeconds"] = "1" });
        // Another process holds the write lock (an import, a long transaction, a backup).
        using var blocker = h.Store.OpenConnection();
        using (var begin = blocker.CreateCommand())
        {
            begin.CommandText = "BEGIN EXCLUSIVE";
            begin.ExecuteNonQuery();
        }
        const int requests = 200;
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await h.Client.GetAsync(h.OpenPath(h.Sends[i % h.Sends.Count]), ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/gif", response.Content.Headers.ContentType!.MediaType);
        });
        // One lock timeout at most, then straight to the spool: readers are not kept waiting.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.Equal(requests, h.Recorder.Spooled);
        Assert.True(h.Recorder.PendingSpoolFiles > 0);
        using (var rollback = blocker.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        // Simulate a crash after a replay committed but before its file was deleted: keep copies and replay them again.
        var spool = h.Settings.SpoolDirectory;
        var copies = Directory.GetFiles(spool, "*.jsonl").Select(f => (f, File.ReadAllBytes(f))).ToList();
        await h.Recorder.RetrySpoolAsync();
        Assert.Equal(requests, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'open'"));
        Assert.Equal(0, h.Recorder.PendingSpoolFiles);
        foreach (var (file, bytes) in copies)
        {
            File.WriteAllBytes(file, bytes);
        }
        await h.Recorder.RetrySpoolAsync();
        Assert.Equal(requests, h.Count("SELECT count(*) FROM engagement_events WHERE type = 'open'"));
        Assert.Equal(0, h.Recorder.Lost);
    }

    [Fact]
    public async Task Unsubscribe_DatabaseLocked_IsSpooledAndAppliedOnRestart()
    {
        var h = await ServerHarness.StartAsync(config: new Dictionary<string, string?> { ["Server:CommitTimeoutSeconds"] = "1" });
        var send = h.Sends[2];
        var dir = h.Dir;
        try
        {
            using (var blocker = h.Store.OpenConnection())
            {
                using var begin = blocker.CreateCommand();
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
                using var response = await h.Client.PostAsync(h.UnsubscribePath(send), new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await h.StopAsync();
                using var rollback = blocker.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            Assert.Null(h.Store.GetCustomer(send.CustomerId)!.UnsubscribedAt);
            // The next server on the same database replays the spool as it starts.
            var settings = h.Settings;
            await using var next = Mailsmith.Server.MailsmithServer.Build(settings, "http://127.0.0.1:0");
            await next.StartAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (h.Store.GetCustomer(send.CustomerId)!.UnsubscribedAt is null && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            Assert.NotNull(h.Store.GetCustomer(send.CustomerId)!.UnsubscribedAt);
            await next.StopAsync();
        }
        finally
        {
            h.Client.Dispose();
            await h.App.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
