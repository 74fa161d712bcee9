using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Mailsmith.Compose;
using Mailsmith.Compose.Llm;
using Mailsmith.Learn;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>One previewed email: who it is for, what the composer produced, and why.</summary>
/// <param name="Outcome">The plan, the email (null when no copy passed the checks), the writer used and every failure seen.</param>
public sealed record PreviewItem(Campaign Campaign, Customer Customer, CustomerProfile Profile, string Variant, IReadOnlyList<ProductBlock> Products, ComposeOutcome? Outcome, string? NoEmailReason);

/// <summary>
/// <c>mailsmith preview</c>: composes emails exactly as a campaign run would (the configured writer, the LLM one with
/// its per-message fallback when enabled), but with links that point straight at their destinations (no tracking)
/// and an unsubscribe link that does nothing, and lays each one out on a page with its plan, every guardrail's result,
/// the phrase variant per slot, and the writer used with the fallback reason.
/// </summary>
/// <remarks>Building the context (snapshot, profiles, recommenders) takes seconds on a large store; build one instance per command. Profiles are not saved.</remarks>
public sealed class EmailPreview : IDisposable
{
    /// <summary>Every guardrail, in the order they are reported.</summary>
    public static IReadOnlyList<string> CheckNames { get; } =
        [CopyChecks.Grounding, CopyChecks.Placeholder, CopyChecks.Empty, CopyChecks.LocaleCheck, CopyChecks.Length, CopyChecks.Markup, CopyChecks.Spam, CopyChecks.Tone];

    /// <summary>What the unsubscribe link of a preview points at: nothing happens when it is followed.</summary>
    public const string InertUnsubscribe = "#unsubscribe-disabled-in-preview";

    // Every script readable in the page source (HtmlEncoder.Default turns each CJK character into an entity); the five
    // HTML-significant characters are still escaped.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    // The plan JSON is HTML-encoded as a whole when it goes into the page, so the JSON itself need not escape <, > or &.
    private static readonly JsonSerializerOptions PlanJson = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly MailsmithStore _store;
    private readonly MailsmithSettings _settings;
    private readonly PipelineContext _context;
    private readonly EmailComposer _composer;
    private readonly LlmCopyWriter? _llm;
    private readonly ICopyWriter _writer;
    // The phrase-slot arms a send of the campaign draws with (fixed per campaign), so the preview says the same words.
    private readonly Dictionary<string, PhraseSlotArms> _arms = new(StringComparer.Ordinal);

    /// <summary>Prepares the store's context and the configured writer.</summary>
    /// <exception cref="ConfigurationException">The <c>Llm</c> section cannot be used.</exception>
    public EmailPreview(MailsmithStore store, MailsmithSettings settings, TimeProvider? time = null)
    {
        _store = store;
        _settings = settings;
        _context = PipelineContext.Prepare(store, settings, time: time, saveProfiles: false);
        var snapshot = _context.Snapshot;
        _composer = new EmailComposer(settings.Compose, settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
        _llm = LlmWriting.CreateWriter(settings, _composer.BuiltInWriter);
        _writer = (ICopyWriter?)_llm ?? _composer.BuiltInWriter;
    }

    /// <summary>The name of the writer asked first (<c>builtin</c> or the LLM writer's).</summary>
    public string WriterName => _writer.Name;

    /// <summary>The campaign with this id, else the newest campaign of this type; null when neither exists.</summary>
    public Campaign? FindCampaign(string idOrType) =>
        _store.GetCampaign(idOrType)
        ?? _store.ListCampaigns().Where(c => string.Equals(c.Type, idOrType, StringComparison.Ordinal)).OrderByDescending(c => c.CreatedAt).FirstOrDefault();

    /// <summary>True when the customer exists and has a profile as of the context's moment.</summary>
    public bool HasCustomer(string customerId) =>
        _context.Snapshot.CustomersById.ContainsKey(customerId) && _context.Profiles.ContainsKey(customerId);

    /// <summary>Composes the email of <paramref name="customerId"/> for <paramref name="campaign"/>.</summary>
    /// <exception cref="KeyNotFoundException">The customer does not exist or has no profile.</exception>
    public async Task<PreviewItem> ComposeAsync(Campaign campaign, string customerId, CancellationToken cancellationToken = default)
    {
        if (!_context.Snapshot.CustomersById.TryGetValue(customerId, out var customer) || !_context.Profiles.TryGetValue(customerId, out var profile))
        {
            throw new KeyNotFoundException($"customer '{customerId}' does not exist (or signed up after the store's as-of moment)");
        }
        var variant = _store.LoadSends(campaign.CampaignId).FirstOrDefault(s => s.CustomerId == customerId)?.Variant
            ?? (campaign.Variants.Count > 0 ? campaign.Variants[0].Name : "A");
        var count = Math.Clamp(_settings.Campaigns.ProductsPerEmail, _settings.Compose.MinProducts, _settings.Compose.MaxProducts);
        var picks = _context.Recommendations.For(campaign.Type, customer, profile, count);
        var blocks = picks.Select(r => new ProductBlock(_context.Snapshot.ProductsById[r.ProductId], r)).ToList();
        if (blocks.Count < _settings.Compose.MinProducts)
        {
            return new PreviewItem(campaign, customer, profile, variant, blocks, null,
                $"only {blocks.Count} product(s) can be recommended for {campaign.Type}; an email needs at least {_settings.Compose.MinProducts}");
        }
        // Destinations unwrapped (no tracking redirect, no open pixel) and an unsubscribe link that goes nowhere.
        var links = new EmailLinks(InertUnsubscribe, url => url);
        if (!_arms.TryGetValue(campaign.CampaignId, out var arms))
        {
            arms = PhraseSlotArms.LoadPrior(_store, campaign, _settings.Learn);
            _arms[campaign.CampaignId] = arms;
        }
        var outcome = await _composer.ComposeAsync(new EmailContext(
            campaign, variant, customer, profile, blocks, links, _context.AsOf,
            VariantAssigner.Seed(campaign.Seed, customer.CustomerId, "compose")) { SlotWeights = arms }, _writer, cancellationToken).ConfigureAwait(false);
        return new PreviewItem(campaign, customer, profile, variant, blocks, outcome, outcome.Email is null ? "no copy passed the guardrails" : null);
    }

    /// <summary>
    /// Up to <paramref name="samples"/> customers stratified by locale × lifecycle: the strata in order, one customer
    /// from each in turn (lowest ids first), so every combination present appears before any appears twice.
    /// </summary>
    public IReadOnlyList<string> Sample(int samples)
    {
        var strata = _context.Snapshot.Customers
            .Where(c => _context.Profiles.ContainsKey(c.CustomerId))
            .GroupBy(c => (c.Locale, _context.Profiles[c.CustomerId].Lifecycle))
            .OrderBy(g => g.Key.Locale, StringComparer.Ordinal).ThenBy(g => g.Key.Lifecycle, StringComparer.Ordinal)
            .Select(g => new Queue<string>(g.Select(c => c.CustomerId).Order(StringComparer.Ordinal)))
            .ToList();
        var picked = new List<string>(samples);
        while (picked.Count < samples && strata.Any(q => q.Count > 0))
        {
            foreach (var q in strata)
            {
                if (picked.Count < samples && q.TryDequeue(out var id))
                {
                    picked.Add(id);
                }
            }
        }
        return picked;
    }

    /// <summary>The gallery of <paramref name="items"/>: one page, every email with its plan and checks.</summary>
    public static string Gallery(string title, IReadOnlyList<PreviewItem> items)
    {
        var page = new StringBuilder();
        Head(page, title);
        page.Append(CultureInfo.InvariantCulture, $"<header><h1>{Html.Encode(title)}</h1><p>{items.Count} email(s), stratified by locale × lifecycle. Links go straight to their destinations; unsubscribe does nothing.</p></header>\n<nav>");
        for (var i = 0; i < items.Count; i++)
        {
            page.Append(CultureInfo.InvariantCulture, $"<a href=\"#m{i}\">{Html.Encode(items[i].Customer.CustomerId)} · {Html.Encode(items[i].Customer.Locale)} · {Html.Encode(items[i].Profile.Lifecycle)}</a> ");
        }
        page.Append("</nav>\n");
        for (var i = 0; i < items.Count; i++)
        {
            Card(page, items[i], "m" + i.ToString(CultureInfo.InvariantCulture));
        }
        page.Append("</body></html>\n");
        return page.ToString();
    }

    /// <summary>The page of one email.</summary>
    public static string Page(PreviewItem item)
    {
        var page = new StringBuilder();
        var title = $"{item.Campaign.Type} · {item.Customer.CustomerId}";
        Head(page, title);
        page.Append(CultureInfo.InvariantCulture, $"<header><h1>{Html.Encode(title)}</h1><p>Links go straight to their destinations; unsubscribe does nothing.</p></header>\n");
        Card(page, item, "m0");
        page.Append("</body></html>\n");
        return page.ToString();
    }

    /// <summary>Pass or fail per guardrail for the email that was kept, with the details of every failure seen.</summary>
    public static IReadOnlyList<(string Check, bool Passed, IReadOnlyList<CheckFailure> Failures)> CheckTable(ComposeOutcome outcome)
    {
        // ComposeAsync keeps only copy that passed every check; failures then belong to the rejected writer's copy.
        var keptPassed = outcome.Email is not null;
        return CheckNames.Select(name =>
        {
            var failures = outcome.Failures.Where(f => f.Check == name).ToList();
            return (name, keptPassed || failures.Count == 0, (IReadOnlyList<CheckFailure>)failures);
        }).Concat(outcome.Failures.Where(f => !CheckNames.Contains(f.Check)).GroupBy(f => f.Check)
            .Select(g => (g.Key, keptPassed, (IReadOnlyList<CheckFailure>)g.ToList()))).ToList();
    }

    public void Dispose() => _llm?.Dispose();

    private static void Head(StringBuilder page, string title) => page.Append(CultureInfo.InvariantCulture, $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Html.Encode(title)}}</title>
        <style>
        body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:0;background:#f3f4f6;color:#111827;overflow-wrap:anywhere}
        header{background:#111827;color:#fff;padding:16px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#d1d5db}
        nav{padding:10px 28px;background:#fff;border-bottom:1px solid #e5e7eb;font-size:13px}nav a{margin-right:12px;color:#2563eb}
        .card{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:16px;margin:16px 28px}
        .cols{display:flex;gap:16px;flex-wrap:wrap}.cols>div{flex:1;min-width:min(320px,100%)}
        iframe{width:100%;height:720px;border:1px solid #e5e7eb;border-radius:6px;background:#fff;box-sizing:border-box}
        pre{white-space:pre-wrap;font-size:12px;background:#f9fafb;border:1px solid #e5e7eb;padding:8px;max-height:480px;overflow:auto}
        table{border-collapse:collapse;font-size:13px;display:block;max-width:100%;overflow-x:auto}td,th{border:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}
        .pass{color:#047857}.fail{color:#b91c1c;font-weight:600}.tag{background:#eef2ff;color:#3730a3;border-radius:4px;padding:0 6px;font-size:12px;white-space:nowrap}
        @media (max-width:600px){header,nav{padding-left:12px;padding-right:12px}.card{margin:10px 6px;padding:10px} }
        </style></head><body>

        """);

    private static void Card(StringBuilder page, PreviewItem item, string anchor)
    {
        var c = item.Customer;
        var outcome = item.Outcome;
        var email = outcome?.Email;
        page.Append(CultureInfo.InvariantCulture, $"""
            <div class="card" id="{anchor}"><h2>{Html.Encode(c.CustomerId)} <span class="tag">{Html.Encode(c.Locale)}</span> <span class="tag">{Html.Encode(item.Profile.Lifecycle)}</span> <span class="tag">{Html.Encode(item.Campaign.Type)}</span> <span class="tag">variant {Html.Encode(item.Variant)}</span></h2>

            """);
        if (outcome is null || email is null)
        {
            page.Append(CultureInfo.InvariantCulture, $"<p class=\"fail\" data-no-email>No email: {Html.Encode(item.NoEmailReason ?? "")}</p>\n");
        }
        else
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <p><strong data-subject>{Html.Encode(email.Subject)}</strong><br><span>{Html.Encode(email.Preheader)}</span></p>
                <div class="cols"><div><h3>HTML</h3><iframe title="email to {Html.Encode(c.CustomerId)}" sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="{Html.Encode(email.Html)}"></iframe></div>
                <div><h3>Text part</h3><pre data-text>{Html.Encode(email.Text)}</pre></div></div>

                """);
        }
        if (outcome is not null)
        {
            var fallback = outcome.Failures.Count > 0 && email is not null ? $" — fell back: {string.Join("; ", outcome.Failures.Select(f => f.ToString()))}" : "";
            page.Append(CultureInfo.InvariantCulture, $"<p data-writer>Writer: <strong>{Html.Encode(outcome.Writer)}</strong>{Html.Encode(fallback)}</p>\n");
            page.Append("<h3>Guardrails</h3><table data-checks><tr><th>check</th><th>result</th><th>details</th></tr>\n");
            foreach (var (check, passed, failures) in CheckTable(outcome))
            {
                var details = string.Join("; ", failures.Select(f => $"{f.Fragment}: {f.Detail}"));
                if (passed && failures.Count > 0)
                {
                    details = "kept copy passed; rejected copy failed: " + details;
                }
                page.Append(CultureInfo.InvariantCulture, $"<tr data-check=\"{Html.Encode(check)}\"><td>{Html.Encode(check)}</td><td class=\"{(passed ? "pass" : "fail")}\">{(passed ? "pass" : "fail")}</td><td>{Html.Encode(details)}</td></tr>\n");
            }
            page.Append("</table>\n");
            if (email is not null)
            {
                page.Append("<h3>Phrase choices</h3><table data-choices><tr><th>slot</th><th>variant</th><th>tags</th><th>probability</th></tr>\n");
                foreach (var choice in email.Choices)
                {
                    // The draw's probability as recorded for Learn; a dash when a rule replaced the draw.
                    var probability = choice.Probability is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) : "–";
                    page.Append(CultureInfo.InvariantCulture, $"<tr><td>{Html.Encode(choice.Slot)}</td><td>{Html.Encode(choice.VariantId)}</td><td>{Html.Encode(string.Join(", ", choice.Tags))}</td><td data-probability>{probability}</td></tr>\n");
                }
                page.Append("</table>\n");
            }
            page.Append(CultureInfo.InvariantCulture, $"<h3>Plan (every fact the email may state)</h3><pre data-plan>{Html.Encode(JsonSerializer.Serialize(outcome.Plan, PlanJson))}</pre>\n");
        }
        page.Append("</div>\n");
    }
}
