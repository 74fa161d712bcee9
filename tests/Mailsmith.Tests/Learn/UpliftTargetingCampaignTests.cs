using Mailsmith.Deliver;
using Mailsmith.Learn;
using Mailsmith.Learn.Uplift;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

/// <summary>A campaign addressed by uplift: learned from an earlier holdout experiment, it sends only to the persuadables, within the budget.</summary>
public sealed class UpliftTargetingCampaignTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-uplift-target-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private (MailsmithStore Store, MailsmithSettings Settings, CampaignRunner Runner) Open()
    {
        var (store, settings) = Mailsmith.Tests.Deliver.DeliveryStore.Create(_dir, customers: 1200, seed: 8);
        return (store, settings, new CampaignRunner(store, settings));
    }

    [Fact]
    public async Task Compose_UpliftTargetedCampaign_SendsOnlyThePersuadableWithinTheBudget()
    {
        var (store, settings, runner) = Open();
        var experiment = runner.Create("recommendations", audience: "all", variants: VariantAssigner.WithHoldout([new("A", 1)], 0.5), seed: 3);
        await runner.ComposeAsync(experiment.CampaignId, PipelineContext.Prepare(store, settings), new PickupFolderSender(Path.Combine(_dir, "out1")));
        var sends = store.LoadSends(experiment.CampaignId);
        var locale = store.LoadCustomers().ToDictionary(c => c.CustomerId, c => c.Locale, StringComparer.Ordinal);

        // Ground truth: the email moves Chinese-speaking customers (50% buy when emailed, 5% when not); English
        // speakers buy at 15% either way. Every other customer is a deterministic draw from its id.
        using (var connection = store.OpenConnection())
        {
            var n = 0;
            foreach (var s in sends.Where(s => s.State == SendState.Sent || s.Reason == VariantAssigner.HoldoutReason))
            {
                var treated = s.State == SendState.Sent;
                var rate = locale[s.CustomerId].StartsWith("zh", StringComparison.Ordinal) ? (treated ? 0.5 : 0.05) : 0.15;
                if (Draw(s.CustomerId) < rate)
                {
                    using var order = connection.CreateCommand();
                    order.CommandText = $"INSERT INTO orders (order_id, customer_id, ordered_at, total, currency) VALUES ('U{n++}', '{s.CustomerId}', {s.PlannedAt.AddDays(1).ToUnixTimeMilliseconds()}, '30', 'USD')";
                    order.ExecuteNonQuery();
                }
            }
        }

        const int budget = 60;
        var targeted = runner.Create("recommendations", audience: "all", seed: 9, uplift: new UpliftTarget(experiment.CampaignId, budget));
        Assert.Equal(new UpliftTarget(experiment.CampaignId, budget), CampaignUpliftTargeting.Load(store, targeted.CampaignId));
        var result = await runner.ComposeAsync(targeted.CampaignId, PipelineContext.Prepare(store, settings), new PickupFolderSender(Path.Combine(_dir, "out2")));

        var planned = store.LoadSends(targeted.CampaignId);
        var sent = planned.Where(s => s.State == SendState.Sent).ToList();
        Assert.InRange(sent.Count, budget - 5, budget); // a few may fail the copy checks, never more than the budget
        Assert.All(sent, s => Assert.StartsWith("zh", locale[s.CustomerId], StringComparison.Ordinal));
        // Everybody else is recorded with the reason, not dropped: more persuadables than the budget, and the English
        // speakers, whom the email does not move, as lost causes or beyond the budget.
        var reasons = planned.Where(s => s.State == SendState.Suppressed).GroupBy(s => s.Reason).ToDictionary(g => g.Key!, g => g.Count());
        Assert.True(reasons.GetValueOrDefault(CampaignUpliftTargeting.OverBudget) > 0, string.Join(", ", reasons));
        Assert.True(reasons.GetValueOrDefault(CampaignUpliftTargeting.LostCause) + reasons.GetValueOrDefault(CampaignUpliftTargeting.DoNotDisturb) > 0, string.Join(", ", reasons));
        Assert.Equal(reasons.GetValueOrDefault(CampaignUpliftTargeting.OverBudget), result.Suppressed.GetValueOrDefault(CampaignUpliftTargeting.OverBudget));
        var english = planned.Where(s => !locale[s.CustomerId].StartsWith("zh", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(english);
        Assert.All(english, s => Assert.NotEqual(SendState.Sent, s.State));

        // Composing again plans nobody new: the budget holds across runs.
        await runner.ComposeAsync(targeted.CampaignId, PipelineContext.Prepare(store, settings), new PickupFolderSender(Path.Combine(_dir, "out3")));
        Assert.Equal(sent.Count, store.LoadSends(targeted.CampaignId).Count(s => s.State == SendState.Sent));
    }

    [Fact]
    public async Task Create_UpliftFromACampaignWithoutHoldout_FailsAndCreatesNothing()
    {
        var (store, settings, runner) = Open();
        var plain = runner.Create("recommendations", audience: "all", seed: 3);
        await runner.ComposeAsync(plain.CampaignId, PipelineContext.Prepare(store, settings), new PickupFolderSender(Path.Combine(_dir, "out")));
        var before = store.ListCampaigns().Count;

        var e = Assert.Throws<InvalidOperationException>(() => runner.Create("recommendations", uplift: new UpliftTarget(plain.CampaignId, 10)));
        Assert.Contains("--holdout", e.Message);
        Assert.Throws<KeyNotFoundException>(() => runner.Create("recommendations", uplift: new UpliftTarget("cmp-9999", 10)));
        Assert.Throws<ArgumentException>(() => runner.Create("recommendations", uplift: new UpliftTarget(plain.CampaignId, -1)));
        Assert.Equal(before, store.ListCampaigns().Count);
    }

    // A uniform number in [0, 1) from the id, the same on every run.
    private static double Draw(string id) =>
        (System.IO.Hashing.XxHash64.HashToUInt64(System.Text.Encoding.UTF8.GetBytes(id)) >> 11) / (double)(1UL << 53);
}
