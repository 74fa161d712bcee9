using System.Collections.Concurrent;
using System.Threading.Channels;
using Mailsmith.Storage;
using MimeKit;
using Polly;
using Polly.Retry;

namespace Mailsmith.Deliver;

/// <summary>One message ready to go (<paramref name="Message"/>), or an outcome decided before sending (held back).</summary>
public sealed record DeliveryItem(Send Send, string Email, MimeMessage? Message, OutboxChange? HeldBack = null)
{
    /// <summary>The message written to its bytes (<see cref="MimeBuilder.Write"/>), sent instead of <see cref="Message"/>. Default null.</summary>
    public byte[]? Written { get; init; }

    /// <summary>The envelope sender; when set, <see cref="Email"/> is given as the envelope recipient (a written message needs both). Default null.</summary>
    public string? EnvelopeFrom { get; init; }
}

/// <summary>What one delivery run did.</summary>
/// <param name="Bounced">Refused permanently for the recipient (5xx): the message failed and the address is suppressed.</param>
/// <param name="Failed">Refused permanently for another reason (5xx for the sender or the message).</param>
/// <param name="Deferred">Still failing transiently after the retries: due again after <see cref="DeliveryOptions.DeferMinutes"/>.</param>
/// <param name="HeldBack">Not sent by rule, by reason (suppressed, frequency cap, quiet hours).</param>
/// <param name="Retries">Transient failures that were retried.</param>
public sealed record DeliveryResult(
    int Sent, int Bounced, int Failed, int Deferred, IReadOnlyDictionary<string, int> HeldBack, int Retries,
    string? PausedBecause, double Seconds, long ConnectionsOpened, long BytesSent = 0);

/// <summary>
/// The sending half of the outbox: a bounded queue of rendered messages → <c>concurrency</c> workers → the
/// <see cref="IMailSender"/>, with every state change committed before the step that depends on it.
/// </summary>
/// <remarks>
/// <para>The crash guarantee (docs/delivery.md): a worker claims a message (<c>sending</c>) in the same transaction
/// that records the outcome of its previous one, and sends only after that commit. So at any moment each worker has at
/// most one message whose fate the outbox does not know, and after a kill -9 the rows left in <c>sending</c> (at most
/// <c>concurrency</c>) are the only ones that may have been delivered without being recorded: a rerun sends them again
/// with the same Message-ID; every other message is either recorded as sent (never sent again) or was never handed
/// to the relay.</para>
/// <para>Commits are grouped: the workers' changes that arrive while a transaction runs share the next one.</para>
/// <para>Transient failures are retried with exponential backoff and jitter (Polly); a message still failing is
/// deferred. Permanent recipient failures suppress the address through <see cref="MailsmithStore.RecordDeliveryFeedback"/>.
/// When the share of failures among the last <see cref="DeliveryOptions.PauseWindow"/> attempts reaches
/// <see cref="DeliveryOptions.PauseErrorRate"/>, the campaign is paused and the run stops taking messages.</para>
/// </remarks>
public sealed class DeliveryEngine(MailsmithStore store, DeliveryOptions options, int concurrency, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>When set, the CPU time of outbox commits is added to it. Default null.</summary>
    public SendCosts? Costs { get; init; }

    /// <summary>Delivers every item <paramref name="items"/> yields until it completes, the campaign pauses or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="stopProducing">Cancelled when the campaign pauses, so the producer stops rendering.</param>
    public async Task<DeliveryResult> RunAsync(
        string campaignId, ChannelReader<DeliveryItem> items, IMailSender sender, CancellationTokenSource stopProducing,
        IProgress<int>? sentProgress = null, CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        await using var writer = new OutboxWriter(store, _time, Costs);
        var errors = new ErrorWindow(options.PauseWindow, options.PauseErrorRate);
        var held = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        int sent = 0, bounced = 0, failed = 0, deferred = 0, retries = 0;
        long bytesSent = 0;
        string? pausedBecause = null;
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException && SmtpSender.Classify(e) == FailureKind.Transient),
            MaxRetryAttempts = Math.Max(0, options.RetryAttempts),
            Delay = TimeSpan.FromMilliseconds(Math.Max(1, options.RetryDelayMilliseconds)),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            MaxDelay = TimeSpan.FromSeconds(60),
            OnRetry = _ =>
            {
                Interlocked.Increment(ref retries);
                return ValueTask.CompletedTask;
            },
        }).Build();

        async Task Worker()
        {
            OutboxChange? pending = null;
            await foreach (var item in items.ReadAllAsync(CancellationToken.None))
            {
                if (item.HeldBack is { } change)
                {
                    held.AddOrUpdate(change.Reason ?? change.State, 1, (_, n) => n + 1);
                    writer.Post(change);
                    continue;
                }
                if (pause.IsCancellationRequested)
                {
                    // Paused or cancelled: the rest stays planned; drain the queue without claiming.
                    continue;
                }
                var claim = new OutboxChange(item.Send.SendId, SendState.Sending);
                var refused = await writer.CommitAsync(pending is null ? [claim] : [pending, claim]);
                pending = null;
                if (refused.Count > 0)
                {
                    continue;
                }
                try
                {
                    await retry.ExecuteAsync(
                        async ct =>
                        {
                            var address = new OutboxAddress(campaignId, item.Send.CustomerId) { EnvelopeFrom = item.EnvelopeFrom, EnvelopeTo = item.EnvelopeFrom is null ? null : item.Email };
                            await (item.Written is { } written ? sender.SendAsync(written, address, ct) : sender.SendAsync(item.Message!, address, ct));
                        },
                        pause.Token);
                    pending = new OutboxChange(item.Send.SendId, SendState.Sent);
                    Interlocked.Increment(ref sent);
                    Interlocked.Add(ref bytesSent, item.Written?.Length ?? 0);
                    sentProgress?.Report(1);
                    errors.Record(false);
                }
                catch (OperationCanceledException) when (pause.IsCancellationRequested)
                {
                    // Stopped mid-attempt: whether the relay took it is unknown, so it stays 'sending' and a later
                    // run sends it again (at-least-once for in-flight messages).
                    break;
                }
                catch (Exception e)
                {
                    var reason = Describe(e);
                    switch (SmtpSender.Classify(e))
                    {
                        case FailureKind.PermanentRecipient:
                            store.RecordDeliveryFeedback(item.Email, "bounce", item.Send.SendId, reason, _time.GetUtcNow());
                            pending = new OutboxChange(item.Send.SendId, SendState.Failed, "bounced: " + reason);
                            Interlocked.Increment(ref bounced);
                            break;
                        case FailureKind.PermanentMessage:
                            pending = new OutboxChange(item.Send.SendId, SendState.Failed, reason);
                            Interlocked.Increment(ref failed);
                            break;
                        default:
                            pending = new OutboxChange(item.Send.SendId, SendState.Deferred, reason, _time.GetUtcNow().AddMinutes(options.DeferMinutes));
                            Interlocked.Increment(ref deferred);
                            break;
                    }
                    if (errors.Record(true) is { } rate && Interlocked.CompareExchange(ref pausedBecause,
                        $"{rate:P0} of the last {options.PauseWindow} attempts failed (last: {reason})", null) is null)
                    {
                        store.SetCampaignStatus(campaignId, CampaignStatus.Paused, _time.GetUtcNow());
                        await pause.CancelAsync();
                        await stopProducing.CancelAsync();
                    }
                }
            }
            if (pending is not null)
            {
                await writer.CommitAsync([pending]);
            }
        }

        var workers = Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => Task.Run(Worker, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        await writer.FlushAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return new DeliveryResult(sent, bounced, failed, deferred, new SortedDictionary<string, int>(held, StringComparer.Ordinal),
            retries, pausedBecause, _time.GetElapsedTime(started).TotalSeconds, (sender as SmtpSender)?.ConnectionsOpened ?? 0, Interlocked.Read(ref bytesSent));
    }

    private static string Describe(Exception e) => e switch
    {
        MailKit.Net.Smtp.SmtpCommandException s => $"{(int)s.StatusCode} {s.Message}".Trim(),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>The last N attempts' outcomes; reports the failure rate once it reaches the threshold over a full window.</summary>
    private sealed class ErrorWindow(int size, double threshold)
    {
        private readonly bool[] _failed = new bool[Math.Max(1, size)];
        private readonly Lock _gate = new();
        private int _count;
        private int _next;
        private int _failures;

        public double? Record(bool failure)
        {
            lock (_gate)
            {
                if (_count == _failed.Length && _failed[_next])
                {
                    _failures--;
                }
                _failed[_next] = failure;
                _failures += failure ? 1 : 0;
                _next = (_next + 1) % _failed.Length;
                _count = Math.Min(_count + 1, _failed.Length);
                var rate = (double)_failures / _failed.Length;
                return threshold > 0 && _count == _failed.Length && rate >= threshold ? rate : null;
            }
        }
    }
}

/// <summary>
/// Group commit of outbox changes: one writer loop; every change posted while a transaction runs goes into the next.
/// </summary>
internal sealed class OutboxWriter : IAsyncDisposable
{
    private readonly MailsmithStore _store;
    private readonly TimeProvider _time;
    private readonly Channel<(OutboxChange[] Changes, TaskCompletionSource<IReadOnlyList<long>>? Done)> _queue =
        Channel.CreateUnbounded<(OutboxChange[], TaskCompletionSource<IReadOnlyList<long>>?)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private readonly SendCosts? _costs;

    public OutboxWriter(MailsmithStore store, TimeProvider time, SendCosts? costs = null)
    {
        _store = store;
        _time = time;
        _costs = costs;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Commits <paramref name="changes"/> (with whatever else is waiting) and returns the claims that were refused.</summary>
    public Task<IReadOnlyList<long>> CommitAsync(OutboxChange[] changes)
    {
        var done = new TaskCompletionSource<IReadOnlyList<long>>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((changes, done)))
        {
            throw new InvalidOperationException("the outbox writer has stopped");
        }
        return done.Task;
    }

    /// <summary>Queues a change without waiting for its commit (held-back messages: nothing depends on them).</summary>
    public void Post(OutboxChange change) => _queue.Writer.TryWrite(([change], null));

    /// <summary>Waits until everything queued so far is committed.</summary>
    public Task FlushAsync() => CommitAsync([]);

    private async Task LoopAsync()
    {
        var batch = new List<(OutboxChange[] Changes, TaskCompletionSource<IReadOnlyList<long>>? Done)>();
        var changes = new List<OutboxChange>();
        MailsmithStore.OutboxSession? session = null;
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            changes.Clear();
            while (batch.Count < 4096 && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
                changes.AddRange(entry.Changes);
            }
            try
            {
                using var cost = _costs?.Measure(SendStage.Outbox);
                var refused = changes.Count == 0 ? [] : (session ??= _store.OpenOutboxSession()).Apply(changes, _time.GetUtcNow());
                foreach (var (mine, done) in batch)
                {
                    done?.TrySetResult(refused.Count == 0 ? [] : mine.Where(c => c.State == SendState.Sending && refused.Contains(c.SendId)).Select(c => c.SendId).ToList());
                }
            }
            catch (Exception e)
            {
                // A failed commit may leave the connection in a bad state: the next batch opens a new one.
                session?.Dispose();
                session = null;
                foreach (var (_, done) in batch)
                {
                    done?.TrySetException(e);
                }
            }
        }
        session?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }
}
