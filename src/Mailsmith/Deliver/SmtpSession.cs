using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Buffers;
using System.Security.Authentication;
using System.Text;
using SecureSocketOptions = MailKit.Security.SecureSocketOptions;

namespace Mailsmith.Deliver;

/// <summary>The SMTP step a reply answered.</summary>
public enum SmtpStep
{
    /// <summary>The greeting, EHLO/HELO, STARTTLS or AUTH: the session could not start.</summary>
    Session,
    /// <summary>MAIL FROM: the relay refused the sender.</summary>
    MailFrom,
    /// <summary>RCPT TO: the relay refused the recipient.</summary>
    RcptTo,
    /// <summary>DATA, or the reply to the message's end (the relay refused the message).</summary>
    Data,
}

/// <summary>The relay answered a step with a 4xx or 5xx reply.</summary>
/// <remarks>The message is the reply text after the code (for example <c>5.1.1 no such user</c>), as MailKit reports it.</remarks>
public sealed class SmtpReplyException(SmtpStep step, int statusCode, string text) : Exception(text)
{
    /// <summary>What was refused.</summary>
    public SmtpStep Step { get; } = step;

    /// <summary>The three-digit reply code.</summary>
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// One SMTP session of our own over a <see cref="Socket"/> with <c>NoDelay</c> (TLS through <see cref="SslStream"/>),
/// for messages already written to their bytes: PIPELINING (MAIL FROM, RCPT TO and DATA in one write), the body
/// dot-stuffed in one pass into the session's buffer (copied as it is when no line starts with '.'), replies parsed
/// on bytes. Two round trips per message (commands → 250/250/354, body → 250) where MailKit waits for three.
/// </summary>
/// <remarks>
/// <para>Why not MailKit: measured with <c>mailsmith bench send</c> (docs/benchmarks.md, "Own SMTP session"), MailKit's
/// per-message conversation (its filter chain copying the body for dot-stuffing, its asynchronous stream layers, a round
/// trip more) was the largest share of the send path's CPU per message outside compose.</para>
/// <para>Not thread-safe: one message at a time (the pool in <see cref="SmtpSender"/> hands a session to one worker).
/// After any failure other than a refused reply the session is <see cref="Broken"/> and must be disposed: a refused
/// MAIL/RCPT/DATA is followed by RSET, which leaves it usable.</para>
/// </remarks>
public sealed class SmtpSession : IAsyncDisposable
{
    private const int MaxReplyBytes = 64 * 1024;
    private static readonly byte[] EndOfData = ".\r\n"u8.ToArray();
    private static readonly SearchValues<char> NotInAddress = SearchValues.Create("\r\n<> \t\0");

    private readonly Socket _socket;
    private readonly int _timeoutMilliseconds;
    private Stream _stream;
    private byte[] _input = new byte[4096];
    private int _start;
    private int _end;
    private byte[] _output = new byte[32 * 1024];
    private readonly List<string> _lines = [];
    private string _lastText = "";

    private SmtpSession(Socket socket, int timeoutSeconds)
    {
        _socket = socket;
        // Replaced by the socket's stream once connected.
        _stream = Stream.Null;
        _timeoutMilliseconds = Math.Max(1, timeoutSeconds) * 1000;
    }

    /// <summary>The relay offers PIPELINING (RFC 2920).</summary>
    public bool Pipelining { get; private set; }

    /// <summary>The relay offers 8BITMIME (RFC 6152).</summary>
    public bool EightBitMime { get; private set; }

    /// <summary>The relay offers SMTPUTF8 (RFC 6531).</summary>
    public bool SmtpUtf8 { get; private set; }

    /// <summary>The session runs over TLS (implicit or STARTTLS).</summary>
    public bool Secure => _stream is SslStream;

    /// <summary>A failure left the session in an unknown state: dispose it, never send on it again.</summary>
    public bool Broken { get; private set; }

    /// <summary>Connects, reads the greeting, says EHLO (HELO when EHLO is refused), starts TLS and authenticates as <paramref name="relay"/> asks.</summary>
    /// <param name="helo">The name given in EHLO.</param>
    /// <param name="certificateValidation">Checks the relay's certificate; null: the system's validation.</param>
    /// <exception cref="SmtpReplyException">The relay refused the session (<see cref="SmtpStep.Session"/>).</exception>
    /// <exception cref="AuthenticationException">TLS failed, or the relay refused the credentials.</exception>
    /// <exception cref="NotSupportedException">STARTTLS or AUTH is required but the relay does not offer it.</exception>
    /// <exception cref="TimeoutException">A step took longer than <paramref name="timeoutSeconds"/>.</exception>
    public static async Task<SmtpSession> ConnectAsync(
        SmtpRelay relay, string helo, int timeoutSeconds, RemoteCertificateValidationCallback? certificateValidation = null,
        CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var session = new SmtpSession(socket, timeoutSeconds);
        try
        {
            using var timeout = session.Timeout(cancellationToken);
            try
            {
                await socket.ConnectAsync(relay.Host, relay.Port, timeout.Token);
                session._stream = new NetworkStream(socket, ownsSocket: true);
                if (relay.Security == SecureSocketOptions.SslOnConnect)
                {
                    await session.StartTlsAsync(relay.Host, certificateValidation, timeout.Token);
                }
                await session.ExpectAsync(SmtpStep.Session, 220, timeout.Token);
                var capabilities = await session.HelloAsync(helo, timeout.Token);
                var startTls = capabilities.Contains("STARTTLS");
                if (!session.Secure && (relay.Security == SecureSocketOptions.StartTls || (relay.Security == SecureSocketOptions.StartTlsWhenAvailable && startTls)))
                {
                    if (!startTls)
                    {
                        throw new NotSupportedException($"{relay.Host}:{relay.Port} does not offer STARTTLS (Smtp:Security starttls requires it)");
                    }
                    await session.CommandAsync(SmtpStep.Session, "STARTTLS\r\n"u8.ToArray(), 220, timeout.Token);
                    await session.StartTlsAsync(relay.Host, certificateValidation, timeout.Token);
                    capabilities = await session.HelloAsync(helo, timeout.Token);
                }
                if (relay.Credential is { } credential)
                {
                    await session.AuthenticateAsync(capabilities, credential.UserName, credential.Password, timeout.Token);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{relay.Host}:{relay.Port} did not complete the SMTP session start within {timeoutSeconds} s");
            }
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends one message: <paramref name="prefix"/> (a DKIM-Signature header, or empty) then <paramref name="message"/>
    /// (CRLF line ends), from <paramref name="from"/> to <paramref name="recipients"/>.
    /// </summary>
    /// <exception cref="SmtpReplyException">The relay refused the sender, a recipient or the message; the session stays usable.</exception>
    /// <exception cref="ArgumentException">An address that cannot be written in an SMTP command.</exception>
    /// <exception cref="TimeoutException">The relay took longer than the timeout to answer.</exception>
    /// <exception cref="IOException">The connection failed or the relay closed it.</exception>
    public async Task SendAsync(ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> message, string from, IReadOnlyList<string> recipients, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Broken, this);
        var eightBit = prefix.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || message.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0;
        var commands = Commands(from, recipients, eightBit, out var utf8);
        if (utf8 && !SmtpUtf8)
        {
            throw new ArgumentException($"the envelope ({from} → {string.Join(", ", recipients)}) has a non-ASCII address and the relay does not offer SMTPUTF8");
        }
        using var timeout = Timeout(cancellationToken);
        try
        {
            var failure = Pipelining
                ? await PipelinedEnvelopeAsync(commands, recipients.Count, timeout.Token)
                : await EnvelopeOneByOneAsync(commands, recipients.Count, timeout.Token);
            if (failure is null)
            {
                var length = WriteBody(prefix.Span, message.Span);
                await _stream.WriteAsync(_output.AsMemory(0, length), timeout.Token);
                var code = await ReadReplyAsync(timeout.Token);
                if (code != 250)
                {
                    failure = new SmtpReplyException(SmtpStep.Data, code, _lastText);
                }
            }
            if (failure is not null)
            {
                await CommandAsync(SmtpStep.Session, "RSET\r\n"u8.ToArray(), 250, timeout.Token);
                throw failure;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Broken = true;
            throw new TimeoutException($"the relay did not answer within {_timeoutMilliseconds / 1000} s");
        }
        catch (Exception e) when (e is not SmtpReplyException || Broken)
        {
            Broken = true;
            throw;
        }
    }

    /// <summary>Says QUIT (waiting at most 2 s for the answer) and closes the connection; never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!Broken && _socket.Connected)
        {
            try
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _stream.WriteAsync("QUIT\r\n"u8.ToArray(), quit.Token);
                await ReadReplyAsync(quit.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or SmtpReplyException or ObjectDisposedException or InvalidDataException)
            {
                // Closing anyway: nothing left to tell the relay.
            }
        }
        Broken = true;
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private CancellationTokenSource Timeout(CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeoutMilliseconds);
        return timeout;
    }

    // MAIL FROM, one RCPT TO per recipient, DATA, each ending in CRLF.
    private byte[] Commands(string from, IReadOnlyList<string> recipients, bool eightBit, out bool utf8)
    {
        var text = new StringBuilder(64 + (recipients.Count * 48));
        utf8 = !Ascii.IsValid(from);
        text.Append("MAIL FROM:<").Append(Checked(from)).Append('>');
        if (eightBit && EightBitMime)
        {
            text.Append(" BODY=8BITMIME");
        }
        foreach (var to in recipients)
        {
            utf8 |= !Ascii.IsValid(to);
        }
        if (utf8 && SmtpUtf8)
        {
            text.Append(" SMTPUTF8");
        }
        text.Append("\r\n");
        foreach (var to in recipients)
        {
            text.Append("RCPT TO:<").Append(Checked(to)).Append(">\r\n");
        }
        text.Append("DATA\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Checked(string address)
    {
        // A CR, LF or angle bracket in an address would end the command early: refuse it rather than inject a command.
        if (address.AsSpan().IndexOfAny(NotInAddress) >= 0)
        {
            throw new ArgumentException($"'{address.ReplaceLineEndings(" ")}' cannot be an SMTP envelope address (it has white space, a line break or an angle bracket)");
        }
        return address;
    }

    // RFC 2920: MAIL, the RCPTs and DATA in one write, then their replies in order.
    private async Task<SmtpReplyException?> PipelinedEnvelopeAsync(byte[] commands, int recipients, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(commands, cancellationToken);
        SmtpReplyException? failure = null;
        var code = await ReadReplyAsync(cancellationToken);
        if (code != 250)
        {
            failure = new SmtpReplyException(SmtpStep.MailFrom, code, _lastText);
        }
        for (var i = 0; i < recipients; i++)
        {
            code = await ReadReplyAsync(cancellationToken);
            if (code is not (250 or 251) && failure is null)
            {
                failure = new SmtpReplyException(SmtpStep.RcptTo, code, _lastText);
            }
        }
        code = await ReadReplyAsync(cancellationToken);
        if (code == 354 && failure is not null)
        {
            // Some recipients were taken and the relay waits for data: end it empty, then RSET drops the transaction.
            await _stream.WriteAsync(EndOfData, cancellationToken);
            await ReadReplyAsync(cancellationToken);
        }
        else if (code != 354 && failure is null)
        {
            failure = new SmtpReplyException(SmtpStep.Data, code, _lastText);
        }
        return failure;
    }

    private async Task<SmtpReplyException?> EnvelopeOneByOneAsync(byte[] commands, int recipients, CancellationToken cancellationToken)
    {
        var start = 0;
        for (var i = 0; i < recipients + 2; i++)
        {
            var end = commands.AsSpan(start).IndexOf((byte)'\n') + start + 1;
            await _stream.WriteAsync(commands.AsMemory(start, end - start), cancellationToken);
            start = end;
            var code = await ReadReplyAsync(cancellationToken);
            var (step, ok) = i == 0 ? (SmtpStep.MailFrom, code == 250) : i <= recipients ? (SmtpStep.RcptTo, code is 250 or 251) : (SmtpStep.Data, code == 354);
            if (!ok)
            {
                return new SmtpReplyException(step, code, _lastText);
            }
        }
        return null;
    }

    // The body into _output: dot-stuffed (RFC 5321 4.5.2), ending in CRLF, then ".\r\n". Returns the length.
    private int WriteBody(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> message)
    {
        var worst = ((prefix.Length + message.Length) * 2) + 5;
        var plain = prefix.Length + message.Length + 5;
        var stuff = (prefix.Length > 0 ? prefix[0] : message.Length > 0 ? message[0] : 0) == '.'
            || prefix.IndexOf("\n."u8) >= 0 || message.IndexOf("\n."u8) >= 0 || (prefix.Length > 0 && prefix[^1] == '\n' && message.Length > 0 && message[0] == '.');
        var needed = stuff ? worst : plain;
        if (_output.Length < needed)
        {
            _output = new byte[Math.Max(needed, _output.Length * 2)];
        }
        var n = 0;
        var atLineStart = true;
        n = Stuff(prefix, stuff, n, ref atLineStart);
        n = Stuff(message, stuff, n, ref atLineStart);
        if (n < 2 || _output[n - 2] != '\r' || _output[n - 1] != '\n')
        {
            _output[n++] = (byte)'\r';
            _output[n++] = (byte)'\n';
        }
        EndOfData.CopyTo(_output.AsSpan(n));
        return n + EndOfData.Length;
    }

    private int Stuff(ReadOnlySpan<byte> part, bool stuff, int n, ref bool atLineStart)
    {
        if (!stuff)
        {
            part.CopyTo(_output.AsSpan(n));
            return n + part.Length;
        }
        while (part.Length > 0)
        {
            if (atLineStart && part[0] == '.')
            {
                _output[n++] = (byte)'.';
            }
            var lf = part.IndexOf((byte)'\n');
            var take = lf < 0 ? part.Length : lf + 1;
            part[..take].CopyTo(_output.AsSpan(n));
            n += take;
            atLineStart = lf >= 0;
            part = part[take..];
        }
        return n;
    }

    private async Task StartTlsAsync(string host, RemoteCertificateValidationCallback? validation, CancellationToken cancellationToken)
    {
        var tls = new SslStream(_stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = validation,
            EnabledSslProtocols = SslProtocols.None,
        }, cancellationToken);
        _stream = tls;
        // RFC 3207: nothing the relay sent before the handshake counts.
        _start = _end = 0;
    }

    private async Task<HashSet<string>> HelloAsync(string helo, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"EHLO {helo}\r\n"), cancellationToken);
        _lines.Clear();
        var code = await ReadReplyAsync(cancellationToken, collect: true);
        var capabilities = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (code == 250)
        {
            // The first line is the relay's name; each further line one extension with its parameters.
            foreach (var line in _lines.Skip(1))
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0)
                {
                    continue;
                }
                capabilities.Add(words[0]);
                if (words[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
                {
                    foreach (var mechanism in words.Skip(1))
                    {
                        capabilities.Add("AUTH=" + mechanism);
                    }
                }
            }
        }
        else
        {
            await CommandAsync(SmtpStep.Session, Encoding.ASCII.GetBytes($"HELO {helo}\r\n"), 250, cancellationToken);
        }
        Pipelining = capabilities.Contains("PIPELINING");
        EightBitMime = capabilities.Contains("8BITMIME");
        SmtpUtf8 = capabilities.Contains("SMTPUTF8");
        return capabilities;
    }

    private async Task AuthenticateAsync(HashSet<string> capabilities, string user, string password, CancellationToken cancellationToken)
    {
        int code;
        if (capabilities.Contains("AUTH=PLAIN"))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            await _stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH PLAIN {token}\r\n"), cancellationToken);
            code = await ReadReplyAsync(cancellationToken);
        }
        else if (capabilities.Contains("AUTH=LOGIN"))
        {
            await _stream.WriteAsync("AUTH LOGIN\r\n"u8.ToArray(), cancellationToken);
            code = await ReadReplyAsync(cancellationToken);
            foreach (var answer in (string[])[user, password])
            {
                if (code != 334)
                {
                    break;
                }
                await _stream.WriteAsync(Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(answer)) + "\r\n"), cancellationToken);
                code = await ReadReplyAsync(cancellationToken);
            }
        }
        else
        {
            throw new NotSupportedException("the relay offers neither AUTH PLAIN nor AUTH LOGIN, and credentials are configured");
        }
        if (code != 235)
        {
            throw new AuthenticationException($"the relay refused the credentials for '{user}': {code} {_lastText}");
        }
    }

    private async Task CommandAsync(SmtpStep step, byte[] command, int expected, CancellationToken cancellationToken)
    {
        await _stream.WriteAsync(command, cancellationToken);
        await ExpectAsync(step, expected, cancellationToken);
    }

    private async Task ExpectAsync(SmtpStep step, int expected, CancellationToken cancellationToken)
    {
        var code = await ReadReplyAsync(cancellationToken);
        if (code != expected)
        {
            Broken = true;
            throw new SmtpReplyException(step, code, _lastText);
        }
    }

    /// <summary>Reads one (possibly multi-line) reply and returns its code; the text of a 4xx/5xx reply (or every line when <paramref name="collect"/>) is kept.</summary>
    private async ValueTask<int> ReadReplyAsync(CancellationToken cancellationToken, bool collect = false)
    {
        StringBuilder? text = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            var span = _input.AsSpan(line.Start, line.Length);
            if (span.Length < 3 || !int.TryParse(span[..3], NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 200 || code > 599
                || (span.Length > 3 && span[3] is not ((byte)' ' or (byte)'-')))
            {
                Broken = true;
                throw new InvalidDataException($"not an SMTP reply: '{Encoding.ASCII.GetString(span[..Math.Min(span.Length, 80)])}'");
            }
            var last = span.Length == 3 || span[3] == ' ';
            var content = span.Length > 4 ? span[4..] : [];
            if (collect)
            {
                _lines.Add(Encoding.ASCII.GetString(content));
            }
            if (code >= 400)
            {
                text ??= new StringBuilder();
                text.Append(text.Length == 0 ? "" : " ").Append(Encoding.UTF8.GetString(content));
            }
            if (last)
            {
                _lastText = text?.ToString() ?? "";
                return code;
            }
        }
    }

    // The next line of input without its CRLF, as a range of _input (valid until the next read).
    private async ValueTask<(int Start, int Length)> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lf = _input.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                var start = _start;
                var length = lf > 0 && _input[start + lf - 1] == '\r' ? lf - 1 : lf;
                _start += lf + 1;
                return (start, length);
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_input, _start, _input, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _input.Length)
            {
                if (_input.Length >= MaxReplyBytes)
                {
                    Broken = true;
                    throw new InvalidDataException($"an SMTP reply line longer than {MaxReplyBytes} bytes");
                }
                Array.Resize(ref _input, _input.Length * 2);
            }
            var read = await _stream.ReadAsync(_input.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                Broken = true;
                throw new IOException("the relay closed the connection");
            }
            _end += read;
        }
    }
}
