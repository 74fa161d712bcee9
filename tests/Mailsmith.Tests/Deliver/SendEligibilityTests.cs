using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Deliver;

public sealed class SendEligibilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-eligible-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task SendAsync_PlannedThenUnsubscribedSuppressedWithdrawnOrPaused_NeverSent()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 150);
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 1);
        var four = store.LoadCustomers().Where(c => c.Consent && c.UnsubscribedAt is null).Take(5).ToList();
        // Planned by an earlier run; each of the first four then becomes someone who must not be mailed.
        store.PlanSends(four.Select((c, i) => new SendPlan(campaign.CampaignId, c.CustomerId, "A", 1, $"{campaign.CampaignId}:{c.CustomerId}", $"<e{i}@shop.example>", SendState.Planned, null, null)), DateTimeOffset.UtcNow);
        store.MarkUnsubscribed(four[0].CustomerId, DateTimeOffset.UtcNow);
        store.Suppress(four[1].Email, "manual", DateTimeOffset.UtcNow);
        using (var connection = store.OpenConnection())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "UPDATE customers SET consent = 0 WHERE customer_id = $a; " +
                "INSERT INTO customer_preferences (customer_id, muted_types, paused_until, updated_at) VALUES ($b, '', $until, $now);";
            command.Parameters.AddWithValue("$a", four[2].CustomerId);
            command.Parameters.AddWithValue("$b", four[3].CustomerId);
            command.Parameters.AddWithValue("$until", DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));

        var result = await runner.SendAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), outbox, new SendRunOptions { IgnoreSchedule = true });

        var sends = store.LoadSends(campaign.CampaignId).ToDictionary(s => s.CustomerId);
        Assert.Equal(SendState.Suppressed, sends[four[0].CustomerId].State);
        Assert.Equal("unsubscribed", sends[four[0].CustomerId].Reason);
        Assert.Equal("suppressed", sends[four[1].CustomerId].Reason);
        Assert.Equal("no_consent", sends[four[2].CustomerId].Reason);
        Assert.Equal(SendState.Suppressed, sends[four[3].CustomerId].State);
        foreach (var c in four.Take(4))
        {
            Assert.False(File.Exists(outbox.PathFor(new OutboxAddress(campaign.CampaignId, c.CustomerId))), c.CustomerId);
        }
        Assert.Equal(SendState.Sent, sends[four[4].CustomerId].State);
        Assert.True(File.Exists(outbox.PathFor(new OutboxAddress(campaign.CampaignId, four[4].CustomerId))));
        Assert.True(result.Delivery.Sent > 50);
    }

    [Fact]
    public async Task SendAsync_OfferPastItsLastDayWhereTheReaderLives_HeldBackAsOfferExpired_BeforeThatDaySent()
    {
        var (store, settings) = DeliveryStore.Create(_dir, 150);
        var created = new DateTimeOffset(2031, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var campaign = new CampaignRunner(store, settings, new FixedTime(created))
            .Create("promotion", seed: 2, offer: new Mailsmith.Compose.CampaignOffer("LAST10", 10, Expires: new DateOnly(2031, 3, 12)));
        Assert.Equal("LAST10", store.GetCampaign(campaign.CampaignId)!.Offer!.Code);
        var context = PipelineContext.Prepare(store, settings);

        // Sent the day after the last day: nobody gets an email stating the expired offer, and each send says why.
        var late = new CampaignRunner(store, settings, new FixedTime(new DateTimeOffset(2031, 3, 14, 12, 0, 0, TimeSpan.Zero)));
        var outbox = new PickupFolderSender(Path.Combine(_dir, "late"));
        var result = await late.SendAsync(campaign.CampaignId, context, outbox, new SendRunOptions { IgnoreSchedule = true });
        Assert.Equal(0, result.Delivery.Sent);
        var sends = store.LoadSends(campaign.CampaignId);
        Assert.NotEmpty(sends);
        Assert.All(sends.Where(s => s.Reason is not ("unsubscribed" or "no_consent" or "suppressed" or "not_enough_products")),
            s => Assert.Equal("offer_expired", s.Reason));
        Assert.Contains(sends, s => s.Reason == "offer_expired");
        Assert.False(Directory.Exists(Path.Combine(_dir, "late", campaign.CampaignId)) && Directory.EnumerateFiles(Path.Combine(_dir, "late", campaign.CampaignId)).Any());

        // A second campaign with the same offer, sent on its last day: delivered, and each email carries the code.
        var second = new CampaignRunner(store, settings, new FixedTime(created))
            .Create("promotion", seed: 2, offer: new Mailsmith.Compose.CampaignOffer("LAST10", 10, Expires: new DateOnly(2031, 3, 12)));
        var onTime = new CampaignRunner(store, settings, new FixedTime(new DateTimeOffset(2031, 3, 12, 12, 0, 0, TimeSpan.Zero)));
        var folder = new PickupFolderSender(Path.Combine(_dir, "on-time"));
        var delivered = await onTime.SendAsync(second.CampaignId, context, folder, new SendRunOptions { IgnoreSchedule = true });
        Assert.True(delivered.Delivery.Sent > 50, $"{delivered.Delivery.Sent} sent");
        var files = Directory.GetFiles(Path.Combine(_dir, "on-time", second.CampaignId), "*.eml");
        Assert.Equal(delivered.Delivery.Sent, files.Length);
        Assert.All(files.Take(20), f => Assert.Contains("LAST10", MimeKit.MimeMessage.Load(f).TextBody, StringComparison.Ordinal));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
