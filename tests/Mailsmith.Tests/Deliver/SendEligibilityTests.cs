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
}
