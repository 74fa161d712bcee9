using Mailsmith.Learn;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

public sealed class SendPathBanditTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-bandit-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private (MailsmithStore Store, Campaign Campaign, List<Send> Sends) Seed(int recipients, IReadOnlyList<CampaignVariant> variants, string db = "m.db")
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, db));
        var campaign = store.CreateCampaign("recommendations", "bandit", "all", variants, 42, DateTimeOffset.UtcNow);
        var assigner = new VariantAssigner(campaign);
        var plans = Enumerable.Range(0, recipients).Select(i =>
        {
            var customer = $"c{i:D6}";
            var (variant, p) = assigner.Assign(customer);
            var holdout = VariantAssigner.IsHoldout(variant);
            return new SendPlan(campaign.CampaignId, customer, variant, p, $"{campaign.CampaignId}:{customer}", $"<{i}@t.example>",
                holdout ? SendState.Suppressed : SendState.Planned, holdout ? VariantAssigner.HoldoutReason : null, null);
        });
        var sends = store.PlanSends(plans, DateTimeOffset.UtcNow).Where(s => s.State == SendState.Planned).OrderBy(s => s.SendId).ToList();
        return (store, campaign, sends);
    }

    /// <summary>Marks the batch sent and records a human click on every message <paramref name="clicks"/> picks.</summary>
    private static void Deliver(MailsmithStore store, IReadOnlyList<Send> batch, Func<Send, bool> clicks)
    {
        store.UpdateSendStates(batch.Select(s => new SendStateChange(s.SendId, SendState.Sent)), DateTimeOffset.UtcNow);
        using var connection = store.OpenConnection();
        using var transaction = connection.BeginTransaction();
        foreach (var s in batch.Where(clicks))
        {
            MailsmithStore.Execute(connection,
                $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, variant, type, occurred_at, is_machine) VALUES ({s.SendId}, '{s.CampaignId}', '{s.CustomerId}', '{s.Variant}', 'click', 1, 0)",
                transaction);
        }
        transaction.Commit();
    }

    [Fact]
    public void AssignBatch_ClearlyBetterVariant_GetsMoreTrafficThenStopsAndTakesEverything()
    {
        var (store, campaign, sends) = Seed(20_000, VariantAssigner.WithHoldout([new("A", 1), new("B", 1)], 0.1));
        SendPathBandit.Enable(store, campaign.CampaignId, new BanditSettings("click", false, 0.02), DateTimeOffset.UtcNow);
        var bandit = SendPathBandit.For(store, campaign, new LearnOptions(), _ => "")!;
        Assert.Equal(["A", "B"], bandit.Arms);
        var random = new Random(1);
        var rates = new Dictionary<string, double> { ["A"] = 0.02, ["B"] = 0.08 };
        var batches = new List<IReadOnlyList<Send>>();
        for (var start = 0; start < sends.Count; start += 1000)
        {
            var batch = bandit.AssignBatch(sends.GetRange(start, Math.Min(1000, sends.Count - start)), DateTimeOffset.UtcNow);
            batches.Add(batch);
            Deliver(store, batch, s => random.NextDouble() < rates[s.Variant]);
        }

        // The first batch had nothing to learn from: about even (P(best) by Monte Carlo), times the treated share 0.9.
        Assert.All(batches[0], s => Assert.InRange(s.AssignmentProbability, 0.9 * 0.4, 0.9 * 0.6));
        Assert.InRange(batches[0].Count(s => s.Variant == "B"), 400, 600);
        Assert.Equal("B", bandit.Winner);
        Assert.All(batches[^1], s => Assert.Equal(("B", 0.9), (s.Variant, Math.Round(s.AssignmentProbability, 9))));
        // What was stored is what the batches say, and every decision is logged with its counts.
        var stored = store.LoadSends(campaign.CampaignId).Where(s => s.State == SendState.Sent).ToDictionary(s => s.SendId);
        Assert.All(batches.SelectMany(b => b), s => Assert.Equal((s.Variant, s.AssignmentProbability), (stored[s.SendId].Variant, stored[s.SendId].AssignmentProbability)));
        var log = SendPathBandit.LoadBatches(store, campaign.CampaignId);
        Assert.Equal(batches.Count * 2, log.Count);
        Assert.Equal(sends.Count, log.Sum(b => b.Assigned));
        Assert.All(log.GroupBy(b => b.Batch), g => Assert.Equal(1.0, g.Sum(b => b.Probability), 9));
        // Held-out recipients were never touched.
        Assert.All(store.LoadSends(campaign.CampaignId).Where(s => s.Reason == VariantAssigner.HoldoutReason), s => Assert.Equal(VariantAssigner.Holdout, s.Variant));
    }

    [Fact]
    public void AssignBatch_SameData_SameAssignments_AndAttemptedMessagesKeepTheirVariant()
    {
        var (store, campaign, sends) = Seed(600, [new("A", 1), new("B", 1), new("C", 1)]);
        SendPathBandit.Enable(store, campaign.CampaignId, new BanditSettings("click", false, 0.01), DateTimeOffset.UtcNow);
        var first = SendPathBandit.For(store, campaign, new LearnOptions(), _ => "")!.AssignBatch(sends.Take(300).ToList(), DateTimeOffset.UtcNow);
        // A claimed message (state sending: it may be on the wire) is never re-drawn.
        store.UpdateSendStates([new SendStateChange(sends[300].SendId, SendState.Sending)], DateTimeOffset.UtcNow);
        var claimed = store.LoadSends(campaign.CampaignId).Single(s => s.SendId == sends[300].SendId);
        var second = SendPathBandit.For(store, campaign, new LearnOptions(), _ => "")!.AssignBatch([claimed], DateTimeOffset.UtcNow);
        Assert.Equal(claimed, second.Single());

        var (store2, campaign2, sends2) = Seed(600, [new("A", 1), new("B", 1), new("C", 1)], "other.db");
        Assert.Equal(campaign.Seed, campaign2.Seed);
        SendPathBandit.Enable(store2, campaign2.CampaignId, new BanditSettings("click", false, 0.01), DateTimeOffset.UtcNow);
        var again = SendPathBandit.For(store2, campaign2, new LearnOptions(), _ => "")!.AssignBatch(sends2.Take(300).ToList(), DateTimeOffset.UtcNow);
        Assert.Equal(first.Select(s => (s.CustomerId, s.Variant)), again.Select(s => (s.CustomerId, s.Variant)));
    }

    [Fact]
    public void Enable_OneVariantOrBadMetric_Throws()
    {
        var (store, campaign, _) = Seed(10, VariantAssigner.WithHoldout([new("A", 1)], 0.5));
        Assert.Throws<ArgumentException>(() => SendPathBandit.Enable(store, campaign.CampaignId, new BanditSettings("click", false, 0.01), DateTimeOffset.UtcNow));
        Assert.Throws<ArgumentException>(() => SendPathBandit.Enable(store, campaign.CampaignId, new BanditSettings("opens", false, 0.01), DateTimeOffset.UtcNow));
        Assert.Null(SendPathBandit.For(store, campaign, new LearnOptions(), _ => ""));
    }
}

public sealed class PhraseSlotArmsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-slots-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void Weights_SubjectVariantThatGetsClicked_WeighsMostAndNewVariantKeepsThePrior()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        var campaign = store.CreateCampaign("recommendations", "slots", "all", [new("A", 1)], 5, DateTimeOffset.UtcNow);
        var sends = store.PlanSends(Enumerable.Range(0, 3000).Select(i => new SendPlan(campaign.CampaignId, $"c{i}", "A", 1, $"k{i}", $"<{i}@s.example>", SendState.Planned, null, null)), DateTimeOffset.UtcNow);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), DateTimeOffset.UtcNow);
        var random = new Random(3);
        var choices = sends.Select((s, i) => new PhraseChoiceRecord(s.SendId, "subject", i % 2 == 0 ? "s1" : "s2", 0.5)).ToList();
        PhraseSlotArms.RecordChoices(store, choices);
        using (var connection = store.OpenConnection())
        {
            foreach (var c in choices.Where(c => random.NextDouble() < (c.VariantId == "s2" ? 0.10 : 0.02)))
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, type, occurred_at, is_machine) VALUES ({c.SendId}, '{campaign.CampaignId}', 'x', 'click', 1, 0)";
                insert.ExecuteNonQuery();
            }
        }
        var arms = PhraseSlotArms.Load(store, campaign, new LearnOptions());
        Assert.Equal(1500, arms.Counts[("subject", "s1")].Trials);
        string[] ids = ["s1", "s2"];
        var w = arms.Weights("subject", ids);
        Assert.True(w[1] > 10 * w[0], $"weights {w[0]} {w[1]}");
        Assert.All(w, x => Assert.True(x > 0));
        // A slot with no data keeps the phrase file's own weights exactly.
        Assert.All(arms.Weights("opening", ["o1", "o2", "o3"]), x => Assert.Equal(1.0, x));
        // Cached per variant-id array (the writer passes the same one per slot); a new list gets equal weights.
        Assert.Same(w, arms.Weights("subject", ids));
        Assert.Equal(w, arms.Weights("subject", ["s1", "s2"]));
    }

    [Fact]
    public void Weights_CachedSlot_AllocatesNothing()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        var campaign = store.CreateCampaign("recommendations", "slots", "all", [new("A", 1)], 5, DateTimeOffset.UtcNow);
        var sends = store.PlanSends(Enumerable.Range(0, 20).Select(i => new SendPlan(campaign.CampaignId, $"c{i}", "A", 1, $"k{i}", $"<{i}@s.example>", SendState.Planned, null, null)), DateTimeOffset.UtcNow);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), DateTimeOffset.UtcNow);
        PhraseSlotArms.RecordChoices(store, sends.Select((s, i) => new PhraseChoiceRecord(s.SendId, "subject", i % 2 == 0 ? "s1" : "s2", 0.5)));
        var arms = PhraseSlotArms.Load(store, campaign, new LearnOptions());
        string[] ids = ["s1", "s2"];
        string[] other = ["o1", "o2"];
        for (var i = 0; i < 100; i++)
        {
            arms.Weights("subject", ids);
            arms.Weights("opening", other);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0.0;
        for (var i = 0; i < 1000; i++)
        {
            sum += arms.Weights("subject", ids)[0] + arms.Weights("opening", other)[1];
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(sum > 0);
        Assert.Equal(0, allocated);
    }
}
