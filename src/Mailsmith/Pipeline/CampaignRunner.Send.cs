using System.Threading.Channels;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Learn;
using Mailsmith.Storage;
using Mailsmith.Track;

namespace Mailsmith.Pipeline;

/// <summary>How one <c>send</c> runs.</summary>
public sealed record SendRunOptions
{
    /// <summary><c>--now</c>: deliver every planned message now, ignoring the send-time rules (best hour, quiet hours, window). The frequency cap still holds.</summary>
    public bool IgnoreSchedule { get; init; }

    /// <summary><c>--dry-run</c>: report what would be sent and held back; nothing is stored or sent.</summary>
    public bool DryRun { get; init; }

    /// <summary>Messages in flight at once (the SMTP connections). Default 8.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Send a campaign that paused itself (after an error rate) again.</summary>
    public bool Resume { get; init; }

    /// <summary>When set, the CPU time of each stage is added to it (<c>mailsmith bench send</c>). Default null.</summary>
    public SendCosts? Costs { get; init; }
}

/// <summary>What one <c>send</c> did.</summary>
/// <param name="Audience">Messages of the campaign (one per audience member).</param>
/// <param name="Open">Messages still planned or deferred after the run (due later).</param>
/// <param name="NextDue">When the next of those is due.</param>
/// <param name="WouldSend">Dry run only: messages due now; <see cref="Delivery"/> then holds the held-back counts.</param>
public sealed record SendRunResult(Campaign Campaign, int Audience, long Open, DateTimeOffset? NextDue, DeliveryResult Delivery, bool DryRun, int WouldSend);

public sealed partial class CampaignRunner
{
    /// <summary>
    /// Plans the campaign (idempotent), gives each new message its delivery time by the send-time rules, and delivers
    /// every message that is due through <paramref name="sender"/>; messages due later stay planned for a later run or
    /// the server's scheduler. Safe to run again at any time, also after a crash (docs/delivery.md).
    /// </summary>
    /// <exception cref="KeyNotFoundException">No campaign has that id.</exception>
    /// <exception cref="InvalidOperationException">The campaign paused itself (use <see cref="SendRunOptions.Resume"/>), or another process is sending it.</exception>
    public async Task<SendRunResult> SendAsync(
        string campaignId, PipelineContext context, IMailSender sender, SendRunOptions run,
        IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var campaign = _store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}'");
        if (campaign.Status == CampaignStatus.Paused && !run.Resume && !run.DryRun)
        {
            throw new InvalidOperationException($"campaign {campaignId} paused itself after too many failed deliveries; fix the relay and send again with --resume");
        }
        var delivery = _settings.Delivery;
        var schedule = new SendSchedule(delivery);
        var snapshot = context.Snapshot;
        var audience = Audience.Parse(campaign.Audience);
        var facts = new AudienceFacts(snapshot, context.AsOf, _settings.Campaigns,
            campaign.Type == CampaignTypes.Welcome ? _store.CustomersSentType(CampaignTypes.Welcome, campaign.CampaignId) : null);
        var mime = new MimeBuilder(_settings.Sender);
        var preferences = _store.LoadPreferences();
        string? Excluded(Customer customer) =>
            IneligibleReason(customer, snapshot) ?? (preferences.TryGetValue(customer.CustomerId, out var p) ? p.Excludes(campaign.Type, _time.GetUtcNow()) : null);

        var now = _time.GetUtcNow();
        if (run.DryRun)
        {
            return DryRun(campaign, context, audience, facts, schedule, Excluded, now, run);
        }
        if (_store.TryTakeSendLease(campaign.CampaignId, now, now.AddMinutes(2)) is { } holder)
        {
            throw new InvalidOperationException($"campaign {campaignId} is being sent by {holder} (the server's scheduler or another send)");
        }
        // Renewed while the run lasts; a process killed stops renewing and its lease is taken over.
        using var renew = new Timer(_ => _store.TryTakeSendLease(campaign.CampaignId, _time.GetUtcNow(), _time.GetUtcNow().AddMinutes(2)), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        try
        {
            var planCost = run.Costs?.Measure(SendStage.Plan);
            var sends = Plan(campaign, context, audience, facts, new VariantAssigner(campaign), mime, Excluded);
            var window = _store.EnsureSendWindow(campaign.CampaignId, now, now.AddHours(delivery.WindowHours), now);
            var scheduled = _store.LoadUnscheduledSends(campaign.CampaignId).Select(s =>
            {
                var customer = snapshot.CustomersById.GetValueOrDefault(s.CustomerId);
                var (at, reason) = schedule.Plan(customer?.TimeZone, context.Profiles.GetValueOrDefault(s.CustomerId), window, now);
                return new OutboxChange(s.SendId, SendState.Planned, reason, at);
            }).ToList();
            _store.ApplyOutboxChanges(scheduled, now);
            _store.SetCampaignStatus(campaign.CampaignId, CampaignStatus.Sending, now);
            planCost?.Dispose();

            var queue = Channel.CreateBounded<DeliveryItem>(new BoundedChannelOptions(Math.Max(16, run.Concurrency * 8)) { SingleWriter = false });
            using var stopProducing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var producer = Task.Run(() => ProduceAsync(campaign, context, schedule, mime, run, queue.Writer, stopProducing.Token), CancellationToken.None);
            var sent = 0;
            var reporter = progress is null ? null : new SynchronousProgress<int>(n =>
            {
                sent += n;
                if (sent % 500 == 0)
                {
                    progress.Report(new PipelineProgress("send", campaign.CampaignId, sent, 0));
                }
            });
            var engine = new DeliveryEngine(_store, delivery, run.Concurrency, _time) { Costs = run.Costs };
            var result = await engine.RunAsync(campaign.CampaignId, queue.Reader, sender, stopProducing, reporter, cancellationToken);
            try
            {
                await producer;
            }
            catch (OperationCanceledException) when (stopProducing.IsCancellationRequested && result.PausedBecause is not null)
            {
                // Paused: the producer was told to stop.
            }
            var open = _store.CountOpenSends(campaign.CampaignId);
            if (result.PausedBecause is null)
            {
                _store.SetCampaignStatus(campaign.CampaignId, open == 0 ? CampaignStatus.Sent : CampaignStatus.Sending, _time.GetUtcNow());
            }
            var remaining = _store.LoadSends(campaign.CampaignId).Where(s => s.State is SendState.Planned or SendState.Deferred).Select(s => s.ScheduledFor).OfType<DateTimeOffset>();
            return new SendRunResult(_store.GetCampaign(campaign.CampaignId)!, sends.Count, open, remaining.Any() ? remaining.Min() : null, result, false, 0);
        }
        finally
        {
            _store.ReleaseSendLease(campaign.CampaignId);
        }
    }

    // Pages through the due messages and renders them on every core into the queue. The eligibility lists are read
    // again for every page: an unsubscribe or a bounce recorded meanwhile holds back the rest.
    private async Task ProduceAsync(
        Campaign campaign, PipelineContext context, SendSchedule schedule, MimeBuilder mime, SendRunOptions run,
        ChannelWriter<DeliveryItem> queue, CancellationToken cancellationToken)
    {
        try
        {
            var snapshot = context.Snapshot;
            var tracking = new TrackingLinks(_settings.Track, LinkSigner.FromOptions(_settings.Track, _settings.DefaultKeyFile));
            var composer = new EmailComposer(_settings.Compose, _settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
            var count = Math.Clamp(_settings.Campaigns.ProductsPerEmail, _settings.Compose.MinProducts, _settings.Compose.MaxProducts);
            // Phrase slots as arms, learned from earlier campaigns of this type; every composed message records its draws.
            var slotArms = PhraseSlotArms.LoadPrior(_store, campaign, _settings.Learn);
            var parallelism = _settings.Campaigns.Parallelism > 0 ? _settings.Campaigns.Parallelism : Environment.ProcessorCount;
            long after = 0;
            while (true)
            {
                var now = _time.GetUtcNow();
                var pageCost = run.Costs?.Measure(SendStage.Page);
                var page = _store.LoadDueSends(campaign.CampaignId, now, run.IgnoreSchedule, after, Math.Max(1, _settings.Campaigns.BatchSize));
                if (page.Count == 0)
                {
                    pageCost?.Dispose();
                    break;
                }
                after = page[^1].SendId;
                var unmailable = _store.LoadUnmailableCustomers();
                var suppressed = _store.LoadSuppressedEmails();
                var preferences = _store.LoadPreferences();
                var recent = _store.LoadRecentSends(campaign.CampaignId, now.AddDays(-_settings.Delivery.FrequencyDays));
                pageCost?.Dispose();
                var chosen = new System.Collections.Concurrent.ConcurrentBag<PhraseChoiceRecord>();
                await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (send, ct) =>
                {
                    DeliveryItem Held(string state, string reason, DateTimeOffset? at = null) =>
                        new(send, "", null, new OutboxChange(send.SendId, state, reason, at));
                    DeliveryItem item;
                    if (!snapshot.CustomersById.TryGetValue(send.CustomerId, out var customer) || !context.Profiles.TryGetValue(send.CustomerId, out var profile))
                    {
                        item = Held(SendState.Suppressed, "unknown_customer");
                    }
                    else if ((IneligibleReason(customer, snapshot) ?? unmailable.GetValueOrDefault(customer.CustomerId)
                              ?? (suppressed.Contains(customer.Email) ? "suppressed" : null)
                              ?? (preferences.TryGetValue(customer.CustomerId, out var p) ? p.Excludes(campaign.Type, now) : null)) is { } reason)
                    {
                        item = Held(SendState.Suppressed, reason);
                    }
                    // A campaign's offer is part of every email: once its last day has passed where the reader lives,
                    // the message would state an expired discount, so it is held back with the reason instead.
                    else if (schedule.OfferExpired(campaign.Offer, now, customer.TimeZone))
                    {
                        item = Held(SendState.Suppressed, "offer_expired");
                    }
                    // A message in flight at a crash was already let through the rules: it goes again as it was.
                    else if (send.State != SendState.Sending && !run.IgnoreSchedule && schedule.QuietUntil(now, customer.TimeZone) is { } quietEnd)
                    {
                        item = Held(send.State, "quiet_hours", quietEnd);
                    }
                    else if (send.State != SendState.Sending && schedule.CappedUntil(recent.GetValueOrDefault(customer.CustomerId), now) is { } free)
                    {
                        item = Held(SendState.Deferred, "frequency_cap", free);
                    }
                    else
                    {
                        var recommendCost = run.Costs?.Measure(SendStage.Recommend);
                        var picks = context.Recommendations.For(campaign.Type, customer, profile, count);
                        recommendCost?.Dispose();
                        if (picks.Count < _settings.Compose.MinProducts)
                        {
                            item = Held(SendState.Suppressed, "not_enough_products");
                        }
                        else
                        {
                            var blocks = picks.Select(r => new ProductBlock(snapshot.ProductsById[r.ProductId], r)).ToList();
                            ComposedEmail? email = null;
                            item = default!;
                            var composeCost = run.Costs?.Measure(SendStage.Compose);
                            try
                            {
                                email = ComposeMessage(campaign, send, customer, profile, blocks, tracking, composer, context.AsOf, slotArms);
                                foreach (var c in PhraseSlotArms.ChoicesOf(send.SendId, email.Choices))
                                {
                                    chosen.Add(c);
                                }
                            }
                            catch (CopyCheckException e)
                            {
                                // Never sent as is: held back with the checks that failed.
                                item = Held(SendState.Suppressed, CopyFailedReason(e));
                            }
                            composeCost?.Dispose();
                            if (email is not null)
                            {
                                using var mimeCost = run.Costs?.Measure(SendStage.Mime);
                                var reference = new MessageRef(send.SendId, campaign.CampaignId, customer.CustomerId, send.Variant);
                                // Written to its final bytes here, on every core, so a connection only copies it out.
                                var bytes = mime.Write(email, customer, new MessageEnvelope(
                                    send.MessageId, tracking.Unsubscribe(reference), tracking.MessageToken(reference), campaign.CampaignId, campaign.Type, send.PlannedAt));
                                item = new DeliveryItem(send, customer.Email, null) { Written = bytes, EnvelopeFrom = _settings.Sender.FromAddress };
                            }
                        }
                    }
                    await queue.WriteAsync(item, ct);
                });
                // Rows for messages that end up not sent are harmless: the arms count only sends in state 'sent'.
                PhraseSlotArms.RecordChoices(_store, chosen);
            }
        }
        finally
        {
            queue.TryComplete();
        }
    }

    private SendRunResult DryRun(
        Campaign campaign, PipelineContext context, Audience audience, AudienceFacts facts, SendSchedule schedule,
        Func<Customer, string?> excluded, DateTimeOffset now, SendRunOptions run)
    {
        var existing = _store.LoadSends(campaign.CampaignId).ToDictionary(s => s.CustomerId, StringComparer.Ordinal);
        var window = _store.LoadSendWindow(campaign.CampaignId) ?? new SendWindow(now, now.AddHours(_settings.Delivery.WindowHours));
        var recent = _store.LoadRecentSends(campaign.CampaignId, now.AddDays(-_settings.Delivery.FrequencyDays));
        var held = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var audienceCount = 0;
        var due = 0;
        var later = 0;
        DateTimeOffset? next = null;
        foreach (var customer in context.Snapshot.Customers)
        {
            if (!context.Profiles.TryGetValue(customer.CustomerId, out var profile) || !audience.Includes(campaign.Type, customer, profile, facts))
            {
                continue;
            }
            audienceCount++;
            existing.TryGetValue(customer.CustomerId, out var send);
            if (send is { State: SendState.Sent or SendState.Failed or SendState.Suppressed })
            {
                held[send.State == SendState.Sent ? "already_sent" : send.Reason ?? send.State] = held.GetValueOrDefault(send.State == SendState.Sent ? "already_sent" : send.Reason ?? send.State) + 1;
                continue;
            }
            var reason = excluded(customer) ?? (schedule.CappedUntil(recent.GetValueOrDefault(customer.CustomerId), now) is not null ? "frequency_cap" : null);
            if (reason is null && !run.IgnoreSchedule)
            {
                var at = send?.ScheduledFor ?? schedule.Plan(customer.TimeZone, profile, window, now).At;
                if (at > now)
                {
                    later++;
                    next = next is null || at < next ? at : next;
                    continue;
                }
                reason = schedule.QuietUntil(now, customer.TimeZone) is not null ? "quiet_hours" : null;
            }
            if (reason is not null)
            {
                held[reason] = held.GetValueOrDefault(reason) + 1;
                continue;
            }
            due++;
        }
        var result = new DeliveryResult(0, 0, 0, 0, held, 0, null, 0, 0);
        return new SendRunResult(campaign, audienceCount, later, next, result, true, due);
    }
}
