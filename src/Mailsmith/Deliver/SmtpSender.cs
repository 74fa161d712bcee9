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
/// <para>Thread-safe; one instance per relay and run. Each connection is opened over a <see cref="Socket"/> with
/// <c>NoDelay</c>: MailKit's own socket leaves Nagle on and waits ~40 ms per message on a delayed ACK.
/// A connection that failed is closed, never reused; the next send opens a new one.</para>
/// <para>Each connection belongs to one dedicated thread that speaks SMTP through MailKit's synchronous API;
/// <see cref="SendAsync(MimeMessage, OutboxAddress, CancellationToken)"/> hands the message to a free thread and
/// completes when the relay answered. Why: MailKit's asynchronous send awaits every read and write of the
/// conversation (three round trips and several buffer flushes per message), each a thread-pool hop and a state
/// machine; measured with <c>mailsmith bench send</c> (docs/benchmarks.md, "Send path, deliver helper"), blocking
/// calls on a thread per connection cost less CPU per message. The threads start with the first send and end at
/// <see cref="DisposeAsync"/>.</para>
/// </remarks>
public sealed class SmtpSender : IMailSender, IAsyncDisposable
{
    private readonly SmtpRelay _relay;
    private readonly SmtpOptions _options;
    private readonly DkimSigner? _dkim;
    private readonly MessageRateLimiter? _rate;
    private readonly BlockingCollection<Job> _jobs = new(new ConcurrentQueue<Job>());
    private readonly Lock _gate = new();
    private Thread[]? _threads;
    private long _connectionsOpened;
    private (string Text, MailboxAddress Address)? _lastFrom;

    public SmtpSender(SmtpRelay relay, SmtpOptions options, DkimSigner? dkim = null)
    {
        _relay = relay;
        _options = options;
        _dkim = dkim;
        _rate = options.RatePerSecond > 0 ? new MessageRateLimiter(options.RatePerSecond) : null;
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
        SendAsync(_ => message, address, cancellationToken);

    /// <summary>Sends a message written by <see cref="MimeBuilder.Write"/> through the connection's <see cref="PreparedMessage"/>; <paramref name="address"/> must give the envelope.</summary>
    /// <exception cref="SmtpCommandException">The relay refused (see <see cref="Classify"/>).</exception>
    public Task SendAsync(byte[] message, OutboxAddress address, CancellationToken cancellationToken = default) =>
        address.EnvelopeTo is null
            ? throw new ArgumentException("a prepared message needs the envelope (EnvelopeFrom, EnvelopeTo)", nameof(address))
            : SendAsync(connection => connection.Wrapper.Load(message).Message, address, cancellationToken);

    private async Task SendAsync(Func<Connection, MimeMessage> load, OutboxAddress address, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_rate is not null)
        {
            await _rate.WaitAsync(cancellationToken);
        }
        StartThreads();
        var job = new Job(load, address, cancellationToken);
        _jobs.Add(job, CancellationToken.None);
        await job.Done.Task;
    }

    private void StartThreads()
    {
        if (Volatile.Read(ref _threads) is not null)
        {
            return;
        }
        lock (_gate)
        {
            if (_threads is not null)
            {
                return;
            }
            var threads = new Thread[Math.Max(1, _options.Concurrency)];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(ConnectionLoop) { IsBackground = true, Name = $"smtp-{i + 1}" };
                threads[i].Start();
            }
            Volatile.Write(ref _threads, threads);
        }
    }

    // One connection's thread: takes messages until the sender is disposed.
    private void ConnectionLoop()
    {
        Connection? connection = null;
        try
        {
            foreach (var job in _jobs.GetConsumingEnumerable())
            {
                connection = Run(job, connection);
            }
        }
        finally
        {
            if (connection is not null)
            {
                Close(connection);
            }
        }
    }

    // Sends one message on this thread's connection (opening one when there is none); returns the connection to keep.
    private Connection? Run(Job job, Connection? connection)
    {
        if (job.CancellationToken.IsCancellationRequested)
        {
            job.Done.TrySetCanceled(job.CancellationToken);
            return connection;
        }
        try
        {
            if (connection is { Client.IsConnected: false })
            {
                Close(connection);
                connection = null;
            }
            connection ??= Connect(job.CancellationToken);
            var message = job.Load(connection);
            if (_dkim is not null)
            {
                using var cost = Costs?.Measure(SendStage.Dkim);
                _dkim.Sign(message);
            }
            if (job.Address.EnvelopeTo is { } to)
            {
                // A prepared message has no From or To that MimeKit knows of: the envelope is given.
                var from = job.Address.EnvelopeFrom ?? throw new ArgumentException("a message with an envelope recipient needs an envelope sender", nameof(job));
                connection.Client.Send(message, EnvelopeSender(from), [MailboxAddress.Parse(to)], job.CancellationToken);
            }
            else
            {
                connection.Client.Send(message, job.CancellationToken);
            }
            connection.Sent++;
            if (connection.Sent >= _options.MessagesPerConnection && _options.MessagesPerConnection > 0)
            {
                Close(connection);
                connection = null;
            }
            job.Done.TrySetResult();
            return connection;
        }
        catch (SmtpCommandException e) when (connection is { Client.IsConnected: true })
        {
            // A refused recipient or message leaves the session usable (MailKit resets it).
            job.Done.TrySetException(e);
            return connection;
        }
        catch (Exception e)
        {
            if (connection is not null)
            {
                Close(connection);
            }
            job.Done.TrySetException(e);
            return null;
        }
    }

    // The envelope sender is the same for a whole campaign: parsed once.
    private MailboxAddress EnvelopeSender(string from)
    {
        var last = _lastFrom;
        if (last is { } cached && string.Equals(cached.Text, from, StringComparison.Ordinal))
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

    private Connection Connect(CancellationToken cancellationToken)
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
                // This thread exists to block: waiting here for the connect (with its timeout) costs nothing else.
                socket.ConnectAsync(_relay.Host, _relay.Port, timeout.Token).AsTask().GetAwaiter().GetResult();
            }
            client.Connect(socket, _relay.Host, _relay.Port, _relay.Security, cancellationToken);
            if (_relay.Credential is { } credential)
            {
                client.Authenticate(credential, cancellationToken);
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

    private static void Close(Connection connection)
    {
        try
        {
            if (connection.Client.IsConnected)
            {
                using var quit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                connection.Client.Disconnect(true, quit.Token);
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

    /// <summary>Closes every connection (QUIT) and ends their threads.</summary>
    public async ValueTask DisposeAsync()
    {
        _jobs.CompleteAdding();
        if (Volatile.Read(ref _threads) is { } threads)
        {
            await Task.Run(() =>
            {
                foreach (var thread in threads)
                {
                    thread.Join();
                }
            });
        }
        _jobs.Dispose();
    }

    private sealed record Job(Func<Connection, MimeMessage> Load, OutboxAddress Address, CancellationToken CancellationToken)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
