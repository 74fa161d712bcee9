using System.Collections.Concurrent;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
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
/// Sends over SMTP through a pool of long-lived MailKit connections (many messages per connection), at most
/// <see cref="SmtpOptions.Concurrency"/> open at once, STARTTLS/TLS and AUTH as configured, at most
/// <see cref="SmtpOptions.RatePerSecond"/> messages a second to the relay, each message DKIM-signed when a signer is given.
/// </summary>
/// <remarks>
/// Thread-safe; one instance per relay and run. Each connection is opened over a <see cref="Socket"/> with
/// <c>NoDelay</c>: MailKit's own socket leaves Nagle on and waits ~40 ms per message on a delayed ACK.
/// A connection that failed is closed, never reused; the next send opens a new one.
/// </remarks>
public sealed class SmtpSender : IMailSender, IAsyncDisposable
{
    private readonly SmtpRelay _relay;
    private readonly SmtpOptions _options;
    private readonly DkimSigner? _dkim;
    private readonly MessageRateLimiter? _rate;
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly SemaphoreSlim _slots;
    private long _connectionsOpened;
    private (string Text, MailboxAddress Address)? _lastFrom;

    public SmtpSender(SmtpRelay relay, SmtpOptions options, DkimSigner? dkim = null)
    {
        _relay = relay;
        _options = options;
        _dkim = dkim;
        _rate = options.RatePerSecond > 0 ? new MessageRateLimiter(options.RatePerSecond) : null;
        _slots = new SemaphoreSlim(Math.Max(1, options.Concurrency));
    }

    /// <summary>When set, the CPU time of DKIM signing is added to it. Default null.</summary>
    public SendCosts? Costs { get; init; }

    /// <summary>Connections opened so far (a long-lived pool opens few).</summary>
    public long ConnectionsOpened => Interlocked.Read(ref _connectionsOpened);

    /// <summary>The relay this sender talks to.</summary>
    public SmtpRelay Relay => _relay;

    /// <exception cref="SmtpCommandException">The relay refused (see <see cref="Classify"/>).</exception>
    /// <exception cref="AuthenticationException">The relay refused the credentials.</exception>
    public Task SendAsync(MimeMessage message, OutboxAddress address, CancellationToken cancellationToken = default) =>
        SendAsync(_ => message, null, address, cancellationToken);

    /// <summary>Sends a message written by <see cref="MimeBuilder.Write"/> through the connection's <see cref="PreparedMessage"/>; <paramref name="address"/> must give the envelope.</summary>
    /// <exception cref="SmtpCommandException">The relay refused (see <see cref="Classify"/>).</exception>
    public Task SendAsync(byte[] message, OutboxAddress address, CancellationToken cancellationToken = default) =>
        address.EnvelopeTo is null
            ? throw new ArgumentException("a prepared message needs the envelope (EnvelopeFrom, EnvelopeTo)", nameof(address))
            : SendAsync(connection => connection.Wrapper.Load(message).Message, message, address, cancellationToken);

    private async Task SendAsync(Func<Connection, MimeMessage> load, byte[]? written, OutboxAddress address, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        Connection? connection = null;
        try
        {
            if (_rate is not null)
            {
                await _rate.WaitAsync(cancellationToken);
            }
            connection = _idle.TryTake(out var idle) && idle.Client.IsConnected ? idle : await ConnectAsync(cancellationToken);
            var message = load(connection);
            if (_dkim is not null)
            {
                using var cost = Costs?.Measure(SendStage.Dkim);
                // A prepared message is signed from its bytes; anything else is written once to be hashed.
                if (written is not null)
                {
                    _dkim.SignWritten(message, written);
                }
                else
                {
                    _dkim.Sign(message);
                }
            }
            if (address.EnvelopeTo is { } to)
            {
                // A prepared message has no From or To that MimeKit knows of: the envelope is given.
                var from = address.EnvelopeFrom ?? throw new ArgumentException("a message with an envelope recipient needs an envelope sender", nameof(address));
                await connection.Client.SendAsync(message, EnvelopeSender(from), [MailboxAddress.Parse(to)], cancellationToken);
            }
            else
            {
                await connection.Client.SendAsync(message, cancellationToken);
            }
            connection.Sent++;
            if (connection.Sent >= _options.MessagesPerConnection && _options.MessagesPerConnection > 0)
            {
                await CloseAsync(connection);
            }
            else
            {
                _idle.Add(connection);
            }
            connection = null;
        }
        catch (SmtpCommandException) when (connection is { Client.IsConnected: true })
        {
            // A refused recipient or message leaves the session usable (MailKit resets it).
            _idle.Add(connection);
            connection = null;
            throw;
        }
        finally
        {
            if (connection is not null)
            {
                await CloseAsync(connection);
            }
            _slots.Release();
        }
    }

    // The envelope sender is the same for a whole campaign: parsed once, not per message.
    private MailboxAddress EnvelopeSender(string from)
    {
        if (_lastFrom is { } cached && string.Equals(cached.Text, from, StringComparison.Ordinal))
        {
            return cached.Address;
        }
        var address = MailboxAddress.Parse(from);
        _lastFrom = (from, address);
        return address;
    }

    /// <summary>Whether a failed attempt is retried, bounces the address, or fails the message.</summary>
    public static FailureKind Classify(Exception exception) => exception switch
    {
        SmtpCommandException { StatusCode: var code } e when (int)code >= 500 =>
            e.ErrorCode == SmtpErrorCode.RecipientNotAccepted ? FailureKind.PermanentRecipient : FailureKind.PermanentMessage,
        _ => FailureKind.Transient,
    };

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = _options.TimeoutSeconds * 1000 };
        if (_options.HeloName is { Length: > 0 } helo)
        {
            client.LocalDomain = helo;
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
                await socket.ConnectAsync(_relay.Host, _relay.Port, timeout.Token);
            }
            await client.ConnectAsync(socket, _relay.Host, _relay.Port, _relay.Security, cancellationToken);
            if (_relay.Credential is { } credential)
            {
                await client.AuthenticateAsync(credential, cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            socket.Dispose();
            throw;
        }
        Interlocked.Increment(ref _connectionsOpened);
        return new Connection(client);
    }

    private static async Task CloseAsync(Connection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await connection.Client.DisconnectAsync(true, quit.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ProtocolException or ServiceNotConnectedException or SmtpCommandException)
        {
            // Closing a connection that already failed: nothing left to tell the relay.
        }
        finally
        {
            connection.Client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var connection))
        {
            await CloseAsync(connection);
        }
        _slots.Dispose();
    }

    private sealed class Connection(SmtpClient client)
    {
        public SmtpClient Client { get; } = client;
        public int Sent { get; set; }

        // Loaded with each prepared message this connection sends (one at a time).
        public PreparedMessage Wrapper { get; } = new();
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
