using Mailsmith.Compose;
using Mailsmith.Learn;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

public sealed class PhraseArmReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-armreport-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void For_RecordedDrawsAndClicks_CountsPosteriorSharesAndIpwRate()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        var at = DateTimeOffset.UtcNow.AddHours(-2);
        var campaign = store.CreateCampaign("recommendations", "arms", "all", [new("A", 1)], 5, at);
        var sends = store.PlanSends(Enumerable.Range(0, 3).Select(i => new SendPlan(campaign.CampaignId, $"c{i}", "A", 1, $"k{i}", $"<{i}@s.example>", SendState.Planned, null, null)), at);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), at);
        // s1 twice: clicked when drawn with p 0.5, not clicked when drawn with p 0.25; s2 once, clicked; s3 never.
        PhraseSlotArms.RecordChoices(store,
        [
            new(sends[0].SendId, "subject", "s1", 0.5),
            new(sends[1].SendId, "subject", "s1", 0.25),
            new(sends[2].SendId, "subject", "s2", 0.8),
            new(sends[1].SendId, "greeting", "g1", 0.25),
        ]);
        using (var connection = store.OpenConnection())
        {
            foreach (var s in new[] { sends[0], sends[2] })
            {
                MailsmithStore.Execute(connection,
                    $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, type, occurred_at, is_machine) VALUES ({s.SendId}, '{campaign.CampaignId}', '{s.CustomerId}', 'click', {DbValues.ToDb(at.AddMinutes(5))}, 0)");
            }
            // A machine click counts for nothing.
            MailsmithStore.Execute(connection,
                $"INSERT INTO engagement_events (send_id, campaign_id, customer_id, type, occurred_at, is_machine) VALUES ({sends[1].SendId}, '{campaign.CampaignId}', 'c1', 'click', {DbValues.ToDb(at.AddMinutes(5))}, 1)");
        }
        PhraseSlotVariants[] slots =
        [
            new("subject", ["s1", "s2", "s3"], [1, 1, 2]),
            new("greeting", ["g1", "g2"], [1, 3]),
        ];

        var rows = PhraseArmReport.For(store, "recommendations", slots, new LearnOptions(), DateTimeOffset.UtcNow).ToDictionary(r => (r.Slot, r.VariantId));

        var s1 = rows[("subject", "s1")];
        Assert.Equal((2L, 1L), (s1.Trials, s1.Clicks));
        Assert.Equal(2.0 / 4.0, s1.PosteriorMean, 12);
        // Hájek: (1/0.5) / (1/0.5 + 1/0.25) = 2 / 6, not the raw 1 / 2.
        Assert.Equal(1.0 / 3.0, s1.IpwClickRate!.Value, 12);
        Assert.Equal(1.0, rows[("subject", "s2")].IpwClickRate!.Value, 12);
        var s3 = rows[("subject", "s3")];
        Assert.Equal((0L, 0L, 0.5), (s3.Trials, s3.Clicks, s3.PosteriorMean));
        Assert.Null(s3.IpwClickRate);
        Assert.Equal(1.0, slots[0].VariantIds.Sum(v => rows[("subject", v)].DrawShare), 9);
        Assert.All(slots[0].VariantIds, v => Assert.True(rows[("subject", v)].DrawShare > 0));
        Assert.True(rows[("subject", "s2")].DrawShare > rows[("subject", "s1")].DrawShare);
        // A slot without a response keeps the file's weights: shares 1/4 and 3/4.
        Assert.Equal(0.25, rows[("greeting", "g1")].DrawShare, 12);
        Assert.Equal(0.75, rows[("greeting", "g2")].DrawShare, 12);
        Assert.Equal(0.0, rows[("greeting", "g1")].IpwClickRate!.Value, 12);

        // Nothing of it is counted for another type, or as of before it was sent.
        Assert.All(PhraseArmReport.For(store, "winback", slots, new LearnOptions(), DateTimeOffset.UtcNow), r => Assert.Equal(0, r.Trials));
        Assert.All(PhraseArmReport.For(store, "recommendations", slots, new LearnOptions(), at.AddMinutes(-1)), r => Assert.Equal(0, r.Trials));
    }

    [Fact]
    public void SlotVariants_ShippedPhrases_ListEverySlotWithItsWeights()
    {
        var slots = Mailsmith.Tests.Compose.ComposeTestData.Default.SlotVariants("en-US", "recommendations");
        Assert.Contains(slots, s => s.Slot == "subject" && s.VariantIds.Count >= 2);
        Assert.Contains(slots, s => s.Slot == "greeting");
        Assert.All(slots, s => Assert.Equal(s.VariantIds.Count, s.FileWeights.Count));
        Assert.All(slots, s => Assert.Equal(s.VariantIds.Count, s.VariantIds.Distinct().Count()));
    }
}
