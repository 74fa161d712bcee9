using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mailsmith.Deliver;

/// <summary>One SpamAssassin rule a message hit.</summary>
/// <param name="Points">What it added to the score (may be negative or 0.0).</param>
public sealed record SpamRule(string Name, double Points, string Description);

/// <summary>SpamAssassin's verdict on one message.</summary>
/// <param name="Score">The total score; 5.0 is SpamAssassin's default spam threshold.</param>
/// <param name="Rules">Every rule hit, in report order (informational 0-point rules included).</param>
public sealed record SpamVerdict(double Score, double Threshold, IReadOnlyList<SpamRule> Rules);

/// <summary>
/// A SpamAssassin daemon (<c>spamd</c>) on 127.0.0.1 at a free port, started with <c>-L</c> (local tests only: no DNS
/// or network checks, so scores repeat), scored through <c>spamc -R</c>. Installed by scripts/install-test-deps.sh
/// (Debian packages spamassassin, spamd, spamc); about 0.5 s per message here.
/// </summary>
/// <remarks>Start once, score many, dispose (stops the daemon and its children). <see cref="ScoreAsync"/> is thread-safe.</remarks>
public sealed class SpamAssassin : IAsyncDisposable
{
    private static readonly string[] SpamdPaths = ["/usr/sbin/spamd", "/usr/bin/spamd"];
    private static readonly string[] SpamcPaths = ["/usr/bin/spamc", "/usr/sbin/spamc"];

    private readonly Process _spamd;
    private readonly string _spamc;

    private SpamAssassin(Process spamd, string spamc, int port)
    {
        _spamd = spamd;
        _spamc = spamc;
        Port = port;
    }

    /// <summary>The port spamd listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Starts spamd with <paramref name="children"/> worker processes and waits until it accepts connections.</summary>
    /// <exception cref="FileNotFoundException">spamd or spamc is not installed.</exception>
    /// <exception cref="TimeoutException">spamd did not start listening within a minute.</exception>
    public static async Task<SpamAssassin> StartAsync(int children = 2, CancellationToken cancellationToken = default)
    {
        var spamd = Find(SpamdPaths, "spamd");
        var spamc = Find(SpamcPaths, "spamc");
        var port = FreePort();
        var info = new ProcessStartInfo(spamd) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-L", "-x", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-A", "127.0.0.1", "-m", Math.Max(1, children).ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }
        // spamd refuses to run its children as root; it may only switch user when started as root.
        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("nobody");
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {spamd}");
        var log = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new SpamAssassin(process, spamc, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (process.HasExited)
            {
                string text;
                lock (log) { text = log.ToString(); }
                throw new InvalidOperationException($"spamd exited with code {process.ExitCode}:\n{text}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
        await server.DisposeAsync();
        throw new TimeoutException($"spamd did not listen on 127.0.0.1:{port} within a minute");
    }

    /// <summary>Scores one message, given as the exact bytes that are sent (headers and MIME body).</summary>
    /// <exception cref="InvalidOperationException">spamc failed or answered something that is not a report.</exception>
    public async Task<SpamVerdict> ScoreAsync(byte[] message, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo(_spamc)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        // -x: an unreachable daemon is an error, not "0/0"; -R: the score and the report of rules hit.
        foreach (var argument in new[] { "-d", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-x", "-R" })
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {_spamc}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.StandardInput.BaseStream.WriteAsync(message, cancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(cancellationToken);
        var report = await output;
        if (process.ExitCode != 0 && process.ExitCode != 1)
        {
            throw new InvalidOperationException($"spamc exited with code {process.ExitCode}: {await error}");
        }
        return Parse(report);
    }

    /// <summary>Reads <c>spamc -R</c> output: a first line <c>score/threshold</c>, then SpamAssassin's report table.</summary>
    /// <exception cref="InvalidOperationException">The text is not such a report.</exception>
    public static SpamVerdict Parse(string report)
    {
        var lines = report.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var head = lines[0].Split('/');
        if (head.Length != 2
            || !double.TryParse(head[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var score)
            || !double.TryParse(head[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
        {
            throw new InvalidOperationException($"not a spamc -R report: '{lines[0]}'");
        }
        var rules = new List<SpamRule>();
        var inTable = false;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith(" ---- ", StringComparison.Ordinal) || line.StartsWith("---- ", StringComparison.Ordinal))
            {
                inTable = true;
                continue;
            }
            if (!inTable || line.Length == 0)
            {
                continue;
            }
            var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length >= 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var points))
            {
                rules.Add(new SpamRule(parts[1], points, parts.Length > 2 ? parts[2] : ""));
            }
            else if (rules.Count > 0 && line.StartsWith(' '))
            {
                // A description continued on the next line.
                var last = rules[^1];
                rules[^1] = last with { Description = (last.Description + " " + line.Trim()).Trim() };
            }
        }
        return new SpamVerdict(score, threshold, rules);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_spamd.HasExited)
        {
            _spamd.Kill(entireProcessTree: true);
            await _spamd.WaitForExitAsync();
        }
        _spamd.Dispose();
    }

    private static string Find(string[] candidates, string name) =>
        candidates.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException($"{name} is not installed (Debian packages spamassassin spamd spamc; scripts/install-test-deps.sh installs them)", name);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
