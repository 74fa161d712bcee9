using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Mailsmith.Deliver;

namespace Mailsmith.Tests.Deliver;

/// <summary>
/// Our own SMTP session (<see cref="SmtpSession"/> through <see cref="SmtpSender"/>) against postfix's smtp-sink on
/// 127.0.0.1, and, for what smtp-sink does not do (STARTTLS, a 5xx inside a pipelined group), a small TLS peer on loopback.
/// </summary>
public sealed class SmtpSessionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-session-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static SmtpSender Sender(string url, string security = "auto", RemoteCertificateValidationCallback? validation = null)
    {
        var options = new SmtpOptions { Concurrency = 1, TimeoutSeconds = 5, Security = security };
        return new SmtpSender(SmtpRelay.From(url, options), options) { CertificateValidation = validation };
    }

    private static OutboxAddress Envelope(string to) => new("cmp-test", "c1") { EnvelopeFrom = "hello@shop.example", EnvelopeTo = to };

    // Lines that need dot-stuffing (a lone dot, leading dots), 8-bit UTF-8, a 998-octet line, white space at line ends.
    private static byte[] TrickyMessage(string id) => Encoding.UTF8.GetBytes(
        $"Feedback-ID: t:test:mailsmith\r\nMessage-ID: <{id}@shop.example>\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + ".\r\n.starts with a dot\r\n..two dots\r\nGrüße aus Köln, 你好 ✓\r\n" + new string('x', 998) + "\r\n"
        + "trailing space \r\n\r\nlast line\r\n");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendAsync_DotsEightBitAndLongLines_SinkReceivesTheBytesAsWritten(bool withoutPipelining)
    {
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"), withoutPipelining ? ["-p"] : Array.Empty<string>());
        var message = TrickyMessage("m1");
        await using (var sender = Sender(sink.Url))
        {
            await sender.SendAsync(message, Envelope("anna@example.com"));
            await sender.SendAsync(TrickyMessage("m2"), Envelope("ben@example.com"));
            Assert.Equal(1, sender.ConnectionsOpened);
        }
        var dumps = SinkDump.Read(Path.Combine(_dir, "sink"));
        Assert.Equal(2, dumps.Count);
        Assert.Equal(["anna@example.com", "ben@example.com"], dumps.Select(d => d.Recipient));
        Assert.Contains("BODY=8BITMIME", dumps[0].MailArgs, StringComparison.Ordinal);
        // smtp-sink stores lines with LF ends and undoes the dot-stuffing: compare with the message in that form.
        Assert.Equal(Encoding.UTF8.GetString(message).Replace("\r\n", "\n", StringComparison.Ordinal), dumps[0].Message);
    }

    [Fact]
    public async Task SendAsync_RecipientRefused5xx_PermanentForTheRecipientAndTheSessionIsKept()
    {
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"), "-f", "RCPT");
        await using var sender = Sender(sink.Url);
        var first = await Assert.ThrowsAsync<SmtpReplyException>(() => sender.SendAsync(TrickyMessage("m1"), Envelope("anna@example.com")));
        var second = await Assert.ThrowsAsync<SmtpReplyException>(() => sender.SendAsync(TrickyMessage("m2"), Envelope("ben@example.com")));
        Assert.Equal((SmtpStep.RcptTo, 500), (first.Step, first.StatusCode));
        Assert.StartsWith("5.3.0", first.Message, StringComparison.Ordinal);
        Assert.Equal(FailureKind.PermanentRecipient, SmtpSender.Classify(second));
        Assert.Equal(1, sender.ConnectionsOpened);
    }

    [Fact]
    public async Task SendAsync_Refused4xx_Transient()
    {
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"), "-r", "MAIL");
        await using var sender = Sender(sink.Url);
        var e = await Assert.ThrowsAsync<SmtpReplyException>(() => sender.SendAsync(TrickyMessage("m1"), Envelope("anna@example.com")));
        Assert.Equal((SmtpStep.MailFrom, 450), (e.Step, e.StatusCode));
        Assert.Equal(FailureKind.Transient, SmtpSender.Classify(e));
        Assert.Empty(SinkDump.Read(Path.Combine(_dir, "sink")));
    }

    [Fact]
    public async Task SendAsync_RelayClosedTheSession_TransientThenTheNextAttemptOpensANewConnection()
    {
        using var sink = SmtpSink.Start(Path.Combine(_dir, "sink"));
        await using var sender = Sender(sink.Url);
        await sender.SendAsync(TrickyMessage("m1"), Envelope("anna@example.com"));
        sink.Kill();
        sink.Restart();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync(TrickyMessage("m2"), Envelope("ben@example.com")));
        Assert.Equal(FailureKind.Transient, SmtpSender.Classify(e));
        await sender.SendAsync(TrickyMessage("m2"), Envelope("ben@example.com"));
        Assert.Equal(2, sender.ConnectionsOpened);
        Assert.Equal(["anna@example.com", "ben@example.com"], SinkDump.Read(Path.Combine(_dir, "sink")).Select(d => d.Recipient));
    }

    [Fact]
    public async Task SendAsync_StartTlsAuthAndARecipientRefusedInAPipelinedGroup_BytesArriveOverTls()
    {
        using var certificate = SelfSigned();
        await using var peer = TlsPeer.Start(certificate);
        var seen = certificate.GetCertHashString();
        await using (var sender = Sender($"smtp://mailer:s%3Acret@127.0.0.1:{peer.Port}", "starttls", (_, cert, _, _) => cert?.GetCertHashString() == seen))
        {
            var refused = await Assert.ThrowsAsync<SmtpReplyException>(() => sender.SendAsync(TrickyMessage("m0"), Envelope("bounce@example.com")));
            Assert.Equal(FailureKind.PermanentRecipient, SmtpSender.Classify(refused));
            Assert.Equal((SmtpStep.RcptTo, 550), (refused.Step, refused.StatusCode));
            await sender.SendAsync(TrickyMessage("m1"), Envelope("anna@example.com"));
            Assert.Equal(1, sender.ConnectionsOpened);
        }
        var session = Assert.Single(peer.Sessions);
        Assert.True(session.Tls);
        Assert.Equal("\0mailer\0s:cret", session.AuthPlain);
        Assert.True(session.PipelinedGroups > 0, "MAIL, RCPT and DATA did not arrive in one write");
        var received = Assert.Single(session.Messages);
        Assert.Equal(TrickyMessage("m1"), received);
    }

    [Fact]
    public async Task ConnectAsync_StartTlsWithAnUntrustedCertificate_Fails()
    {
        using var certificate = SelfSigned();
        await using var peer = TlsPeer.Start(certificate);
        await using var sender = Sender($"smtp://127.0.0.1:{peer.Port}", "starttls");
        var e = await Assert.ThrowsAsync<System.Security.Authentication.AuthenticationException>(() => sender.SendAsync(TrickyMessage("m1"), Envelope("anna@example.com")));
        Assert.Equal(FailureKind.Transient, SmtpSender.Classify(e));
        Assert.Empty(peer.Sessions.SelectMany(s => s.Messages));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>One transaction in smtp-sink's dump (-D): envelope lines, then the message with LF line ends.</summary>
    private sealed record SinkDump(string MailArgs, string Recipient, string Message)
    {
        public static List<SinkDump> Read(string directory)
        {
            var result = new List<SinkDump>();
            foreach (var file in Directory.GetFiles(directory, "dump-*").Order(StringComparer.Ordinal))
            {
                var text = File.ReadAllText(file, Encoding.UTF8);
                foreach (var record in text.Split("X-Client-Addr: ", StringSplitOptions.RemoveEmptyEntries))
                {
                    var lines = record.Split('\n');
                    var mail = lines.First(l => l.StartsWith("X-Mail-Args: ", StringComparison.Ordinal));
                    var rcpt = lines.First(l => l.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal));
                    // smtp-sink's Received header (folded over three lines), then the message, then one empty separator line.
                    var received = Array.FindIndex(lines, l => l.StartsWith("Received: ", StringComparison.Ordinal));
                    var start = received + 1;
                    while (lines[start].StartsWith('\t'))
                    {
                        start++;
                    }
                    var message = string.Join('\n', lines[start..]);
                    result.Add(new SinkDump(mail, rcpt["X-Rcpt-Args: <".Length..rcpt.IndexOf('>', StringComparison.Ordinal)], message[..^1]));
                }
            }
            return result;
        }
    }

    /// <summary>
    /// A small SMTP peer on 127.0.0.1 that offers PIPELINING, STARTTLS and AUTH PLAIN, refuses recipients named
    /// <c>bounce@…</c> with 550, and keeps every message as received (dot-stuffing undone).
    /// </summary>
    private sealed class TlsPeer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly X509Certificate2 _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _tasks = [];
        private Task? _accept;

        private TlsPeer(X509Certificate2 certificate) => _certificate = certificate;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public List<PeerSession> Sessions { get; } = [];

        public static TlsPeer Start(X509Certificate2 certificate)
        {
            var peer = new TlsPeer(certificate);
            peer._listener.Start();
            peer._accept = peer.AcceptAsync();
            return peer;
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                var session = new PeerSession();
                lock (Sessions)
                {
                    Sessions.Add(session);
                }
                _tasks.Add(Task.Run(() => session.RunAsync(client, _certificate, _stop.Token)));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await (_accept ?? Task.CompletedTask);
            try
            {
                await Task.WhenAll(_tasks);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
            {
                // A session cut off by the end of the test or a refused handshake.
            }
            _stop.Dispose();
        }
    }

    private sealed class PeerSession
    {
        private Stream _stream = Stream.Null;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public bool Tls { get; private set; }
        public string? AuthPlain { get; private set; }
        public int PipelinedGroups { get; private set; }
        public List<byte[]> Messages { get; } = [];

        public async Task RunAsync(TcpClient client, X509Certificate2 certificate, CancellationToken cancellationToken)
        {
            using var _ = client;
            _stream = client.GetStream();
            await ReplyAsync("220 peer ESMTP", cancellationToken);
            var recipients = 0;
            while (await ReadLineAsync(cancellationToken) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                if (verb == "MAIL" && _end > _start)
                {
                    // The rest of the group (RCPT, DATA) is already here: the client pipelined it.
                    PipelinedGroups++;
                }
                switch (verb)
                {
                    case "EHLO":
                        await ReplyAsync(Tls ? "250-peer\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN" : "250-peer\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME", cancellationToken);
                        break;
                    case "STARTTLS":
                        await ReplyAsync("220 go ahead", cancellationToken);
                        var tls = new SslStream(_stream);
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
                        _stream = tls;
                        _start = _end = 0;
                        Tls = true;
                        break;
                    case "AUTH":
                        AuthPlain = Encoding.UTF8.GetString(Convert.FromBase64String(line.Split(' ')[2]));
                        await ReplyAsync("235 2.7.0 ok", cancellationToken);
                        break;
                    case "MAIL":
                        recipients = 0;
                        await ReplyAsync("250 2.1.0 ok", cancellationToken);
                        break;
                    case "RCPT":
                        var bounce = line.Contains("<bounce@", StringComparison.Ordinal);
                        recipients += bounce ? 0 : 1;
                        await ReplyAsync(bounce ? "550 5.1.1 no such user" : "250 2.1.5 ok", cancellationToken);
                        break;
                    case "DATA" when recipients == 0:
                        await ReplyAsync("554 5.5.1 no valid recipients", cancellationToken);
                        break;
                    case "DATA":
                        await ReplyAsync("354 go", cancellationToken);
                        var message = new MemoryStream();
                        while (await ReadLineAsync(cancellationToken) is { } data && data != ".")
                        {
                            var bytes = Encoding.UTF8.GetBytes(data.StartsWith('.') ? data[1..] : data);
                            message.Write(bytes);
                            message.Write("\r\n"u8);
                        }
                        Messages.Add(message.ToArray());
                        await ReplyAsync("250 2.0.0 queued", cancellationToken);
                        break;
                    case "RSET":
                        await ReplyAsync("250 2.0.0 ok", cancellationToken);
                        break;
                    case "QUIT":
                        await ReplyAsync("221 bye", cancellationToken);
                        return;
                    default:
                        await ReplyAsync("502 5.5.2 not implemented", cancellationToken);
                        break;
                }
            }
        }

        private async Task ReplyAsync(string text, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(text + "\r\n"), cancellationToken);
        }

        private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var lf = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (lf >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, lf);
                    _start += lf + 2;
                    return line;
                }
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
                var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
                if (read == 0)
                {
                    return null;
                }
                _end += read;
            }
        }
    }
}
