using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mailsmith.Server;

/// <summary>
/// The scheduler of <c>mailsmith serve</c>: every <c>Delivery:SchedulerIntervalSeconds</c> it looks for campaigns
/// started by a <c>send</c> (status <c>sending</c>, not paused) with messages that have become due, and sends them
/// through <see cref="CampaignRunner.SendAsync"/>, the path of <c>mailsmith send</c>: same lease, same claims in the
/// outbox, same rules (docs/delivery.md). A failure is logged and retried on the next pass; it never stops the host.
/// </summary>
/// <remarks>Time comes from the host's <see cref="TimeProvider"/> (the system clock; a test shifts it).</remarks>
public sealed class DeliveryScheduler(MailsmithStore store, MailsmithSettings settings, TimeProvider time, ILogger<DeliveryScheduler> logger) : BackgroundService
{
    private DkimSigner? _dkim;
    private long _passes;
    private long _sent;
    private long _errors;

    /// <summary>Passes completed (each looked at every campaign with due messages).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Messages the scheduler handed to the relay since start.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Campaign runs that failed (logged).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The relay the scheduler sends through, or null when it is off.</summary>
    public SmtpRelay? Relay { get; private set; }

    /// <summary>Why the scheduler is not running, or null when it is.</summary>
    public string? OffBecause { get; private set; } = "not started";

    /// <summary>One line for the serve command: whether the scheduler runs, and why not.</summary>
    public string Status => OffBecause is { } why
        ? $"the scheduler is off ({why}): messages due later are sent only by mailsmith send"
        : $"the scheduler is on: every {settings.Delivery.SchedulerIntervalSeconds} s it sends the messages that are due via {Relay}" +
          (_dkim is null ? "" : $", DKIM {_dkim.Algorithm}");

    /// <summary>The relay options of the <c>Smtp</c> section.</summary>
    internal SmtpOptions SmtpOptions => new()
    {
        Url = settings.Smtp.Url, Host = settings.Smtp.Host, Port = settings.Smtp.Port, Security = settings.Smtp.Security,
        UserName = settings.Smtp.UserName, Password = settings.Smtp.Password, Concurrency = Math.Clamp(settings.Smtp.Concurrency, 1, 256),
        RatePerSecond = Math.Max(0, settings.Smtp.RatePerSecond), TimeoutSeconds = settings.Smtp.TimeoutSeconds,
        MessagesPerConnection = settings.Smtp.MessagesPerConnection, HeloName = settings.Smtp.HeloName,
    };

    /// <summary>Decides at start whether the scheduler runs; the serve command prints the outcome.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var delivery = settings.Delivery;
        if (!delivery.SchedulerEnabled)
        {
            OffBecause = "Delivery:SchedulerEnabled is false";
            return Task.CompletedTask;
        }
        if (delivery.SchedulerIntervalSeconds <= 0)
        {
            OffBecause = $"Delivery:SchedulerIntervalSeconds is {delivery.SchedulerIntervalSeconds}";
            return Task.CompletedTask;
        }
        if (settings.Smtp.Url is null && string.IsNullOrWhiteSpace(settings.Smtp.Host))
        {
            OffBecause = "no SMTP relay: set Smtp:Url or Smtp:Host";
            return Task.CompletedTask;
        }
        try
        {
            Relay = SmtpRelay.From(null, SmtpOptions);
            // Never send unsigned what was meant to be signed: a key that cannot be read keeps the scheduler off.
            _dkim = DkimSigner.FromOptions(settings.Dkim, settings.Sender, time);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            Relay = null;
            OffBecause = e.Message;
            logger.LogWarning("scheduler off: {Reason}", e.Message);
            return Task.CompletedTask;
        }
        OffBecause = null;
        logger.LogInformation("scheduler on: every {Seconds} s via {Relay}", settings.Delivery.SchedulerIntervalSeconds, Relay);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Planning and composing are CPU work: never on the thread that starts the host.
        await Task.Yield();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.Delivery.SchedulerIntervalSeconds), time);
        do
        {
            try
            {
                await PassAsync(_dkim, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _errors);
                logger.LogError(e, "scheduler pass failed; trying again in {Seconds} s", settings.Delivery.SchedulerIntervalSeconds);
            }
            Interlocked.Increment(ref _passes);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override void Dispose()
    {
        _dkim?.Dispose();
        base.Dispose();
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // One look: the campaigns with due messages, each sent as `mailsmith send --campaign ID` would.
    private async Task PassAsync(DkimSigner? dkim, CancellationToken stoppingToken)
    {
        var due = store.CampaignsWithDueSends(time.GetUtcNow());
        if (due.Count == 0)
        {
            return;
        }
        var context = PipelineContext.Prepare(store, settings);
        var options = SmtpOptions;
        await using var sender = new SmtpSender(Relay!, options, dkim);
        var runner = new CampaignRunner(store, settings, time);
        foreach (var campaignId in due)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                var result = await runner.SendAsync(campaignId, context, sender, new SendRunOptions { Concurrency = options.Concurrency }, cancellationToken: stoppingToken);
                var d = result.Delivery;
                Interlocked.Add(ref _sent, d.Sent);
                logger.LogInformation(
                    "scheduler: {Campaign}: sent {Sent}, bounced {Bounced}, failed {Failed}, deferred {Deferred}, held back {Held}; still open {Open}, next due {Next}",
                    campaignId, d.Sent, d.Bounced, d.Failed, d.Deferred, d.HeldBack.Values.Sum(), result.Open, result.NextDue);
                if (d.PausedBecause is { } why)
                {
                    logger.LogWarning("scheduler: campaign {Campaign} paused: {Reason}; resume with: mailsmith send --campaign {Campaign} --resume", campaignId, why, campaignId);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException)
            {
                // Another send holds the lease, or the campaign paused or went away meanwhile: the next pass looks again.
                logger.LogInformation("scheduler: {Campaign} skipped: {Reason}", campaignId, e.Message);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _errors);
                logger.LogError(e, "scheduler: sending {Campaign} failed; trying again next pass", campaignId);
            }
        }
    }
}
