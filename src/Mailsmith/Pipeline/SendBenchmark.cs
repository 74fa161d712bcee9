using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Storage;
using Mailsmith.Synthetic;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Pipeline;

/// <summary>What <see cref="SendBenchmark"/> measures.</summary>
public sealed class SendBenchmarkOptions
{
    /// <summary>Customers in the generated store. Default 8,000.</summary>
    public int Customers { get; init; } = 8000;

    /// <summary>Sends timed, each on a fresh copy of the planned-nothing store. Default 3.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>Sign every message with a fresh RSA-2048 DKIM key. Default false.</summary>
    public bool Dkim { get; init; }

    /// <summary>SMTP connections (<c>send --concurrency</c>). Default 16.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>Seed of the generated store and the campaign. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Messages postfix's <c>smtp-source</c> sends for scale (0: not run). Default 10,000.</summary>
    public int SmtpSourceMessages { get; init; } = 10_000;

    /// <summary>Where the store and the runs' copies go; null: a temporary folder removed afterwards. Default null.</summary>
    public string? Directory { get; init; }
}

/// <summary>One timed send.</summary>
/// <param name="Seconds">The delivery phase, as <c>send</c> prints it (claims, compose, MIME, DKIM, SMTP, outbox).</param>
/// <param name="CpuMsPerMessage">This process's CPU time for the whole <c>SendAsync</c> (planning included) per message sent.</param>
/// <param name="SinkCpuMsPerMessage">smtp-sink's CPU time during the run per message (0 where /proc is not readable).</param>
/// <param name="StageCpuMsPerMessage">CPU per message of each measured stage (<see cref="SendStage"/>), plus <c>other</c>: SMTP, the thread pool, planning and GC.</param>
public sealed record SendBenchmarkRun(
    int Sent, double Seconds, double MessagesPerSecond, double CpuMsPerMessage, double SinkCpuMsPerMessage,
    IReadOnlyDictionary<string, double> StageCpuMsPerMessage, long ConnectionsOpened);

/// <summary>What <see cref="SendBenchmark"/> measured.</summary>
/// <param name="SmtpSourceMessagesPerSecond">postfix's <c>smtp-source -s CONCURRENCY -l 20480</c> to the same sink; null when not run.</param>
/// <param name="RatioToSmtpSource">Our median over smtp-source's rate.</param>
public sealed record SendBenchmarkResult(
    int Customers, int Messages, bool Dkim, int Concurrency, double AverageMessageBytes, IReadOnlyList<SendBenchmarkRun> Runs,
    double MedianMessagesPerSecond, double MedianCpuMsPerMessage, double? SmtpSourceMessagesPerSecond, double? RatioToSmtpSource,
    int ProcessorCount, string LoadAverage);

/// <summary>
/// <c>mailsmith bench send</c>: the send path's throughput to postfix's <c>smtp-sink</c> on 127.0.0.1 (issue 6 targets:
/// ≥ 2,900 msg/s without DKIM, ≥ 1,000 msg/s with RSA-2048 DKIM, 16 connections, compose included). Generates a store,
/// imports and profiles it, creates a recommendations campaign, then sends it <see cref="SendBenchmarkOptions.Runs"/>
/// times, each on a fresh copy of the database, through the path of <c>mailsmith send --now</c>
/// (<see cref="CampaignRunner.SendAsync"/>, <see cref="SmtpSender"/>) with the frequency cap off. The profile and the
/// fitted recommenders are prepared once and shared by the runs (they are not part of the send). For scale, postfix's
/// own <c>smtp-source</c> is run once against the same sink. Figures: docs/benchmarks.md.
/// </summary>
public static class SendBenchmark
{
    /// <summary>postfix's sink; scripts/install-test-deps.sh installs it.</summary>
    public const string SmtpSinkPath = "/usr/sbin/smtp-sink";

    /// <summary>postfix's load generator.</summary>
    public const string SmtpSourcePath = "/usr/sbin/smtp-source";

    /// <exception cref="FileNotFoundException">smtp-sink is not installed.</exception>
    public static async Task<SendBenchmarkResult> RunAsync(
        SendBenchmarkOptions options, MailsmithSettings settings, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(SmtpSinkPath))
        {
            throw new FileNotFoundException($"{SmtpSinkPath} not found: bench send needs postfix's smtp-sink (install it with scripts/install-test-deps.sh)", SmtpSinkPath);
        }
        var root = options.Directory ?? Path.Combine(Path.GetTempPath(), "mailsmith-bench-send-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(root);
        try
        {
            var (basePath, campaignId, context) = Prepare(options, settings, root, log, cancellationToken);
            using var dkim = options.Dkim ? NewDkimSigner(root) : null;
            using var sink = SmtpSinkProcess.Start();
            log?.Invoke($"smtp-sink on 127.0.0.1:{sink.Port}");
            var runs = new List<SendBenchmarkRun>();
            long bytes = 0;
            var messages = 0;
            for (var i = 0; i < Math.Max(1, options.Runs); i++)
            {
                var path = Path.Combine(root, $"run-{i + 1}.db");
                Copy(basePath, path);
                var (run, runBytes) = await SendOnceAsync(options, RunSettings(settings, path), path, campaignId, context, sink, dkim, cancellationToken);
                log?.Invoke($"run {i + 1}: {run.Sent:N0} messages in {run.Seconds:F2} s = {run.MessagesPerSecond:N0} msg/s; CPU {run.CpuMsPerMessage:F3} ms/message (sink {run.SinkCpuMsPerMessage:F3})");
                runs.Add(run);
                bytes += runBytes;
                messages += run.Sent;
                SqliteConnection.ClearAllPools();
                File.Delete(path);
            }
            double? source = null;
            if (options.SmtpSourceMessages > 0 && File.Exists(SmtpSourcePath))
            {
                source = await SmtpSourceAsync(sink.Port, options.Concurrency, options.SmtpSourceMessages, cancellationToken);
                log?.Invoke($"smtp-source -s {options.Concurrency} -l 20480 -m {options.SmtpSourceMessages}: {source:N0} msg/s");
            }
            var median = Median(runs.Select(r => r.MessagesPerSecond));
            return new SendBenchmarkResult(
                options.Customers, runs[0].Sent, options.Dkim, options.Concurrency, messages == 0 ? 0 : Math.Round((double)bytes / messages),
                runs, Math.Round(median), Math.Round(Median(runs.Select(r => r.CpuMsPerMessage)), 3), source is null ? null : Math.Round(source.Value),
                source is > 0 ? Math.Round(median / source.Value, 3) : null, Environment.ProcessorCount, LoadAverage());
        }
        finally
        {
            if (options.Directory is null && System.IO.Directory.Exists(root))
            {
                SqliteConnection.ClearAllPools();
                System.IO.Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>One line per run and the summary, for the console.</summary>
    public static string Describe(SendBenchmarkResult result)
    {
        var lines = new List<string>();
        foreach (var (run, i) in result.Runs.Select((r, i) => (r, i)))
        {
            lines.Add($"run {i + 1}: {run.MessagesPerSecond:N0} msg/s ({run.Sent:N0} in {run.Seconds:F2} s), CPU {run.CpuMsPerMessage:F3} ms/message: "
                + string.Join(", ", run.StageCpuMsPerMessage.Select(s => $"{s.Key} {s.Value:F3}")) + $"; sink {run.SinkCpuMsPerMessage:F3}");
        }
        lines.Add($"median {result.MedianMessagesPerSecond:N0} msg/s{(result.Dkim ? " with RSA-2048 DKIM" : "")}, {result.Concurrency} connections, "
            + $"{result.Messages:N0} messages of {result.AverageMessageBytes / 1024:F1} KB, CPU {result.MedianCpuMsPerMessage:F3} ms/message; "
            + $"target {(result.Dkim ? "1,000" : "2,900")} msg/s");
        if (result.SmtpSourceMessagesPerSecond is { } source)
        {
            lines.Add($"smtp-source -s {result.Concurrency} -l 20480: {source:N0} msg/s; ours/smtp-source = {result.RatioToSmtpSource:F2}");
        }
        lines.Add($"{result.ProcessorCount} cores, load average {result.LoadAverage}");
        return string.Join('\n', lines);
    }

    private static (string Path, string CampaignId, PipelineContext Context) Prepare(
        SendBenchmarkOptions options, MailsmithSettings settings, string root, Action<string>? log, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        log?.Invoke($"generating a store of {options.Customers:N0} customers in {root}");
        var data = new StoreGenerator(new GeneratorOptions { Customers = options.Customers, Seed = options.Seed }).Generate(Path.Combine(root, "data"));
        var path = Path.Combine(root, "base.db");
        var baseSettings = RunSettings(settings, path);
        var store = MailsmithStore.Open(path);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        var report = new Importer(store, baseSettings.Import).Import(files, null, cancellationToken);
        if (!report.Success)
        {
            throw new InvalidOperationException("the generated store failed to import:\n" + string.Join('\n', report.Files.SelectMany(f => f.Errors).Take(5)));
        }
        log?.Invoke($"imported in {watch.Elapsed.TotalSeconds:F1} s; profiling and fitting the recommenders");
        var context = PipelineContext.Prepare(store, baseSettings);
        var campaign = new CampaignRunner(store, baseSettings).Create(CampaignTypes.Recommendations, "bench send", seed: options.Seed);
        log?.Invoke($"store ready in {watch.Elapsed.TotalSeconds:F1} s (campaign {campaign.CampaignId})");
        SqliteConnection.ClearAllPools();
        return (path, campaign.CampaignId, context);
    }

    private static async Task<(SendBenchmarkRun Run, long Bytes)> SendOnceAsync(
        SendBenchmarkOptions options, MailsmithSettings settings, string path, string campaignId, PipelineContext context,
        SmtpSinkProcess sink, DkimSigner? dkim, CancellationToken cancellationToken)
    {
        var store = MailsmithStore.Open(path);
        var smtp = new SmtpOptions { Concurrency = options.Concurrency, TimeoutSeconds = settings.Smtp.TimeoutSeconds, MessagesPerConnection = settings.Smtp.MessagesPerConnection };
        var costs = new SendCosts();
        await using var sender = new SmtpSender(SmtpRelay.From($"smtp://127.0.0.1:{sink.Port}", smtp), smtp, dkim) { Costs = costs };
        var run = new SendRunOptions { IgnoreSchedule = true, Concurrency = options.Concurrency, Costs = costs };
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var sinkBefore = sink.CpuSeconds();
        var pauseBefore = GC.GetTotalPauseDuration();
        var gcBefore = GC.CollectionCount(0);
        var result = await new CampaignRunner(store, settings).SendAsync(campaignId, context, sender, run, null, cancellationToken);
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var sinkCpu = sink.CpuSeconds() - sinkBefore;
        var pause = (GC.GetTotalPauseDuration() - pauseBefore).TotalSeconds;
        var collections = GC.CollectionCount(0) - gcBefore;
        var d = result.Delivery;
        if (d.Sent == 0 || d.Failed + d.Bounced + d.Deferred > 0)
        {
            throw new InvalidOperationException($"bench send: {d.Sent} sent, {d.Failed} failed, {d.Bounced} bounced, {d.Deferred} deferred (expected every message sent)");
        }
        var perMessage = 1000.0 / d.Sent;
        var stages = costs.Snapshot().ToDictionary(s => s.Key.ToString().ToLowerInvariant(), s => Math.Round(s.Value * perMessage, 3), StringComparer.Ordinal);
        stages["other"] = Math.Round((cpu - costs.Snapshot().Values.Sum()) * perMessage, 3);
        // Not CPU: the time threads stood still for the collector (server GC collects on its own threads, so its work is in "other").
        stages["gc_pause"] = Math.Round(pause * perMessage, 3);
        stages["gc_count"] = collections;
        return (new SendBenchmarkRun(d.Sent, Math.Round(d.Seconds, 3), Math.Round(d.Sent / d.Seconds), Math.Round(cpu * perMessage, 3),
            Math.Round(sinkCpu * perMessage, 3), stages, d.ConnectionsOpened), d.BytesSent);
    }

    // Every run as `MAILSMITH__Delivery__FrequencyCap=0 send --now`: the configuration as given, the cap off.
    private static MailsmithSettings RunSettings(MailsmithSettings settings, string path) =>
        MailsmithSettings.Load(settings.ConfigPath, path, new Dictionary<string, string?> { ["Delivery:FrequencyCap"] = "0" });

    private static DkimSigner NewDkimSigner(string root)
    {
        var (pem, _) = DkimSigner.GenerateKey("rsa-sha256");
        var key = Path.Combine(root, "dkim.pem");
        File.WriteAllText(key, pem);
        return DkimSigner.Load(key, "example.com", "bench");
    }

    // VACUUM INTO: a consistent copy of the database (WAL included) in one file.
    private static void Copy(string from, string to)
    {
        using var connection = new SqliteConnection($"Data Source={from};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM INTO $to";
        command.Parameters.AddWithValue("$to", to);
        command.ExecuteNonQuery();
    }

    private static async Task<double> SmtpSourceAsync(int port, int sessions, int messages, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(SmtpSourcePath) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-s", sessions.ToString(CultureInfo.InvariantCulture), "-l", "20480", "-m", messages.ToString(CultureInfo.InvariantCulture), $"127.0.0.1:{port}" })
        {
            info.ArgumentList.Add(a);
        }
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("smtp-source did not start");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"smtp-source exited with {process.ExitCode}: {await error}");
        }
        return messages / seconds;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>smtp-sink on a free 127.0.0.1 port, discarding what it receives.</summary>
    private sealed class SmtpSinkProcess : IDisposable
    {
        private readonly Process _process;

        private SmtpSinkProcess(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public static SmtpSinkProcess Start()
        {
            var port = FreePort();
            var info = new ProcessStartInfo(SmtpSinkPath) { RedirectStandardError = true };
            // As root smtp-sink must drop its privileges to a user (postfix, created by the package).
            if (Environment.UserName == "root")
            {
                info.ArgumentList.Add("-u");
                info.ArgumentList.Add("postfix");
            }
            foreach (var a in (string[])["-m", "512", $"127.0.0.1:{port}", "1024"])
            {
                info.ArgumentList.Add(a);
            }
            var process = Process.Start(info) ?? throw new InvalidOperationException("smtp-sink did not start");
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    using var client = new TcpClient();
                    client.Connect(IPAddress.Loopback, port);
                    return new SmtpSinkProcess(process, port);
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    Thread.Sleep(50);
                }
                catch (SocketException)
                {
                    var error = process.HasExited ? process.StandardError.ReadToEnd() : "no answer in 10 s";
                    process.Dispose();
                    throw new InvalidOperationException($"smtp-sink did not listen on 127.0.0.1:{port}: {error}");
                }
            }
        }

        // utime + stime from /proc/PID/stat, in seconds (clock ticks of 1/100 s on Linux).
        public double CpuSeconds()
        {
            var stat = $"/proc/{_process.Id}/stat";
            if (!File.Exists(stat))
            {
                return 0;
            }
            var text = File.ReadAllText(stat);
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }
            _process.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
