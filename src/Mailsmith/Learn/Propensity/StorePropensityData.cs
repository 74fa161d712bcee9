using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Learn.Propensity;

/// <summary>What a response model predicts.</summary>
public enum PropensityTarget
{
    /// <summary>A human open (machine-flagged opens do not count: Apple Mail Privacy Protection opens everything).</summary>
    Open,

    /// <summary>A click on the message.</summary>
    Click,

    /// <summary>An order within the attribution window after the send.</summary>
    Purchase,
}

/// <summary>
/// Builds propensity rows from the store: one per sent message, features from the recipient's profile as of the
/// campaign's first send (so nothing from after the send leaks in), the customer's locale, the campaign type and
/// variant, how far the send hour was from the customer's active hour, and their engagement with earlier sends.
/// </summary>
public static class StorePropensityData
{
    private static readonly string[] Types = ["welcome", "abandoned_cart", "winback", "recommendations"];
    private static readonly string[] Bands = [PriceBand.Budget, PriceBand.Mid, PriceBand.Premium, PriceBand.Unknown];

    /// <exception cref="InvalidOperationException">The store has no sent messages.</exception>
    public static PropensityData Build(MailsmithStore store, MailsmithSettings settings, PropensityTarget target, double windowDays = 7)
    {
        var snapshot = StoreSnapshot.Load(store);
        var campaigns = store.ListCampaigns();
        var sends = new List<(Send Send, Campaign Campaign)>();
        var clicked = new HashSet<long>();
        var opened = new HashSet<long>();
        foreach (var campaign in campaigns)
        {
            var campaignSends = store.LoadSends(campaign.CampaignId).Where(s => s.State == SendState.Sent && s.SentAt is not null).ToList();
            sends.AddRange(campaignSends.Select(s => (s, campaign)));
            var byCustomer = campaignSends.ToDictionary(s => s.CustomerId, s => s.SendId, StringComparer.Ordinal);
            foreach (var e in store.LoadEngagement(campaign.CampaignId))
            {
                var id = e.SendId ?? (byCustomer.TryGetValue(e.CustomerId, out var s) ? s : -1);
                if (e.Type == "click")
                {
                    clicked.Add(id);
                }
                else if (e.Type == "open" && !e.IsMachine)
                {
                    opened.Add(id);
                }
            }
        }
        if (sends.Count == 0)
        {
            throw new InvalidOperationException("the store has no sent messages to learn from (send a campaign, or record sends and engagement first)");
        }
        sends.Sort((a, b) => a.Send.SentAt!.Value.CompareTo(b.Send.SentAt!.Value));
        // Profiles as of each campaign's first send: one build per campaign.
        var profilesByCampaign = new Dictionary<string, IReadOnlyDictionary<string, CustomerProfile>>(StringComparer.Ordinal);
        var builder = new ProfileBuilder(settings.Profile);
        foreach (var group in sends.GroupBy(s => s.Campaign.CampaignId))
        {
            profilesByCampaign[group.Key] = builder.Build(snapshot, group.First().Send.SentAt!.Value);
        }
        var names = new List<string> { "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "discount_share", "price_sensitivity", "hour_distance", "send_hour_local", "prior_sends", "prior_clicks", "prior_opens", "variant_index" };
        names.AddRange(Lifecycle.All.Select(l => $"lifecycle={l}"));
        names.AddRange(Bands.Select(b => $"price_band={b}"));
        names.AddRange(["language=en", "language=zh", "language=other"]);
        names.AddRange(Types.Select(t => $"type={t}"));
        var priorSends = new Dictionary<string, int>(StringComparer.Ordinal);
        var priorClicks = new Dictionary<string, int>(StringComparer.Ordinal);
        var priorOpens = new Dictionary<string, int>(StringComparer.Ordinal);
        var features = new List<float[]>(sends.Count);
        var labels = new bool[sends.Count];
        var at = new DateTimeOffset[sends.Count];
        var window = TimeSpan.FromDays(windowDays);
        for (var i = 0; i < sends.Count; i++)
        {
            var (send, campaign) = sends[i];
            var sentAt = send.SentAt!.Value;
            var customer = snapshot.CustomersById.TryGetValue(send.CustomerId, out var c) ? c : null;
            var profile = profilesByCampaign[campaign.CampaignId].TryGetValue(send.CustomerId, out var p) ? p : null;
            var localHour = LocalHour(sentAt, customer?.TimeZone);
            var x = new float[names.Count];
            x[0] = profile?.RecencyDays is { } r ? (float)r : float.NaN;
            x[1] = profile?.Frequency ?? 0;
            x[2] = (float)(profile?.Monetary ?? 0);
            x[3] = profile?.R ?? 0;
            x[4] = profile?.F ?? 0;
            x[5] = profile?.M ?? 0;
            x[6] = (float)(profile?.DiscountShare ?? 0);
            x[7] = (float)(profile?.PriceSensitivity ?? 0);
            x[8] = profile?.ActiveHour is { } h ? Math.Min(Math.Abs(h - localHour), 24 - Math.Abs(h - localHour)) : float.NaN;
            x[9] = localHour;
            x[10] = priorSends.GetValueOrDefault(send.CustomerId);
            x[11] = priorClicks.GetValueOrDefault(send.CustomerId);
            x[12] = priorOpens.GetValueOrDefault(send.CustomerId);
            x[13] = Math.Max(0, campaign.Variants.ToList().FindIndex(v => v.Name == send.Variant));
            var offset = 14;
            if (profile is not null)
            {
                x[offset + Math.Max(0, Lifecycle.All.ToList().IndexOf(profile.Lifecycle))] = 1;
                x[offset + 5 + Math.Max(0, Array.IndexOf(Bands, profile.PriceBand))] = 1;
            }
            var language = customer?.Locale.Split('-')[0];
            x[offset + 9 + (language == "en" ? 0 : language == "zh" ? 1 : 2)] = 1;
            var type = Array.IndexOf(Types, campaign.Type);
            if (type >= 0)
            {
                x[offset + 12 + type] = 1;
            }
            features.Add(x);
            labels[i] = target switch
            {
                PropensityTarget.Click => clicked.Contains(send.SendId),
                PropensityTarget.Open => opened.Contains(send.SendId),
                _ => snapshot.OrdersOf(send.CustomerId).Any(o => o.OrderedAt > sentAt && o.OrderedAt <= sentAt + window),
            };
            at[i] = sentAt;
            // Engagement counts only once the send is in the past for later rows (rows are in send order).
            priorSends[send.CustomerId] = priorSends.GetValueOrDefault(send.CustomerId) + 1;
            priorClicks[send.CustomerId] = priorClicks.GetValueOrDefault(send.CustomerId) + (clicked.Contains(send.SendId) ? 1 : 0);
            priorOpens[send.CustomerId] = priorOpens.GetValueOrDefault(send.CustomerId) + (opened.Contains(send.SendId) ? 1 : 0);
        }
        return new PropensityData(names, features, labels, at);
    }

    private static int LocalHour(DateTimeOffset at, string? timeZone)
    {
        if (timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            return TimeZoneInfo.ConvertTime(at, zone).Hour;
        }
        return at.UtcDateTime.Hour;
    }
}
