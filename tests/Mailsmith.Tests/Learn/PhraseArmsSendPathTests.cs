using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

/// <summary>Phrase slots as arms through the real runner and store: compose → choices stored → clicks → next campaign draws shift.</summary>
public sealed class PhraseArmsSendPathTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-phrasearms-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Choice(long SendId, string Slot, string Variant, double? Probability);

    private static List<Choice> Choices(MailsmithStore store, string campaignId)
    {
        using var connection = store.OpenConnection();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT c.send_id, c.slot, c.variant_id, c.probability FROM phrase_choices c JOIN sends s ON s.send_id = c.send_id WHERE s.campaign_id = $id AND s.state = 'sent'";
        select.Parameters.AddWithValue("$id", campaignId);
        using var reader = select.ExecuteReader();
        var rows = new List<Choice>();
        while (reader.Read())
        {
            rows.Add(new Choice(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetDouble(3)));
        }
        return rows;
    }

    private (MailsmithStore Store, MailsmithSettings Settings, Clock Clock, CampaignRunner Runner) NewStore()
    {
        var (store, settings) = Mailsmith.Tests.Deliver.DeliveryStore.Create(_dir, customers: 300, seed: 5);
        var clock = new Clock(DateTimeOffset.UtcNow);
        return (store, settings, clock, new CampaignRunner(store, settings, clock));
    }

    /// <summary>Checks the first campaign's stored draws and has people click every message that used one wording of one slot, and no other.</summary>
    private static (string Slot, string Target, double ShareBefore, double ProbabilityBefore) ClickOneWording(MailsmithStore store, Campaign first, Clock clock)
    {
        // Every delivered message recorded its draw per slot, with a probability where the draw was kept.
        var sent = store.LoadSends(first.CampaignId).Where(s => s.State == SendState.Sent).ToList();
        Assert.True(sent.Count > 100, $"{sent.Count} sent");
        var before = Choices(store, first.CampaignId);
        Assert.Equal(sent.Select(s => s.SendId).ToHashSet(), before.Select(c => c.SendId).ToHashSet());
        Assert.All(before.Where(c => c.Probability is not null), c => Assert.InRange(c.Probability!.Value, 1e-9, 1.0));
        Assert.True(before.Count(c => c.Probability is not null) > before.Count / 2, "most draws keep their probability");

        // The slot with the most variants in use, and in it a variant that was drawn but not most often.
        var slot = before.Where(c => c.Probability is not null).GroupBy(c => c.Slot)
            .OrderByDescending(g => g.Select(c => c.Variant).Distinct().Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        Assert.True(slot.Select(c => c.Variant).Distinct().Count() >= 3, $"slot {slot.Key} has too few variants");
        var target = slot.GroupBy(c => c.Variant).Where(g => g.Count() >= 5).OrderBy(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var shareBefore = slot.Count(c => c.Variant == target) / (double)slot.Count();
        var probabilityBefore = slot.Where(c => c.Variant == target).Average(c => c.Probability!.Value);

        clock.Now = clock.Now.AddHours(1);
        var bySend = sent.ToDictionary(s => s.SendId);
        using (var connection = store.OpenConnection())
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var c in slot.Where(c => c.Variant == target))
            {
                var s = bySend[c.SendId];
                MailsmithStore.Execute(connection,
                    $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, is_machine) VALUES ({s.SendId}, '{s.CampaignId}', '{s.CustomerId}', '{s.Variant}', 'click', {DbValues.ToDb(clock.Now)}, 0)",
                    transaction);
            }
            transaction.Commit();
        }
        clock.Now = clock.Now.AddHours(1);
        return (slot.Key, target, shareBefore, probabilityBefore);
    }

    private static void AssertDrawnMore(MailsmithStore store, Campaign second, (string Slot, string Target, double ShareBefore, double ProbabilityBefore) clicked)
    {
        var after = Choices(store, second.CampaignId).Where(c => c.Slot == clicked.Slot && c.Probability is not null).ToList();
        var shareAfter = after.Count(c => c.Variant == clicked.Target) / (double)after.Count;
        var probabilityAfter = after.Where(c => c.Variant == clicked.Target).Average(c => c.Probability!.Value);
        Assert.True(shareAfter > clicked.ShareBefore + 0.3, $"share of {clicked.Target} in {clicked.Slot}: {clicked.ShareBefore:F3} → {shareAfter:F3}");
        Assert.True(probabilityAfter > 2 * clicked.ProbabilityBefore, $"mean draw probability of {clicked.Target}: {clicked.ProbabilityBefore:F3} → {probabilityAfter:F3}");
    }

    [Fact]
    public async Task ComposeAsync_ClickedPhraseVariant_IsRecordedAndDrawnMoreInTheNextCampaign()
    {
        var (store, settings, clock, runner) = NewStore();
        var first = runner.Create("recommendations", audience: "all", variants: [new("A", 1)], seed: 11);
        await runner.ComposeAsync(first.CampaignId, PipelineContext.Prepare(store, settings, time: clock), new PickupFolderSender(Path.Combine(_dir, "out1")));
        var clicked = ClickOneWording(store, first, clock);

        // The arms of the next campaign of the type see those clicks; the draw leans to the clicked variant.
        var second = runner.Create("recommendations", audience: "all", variants: [new("A", 1)], seed: 12);
        var arms = Mailsmith.Learn.PhraseSlotArms.LoadPrior(store, second, settings.Learn);
        Assert.True(arms.Counts[(clicked.Slot, clicked.Target)].Successes > 0);
        await runner.ComposeAsync(second.CampaignId, PipelineContext.Prepare(store, settings, time: clock), new PickupFolderSender(Path.Combine(_dir, "out2")));
        AssertDrawnMore(store, second, clicked);

        // A campaign whose type has no history keeps the phrase files' weights exactly.
        var fresh = Mailsmith.Learn.PhraseSlotArms.LoadPrior(store, runner.Create("winback", audience: "all", variants: [new("A", 1)], seed: 13), settings.Learn);
        Assert.Empty(fresh.Counts);
        Assert.All(fresh.Weights(clicked.Slot, Choices(store, first.CampaignId).Where(c => c.Slot == clicked.Slot).Select(c => c.Variant).Distinct().ToList()), w => Assert.Equal(1.0, w));
    }

    [Fact]
    public async Task SendAsync_ClickedPhraseVariant_IsRecordedAndDrawnMoreInTheNextCampaign()
    {
        var (store, settings, clock, runner) = NewStore();
        var first = runner.Create("recommendations", audience: "all", variants: [new("A", 1)], seed: 11);
        var run = new SendRunOptions { IgnoreSchedule = true };
        var a = await runner.SendAsync(first.CampaignId, PipelineContext.Prepare(store, settings, time: clock), new PickupFolderSender(Path.Combine(_dir, "out1")), run);
        Assert.Equal(0, a.Open);
        var clicked = ClickOneWording(store, first, clock);

        var second = runner.Create("recommendations", audience: "all", variants: [new("A", 1)], seed: 12);
        await runner.SendAsync(second.CampaignId, PipelineContext.Prepare(store, settings, time: clock), new PickupFolderSender(Path.Combine(_dir, "out2")), run);
        AssertDrawnMore(store, second, clicked);
    }
}
