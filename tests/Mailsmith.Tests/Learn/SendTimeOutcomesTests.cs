using Mailsmith.Ingest;
using Mailsmith.Learn;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Learn;

public sealed class SendTimeOutcomesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-sendtime-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void HourOfWeek_MondayMidnightIsZeroSundayLateIs167()
    {
        Assert.Equal(0, SendTimeOutcomes.HourOfWeek(new DateTimeOffset(2026, 11, 30, 0, 30, 0, TimeSpan.Zero)));
        Assert.Equal(167, SendTimeOutcomes.HourOfWeek(new DateTimeOffset(2026, 12, 6, 23, 59, 0, TimeSpan.Zero)));
        Assert.Equal(24 * 2 + 9, SendTimeOutcomes.HourOfWeek(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.FromHours(8))));
    }

    [Fact]
    public void Refresh_ClicksAndPurchasesCountAtTheLocalDeliveryHour()
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = 200, Seed = 8 }).Generate(Path.Combine(_dir, "data"));
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        var order = store.LoadOrders().First(o => store.GetCustomer(o.CustomerId)?.TimeZone is { Length: > 0 });
        var customer = store.GetCustomer(order.CustomerId)!;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(customer.TimeZone!);
        var campaign = store.CreateCampaign("recommendations", "t", "all", [new("A", 1)], 1, DateTimeOffset.UtcNow);
        var other = store.CreateCampaign("recommendations", "t2", "all", [new("A", 1)], 2, DateTimeOffset.UtcNow);
        // One message two hours before an order (a purchase), clicked; one long before anything (neither).
        var before = store.PlanSends([new SendPlan(campaign.CampaignId, customer.CustomerId, "A", 1, "k1", "<1@x>", SendState.Planned, null, null)], DateTimeOffset.UtcNow).Single();
        var lonely = store.PlanSends([new SendPlan(other.CampaignId, customer.CustomerId, "A", 1, "k2", "<2@x>", SendState.Planned, null, null)], DateTimeOffset.UtcNow).Single();
        var sentBefore = order.OrderedAt.AddHours(-2);
        var sentLonely = new DateTimeOffset(2001, 1, 1, 12, 0, 0, TimeSpan.Zero);
        store.UpdateSendStates([new SendStateChange(before.SendId, SendState.Sent)], sentBefore);
        store.UpdateSendStates([new SendStateChange(lonely.SendId, SendState.Sent)], sentLonely);
        using (var connection = store.OpenConnection())
        {
            using var click = connection.CreateCommand();
            click.CommandText = $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, type, occurred_at, is_machine) VALUES ({before.SendId}, '{campaign.CampaignId}', '{customer.CustomerId}', 'click', 1, 0), ({lonely.SendId}, '{other.CampaignId}', '{customer.CustomerId}', 'click', 1, 1)";
            click.ExecuteNonQuery();
        }

        var refresh = SendTimeOutcomes.Refresh(store, DateTimeOffset.UtcNow);

        Assert.Equal((1, 2L, 1L, 1L), (refresh.Customers, refresh.Delivered, refresh.Clicked, refresh.Purchased));
        var counts = SendTimeOutcomes.Load(store)[customer.CustomerId];
        var h = SendTimeOutcomes.HourOfWeek(TimeZoneInfo.ConvertTime(sentBefore, zone));
        var hLonely = SendTimeOutcomes.HourOfWeek(TimeZoneInfo.ConvertTime(sentLonely, zone));
        Assert.Equal((1, 1, 1), (counts.Delivered[h], counts.Clicked[h], counts.Purchased[h]));
        // The machine click on the second message is not a response.
        Assert.Equal((1, 0, 0), (counts.Delivered[hLonely], counts.Clicked[hLonely], counts.Purchased[hLonely]));
        Assert.Equal(h, SendTimeOutcomes.BestHour(counts)!.Value.HourOfWeek);
        // Refreshing again gives the same table (rebuilt, not added to).
        SendTimeOutcomes.Refresh(store, DateTimeOffset.UtcNow);
        Assert.Equal(counts.Delivered, SendTimeOutcomes.Load(store)[customer.CustomerId].Delivered);
    }

    [Fact]
    public void BestHour_OneLuckyClickDoesNotBeatASteadyHour()
    {
        var c = new SendHourCounts("c", new int[168], new int[168], new int[168]);
        c.Delivered[10] = 1;
        c.Clicked[10] = 1;
        c.Delivered[40] = 20;
        c.Clicked[40] = 12;
        // Against the population's 5% an hour, one click in one message is weak evidence; 12 in 20 is strong.
        var population = Enumerable.Repeat(0.05, 168).ToArray();
        Assert.Equal(40, SendTimeOutcomes.BestHour(c, population, priorStrength: 4)!.Value.HourOfWeek);
        Assert.Equal(20 / 24.0, SendTimeOutcomes.BestHour(c, population, priorStrength: 4)!.Value.Confidence, 9);
        Assert.Null(SendTimeOutcomes.BestHour(new SendHourCounts("d", new int[168], new int[168], new int[168])));
    }
}
