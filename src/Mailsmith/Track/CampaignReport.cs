using System.Globalization;
using System.Text.Json.Nodes;
using Mailsmith.Storage;

namespace Mailsmith.Track;

/// <summary>A two-sided 95% confidence interval.</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// The figures of one campaign or one variant. Rates are over <see cref="Delivered"/> messages (sent and not bounced).
/// </summary>
/// <param name="Sent">Messages handed to the relay (bounced ones included).</param>
/// <param name="Bounced">Messages that bounced (5xx at sending, or a bounce reported later).</param>
/// <param name="HumanOpens">Messages opened by a person at least once: an open not flagged as a machine's, or a human click.</param>
/// <param name="MachineOpens">Messages whose pixel a machine fetched (proxy, scanner, burst), whether or not a person opened them too.</param>
/// <param name="Clicks">Messages with at least one human click (unique clicks).</param>
/// <param name="TotalClicks">All human clicks.</param>
/// <param name="Conversions">Orders attributed to the messages.</param>
/// <param name="Revenue">Revenue of those orders in the report's currency (<see cref="CampaignReport.Currency"/>).</param>
/// <param name="Suppressed">Audience members never addressed (no consent, unsubscribed, suppressed, preferences, …).</param>
public sealed record ReportFigures(
    long Sent,
    long Delivered,
    long Bounced,
    long HumanOpens,
    long MachineOpens,
    long Clicks,
    long TotalClicks,
    long Unsubscribes,
    long Complaints,
    long Conversions,
    long ConvertedMessages,
    decimal Revenue,
    long Suppressed,
    Interval OpenRateCi,
    Interval CtrCi,
    Interval ConversionRateCi,
    Interval RevenuePerRecipientCi)
{
    /// <summary>Unique human clicks over delivered messages.</summary>
    public double Ctr => Rate(Clicks);

    public double OpenRate => Rate(HumanOpens);

    public double ConversionRate => Rate(ConvertedMessages);

    public double UnsubscribeRate => Rate(Unsubscribes);

    public decimal RevenuePerRecipient => Delivered == 0 ? 0 : Math.Round(Revenue / Delivered, 4);

    private double Rate(long n) => Delivered == 0 ? 0 : (double)n / Delivered;
}

/// <summary>A campaign's report: the whole campaign and each variant (<c>mailsmith report</c>, <c>GET /api/campaigns/{id}/report</c>).</summary>
/// <param name="Currency">The currency of <see cref="ReportFigures.Revenue"/>; null when nothing was attributed.</param>
/// <param name="RevenueByCurrency">All attributed revenue by currency (more than one entry only for a multi-currency store).</param>
public sealed record CampaignReport(
    Campaign Campaign,
    ReportFigures Total,
    IReadOnlyDictionary<string, ReportFigures> Variants,
    string? Currency,
    IReadOnlyDictionary<string, decimal> RevenueByCurrency,
    DateTimeOffset GeneratedAt)
{
    /// <summary>
    /// The JSON form: the keys <c>sent, delivered, bounced, human_opens, machine_opens, clicks, ctr, unsubscribes,
    /// complaints, conversions, revenue, revenue_per_recipient</c> at the top level and under <c>variants.&lt;name&gt;</c>,
    /// with the 95% intervals and a few more figures beside them.
    /// </summary>
    public JsonObject ToJson()
    {
        var root = new JsonObject
        {
            ["campaign"] = Campaign.CampaignId,
            ["type"] = Campaign.Type,
            ["name"] = Campaign.Name,
            ["currency"] = Currency,
            ["generated_at"] = GeneratedAt.ToString("O", CultureInfo.InvariantCulture),
        };
        Fill(root, Total);
        if (RevenueByCurrency.Count > 1)
        {
            var byCurrency = new JsonObject();
            foreach (var (currency, amount) in RevenueByCurrency)
            {
                byCurrency[currency] = amount;
            }
            root["revenue_by_currency"] = byCurrency;
        }
        var variants = new JsonObject();
        foreach (var (name, figures) in Variants)
        {
            var v = new JsonObject();
            Fill(v, figures);
            variants[name] = v;
        }
        root["variants"] = variants;
        return root;
    }

    private static void Fill(JsonObject o, ReportFigures f)
    {
        o["sent"] = f.Sent;
        o["delivered"] = f.Delivered;
        o["bounced"] = f.Bounced;
        o["human_opens"] = f.HumanOpens;
        o["machine_opens"] = f.MachineOpens;
        o["clicks"] = f.Clicks;
        o["ctr"] = Round(f.Ctr);
        o["unsubscribes"] = f.Unsubscribes;
        o["complaints"] = f.Complaints;
        o["conversions"] = f.Conversions;
        o["revenue"] = f.Revenue;
        o["revenue_per_recipient"] = f.RevenuePerRecipient;
        o["suppressed"] = f.Suppressed;
        o["total_clicks"] = f.TotalClicks;
        o["open_rate"] = Round(f.OpenRate);
        o["conversion_rate"] = Round(f.ConversionRate);
        o["unsubscribe_rate"] = Round(f.UnsubscribeRate);
        o["ci95"] = new JsonObject
        {
            ["open_rate"] = Pair(f.OpenRateCi),
            ["ctr"] = Pair(f.CtrCi),
            ["conversion_rate"] = Pair(f.ConversionRateCi),
            ["revenue_per_recipient"] = Pair(f.RevenuePerRecipientCi),
        };
    }

    private static JsonArray Pair(Interval i) => [Round(i.Low), Round(i.High)];

    private static double Round(double x) => Math.Round(x, 6);
}

/// <summary>
/// Builds campaign reports: first flags burst opens and attributes new orders (both idempotent), then adds up every
/// message of the campaign per variant, with Wilson score intervals for rates and a normal interval for revenue per
/// recipient.
/// </summary>
public sealed class CampaignReporter(MailsmithStore store, TrackOptions options, TimeProvider? time = null)
{
    private const double Z = 1.959963984540054;

    /// <exception cref="KeyNotFoundException">No campaign has that id.</exception>
    public CampaignReport Build(string campaignId)
    {
        var campaign = store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}' (see: mailsmith campaign list)");
        store.FlagBurstOpens(campaignId, options.BurstMessages, TimeSpan.FromSeconds(options.BurstSeconds));
        store.AttributeOrders(TimeSpan.FromDays(options.AttributionWindowDays), options.AttributeOpens);
        var messages = store.LoadMessageOutcomes(campaignId);
        var byCurrency = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (amount, currency) in messages.SelectMany(m => m.Revenue))
        {
            var key = currency ?? "";
            byCurrency[key] = byCurrency.GetValueOrDefault(key) + amount;
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        // The campaign's currency is the one most conversions were in; revenue in others is listed apart, never added.
        var main = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).FirstOrDefault();
        var variants = new SortedDictionary<string, ReportFigures>(StringComparer.Ordinal);
        foreach (var v in campaign.Variants.Select(v => v.Name).Concat(messages.Select(m => m.Variant)).Distinct(StringComparer.Ordinal))
        {
            variants[v] = Figures(messages.Where(m => m.Variant == v).ToList(), main);
        }
        return new CampaignReport(campaign, Figures(messages, main), variants, string.IsNullOrEmpty(main) ? null : main,
            byCurrency.Where(kv => kv.Key.Length > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            (time ?? TimeProvider.System).GetUtcNow());
    }

    /// <summary>Whether a message bounced: refused with a 5xx when sent (state failed, reason bounce…) or reported later.</summary>
    public static bool IsBounced(MessageOutcome m) =>
        m.Bounces > 0 || (m.State == SendState.Failed && m.Reason is { } r && r.StartsWith("bounce", StringComparison.OrdinalIgnoreCase));

    private static ReportFigures Figures(IReadOnlyList<MessageOutcome> messages, string? currency)
    {
        long sent = 0, bounced = 0, opens = 0, machine = 0, clicks = 0, totalClicks = 0, unsubscribes = 0, complaints = 0, conversions = 0, converted = 0, suppressed = 0;
        var revenue = 0m;
        var perRecipient = new List<double>();
        foreach (var m in messages)
        {
            if (m.State == SendState.Suppressed)
            {
                suppressed++;
                continue;
            }
            var isBounced = IsBounced(m);
            if (m.State != SendState.Sent && !isBounced)
            {
                continue;
            }
            sent++;
            if (isBounced)
            {
                bounced++;
            }
            var own = m.Revenue.Where(r => (r.Currency ?? "") == (currency ?? "")).Sum(r => r.Amount);
            if (!isBounced)
            {
                opens += m.HumanOpens > 0 || m.HumanClicks > 0 ? 1 : 0;
                clicks += m.HumanClicks > 0 ? 1 : 0;
                converted += m.Conversions > 0 ? 1 : 0;
                perRecipient.Add((double)own);
            }
            machine += m.MachineOpens > 0 ? 1 : 0;
            totalClicks += m.HumanClicks;
            unsubscribes += m.Unsubscribes > 0 ? 1 : 0;
            complaints += m.Complaints > 0 ? 1 : 0;
            conversions += m.Conversions;
            revenue += own;
        }
        var delivered = sent - bounced;
        return new ReportFigures(sent, delivered, bounced, opens, machine, clicks, totalClicks, unsubscribes, complaints, conversions, converted,
            revenue, suppressed, Wilson(opens, delivered), Wilson(clicks, delivered), Wilson(converted, delivered), MeanInterval(perRecipient));
    }

    /// <summary>The Wilson score interval of <paramref name="k"/> successes in <paramref name="n"/> trials (good near 0 and 1, unlike the normal one).</summary>
    public static Interval Wilson(long k, long n)
    {
        if (n == 0)
        {
            return new Interval(0, 1);
        }
        var p = (double)k / n;
        var z2 = Z * Z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / (1 + z2 / n);
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>The normal 95% interval of a mean (revenue per recipient; recipients number in the hundreds at least).</summary>
    public static Interval MeanInterval(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return new Interval(0, 0);
        }
        var mean = values.Average();
        if (values.Count == 1)
        {
            return new Interval(mean, mean);
        }
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        var half = Z * Math.Sqrt(variance / values.Count);
        return new Interval(Math.Max(0, mean - half), mean + half);
    }
}
