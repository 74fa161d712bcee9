using System.Diagnostics;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Deliver;

/// <summary>
/// The outbox's crash guarantee, tested as documented in docs/delivery.md: the real CLI as a child process, killed
/// with SIGKILL mid-campaign (twice), then run again; what smtp-sink received is counted per Message-ID.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private const int Concurrency = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-crash-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task Send_KilledTwiceWithSigkillThenRerun_NoMessageMissingAndOnlyInFlightOnesTwice()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 1500);
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        var campaign = new CampaignRunner(store, settings).Create("recommendations", seed: 5);
        var inFlightAtCrash = new HashSet<string>(StringComparer.Ordinal);
        var sentAtCrash = new List<int>();
        var seen = new List<string>();

        foreach (var killAt in new[] { 200, 600 })
        {
            using var process = StartSend(settings.DatabasePath, campaign.CampaignId, sink.Url, "--rate", "300");
            var watch = Stopwatch.StartNew();
            var polls = new List<string>();
            // Watched at the sink, not in the database: the child owns the database until it dies.
            while (sink.TransactionsStarted() is var n && n < killAt)
            {
                polls.Add($"{watch.ElapsedMilliseconds}:{n}");
                if (process.HasExited)
                {
                    Assert.Fail($"send exited before the kill: {process.StandardError.ReadToEnd()}");
                }
                await Task.Delay(20);
            }
            process.Kill(entireProcessTree: true); // SIGKILL: no handler runs, nothing is flushed.
            process.WaitForExit();
            var sends = store.LoadSends(campaign.CampaignId);
            seen.Add($"polls {string.Join(",", polls.TakeLast(5))} after {watch.ElapsedMilliseconds} ms; kill at {killAt}: {sends.Count(s => s.State == SendState.Sent)} sent, exited {process.HasExited}");
            var sending = sends.Where(s => s.State == SendState.Sending).Select(s => s.MessageId).ToList();
            Assert.InRange(sending.Count, 0, Concurrency);
            inFlightAtCrash.UnionWith(sending);
            sentAtCrash.Add(sends.Count(s => s.State == SendState.Sent));
        }

        using (var last = StartSend(settings.DatabasePath, campaign.CampaignId, sink.Url))
        {
            await last.WaitForExitAsync();
            Assert.True(last.ExitCode == 0, last.StandardError.ReadToEnd());
        }

        var all = store.LoadSends(campaign.CampaignId).Where(s => s.State != SendState.Suppressed).ToList();
        Assert.True(sentAtCrash[1] < all.Count, $"the second kill came after the campaign had finished: sent {string.Join(", ", sentAtCrash)} of {all.Count}; {string.Join("; ", seen)}");
        Assert.All(all, s => Assert.Equal(SendState.Sent, s.State));
        var counts = sink.CountByMessageId();
        // No message missing; none sent twice unless it was in flight at a crash; those at most twice per crash.
        Assert.All(all, s => Assert.True(counts.GetValueOrDefault(s.MessageId) >= 1, $"{s.MessageId} never arrived"));
        var twice = counts.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToList();
        Assert.All(twice, id => Assert.Contains(id, inFlightAtCrash));
        Assert.All(counts, kv => Assert.InRange(kv.Value, 1, 3));
        Assert.Equal(all.Count, counts.Count);
    }

    private Process StartSend(string database, string campaignId, string url, params string[] more)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _dir,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Mailsmith.Cli.dll"));
        foreach (var a in new[] { "--db", database, "send", "--campaign", campaignId, "--smtp", url, "--now", "--concurrency", Concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(more))
        {
            info.ArgumentList.Add(a);
        }
        info.Environment.Remove("MAILSMITH_CONFIG");
        info.Environment.Remove("MAILSMITH_DB");
        var process = Process.Start(info)!;
        // Drained so a full pipe never blocks the child.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }
}
