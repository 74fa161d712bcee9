using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Mailsmith.Server;

/// <summary>What <c>mailsmith bench serve</c> runs.</summary>
public sealed class ServeBenchmarkOptions
{
    /// <summary><c>open</c>, <c>click</c>, or <c>baseline</c> (<c>/healthz</c>, which records nothing: the host's own ceiling on
    /// the same machine at the same moment). Default open.</summary>
    public string Route { get; init; } = "open";

    /// <summary>Seconds wrk runs (after a 2-second warm-up that is not timed but is counted). Default 10.</summary>
    public int DurationSeconds { get; init; } = 10;

    /// <summary>wrk's -c. Default 64.</summary>
    public int Connections { get; init; } = 64;

    /// <summary>wrk's -t. Default 2.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Distinct messages (tokens) the requests cycle through. Default 10000.</summary>
    public int Messages { get; init; } = 10_000;

    /// <summary>The wrk executable. Default <c>wrk</c> on the PATH.</summary>
    public string Wrk { get; init; } = "wrk";
}

/// <summary>The figures of one server benchmark run.</summary>
/// <param name="RequestsPerSecond">wrk's figure for the timed run.</param>
/// <param name="Answered">Requests the server answered with the pixel or the redirect, warm-up included.</param>
/// <param name="Stored">Rows of that type in the database after the server stopped.</param>
/// <param name="ServerCpuMicrosecondsPerRequest">CPU time (user + system, every thread) of this process — the server,
/// not wrk — during the timed run, divided by the requests wrk completed in it: the cost of a request, which unlike
/// req/s does not depend on how much of the shared cores other processes took.</param>
public sealed record ServeBenchmarkResult(
    string Route, int Connections, int Threads, int DurationSeconds, long WrkRequests, double RequestsPerSecond,
    double LatencyP50Ms, double LatencyP90Ms, double LatencyP99Ms, long Non2xx3xx, long SocketErrors,
    long Answered, long Stored, long Spooled, long Lost, long Commits, string WrkCommand,
    double ServerCpuMicrosecondsPerRequest = double.NaN, long Checkpoints = 0)
{
    /// <summary>Every answered request is a stored row, and nothing was spooled or lost.</summary>
    public bool AllPersisted => Stored == Answered && Lost == 0 && Spooled == 0;
}

/// <summary>
/// Runs the real server on 127.0.0.1 against a fresh database of <see cref="ServeBenchmarkOptions.Messages"/> sent
/// messages, drives it with wrk (a Lua script cycling through signed tokens, a browser's user agent), stops it, and
/// counts the stored rows against the requests it answered.
/// </summary>
public static class ServeBenchmark
{
    public static async Task<ServeBenchmarkResult> RunAsync(ServeBenchmarkOptions options, Action<string> log, CancellationToken cancellationToken = default)
    {
        if (options.Route is not ("open" or "click" or "baseline"))
        {
            throw new ArgumentException($"--route must be open, click or baseline, got '{options.Route}'");
        }
        var dir = Directory.CreateTempSubdirectory("mailsmith-bench-serve-").FullName;
        try
        {
            var settings = MailsmithSettings.Load(null, Path.Combine(dir, "bench.db"), new Dictionary<string, string?>());
            var store = MailsmithStore.Open(settings.DatabasePath);
            log($"planning {options.Messages:N0} sent messages in {settings.DatabasePath}");
            var paths = Seed(store, settings, options);
            var pathsFile = Path.Combine(dir, "paths.txt");
            await File.WriteAllLinesAsync(pathsFile, paths, cancellationToken);
            var script = Path.Combine(dir, "bench.lua");
            await File.WriteAllTextAsync(script, Lua(pathsFile), cancellationToken);

            await using var app = MailsmithServer.Build(settings, "http://127.0.0.1:0");
            await app.StartAsync(cancellationToken);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            log($"server on {url}; warming up 2 s");
            await Wrk(options, url, script, 2, cancellationToken);
            var command = $"wrk -t{options.Threads} -c{options.Connections} -d{options.DurationSeconds}s --latency -s bench.lua {url}";
            log($"measuring: {command}");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var output = await Wrk(options, url, script, options.DurationSeconds, cancellationToken);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            await app.StopAsync(cancellationToken);
            var stats = app.Services.GetRequiredService<TrackingStats>();
            var recorder = app.Services.GetRequiredService<TrackingRecorder>();
            await recorder.DisposeAsync();
            var type = options.Route == "open" ? "open" : "click";
            var answered = options.Route switch { "open" => stats.Opens, "click" => stats.Clicks, _ => 0 };
            var wrkRequests = (long)Number(output, @"(\d+) requests in");
            return new ServeBenchmarkResult(options.Route, options.Connections, options.Threads, options.DurationSeconds,
                wrkRequests, Number(output, @"Requests/sec:\s+([\d.]+)"),
                Latency(output, "50%"), Latency(output, "90%"), Latency(output, "99%"),
                (long)Number(output, @"Non-2xx or 3xx responses:\s+(\d+)"), SocketErrors(output),
                answered, store.CountEngagement(type), recorder.Spooled, recorder.Lost, recorder.Batches, command,
                wrkRequests == 0 ? double.NaN : cpu.TotalMicroseconds / wrkRequests, recorder.Checkpoints);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> Seed(MailsmithStore store, MailsmithSettings settings, ServeBenchmarkOptions options)
    {
        var campaign = store.CreateCampaign("recommendations", "bench serve", "all", [new CampaignVariant("A", 1), new CampaignVariant("B", 1)], 42, DateTimeOffset.UtcNow);
        var plans = Enumerable.Range(0, options.Messages).Select(i =>
        {
            var customer = $"c{i:D7}";
            return new SendPlan(campaign.CampaignId, customer, i % 2 == 0 ? "A" : "B", 0.5, $"{campaign.CampaignId}:{customer}",
                $"<{campaign.CampaignId}.{customer}@bench.example>", SendState.Planned, null, null);
        });
        var sends = store.PlanSends(plans, DateTimeOffset.UtcNow);
        // Sent an hour ago: no request counts as "within seconds of delivery".
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), DateTimeOffset.UtcNow.AddHours(-1));
        var links = new TrackingLinks(settings.Track, LinkSigner.FromOptions(settings.Track, settings.DefaultKeyFile));
        if (options.Route == "baseline")
        {
            return ["/healthz"];
        }
        return sends.Select(s =>
        {
            var m = new MessageRef(s.SendId, s.CampaignId, s.CustomerId, s.Variant);
            var absolute = options.Route == "open" ? links.OpenPixel(m) : links.Click(m, $"https://shop.example/p/{s.SendId}?utm_source=mail");
            return new Uri(absolute).PathAndQuery;
        }).ToList();
    }

    private static string Lua(string pathsFile) => $$"""
        -- Cycles through signed tracking paths, one per request, with a browser's user agent.
        local paths = {}
        for line in io.lines("{{pathsFile}}") do paths[#paths + 1] = line end
        local i = 0
        wrk.headers["User-Agent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
        request = function()
          i = i + 1
          if i > #paths then i = 1 end
          return wrk.format("GET", paths[i])
        end
        """;

    private static async Task<string> Wrk(ServeBenchmarkOptions options, string url, string script, int seconds, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(options.Wrk)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { $"-t{options.Threads}", $"-c{options.Connections}", $"-d{seconds}s", "--latency", "-s", script, url })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {options.Wrk}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await stderr}");
        }
        return await stdout;
    }

    private static double Number(string output, string pattern)
    {
        var m = Regex.Match(output, pattern);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private static long SocketErrors(string output)
    {
        var m = Regex.Match(output, @"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)");
        return m.Success ? Enumerable.Range(1, 4).Sum(i => long.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture)) : 0;
    }

    /// <summary>A latency percentile of wrk's --latency table, in milliseconds.</summary>
    private static double Latency(string output, string percentile)
    {
        var m = Regex.Match(output, $@"^\s*{Regex.Escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
        if (!m.Success)
        {
            return double.NaN;
        }
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    /// <summary>The result as the lines docs/benchmarks.md records.</summary>
    public static string Describe(ServeBenchmarkResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        s.Append(c, $"{r.Route}: {r.RequestsPerSecond:N0} req/s, p50 {r.LatencyP50Ms:F2} ms, p90 {r.LatencyP90Ms:F2} ms, p99 {r.LatencyP99Ms:F2} ms ");
        s.Append(c, $"({r.WrkRequests:N0} requests in {r.DurationSeconds} s; non-2xx/3xx {r.Non2xx3xx}, socket errors {r.SocketErrors}); server CPU {r.ServerCpuMicrosecondsPerRequest:F1} µs per request\n");
        s.Append(c, $"persisted: {r.Stored:N0} rows for {r.Answered:N0} answered requests (warm-up included), {r.Spooled} spooled, {r.Lost} lost, ");
        s.Append(c, $"{r.Commits:N0} commits ({(r.Commits == 0 ? 0 : (double)r.Stored / r.Commits):F1} events per commit, {r.Checkpoints:N0} WAL checkpoints) — {(r.AllPersisted ? "every request persisted" : "MISMATCH")}");
        return s.ToString();
    }
}
