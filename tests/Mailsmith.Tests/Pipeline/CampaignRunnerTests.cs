using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Pipeline;

public sealed class CampaignRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-runner-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private (MailsmithStore Store, MailsmithSettings Settings) NewStore()
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = 120, Seed = 3 }).Generate(Path.Combine(_dir, "data"));
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        return (store, settings);
    }

    [Fact]
    public async Task ComposeAsync_PlannedEarlierThenUnsubscribed_IsSuppressedNotSent()
    {
        var (store, settings) = NewStore();
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 1);
        var customer = store.LoadCustomers().First(c => c.Consent && c.UnsubscribedAt is null);
        // An earlier run planned this customer's message but crashed before sending it.
        store.PlanSends([new SendPlan(campaign.CampaignId, customer.CustomerId, "A", 1, $"{campaign.CampaignId}:{customer.CustomerId}", "<m1@shop.example>", SendState.Planned, null, null)], DateTimeOffset.UtcNow);
        store.MarkUnsubscribed(customer.CustomerId, DateTimeOffset.UtcNow);

        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));
        var result = await runner.ComposeAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), outbox);

        var send = store.LoadSends(campaign.CampaignId).Single(s => s.CustomerId == customer.CustomerId);
        Assert.Equal(SendState.Suppressed, send.State);
        Assert.Equal("unsubscribed", send.Reason);
        Assert.False(File.Exists(outbox.PathFor(new OutboxAddress(campaign.CampaignId, customer.CustomerId))));
        Assert.True(result.Composed > 50);
    }

    [Fact]
    public async Task ComposeAsync_Twice_SendsEachMessageOnceWithItsFirstMessageId()
    {
        var (store, settings) = NewStore();
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", seed: 1);
        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));
        var context = PipelineContext.Prepare(store, settings);
        var first = await runner.ComposeAsync(campaign.CampaignId, context, outbox);
        var ids = store.LoadSends(campaign.CampaignId).ToDictionary(s => s.CustomerId, s => s.MessageId);
        var second = await runner.ComposeAsync(campaign.CampaignId, context, outbox);
        Assert.True(first.Composed > 50);
        Assert.Equal(0, second.Composed);
        Assert.Equal(first.Composed, second.AlreadySent);
        Assert.Equal(ids, store.LoadSends(campaign.CampaignId).ToDictionary(s => s.CustomerId, s => s.MessageId));
    }

    [Fact]
    public async Task ComposeAsync_SameSeed_RendersTheSameEmail()
    {
        var (store, settings) = NewStore();
        var runner = new CampaignRunner(store, settings) { SamplesPerLocale = 2 };
        var context = PipelineContext.Prepare(store, settings);
        var a = await runner.ComposeAsync(runner.Create("winback", seed: 9).CampaignId, context, new PickupFolderSender(Path.Combine(_dir, "a")));
        var b = await runner.ComposeAsync(runner.Create("winback", seed: 9).CampaignId, context, new PickupFolderSender(Path.Combine(_dir, "b")));
        Assert.NotEmpty(a.Samples);
        // Everything but the signed links (they name the campaign and the send) is the same.
        static string Words(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"https://mail\.shop\.example/\S+", "<link>");
        Assert.Equal(a.Samples.Select(s => (s.Customer.CustomerId, s.Email.Subject, Words(s.Email.Text))),
            b.Samples.Select(s => (s.Customer.CustomerId, s.Email.Subject, Words(s.Email.Text))));
    }
}
