using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MimeKit;

namespace Mailsmith.Deliver;

/// <summary>How a failed attempt is treated.</summary>
public enum FailureKind
{
    /// <summary>4xx, a timeout, a dropped or refused connection: retried, then deferred.</summary>
    Transient,
    /// <summary>5xx for the recipient: the address bounced and is suppressed.</summary>
    PermanentRecipient,
    /// <summary>5xx for the sender or the message (not the address's fault): the message failed, the address is kept.</summary>
    PermanentMessage,
}

/// <summary>
/// Sends over SMTP through a pool of long-lived <see cref="SmtpSession"/>s (many messages per connection), at most
/// <see cref="SmtpOptions.Concurrency"/> open at once, STARTTLS/TLS and AUTH as configured, at most
/// <see cref="SmtpOptions.RatePerSecond"/> messages a second to the relay, each message DKIM-signed when a signer is given.
/// </summary>
/// <remarks>
/// Thread-safe; one instance per relay and run. The sessions are our own SMTP code over a <see cref="Socket"/> with
/// <c>NoDelay</c>, not MailKit's: measured, MailKit's per-message conversation cost more CPU than the lean session
/// (docs/benchmarks.md, "Own SMTP session"; docs/delivery.md). A session that failed is closed, never reused; the next
/// send opens a new one. A refused sender, recipient or message (4xx/5xx) leaves the session usable (it is reset).
/// </remarks>
public sealed class SmtpSender : IMailSender, IAsyncDisposable
{
    private static readonly FormatOptions Format = CreateFormat();
    private readonly SmtpRelay _relay;
    private readonly SmtpOptions _options;
    private readonly DkimSigner? _dkim;
    private readonly MessageRateLimiter? _rate;
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly SemaphoreSlim _slots;
    private readonly string _helo;
    private long _connectionsOpened;

    public SmtpSender(SmtpRelay relay, SmtpOptions options, DkimSigner? dkim = null)
    {
        _relay = relay;
        _options = options;
        _dkim = dkim;
        _rate = options.RatePerSecond > 0 ? new MessageRateLimiter(options.RatePerSecond) : null;
        _slots = new SemaphoreSlim(Math.Max(1, options.Concurrency));
        _helo = options.HeloName is { Length: > 0 } helo ? helo : Dns.GetHostName();
    }

    /// <summary>When set, the CPU time of DKIM signing is added to it. Default null.</summary>
    public SendCosts? Costs { get; init; }

    /// <summary>Checks the relay's TLS certificate; null: the system's validation (the host name and a trusted chain). Default null.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>Connections opened so far (a long-lived pool opens few).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>The relay this sender talks to.</summary>
    public SmtpRelay Relay => _relay;

    /// <summary>Writes <paramref name="message"/> (CRLF, parts 7-bit, Bcc not written) and sends it; the envelope is <paramref name="address"/>'s, else the message's Sender/From and To, Cc and Bcc.</summary>
    /// <exception cref="SmtpReplyException">The relay refused (see <see cref="Classify"/>).</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">TLS failed or the relay refused the credentials.</exception>
    public Task SendAsync(MimeMessage message, OutboxAddress address, CancellationToken cancellationToken = default)
    {
        var from = address.EnvelopeFrom ?? (message.Sender ?? message.From.Mailboxes.FirstOrDefault())?.Address
            ?? throw new ArgumentException("the message has no Sender or From and no envelope sender is given", nameof(message));
        List<string> recipients = address.EnvelopeTo is { } to
            ? [to]
            : message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes).Select(m => m.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (recipients.Count == 0)
        {
            throw new ArgumentException("the message has no recipients", nameof(message));
        }
        message.Prepare(EncodingConstraint.SevenBit);
        using var buffer = new MemoryStream(32 * 1024);
        message.WriteTo(Format, buffer, cancellationToken);
        return SendAsync(buffer.ToArray(), from, recipients, cancellationToken);
    }

    /// <summary>Sends a message written by <see cref="MimeBuilder.Write"/> (CRLF line ends) as it is; <paramref name="address"/> must give the envelope.</summary>
    /// <exception cref="SmtpReplyException">The relay refused (see <see cref="Classify"/>).</exception>
    public Task SendAsync(byte[] message, OutboxAddress address, CancellationToken cancellationToken = default) =>
        address is { EnvelopeTo: { } to, EnvelopeFrom: { } from }
            ? SendAsync(message, from, [to], cancellationToken)
            : throw new ArgumentException("a written message needs the envelope (EnvelopeFrom, EnvelopeTo)", nameof(address));

    private async Task SendAsync(byte[] message, string from, IReadOnlyList<string> recipients, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Connection? connection = null;
        try
        {
            if (_rate is not null)
            {
                await _rate.WaitAsync(cancellationToken);
            }
            // Signed before a connection is taken, and again on every attempt (a retry gets a fresh timestamp).
            byte[] signature = [];
            if (_dkim is not null)
            {
                using var cost = Costs?.Measure(SendStage.Dkim);
                signature = _dkim.SignatureField(message);
            }
            while (_idle.TryTake(out var idle))
            {
                if (!idle.Session.Broken)
                {
                    connection = idle;
                    break;
                }
                await idle.Session.DisposeAsync();
            }
            connection ??= await ConnectAsync(cancellationToken);
            await connection.Session.SendAsync(signature, message, from, recipients, cancellationToken);
            connection.Sent++;
            if (connection.Sent >= _options.MessagesPerConnection && _options.MessagesPerConnection > 0)
            {
                await connection.Session.DisposeAsync();
            }
            else
            {
                _idle.Add(connection);
            }
            connection = null;
        }
        catch (SmtpReplyException) when (connection is { Session.Broken: false })
        {
            // A refused sender, recipient or message leaves the session usable (it was reset).
            _idle.Add(connection);
            connection = null;
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await connection.Session.DisposeAsync();
            }
            _slots.Release();
        }
    }

    /// <summary>Whether a failed attempt is retried, bounces the address, or fails the message.</summary>
    /// <remarks>
    /// 5xx to RCPT TO bounces the recipient; 5xx to MAIL FROM or DATA (or an address that cannot be written in an SMTP
    /// command) fails the message; everything else (4xx, 5xx while the session starts, timeouts, I/O, TLS) is transient.
    /// </remarks>
    public static FailureKind Classify(Exception exception) => exception switch
    {
        SmtpReplyException { StatusCode: >= 500, Step: SmtpStep.RcptTo } => FailureKind.PermanentRecipient,
        SmtpReplyException { StatusCode: >= 500, Step: SmtpStep.MailFrom or SmtpStep.Data } => FailureKind.PermanentMessage,
        ArgumentException => FailureKind.PermanentMessage,
        _ => FailureKind.Transient,
    };

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var session = await SmtpSession.ConnectAsync(_relay, _helo, _options.TimeoutSeconds, CertificateValidation, cancellationToken);
        Interlocked.Increment(ref _connectionsOpened);
        return new Connection(session);
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var connection))
        {
            await connection.Session.DisposeAsync();
        }
        _slots.Dispose();
    }

    private static FormatOptions CreateFormat()
    {
        // As a message goes to the relay: CRLF line ends, Bcc never written.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.HiddenHeaders.Add(HeaderId.Bcc);
        format.HiddenHeaders.Add(HeaderId.ResentBcc);
        return format;
    }

    private sealed class Connection(SmtpSession session)
    {
        public SmtpSession Session { get; } = session;
        public int Sent { get; set; }
    }
}

/// <summary>Paces acquisitions to at most <c>rate</c> a second, spread evenly (no bursts). Thread-safe.</summary>
public sealed class MessageRateLimiter(double ratePerSecond, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _interval = (long)(TimeSpan.TicksPerSecond / ratePerSecond);
    private readonly Lock _gate = new();
    private long _next;

    /// <summary>Waits for the next slot.</summary>
    public Task WaitAsync(CancellationToken cancellationToken = default)
    {
        long wait;
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            var slot = Math.Max(now, _next);
            _next = slot + _interval;
            wait = slot - now;
        }
        return wait <= 0 ? Task.CompletedTask : Task.Delay(TimeSpan.FromTicks(wait), _time, cancellationToken);
    }
}
