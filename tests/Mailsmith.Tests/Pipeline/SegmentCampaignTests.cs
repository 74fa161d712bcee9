using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Pipeline;

/// <summary>Campaigns that target a saved segment, on a generated store.</summary>
public sealed class SegmentCampaignTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-segcampaign-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private (MailsmithStore Store, MailsmithSettings Settings) NewStore()
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = 200, Seed = 11 }).Generate(Path.Combine(_dir, "data"));
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        return (store, settings);
    }

    [Fact]
    public async Task ComposeAsync_SegmentAudience_AddressesOnlyMembers_WithConsentRulesOnTop()
    {
        var (store, settings) = NewStore();
        var context = PipelineContext.Prepare(store, settings);
        var population = SegmentPopulation.From(context.Snapshot, context.Profiles, context.AsOf);
        new SegmentCatalog(store).Create("engaged", "frequency >= 2 and recency_days < 120", null, population.Context);
        // Membership computed independently of the language, from the profiles themselves.
        var members = context.Profiles.Values.Where(p => p.Frequency >= 2 && p.RecencyDays < 120).Select(p => p.CustomerId).ToHashSet();
        Assert.InRange(members.Count, 10, context.Profiles.Count - 10);
        // One member withdraws consent: still in the segment, but never mailed.
        var withdrawn = store.LoadCustomers().First(c => members.Contains(c.CustomerId) && c.Consent);
        store.MarkUnsubscribed(withdrawn.CustomerId, context.AsOf);
        context = PipelineContext.Prepare(store, settings, context.AsOf);

        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", "engaged picks", Audience.WithSegment(null, "engaged"), seed: 3);
        Assert.Equal("segment=engaged", store.GetCampaign(campaign.CampaignId)!.Audience);
        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));
        var result = await runner.ComposeAsync(campaign.CampaignId, context, outbox);

        var sends = store.LoadSends(campaign.CampaignId);
        Assert.Equal(members.Order(StringComparer.Ordinal), sends.Select(s => s.CustomerId).Order(StringComparer.Ordinal));
        Assert.Equal(members.Count, result.Audience);
        var customers = store.LoadCustomers().ToDictionary(c => c.CustomerId);
        foreach (var send in sends)
        {
            var reason = CampaignRunner.IneligibleReason(customers[send.CustomerId], context.Snapshot);
            var written = File.Exists(outbox.PathFor(new OutboxAddress(campaign.CampaignId, send.CustomerId)));
            if (reason is null)
            {
                Assert.True((send.State == SendState.Sent && written) || (send.Reason == "not_enough_products" && !written), $"{send.CustomerId}: {send.State} {send.Reason}");
            }
            else
            {
                Assert.Equal(SendState.Suppressed, send.State);
                Assert.Equal(reason, send.Reason);
                Assert.False(written);
            }
        }
        Assert.Equal("unsubscribed", sends.Single(s => s.CustomerId == withdrawn.CustomerId).Reason);
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_dir, "outbox", campaign.CampaignId), "*.eml").Select(Path.GetFileNameWithoutExtension), id => !members.Contains(id!));
        Assert.True(result.Composed > 0);
    }

    [Fact]
    public void Create_UnknownSegment_IsNotFound_AndNothingIsStored()
    {
        var (store, settings) = NewStore();
        var runner = new CampaignRunner(store, settings);
        Assert.Throws<KeyNotFoundException>(() => runner.Create("recommendations", audience: "segment=nope"));
        Assert.Empty(store.ListCampaigns());
    }

    [Fact]
    public void Segment_ReEvaluatesAsTheDataChanges()
    {
        var (store, settings) = NewStore();
        var population = SegmentPopulation.Load(store, settings.Profile);
        var segment = new SegmentCatalog(store).Create("mailable", "consent and not unsubscribed", null, population.Context);
        var before = population.Count(population.Compile(segment));
        var someone = store.LoadCustomers().First(c => c.Consent && c.UnsubscribedAt is null);
        store.MarkUnsubscribed(someone.CustomerId, DateTimeOffset.UtcNow);

        // The stored segment is unchanged; evaluated again, it sees the unsubscribe.
        var now = SegmentPopulation.Load(store, settings.Profile);
        Assert.Equal(before - 1, now.Count(now.Compile(store.GetSegment("mailable")!)));
        Assert.DoesNotContain(now.Members(now.Compile(segment)), r => r.Customer.CustomerId == someone.CustomerId);
    }

    [Fact]
    public void Load_ReadsStoredProfiles_AndRecomputesOnlyWhenNoneOrStale()
    {
        var (store, settings) = NewStore();
        // Nothing stored yet: the stage runs and stores its run, so the next command can read it.
        var first = SegmentPopulation.Load(store, settings.Profile);
        Assert.False(first.ProfilesFromStore);
        Assert.NotNull(store.LoadLatestProfileRun());
        Assert.Equal(0, first.Count(first.Compile("clv_365 = 123456")));

        // Mark one stored row: a population that reads the store sees the mark, one that recomputed would not.
        var marked = first.Rows[0].Customer.CustomerId;
        using (var connection = store.OpenConnection())
        using (var update = connection.CreateCommand())
        {
            update.CommandText = "UPDATE profiles SET clv_365 = 123456 WHERE customer_id = $id";
            update.Parameters.AddWithValue("$id", marked);
            Assert.Equal(1, update.ExecuteNonQuery());
        }
        var stored = SegmentPopulation.Load(store, settings.Profile, first.Context.AsOf);
        Assert.True(stored.ProfilesFromStore);
        Assert.Equal(first.Rows.Count, stored.Rows.Count);
        Assert.Equal(marked, Assert.Single(stored.Members(stored.Compile("clv_365 = 123456"))).Customer.CustomerId);

        // New data makes the stored run stale: recomputed (the mark is gone) and stored again.
        using (var connection = store.OpenConnection())
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO events (customer_id, type, occurred_at, query) SELECT customer_id, 'search', $at, 'a search no one made' FROM customers LIMIT 1";
            insert.Parameters.AddWithValue("$at", DbValues.ToDb(first.Context.AsOf));
            Assert.Equal(1, insert.ExecuteNonQuery());
        }
        var stale = SegmentPopulation.Load(store, settings.Profile, first.Context.AsOf);
        Assert.False(stale.ProfilesFromStore);
        Assert.Equal(0, stale.Count(stale.Compile("clv_365 = 123456")));
        Assert.True(SegmentPopulation.Load(store, settings.Profile, first.Context.AsOf).ProfilesFromStore);
    }
}
