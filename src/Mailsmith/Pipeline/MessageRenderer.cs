using System.Collections.Concurrent;
using Mailsmith.Compose;
using Mailsmith.Compose.Llm;
using Mailsmith.Learn;
using Mailsmith.Storage;
using Mailsmith.Track;

namespace Mailsmith.Pipeline;

/// <summary>
/// Re-renders a message that was sent, for "view in browser" (<c>/v/{token}</c>). The outbox keeps states, not bodies:
/// the message is composed again through <see cref="CampaignRunner.ComposeMessageAsync"/> from the campaign's seed, the
/// customer and the store, which gives the same email as long as the store's data has not changed since it was sent.
/// </summary>
/// <remarks>
/// Building the context (store snapshot, profiles, fitted recommenders) takes seconds on a large store, so it is built
/// on the first view, kept, and rebuilt at most every <see cref="RefreshInterval"/> in the background of a view request.
/// Profiles are not saved (a view changes nothing). Thread-safe.
/// </remarks>
public sealed class MessageRenderer(MailsmithStore store, MailsmithSettings settings, TimeProvider? time = null) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private (PipelineContext Context, EmailComposer Composer, TrackingLinks Links, ICopyWriter Writer, DateTimeOffset BuiltAt)? _cache;
    private LlmCopyWriter? _llm;
    private readonly ConcurrentDictionary<string, PhraseSlotArms> _arms = new(StringComparer.Ordinal);

    /// <summary>How long a built context is reused. 10 minutes.</summary>
    public static TimeSpan RefreshInterval { get; } = TimeSpan.FromMinutes(10);

    /// <summary>The email of <paramref name="send"/>, or null when the campaign or customer no longer exists, no products can be picked or no copy passes the guardrails.</summary>
    /// <exception cref="ConfigurationException">The <c>Llm</c> section cannot be used.</exception>
    public async Task<ComposedEmail?> RenderAsync(Send send, CancellationToken cancellationToken = default)
    {
        var campaign = store.GetCampaign(send.CampaignId);
        if (campaign is null)
        {
            return null;
        }
        var (context, composer, links, writer, _) = await ContextAsync(cancellationToken);
        if (!context.Snapshot.CustomersById.TryGetValue(send.CustomerId, out var customer) || !context.Profiles.TryGetValue(send.CustomerId, out var profile))
        {
            return null;
        }
        var count = Math.Clamp(settings.Campaigns.ProductsPerEmail, settings.Compose.MinProducts, settings.Compose.MaxProducts);
        var picks = context.Recommendations.For(campaign.Type, customer, profile, count);
        if (picks.Count == 0)
        {
            return null;
        }
        var blocks = picks.Select(r => new ProductBlock(context.Snapshot.ProductsById[r.ProductId], r)).ToList();
        // The same arms as at first rendering (fixed per campaign), so a retry says the same words.
        var arms = _arms.GetOrAdd(campaign.CampaignId, static (_, state) => PhraseSlotArms.LoadPrior(state.Store, state.Campaign, state.Learn),
            (Store: store, Campaign: campaign, Learn: settings.Learn));
        // The configured writer (LLM with its per-message fallback to the built-in writer) and its guardrails, as sending does.
        var outcome = await CampaignRunner.ComposeMessageAsync(campaign, send, customer, profile, blocks, links, composer, context.AsOf, writer, cancellationToken, arms);
        return outcome.Email;
    }

    public void Dispose()
    {
        _gate.Dispose();
        _llm?.Dispose();
    }

    private async Task<(PipelineContext, EmailComposer, TrackingLinks, ICopyWriter, DateTimeOffset)> ContextAsync(CancellationToken cancellationToken)
    {
        if (_cache is { } cached && _time.GetUtcNow() - cached.BuiltAt < RefreshInterval)
        {
            return cached;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cache is { } again && _time.GetUtcNow() - again.BuiltAt < RefreshInterval)
            {
                return again;
            }
            var context = await Task.Run(() => PipelineContext.Prepare(store, settings, time: _time, saveProfiles: false), cancellationToken);
            var snapshot = context.Snapshot;
            var composer = new EmailComposer(settings.Compose, settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
            var links = new TrackingLinks(settings.Track, LinkSigner.FromOptions(settings.Track, settings.DefaultKeyFile));
            // The LLM writer (with its disk cache and concurrency gate) is made once and kept across context rebuilds.
            _llm ??= LlmWriting.CreateWriter(settings, composer.BuiltInWriter);
            _cache = (context, composer, links, (ICopyWriter?)_llm ?? composer.BuiltInWriter, _time.GetUtcNow());
            return _cache.Value;
        }
        finally
        {
            _gate.Release();
        }
    }
}
