using Mailsmith.Learn;
using Mailsmith.Learn.Report;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

public sealed class ExperimentReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Write_FromStoredSendsAndClicks_ReportsEachVariant()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "m.db"));
        var now = DateTimeOffset.Parse("2026-11-01T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var campaign = store.CreateCampaign("recommendations", "test", "default", [new CampaignVariant("A", 1), new CampaignVariant("B", 1)], 9, now);
        var assigner = new VariantAssigner(campaign);
        var plans = Enumerable.Range(0, 4000).Select(i =>
        {
            var (variant, p) = assigner.Assign($"C{i}");
            return new SendPlan(campaign.CampaignId, $"C{i}", variant, p, $"{campaign.CampaignId}:C{i}", $"<{i}@x>", SendState.Planned, null, null);
        }).ToList();
        var sends = store.PlanSends(plans, now);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), now.AddMinutes(5));
        var random = new Random(1);
        foreach (var s in sends)
        {
            // B clicks at 6%, A at 2%; some machine opens that must not count as people.
            if (random.NextDouble() < (s.Variant == "B" ? 0.06 : 0.02))
            {
                store.RecordEngagement(new EngagementEvent(s.SendId, s.CampaignId, s.CustomerId, s.Variant, "click", now.AddHours(1)));
            }
            if (random.NextDouble() < 0.05)
            {
                store.RecordEngagement(new EngagementEvent(s.SendId, s.CampaignId, s.CustomerId, s.Variant, "open", now.AddHours(1), IsMachine: true));
            }
        }
        var result = await new ExperimentReport(store).WriteAsync(campaign.CampaignId, Path.Combine(_dir, "report"));
        var b = result.Variants.Single(v => v.Variant == "B");
        Assert.Equal(sends.Count(s => s.Variant == "B"), b.Sent);
        Assert.Equal(0, b.HumanOpeners);
        Assert.True(b.ProbabilityBest > 0.99);
        Assert.True(result.Verdict.WinnerDeclared);
        Assert.Equal("B", result.Verdict.Winner);
        var html = await File.ReadAllTextAsync(result.HtmlPath);
        Assert.Contains("allocation.png", html, StringComparison.Ordinal);
        Assert.Contains("P(best)", html, StringComparison.Ordinal);
        foreach (var image in result.Images)
        {
            var bytes = await File.ReadAllBytesAsync(image);
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', image);
        }
    }

    [Fact]
    public async Task Write_NothingSent_Throws()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "e.db"));
        var campaign = store.CreateCampaign("recommendations", "x", "default", [new CampaignVariant("A", 1)], 1, DateTimeOffset.UnixEpoch);
        await Assert.ThrowsAsync<InvalidOperationException>(() => new ExperimentReport(store).WriteAsync(campaign.CampaignId, _dir));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => new ExperimentReport(store).WriteAsync("cmp-9999", _dir));
    }
}
