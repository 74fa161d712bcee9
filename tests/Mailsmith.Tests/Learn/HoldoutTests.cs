using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Learn;
using Mailsmith.Learn.Uplift;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Learn;

public sealed class HoldoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-holdout-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private static Campaign Campaign(IReadOnlyList<CampaignVariant> variants, long seed = 7) =>
        new("c1", "recommendations", "n", "all", "draft", variants, seed, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Assign_WithHoldout_ShareAndProbabilitiesMatchAndOtherVariantsUnchanged()
    {
        var plain = new VariantAssigner(Campaign([new("A", 1), new("B", 3)]));
        var held = new VariantAssigner(Campaign(VariantAssigner.WithHoldout([new("A", 1), new("B", 3)], 0.2)));
        Assert.Equal(0.2, held.HoldoutShare, 12);
        var ids = Enumerable.Range(0, 20_000).Select(i => $"cust{i}").ToList();
        var assigned = ids.Select(held.Assign).ToList();
        var share = assigned.Count(a => a.Variant == VariantAssigner.Holdout) / (double)ids.Count;
        Assert.InRange(share, 0.19, 0.21);
        Assert.All(assigned.Where(a => a.Variant == VariantAssigner.Holdout), a => Assert.Equal(0.2, a.Probability, 12));
        Assert.All(assigned.Where(a => a.Variant == "A"), a => Assert.Equal(0.8 * 0.25, a.Probability, 12));
        Assert.All(assigned.Where(a => a.Variant == "B"), a => Assert.Equal(0.8 * 0.75, a.Probability, 12));
        // Reserving a holdout never moves a treated recipient to another variant.
        for (var i = 0; i < ids.Count; i++)
        {
            if (assigned[i].Variant != VariantAssigner.Holdout)
            {
                Assert.Equal(plain.Assign(ids[i]).Variant, assigned[i].Variant);
            }
        }
    }

    [Fact]
    public void WithHoldout_BadShare_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => VariantAssigner.WithHoldout([new("A", 1)], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => VariantAssigner.WithHoldout([new("A", 1)], -0.1));
        Assert.Throws<InvalidOperationException>(() => new VariantAssigner(Campaign([new(VariantAssigner.Holdout, 1)])));
    }

    [Fact]
    public async Task ComposeAsync_HoldoutCampaign_HeldOutAreRecordedNotSentAndExportAsControl()
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = 300, Seed = 5 }).Generate(Path.Combine(_dir, "data"));
        var settings = MailsmithSettings.Load(null, Path.Combine(_dir, "m.db"), new Dictionary<string, string?>());
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        var runner = new CampaignRunner(store, settings);
        var campaign = runner.Create("recommendations", audience: "all", variants: VariantAssigner.WithHoldout([new("A", 1), new("B", 1)], 0.3), seed: 11);
        var outbox = new PickupFolderSender(Path.Combine(_dir, "outbox"));

        var result = await runner.ComposeAsync(campaign.CampaignId, PipelineContext.Prepare(store, settings), outbox);

        var sends = store.LoadSends(campaign.CampaignId);
        var held = sends.Where(s => s.Variant == VariantAssigner.Holdout).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, s =>
        {
            Assert.Equal(SendState.Suppressed, s.State);
            Assert.Equal(0.3, s.AssignmentProbability, 9);
            Assert.False(File.Exists(outbox.PathFor(new OutboxAddress(campaign.CampaignId, s.CustomerId))));
        });
        var eligible = held.Count(s => s.Reason == VariantAssigner.HoldoutReason);
        Assert.Equal(eligible, result.Suppressed.GetValueOrDefault(VariantAssigner.HoldoutReason));
        Assert.InRange(held.Count / (double)sends.Count, 0.2, 0.4);
        Assert.DoesNotContain(sends, s => s.Variant == VariantAssigner.Holdout && s.State == SendState.Sent);

        var (uplift, revenue, ids) = StoreUpliftData.Build(store, settings, campaign.CampaignId);
        Assert.Equal(eligible, uplift.Treatment.Count(t => !t));
        Assert.Equal(sends.Count(s => s.State == SendState.Sent), uplift.Treatment.Count(t => t));
        var csv = Path.Combine(_dir, "uplift.csv");
        await StoreUpliftData.WriteCsvAsync(csv, uplift, revenue, ids);
        var back = await UpliftDataset.ReadCsvAsync(csv, "group", "treatment", "holdout", "purchase", ["customer_id", "revenue"]);
        Assert.Equal(uplift.Count, back.Count);
        Assert.Equal(uplift.Treatment, back.Treatment);
        Assert.Equal(uplift.Outcome, back.Outcome);
    }
}
