using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Mailsmith.Tests.Deliver;

/// <summary>
/// postfix's smtp-sink on 127.0.0.1 at an ephemeral port, appending every mail transaction to a dump file
/// (<c>-D</c>), optionally refusing with 4xx (<c>-r</c>) or 5xx (<c>-f</c>). Installed by scripts/install-test-deps.sh.
/// </summary>
internal sealed partial class SmtpSink : IDisposable
{
    private readonly string _directory;
    private readonly List<string> _dumps = [];
    private Process? _process;

    private SmtpSink(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"smtp://127.0.0.1:{Port}";

    /// <summary>Starts a sink; <paramref name="arguments"/> are extra smtp-sink options such as <c>-r RCPT</c>.</summary>
    public static SmtpSink Start(string directory, params string[] arguments)
    {
        Directory.CreateDirectory(directory);
        // smtp-sink drops root privileges to postfix: it must be able to write the dump.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
            // The test's own temp folder is private (0700): the sink's user must be able to pass through it.
            var parent = Path.GetDirectoryName(Path.GetFullPath(directory))!;
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute | UnixFileMode.GroupExecute);
        }
        var sink = new SmtpSink(directory, FreePort());
        sink.Restart(arguments);
        return sink;
    }

    /// <summary>(Re)starts the sink on the same port with a fresh dump file.</summary>
    public void Restart(params string[] arguments)
    {
        var dump = Path.Combine(_directory, $"dump-{_dumps.Count}.");
        _dumps.Add(dump);
        var info = new ProcessStartInfo("/usr/sbin/smtp-sink") { RedirectStandardError = true };
        if (Environment.UserName == "root")
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postfix");
        }
        info.ArgumentList.Add("-D");
        info.ArgumentList.Add(dump);
        info.ArgumentList.Add("-m");
        info.ArgumentList.Add("512");
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        info.ArgumentList.Add($"127.0.0.1:{Port}");
        info.ArgumentList.Add("1024");
        _process = Process.Start(info) ?? throw new InvalidOperationException("smtp-sink did not start");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
            catch (SocketException)
            {
                throw new InvalidOperationException($"smtp-sink did not listen on {Port}: {(_process.HasExited ? _process.StandardError.ReadToEnd() : "timeout")}");
            }
        }
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit();
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>Every complete message received (all dumps), as raw text with smtp-sink's envelope lines removed.</summary>
    public IReadOnlyList<ReceivedMessage> Messages()
    {
        var result = new List<ReceivedMessage>();
        foreach (var dump in _dumps.Where(File.Exists))
        {
            var text = File.ReadAllText(dump, Encoding.UTF8);
            foreach (var record in text.Split("X-Client-Addr: ", StringSplitOptions.RemoveEmptyEntries))
            {
                var rcpt = RcptPattern().Match(record);
                var received = record.IndexOf("Received: ", StringComparison.Ordinal);
                var messageId = MessageIdPattern().Match(record);
                var boundary = BoundaryPattern().Match(record);
                // A transaction cut off by a kill has no closing MIME boundary: not a message the sink accepted.
                if (received < 0 || !messageId.Success || !boundary.Success || !record.Contains("--" + boundary.Groups[1].Value + "--", StringComparison.Ordinal))
                {
                    continue;
                }
                result.Add(new ReceivedMessage(messageId.Groups[1].Value, rcpt.Groups[1].Value, record[received..]));
            }
        }
        return result;
    }

    /// <summary>Mail transactions begun so far (cheap: counts envelope lines in the dumps).</summary>
    public int TransactionsStarted()
    {
        var n = 0;
        foreach (var file in _dumps.Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            n += System.Text.RegularExpressions.Regex.Count(reader.ReadToEnd(), "^X-Client-Addr: ", RegexOptions.Multiline);
        }
        return n;
    }

    /// <summary>How many times each Message-ID arrived.</summary>
    public Dictionary<string, int> CountByMessageId() =>
        Messages().GroupBy(m => m.MessageId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public void Dispose() => Kill();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^X-Rcpt-Args: <([^>]*)>", RegexOptions.Multiline)]
    private static partial Regex RcptPattern();

    [GeneratedRegex(@"^Message-Id: (<[^>\r\n]+>)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdPattern();

    [GeneratedRegex(@"boundary=""([^""]+)""")]
    private static partial Regex BoundaryPattern();
}

/// <summary>One message as the sink received it.</summary>
internal sealed record ReceivedMessage(string MessageId, string Recipient, string Raw);
