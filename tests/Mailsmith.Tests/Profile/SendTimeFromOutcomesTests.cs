using Mailsmith.Learn;
using Mailsmith.Profile;
using Mailsmith.Storage;
using Mailsmith.Tests.Deliver;

namespace Mailsmith.Tests.Profile;

/// <summary>
/// The loop from Learn back to Profile: clicks by local delivery hour move a customer's best send hour, even when
/// the engagement histogram (when the customer acts) points elsewhere.
/// </summary>
public sealed class SendTimeFromOutcomesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-sendtime-profile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ProfileStage_PrefersTheDeliveryHourThatWorked_AndRecomputesWhenMoreIsDelivered()
    {
        var (store, _) = DeliveryStore.Create(_dir, customers: 150);
        var asOf = store.LatestActivity()!.Value;
        var customer = store.LoadCustomers().First(c => c.TimeZone is { Length: > 0 } && c.TimeZone != "UTC");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(customer.TimeZone!);
        // Weeks back from as-of: Tuesday 09:00 local deliveries get clicked (the click itself comes on Saturday 21:00
        // local, so the engagement histogram learns Saturday evening); Thursday 15:00 local deliveries never do.
        var monday = LocalMonday(TimeZoneInfo.ConvertTime(asOf, zone).DateTime.Date.AddDays(-7 * 21));
        var sends = new List<(DateTimeOffset At, DateTimeOffset? ClickAt)>();
        for (var week = 0; week < 20; week++)
        {
            var start = monday.AddDays(7 * week);
            sends.Add((At(start.AddDays(1).AddHours(9), zone), week % 2 == 0 ? At(start.AddDays(5).AddHours(21), zone) : null));
            sends.Add((At(start.AddDays(3).AddHours(15), zone), null));
        }
        Deliver(store, customer.CustomerId, sends);
        var tuesday9 = 24 + 9;
        var saturday21 = (5 * 24) + 21;

        var without = ProfileStage.Run(store, new ProfileOptions { SendTimeFromOutcomes = false }, asOf, DateTimeOffset.UtcNow);
        var withOutcomes = ProfileStage.Run(store, new ProfileOptions(), asOf, DateTimeOffset.UtcNow);

        Assert.Equal(tuesday9, withOutcomes.Profiles[customer.CustomerId].BestHourOfWeek);
        Assert.True(withOutcomes.Summary.BestHoursFromOutcomes >= 1);
        // Without the outcomes the histogram decides, and it has learned the click time, not the delivery time.
        Assert.NotEqual(tuesday9, without.Profiles[customer.CustomerId].BestHourOfWeek);
        Assert.Equal(0, without.Summary.BestHoursFromOutcomes);
        Assert.Equal(saturday21, without.Profiles[customer.CustomerId].BestHourOfWeek);

        // Unchanged store: the stored run stands. One more delivery: the stage recomputes (the fingerprint counts sends).
        Assert.True(ProfileStage.Run(store, new ProfileOptions(), asOf, DateTimeOffset.UtcNow).UpToDate);
        Deliver(store, customer.CustomerId, [(At(monday.AddDays(1).AddHours(9), zone), null)]);
        Assert.False(ProfileStage.Run(store, new ProfileOptions(), asOf, DateTimeOffset.UtcNow).UpToDate);
    }

    [Fact]
    public void LearnedHour_NeedsTwoDeliveryHoursAResponseAndMoreConfidenceThanTheHistogram()
    {
        var rates = Enumerable.Repeat(0.02, SendTimeOutcomes.HoursPerWeek).ToArray();
        var oneHour = Counts((10, 10, 3));
        var twoHours = Counts((10, 10, 3), (40, 10, 0));
        var noResponse = Counts((10, 10, 0), (40, 10, 0));

        Assert.Null(ProfileEnricher.LearnedHour(oneHour, rates, engagementConfidence: null));
        Assert.Null(ProfileEnricher.LearnedHour(noResponse, rates, engagementConfidence: null));
        var learned = ProfileEnricher.LearnedHour(twoHours, rates, engagementConfidence: null);
        Assert.Equal(10, learned!.Value.HourOfWeek);
        Assert.Equal(10.0 / 14, learned.Value.Confidence, 6);
        Assert.NotNull(ProfileEnricher.LearnedHour(twoHours, rates, engagementConfidence: 0.5));
        Assert.Null(ProfileEnricher.LearnedHour(twoHours, rates, engagementConfidence: 0.9));
    }

    private static SendHourCounts Counts(params (int Hour, int Delivered, int Clicked)[] hours)
    {
        var c = new SendHourCounts("c1", new int[SendTimeOutcomes.HoursPerWeek], new int[SendTimeOutcomes.HoursPerWeek], new int[SendTimeOutcomes.HoursPerWeek]);
        foreach (var (h, d, k) in hours)
        {
            (c.Delivered[h], c.Clicked[h]) = (d, k);
        }
        return c;
    }

    private static DateTime LocalMonday(DateTime date) => date.AddDays(-(((int)date.DayOfWeek + 6) % 7));

    private static DateTimeOffset At(DateTime local, TimeZoneInfo zone) =>
        new(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone), TimeSpan.Zero);

    /// <summary>One campaign per message (a campaign sends a customer one message), delivered at the given time; a click by a person where given.</summary>
    private static void Deliver(MailsmithStore store, string customerId, IEnumerable<(DateTimeOffset At, DateTimeOffset? ClickAt)> sends)
    {
        foreach (var (at, clickAt) in sends)
        {
            var campaign = store.CreateCampaign("recommendations", "t", "all", [new("A", 1)], 1, DateTimeOffset.UtcNow);
            var send = store.PlanSends([new SendPlan(campaign.CampaignId, customerId, "A", 1, $"k-{campaign.CampaignId}", $"<{campaign.CampaignId}@x>", SendState.Planned, null, null)], DateTimeOffset.UtcNow).Single();
            store.UpdateSendStates([new SendStateChange(send.SendId, SendState.Sent)], at);
            if (clickAt is { } t)
            {
                using var connection = store.OpenConnection();
                using var click = connection.CreateCommand();
                click.CommandText = "INSERT INTO engagement_events (send_id, campaign_id, customer_id, type, occurred_at, is_machine) VALUES ($send, $campaign, $customer, 'click', $at, 0)";
                click.Parameters.AddWithValue("$send", send.SendId);
                click.Parameters.AddWithValue("$campaign", campaign.CampaignId);
                click.Parameters.AddWithValue("$customer", customerId);
                click.Parameters.AddWithValue("$at", DbValues.ToDb(t));
                click.ExecuteNonQuery();
            }
        }
    }
}
