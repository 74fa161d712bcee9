using System.Collections.Concurrent;
using System.Diagnostics;
using Mailsmith.Compose;
using Mailsmith.Compose.Llm;
using Mailsmith.Deliver;
using Mailsmith.Learn;
using Mailsmith.Learn.Uplift;
using Mailsmith.Profile;
using Mailsmith.Storage;
using Mailsmith.Track;
using MimeKit;

namespace Mailsmith.Pipeline;

/// <summary>One email as composed, kept for previews and tests.</summary>
public sealed record EmailSample(Send Send, Customer Customer, CustomerProfile Profile, IReadOnlyList<ProductBlock> Products, ComposedEmail Email, string? OutboxPath);

/// <summary>What composing a campaign did.</summary>
/// <param name="Composed">Messages composed and handed to the sender in this run.</param>
/// <param name="AlreadySent">Audience members whose message was sent by an earlier run (left alone).</param>
/// <param name="Suppressed">Audience members held back, by reason (no_consent, unsubscribed, suppressed, not_enough_products).</param>
public sealed record CampaignRunResult(
    Campaign Campaign,
    int Audience,
    int Composed,
    int AlreadySent,
    IReadOnlyDictionary<string, int> Suppressed,
    IReadOnlyList<StageTiming> Timings,
    IReadOnlyList<EmailSample> Samples)
{
    /// <summary>Messages per writer, LLM calls, cache hits and fallback reasons (docs/compose-llm.md); null only for results built elsewhere.</summary>
    public LlmRunSummary? Writers { get; init; }
}

/// <summary>
/// Creates campaigns and composes them: audience → variant assignment → planned sends (the outbox) →
/// recommend → compose → MIME → sender, in bounded batches on all cores.
/// </summary>
/// <remarks>
/// Planning is idempotent (one send row per campaign and customer, Message-ID fixed at planning), so composing a
/// campaign again re-renders only messages not yet sent, with their original Message-IDs.
/// Customers without consent, unsubscribed or on the suppression list are recorded as suppressed, never addressed.
/// </remarks>
public sealed partial class CampaignRunner
{
    private readonly MailsmithStore _store;
    private readonly MailsmithSettings _settings;
    private readonly TimeProvider _time;

    public CampaignRunner(MailsmithStore store, MailsmithSettings settings, TimeProvider? time = null)
    {
        _store = store;
        _settings = settings;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How many emails per locale a run keeps as samples (for previews). Default 0.</summary>
    public int SamplesPerLocale { get; init; }

    /// <summary>Creates a draft campaign.</summary>
    /// <exception cref="ArgumentException">Unknown type, bad audience rule or bad variants; the message says which.</exception>
    /// <param name="uplift">Address the campaign by uplift (<see cref="UpliftTarget"/>); checked before the campaign is created.</param>
    /// <param name="offer">The discount every email states (checked by the store before anything is written); null: none.</param>
    public Campaign Create(string type, string? name = null, string? audience = null, IReadOnlyList<CampaignVariant>? variants = null, long? seed = null,
        UpliftTarget? uplift = null, CampaignOffer? offer = null)
    {
        if (!CampaignTypes.All.Contains(type))
        {
            throw new ArgumentException($"unknown campaign type '{type}' (known: {string.Join(", ", CampaignTypes.All)})", nameof(type));
        }
        Audience parsed;
        try
        {
            parsed = Audience.Parse(audience, SegmentTargeting.Resolver(_store, Profile.Segments.SegmentContext.At(_time.GetUtcNow())));
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message, nameof(audience), e);
        }
        variants ??= [new CampaignVariant("A", 1)];
        if (variants.Count == 0 || variants.Any(v => v.Weight < 0 || string.IsNullOrWhiteSpace(v.Name)) || variants.Sum(v => v.Weight) <= 0)
        {
            throw new ArgumentException("variants need names and non-negative weights that are not all zero", nameof(variants));
        }
        if (uplift is not null)
        {
            CampaignUpliftTargeting.Validate(_store, null, uplift);
        }
        var now = _time.GetUtcNow();
        if (offer?.Expires is { } expires && expires < DateOnly.FromDateTime(now.UtcDateTime))
        {
            throw new ArgumentException($"--offer-expires {expires:yyyy-MM-dd}: the day is already past");
        }
        var campaignSeed = seed ?? BitConverter.ToInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) & long.MaxValue;
        var campaign = _store.CreateCampaign(type, string.IsNullOrWhiteSpace(name) ? DefaultName(type, now) : name.Trim(), parsed.Rule, variants, campaignSeed, now, offer);
        if (uplift is not null)
        {
            CampaignUpliftTargeting.Save(_store, campaign.CampaignId, uplift, now);
        }
        return campaign;
    }

    private static string DefaultName(string type, DateTimeOffset now) => $"{type} {now:yyyy-MM-dd}";

    /// <summary>Runs profile → recommend → compose for <paramref name="campaignId"/> and hands every message to <paramref name="sender"/>.</summary>
    /// <exception cref="KeyNotFoundException">No campaign has that id.</exception>
    public async Task<CampaignRunResult> ComposeAsync(
        string campaignId,
        PipelineContext context,
        IMailSender sender,
        IProgress<PipelineProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var campaign = _store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}'");
        if (campaign.Offer?.Expires is { } expires && expires < DateOnly.FromDateTime(context.AsOf.UtcDateTime))
        {
            throw new InvalidOperationException(
                $"campaign {campaignId}: its offer expired on {expires:yyyy-MM-dd} (composing as of {context.AsOf:yyyy-MM-dd}); no email may state an expired offer");
        }
        var audience = Audience.Parse(campaign.Audience, SegmentTargeting.Resolver(_store, Profile.Segments.SegmentContext.FromProducts(context.Snapshot.Products, context.AsOf)));
        var snapshot = context.Snapshot;
        var facts = new AudienceFacts(snapshot, context.AsOf, _settings.Campaigns,
            campaign.Type == CampaignTypes.Welcome ? _store.CustomersSentType(CampaignTypes.Welcome, campaign.CampaignId) : null);
        var assigner = new VariantAssigner(campaign);
        var mime = new MimeBuilder(_settings.Sender);
        var tracking = new TrackingLinks(_settings.Track, LinkSigner.FromOptions(_settings.Track, _settings.DefaultKeyFile));
        var composer = new EmailComposer(_settings.Compose, _settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
        // Llm:Enabled: the LLM writes, once per micro-segment, with the built-in writer as per-message fallback.
        using var llm = LlmWriting.CreateWriter(_settings, composer.BuiltInWriter);
        var byWriter = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        _store.SetCampaignStatus(campaign.CampaignId, CampaignStatus.Composing, _time.GetUtcNow());
        // The preference centre's choices (muted campaign types, a pause) hold back a message like an unsubscribe does.
        var preferences = _store.LoadPreferences();
        string? Excluded(Customer customer) =>
            IneligibleReason(customer, snapshot) ?? (preferences.TryGetValue(customer.CustomerId, out var p) ? p.Excludes(campaign.Type, _time.GetUtcNow()) : null);

        // 1. Audience and eligibility → planned or suppressed sends (the outbox), in customer-id order.
        var watch = Stopwatch.StartNew();
        var sends = Plan(campaign, context, audience, facts, assigner, mime, Excluded);
        var planSeconds = watch.Elapsed.TotalSeconds;

        var suppressed = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in sends.Where(s => s.State == SendState.Suppressed))
        {
            suppressed.AddOrUpdate(s.Reason ?? "suppressed", 1, (_, n) => n + 1);
        }
        var alreadySent = sends.Count(s => s.State == SendState.Sent);
        var todo = sends.Where(s => s.State is SendState.Planned or SendState.Deferred or SendState.Sending).ToList();

        // 2. Per batch: claim the sends ('sending', so a crash leaves exactly the in-flight ones marked); on every core
        //    recommend, then compose → render → MIME into memory; then hand the batch to the sender; then record the
        //    outcomes in one transaction. Two phases keep the sender's I/O stalls (disk writeback here, the network
        //    later) out of the CPU-bound part and make each phase's time a clean measurement.
        var recommendSeconds = 0.0;
        var composeSeconds = 0.0;
        var deliverSeconds = 0.0;
        var composed = 0;
        var samples = new ConcurrentBag<EmailSample>();
        // Samples are chosen before composing (the first per locale in customer-id order) so previews are reproducible.
        var sampleIds = todo.GroupBy(s => snapshot.CustomersById[s.CustomerId].Locale, StringComparer.OrdinalIgnoreCase)
            .SelectMany(g => g.Take(SamplesPerLocale)).Select(s => s.SendId).ToHashSet();
        var parallelism = _settings.Campaigns.Parallelism > 0 ? _settings.Campaigns.Parallelism : Environment.ProcessorCount;
        var batchSize = Math.Max(1, _settings.Campaigns.BatchSize);
        var count = Math.Clamp(_settings.Campaigns.ProductsPerEmail, _settings.Compose.MinProducts, _settings.Compose.MaxProducts);
        // A bandit campaign (learn bandit enable) draws each batch's variants from the responses so far (docs/learn.md).
        // The built-in writer's phrase slots are arms too, learned from earlier campaigns of this type (docs/learn.md).
        var slotArms = PhraseSlotArms.LoadPrior(_store, campaign, _settings.Learn);
        var bandit = SendPathBandit.For(_store, campaign, _settings.Learn,
            id => $"{context.Profiles.GetValueOrDefault(id)?.Lifecycle}|{snapshot.CustomersById.GetValueOrDefault(id)?.Locale}");
        for (var start = 0; start < todo.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = todo.GetRange(start, Math.Min(batchSize, todo.Count - start));
            batch = bandit?.AssignBatch(batch, _time.GetUtcNow()).ToList() ?? batch;
            var changes = new SendStateChange?[batch.Count];
            _store.UpdateSendStates(batch.Select(s => new SendStateChange(s.SendId, SendState.Sending)), _time.GetUtcNow());
            var messages = new MimeMessage?[batch.Count];
            var chosen = new IReadOnlyList<PhraseChoice>?[batch.Count];
            var picks = new IReadOnlyList<Mailsmith.Recommend.Recommendation>?[batch.Count];
            var phase = Stopwatch.StartNew();
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, i =>
            {
                var send = batch[i];
                var customer = snapshot.CustomersById[send.CustomerId];
                // Checked again here, not only at planning: a send planned by an earlier run may belong to someone who
                // has unsubscribed, withdrawn consent or bounced since.
                if (Excluded(customer) is { } reason)
                {
                    changes[i] = new SendStateChange(send.SendId, SendState.Suppressed, reason);
                    suppressed.AddOrUpdate(reason, 1, (_, n) => n + 1);
                    return;
                }
                picks[i] = context.Recommendations.For(campaign.Type, customer, context.Profiles[send.CustomerId], count);
            });
            recommendSeconds += phase.Elapsed.TotalSeconds;

            phase.Restart();
            await Parallel.ForAsync(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var send = batch[i];
                var customer = snapshot.CustomersById[send.CustomerId];
                var profile = context.Profiles[send.CustomerId];
                if (picks[i] is not { } recs)
                {
                    return;
                }
                if (recs.Count < _settings.Compose.MinProducts)
                {
                    changes[i] = new SendStateChange(send.SendId, SendState.Suppressed, "not_enough_products");
                    suppressed.AddOrUpdate("not_enough_products", 1, (_, n) => n + 1);
                    return;
                }
                var blocks = recs.Select(r => new ProductBlock(snapshot.ProductsById[r.ProductId], r)).ToList();
                ComposedEmail email;
                if (llm is null)
                {
                    try
                    {
                        email = ComposeMessage(campaign, send, customer, profile, blocks, tracking, composer, context.AsOf, slotArms);
                    }
                    catch (CopyCheckException e)
                    {
                        // Copy that fails a guardrail is never sent as is: the message is held back with the reason.
                        changes[i] = new SendStateChange(send.SendId, SendState.Suppressed, CopyFailedReason(e));
                        suppressed.AddOrUpdate("copy_failed", 1, (_, n) => n + 1);
                        return;
                    }
                }
                else
                {
                    var outcome = await ComposeMessageAsync(campaign, send, customer, profile, blocks, tracking, composer, context.AsOf, llm, ct, slotArms);
                    if (outcome.Email is null)
                    {
                        changes[i] = new SendStateChange(send.SendId, SendState.Suppressed, "copy_failed");
                        suppressed.AddOrUpdate("copy_failed", 1, (_, n) => n + 1);
                        return;
                    }
                    email = outcome.Email;
                    byWriter.AddOrUpdate(outcome.Writer, 1, (_, n) => n + 1);
                }
                chosen[i] = email.Choices;
                var reference = new MessageRef(send.SendId, campaign.CampaignId, customer.CustomerId, send.Variant);
                messages[i] = mime.Build(email, customer, new MessageEnvelope(
                    send.MessageId, tracking.Unsubscribe(reference), tracking.MessageToken(reference), campaign.CampaignId, campaign.Type, send.PlannedAt));
                if (sampleIds.Contains(send.SendId))
                {
                    samples.Add(new EmailSample(send, customer, profile, blocks, email, (sender as PickupFolderSender)?.PathFor(new OutboxAddress(campaign.CampaignId, send.CustomerId))));
                }
            });
            composeSeconds += phase.Elapsed.TotalSeconds;

            phase.Restart();
            await Parallel.ForAsync(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                if (messages[i] is { } message)
                {
                    await sender.SendAsync(message, new OutboxAddress(campaign.CampaignId, batch[i].CustomerId), ct);
                    changes[i] = new SendStateChange(batch[i].SendId, SendState.Sent);
                }
            });
            _store.UpdateSendStates(changes.OfType<SendStateChange>(), _time.GetUtcNow());
            PhraseSlotArms.RecordChoices(_store, Enumerable.Range(0, batch.Count)
                .Where(i => changes[i]?.State == SendState.Sent && chosen[i] is not null)
                .SelectMany(i => PhraseSlotArms.ChoicesOf(batch[i].SendId, chosen[i]!)));
            deliverSeconds += phase.Elapsed.TotalSeconds;
            composed += changes.Count(c => c?.State == SendState.Sent);
            progress?.Report(new PipelineProgress("compose", $"{campaign.CampaignId} ({campaign.Type})", start + batch.Count, todo.Count));
        }

        _store.SetCampaignStatus(campaign.CampaignId, CampaignStatus.Sent, _time.GetUtcNow());
        var timings = new List<StageTiming>
        {
            new("plan", planSeconds, sends.Count),
            new("recommend", recommendSeconds, todo.Count),
            new("compose", composeSeconds, composed),
            new("deliver", deliverSeconds, composed),
        };
        return new CampaignRunResult(
            campaign with { Status = CampaignStatus.Sent }, sends.Count, composed, alreadySent,
            new SortedDictionary<string, int>(suppressed, StringComparer.Ordinal), timings,
            samples.OrderBy(s => s.Email.Locale == "zh-CN" ? 0 : s.Customer.Locale == "en-US" ? 1 : 2)
                .ThenBy(s => s.Customer.Locale, StringComparer.Ordinal).ThenBy(s => s.Customer.CustomerId, StringComparer.Ordinal).ToList())
        {
            Writers = llm is null
                ? new LlmRunSummary(new Dictionary<string, long> { [BuiltInCopyWriter.WriterName] = composed }, 0, 0, 0, new Dictionary<string, int>())
                : LlmWriting.Summarize(llm, byWriter),
        };
    }

    /// <summary>
    /// Writes one recipient's email with <paramref name="writer"/> (the LLM writer), checked, falling back to the built-in
    /// writer; <see cref="ComposeOutcome.Email"/> is null when no copy passed the checks (held back as <c>copy_failed</c>).
    /// </summary>
    public static async ValueTask<ComposeOutcome> ComposeMessageAsync(
        Campaign campaign, Send send, Customer customer, CustomerProfile profile, IReadOnlyList<ProductBlock> blocks,
        TrackingLinks tracking, EmailComposer composer, DateTimeOffset asOf, ICopyWriter writer, CancellationToken cancellationToken,
        ISlotWeights? slotWeights = null)
    {
        var reference = new MessageRef(send.SendId, campaign.CampaignId, customer.CustomerId, send.Variant);
        var links = new EmailLinks(tracking.Unsubscribe(reference), url => tracking.Click(reference, url));
        var outcome = await composer.ComposeAsync(new EmailContext(
            campaign, send.Variant, customer, profile, blocks, links, asOf,
            VariantAssigner.Seed(campaign.Seed, customer.CustomerId, "compose")) { SlotWeights = slotWeights }, writer, cancellationToken);
        return outcome;
    }

    // The audience as planned (or suppressed) sends, one per customer, idempotent: existing rows are kept as they are.
    private IReadOnlyList<Send> Plan(
        Campaign campaign, PipelineContext context, Audience audience, AudienceFacts facts, VariantAssigner assigner,
        MimeBuilder mime, Func<Customer, string?> excluded)
    {
        var plans = new List<SendPlan>();
        foreach (var customer in context.Snapshot.Customers)
        {
            // A customer who signed up after the run's as-of moment has no profile and is not yet anyone's audience.
            if (!context.Profiles.TryGetValue(customer.CustomerId, out var profile) || !audience.Includes(campaign.Type, customer, profile, facts))
            {
                continue;
            }
            var (variant, probability) = assigner.Assign(customer.CustomerId);
            var reason = excluded(customer);
            // The campaign's randomized control group is recorded (variant 'holdout', its probability) and never sent.
            reason ??= VariantAssigner.IsHoldout(variant) ? VariantAssigner.HoldoutReason : null;
            plans.Add(new SendPlan(
                campaign.CampaignId, customer.CustomerId, variant, probability,
                IdempotencyKey: $"{campaign.CampaignId}:{customer.CustomerId}",
                MessageId: mime.NewMessageId(campaign.CampaignId, customer.CustomerId),
                State: reason is null ? SendState.Planned : SendState.Suppressed,
                Reason: reason,
                ScheduledFor: null));
        }
        if (CampaignUpliftTargeting.Load(_store, campaign.CampaignId) is { } target)
        {
            TargetByUplift(campaign, context, target, plans);
        }
        return _store.PlanSends(plans, _time.GetUtcNow());
    }

    // A campaign addressed by uplift (docs/learn.md "Targeting by uplift"): of the recipients not yet planned and not
    // held back for another reason, only the persuadables with the highest predicted uplift are planned, within what is
    // left of the budget; the rest are recorded as suppressed with the uplift group as the reason. Rows planned by an
    // earlier run keep their state (planning is idempotent), so a re-run never exceeds the budget.
    private void TargetByUplift(Campaign campaign, PipelineContext context, UpliftTarget target, List<SendPlan> plans)
    {
        var existing = _store.LoadSends(campaign.CampaignId);
        var known = existing.Select(s => s.CustomerId).ToHashSet(StringComparer.Ordinal);
        var used = existing.Count(s => s.State != SendState.Suppressed);
        var open = Enumerable.Range(0, plans.Count).Where(i => plans[i].State == SendState.Planned && !known.Contains(plans[i].CustomerId)).ToList();
        if (open.Count == 0)
        {
            return;
        }
        var candidates = open.Select(i => (context.Snapshot.CustomersById[plans[i].CustomerId], context.Profiles[plans[i].CustomerId])).ToList();
        var decision = CampaignUpliftTargeting.Decide(_store, _settings, target with { Budget = Math.Max(0, target.Budget - used) }, candidates,
            (int)(campaign.Seed & int.MaxValue));
        for (var k = 0; k < open.Count; k++)
        {
            if (decision.Reasons[k] is { } why)
            {
                plans[open[k]] = plans[open[k]] with { State = SendState.Suppressed, Reason = why };
            }
        }
    }

    /// <summary>
    /// Writes one recipient's email: the one path both sending and "view in browser" (<see cref="MessageRenderer"/>)
    /// take, so a re-render is the message that was sent. Deterministic for (campaign seed, customer, products, as-of).
    /// </summary>
    /// <summary>The send's reason when its copy failed the guardrails: <c>copy_failed: </c> and the checks that failed.</summary>
    internal static string CopyFailedReason(CopyCheckException e)
    {
        var at = e.Message.IndexOf(" failed: ", StringComparison.Ordinal);
        var detail = at < 0 ? e.Message : e.Message[(at + 9)..];
        return "copy_failed: " + (detail.Length > 300 ? detail[..300] : detail);
    }

    /// <param name="slotWeights">The campaign's learned phrase-slot arms (<see cref="PhraseSlotArms.LoadPrior(MailsmithStore, Campaign, LearnOptions, string)"/>); null: file weights.</param>
    public static ComposedEmail ComposeMessage(
        Campaign campaign, Send send, Customer customer, CustomerProfile profile, IReadOnlyList<ProductBlock> blocks,
        TrackingLinks tracking, EmailComposer composer, DateTimeOffset asOf, ISlotWeights? slotWeights = null)
    {
        var reference = new MessageRef(send.SendId, campaign.CampaignId, customer.CustomerId, send.Variant);
        var links = new EmailLinks(tracking.Unsubscribe(reference), url => tracking.Click(reference, url));
        return composer.Compose(new EmailContext(
            campaign, send.Variant, customer, profile, blocks, links, asOf,
            VariantAssigner.Seed(campaign.Seed, customer.CustomerId, "compose")) { SlotWeights = slotWeights });
    }

    /// <summary>Why a customer must not be mailed, or null when they may.</summary>
    public static string? IneligibleReason(Customer customer, StoreSnapshot snapshot)
    {
        if (!customer.Consent)
        {
            return "no_consent";
        }
        if (customer.UnsubscribedAt is not null)
        {
            return "unsubscribed";
        }
        // An unsubscribe in the store's own event stream counts too, unless consent was given again afterwards.
        foreach (var e in snapshot.EventsOf(customer.CustomerId))
        {
            if (e.Type == EventTypes.Unsubscribe && (customer.ConsentAt is not { } consentAt || e.OccurredAt >= consentAt))
            {
                return "unsubscribed";
            }
        }
        if (snapshot.SuppressedEmails.Contains(customer.Email))
        {
            return "suppressed";
        }
        return null;
    }
}
