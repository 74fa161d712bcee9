using System.Globalization;
using System.Text;
using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Learn.Uplift;

/// <summary>
/// A campaign's randomized holdout experiment as uplift training data: treated rows are the messages sent, control
/// rows the recipients held out (<see cref="VariantAssigner.Holdout"/>); the outcome is an order within the window
/// after the send was planned (the same moment for both groups, so the holdout is not favoured by a later clock).
/// </summary>
/// <remarks>
/// Recipients held back for any other reason (no consent, unsubscribed, bounced, not enough products) are in neither
/// group: they were excluded before the random split was of any consequence, and including them on one side only
/// would bias the comparison. Features are the recipient's profile as of the campaign's first planning moment.
/// </remarks>
public static class StoreUpliftData
{
    /// <summary>The feature columns, in CSV order; <c>lifecycle</c>, <c>price_band</c> and <c>language</c> are categorical.</summary>
    public static readonly IReadOnlyList<string> FeatureNames =
        ["recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "discount_share", "price_sensitivity", "lifecycle", "price_band", "language"];

    private static readonly bool[] Categorical = [false, false, false, false, false, false, false, false, true, true, true];

    /// <summary>Builds the rows of <paramref name="campaignId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such campaign.</exception>
    /// <exception cref="InvalidOperationException">The campaign has no holdout rows or no sent rows.</exception>
    public static (UpliftDataset Data, IReadOnlyList<decimal> Revenue, IReadOnlyList<string> CustomerIds) Build(
        MailsmithStore store, MailsmithSettings settings, string campaignId, double windowDays = 7)
    {
        var campaign = store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}'");
        var sends = store.LoadSends(campaign.CampaignId)
            .Where(s => s.State == SendState.Sent || (s.State == SendState.Suppressed && s.Reason == VariantAssigner.HoldoutReason))
            .OrderBy(s => s.SendId).ToList();
        var treatedCount = sends.Count(s => s.State == SendState.Sent);
        if (treatedCount == 0 || treatedCount == sends.Count)
        {
            throw new InvalidOperationException(
                $"campaign {campaignId} has {treatedCount:N0} sent and {sends.Count - treatedCount:N0} held-out recipients; uplift needs both " +
                "(create the campaign with --holdout SHARE, then compose and send it)");
        }
        var snapshot = StoreSnapshot.Load(store);
        var asOf = sends.Min(s => s.PlannedAt);
        var profiles = new ProfileBuilder(settings.Profile).Build(snapshot, asOf);
        var window = TimeSpan.FromDays(windowDays);
        var rows = new List<string[]>(sends.Count);
        var treatment = new bool[sends.Count];
        var outcome = new bool[sends.Count];
        var revenue = new decimal[sends.Count];
        var ids = new string[sends.Count];
        for (var i = 0; i < sends.Count; i++)
        {
            var send = sends[i];
            var p = profiles.GetValueOrDefault(send.CustomerId);
            var customer = snapshot.CustomersById.GetValueOrDefault(send.CustomerId);
            rows.Add(FeatureRow(p, customer));
            treatment[i] = send.State == SendState.Sent;
            var from = send.PlannedAt;
            var orders = snapshot.OrdersOf(send.CustomerId).Where(o => o.OrderedAt > from && o.OrderedAt <= from + window).ToList();
            outcome[i] = orders.Count > 0;
            revenue[i] = orders.Sum(o => o.Total ?? 0);
            ids[i] = send.CustomerId;
        }
        var data = new UpliftDataset { FeatureNames = FeatureNames, IsCategorical = Categorical, Rows = rows, Treatment = treatment, Outcome = outcome };
        return (data, revenue, ids);
    }

    /// <summary>The raw feature values of one recipient, in <see cref="FeatureNames"/> order (also what targeting scores).</summary>
    public static string[] FeatureRow(CustomerProfile? p, Customer? customer)
    {
        var c = CultureInfo.InvariantCulture;
        return
        [
            p?.RecencyDays is { } r ? r.ToString(c) : "",
            (p?.Frequency ?? 0).ToString(c),
            (p?.Monetary ?? 0).ToString(c),
            (p?.R ?? 0).ToString(c),
            (p?.F ?? 0).ToString(c),
            (p?.M ?? 0).ToString(c),
            (p?.DiscountShare ?? 0).ToString(c),
            (p?.PriceSensitivity ?? 0).ToString(c),
            p?.Lifecycle ?? "unknown",
            p?.PriceBand ?? PriceBand.Unknown,
            customer?.Locale.Split('-')[0] ?? "unknown",
        ];
    }

    /// <summary>
    /// Writes the rows as the CSV <c>mailsmith learn uplift eval</c> reads: <c>customer_id,group,purchase,revenue,</c>
    /// then the features; <c>group</c> is <c>treatment</c> or <c>holdout</c>.
    /// </summary>
    public static async Task WriteCsvAsync(string path, UpliftDataset data, IReadOnlyList<decimal> revenue, IReadOnlyList<string> customerIds, CancellationToken cancellationToken = default)
    {
        var s = new StringBuilder();
        s.Append("customer_id,group,purchase,revenue,").AppendJoin(',', data.FeatureNames).Append('\n');
        for (var i = 0; i < data.Count; i++)
        {
            s.Append(Quote(customerIds[i])).Append(',').Append(data.Treatment[i] ? "treatment" : "holdout").Append(',')
                .Append(data.Outcome[i] ? '1' : '0').Append(',').Append(revenue[i].ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', data.Rows[i].Select(Quote)).Append('\n');
        }
        await File.WriteAllTextAsync(path, s.ToString(), cancellationToken);
    }

    private static string Quote(string v) => v.Contains(',') || v.Contains('"') ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
}
