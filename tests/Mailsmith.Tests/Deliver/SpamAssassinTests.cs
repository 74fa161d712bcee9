using System.Globalization;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Xunit.Abstractions;

namespace Mailsmith.Tests.Deliver;

/// <summary>
/// Generated email scored by the real SpamAssassin (spamd -L / spamc, installed by scripts/install-test-deps.sh):
/// a stratified sample through the whole pipeline, MIME as written to the outbox.
/// </summary>
public sealed class SpamAssassinTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StratifiedSample_EveryTypeBothLocalesEveryLifecycle_AverageBelowTwoNoneAboveFour()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(Path.GetTempPath(), "unused-" + Guid.NewGuid().ToString("N") + ".db"), new Dictionary<string, string?>());
        var result = await SpamBenchmark.RunAsync(
            new SpamBenchmarkOptions { Customers = 400, Seed = 42, Locales = ["en-US", "zh-CN"], EveryLifecycle = false }, settings, output.WriteLine);

        output.WriteLine(SpamBenchmark.Markdown(result, "test"));
        Assert.True(result.Emails.Count >= 24, $"{result.Emails.Count} emails sampled");
        Assert.Equal(CampaignTypes.All.Order(StringComparer.Ordinal), result.Emails.Select(e => e.CampaignType).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["en-US", "zh-CN"], result.Emails.Select(e => e.Locale).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(Lifecycle.All.Order(StringComparer.Ordinal), result.Emails.Select(e => e.Lifecycle).Distinct().Order(StringComparer.Ordinal));
        // Every message was really scored: SpamAssassin always reports at least its informational rules.
        Assert.All(result.Emails, e => Assert.NotEmpty(e.Rules));
        Assert.True(result.Average < 2.0, $"average {result.Average.ToString("0.00", CultureInfo.InvariantCulture)}");
        Assert.True(result.Max <= 4.0, "above 4.0: " + string.Join("; ", result.Emails.Where(e => e.Score > 4.0).Select(e => $"{e.CampaignType} {e.Locale} {e.CustomerId} {e.Score}")));
    }

    [Fact]
    public async Task Score_ShoutingMoneySpam_ScoresFarAboveOurEmails()
    {
        // The scorer can fail: a classic spam message must score high, or the sample's low scores mean nothing.
        const string spam = "From: \"WINNER\" <winner@lottery.example>\r\nTo: you@example.com\r\nSubject: YOU HAVE WON $1,000,000 CASH!!! ACT NOW\r\n"
            + "Date: Mon, 1 Dec 2025 10:00:00 +0000\r\nMessage-ID: <abc@lottery.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n"
            + "<html><body><font size=7 color=red>CONGRATULATIONS!!! YOU HAVE BEEN SELECTED</font> to receive $1,000,000 CASH. 100% FREE, "
            + "NO OBLIGATION, RISK FREE. Click here to claim your prize now! Send your bank account details and password today. "
            + "Earn money fast, lose weight, cheap viagra, act now, limited time only!!!</body></html>\r\n";
        await using var spamd = await SpamAssassin.StartAsync(1);

        var verdict = await spamd.ScoreAsync(System.Text.Encoding.ASCII.GetBytes(spam));

        Assert.True(verdict.Score > 4.0, $"score {verdict.Score}: {string.Join(", ", verdict.Rules.Select(r => r.Name))}");
        Assert.Equal(5.0, verdict.Threshold);
    }

    [Fact]
    public void Parse_SpamcReport_ReadsScoreAndRules()
    {
        const string report = """
            1.0/5.0
            Spam detection software, running on the system "vm",
            has NOT identified this incoming email as spam.

            Content analysis details:   (1.0 points, 5.0 required)

             pts rule name              description
            ---- ---------------------- --------------------------------------------------
            -0.0 NO_RECEIVED            Informational: message has no Received headers
             0.0 HTML_MESSAGE           BODY: HTML included in message
             1.0 FONT_INVIS_MSGID       Invisible text + suspicious message ID
            """;

        var verdict = SpamAssassin.Parse(report);

        Assert.Equal(1.0, verdict.Score);
        Assert.Equal(["NO_RECEIVED", "HTML_MESSAGE", "FONT_INVIS_MSGID"], verdict.Rules.Select(r => r.Name));
        Assert.Equal(1.0, verdict.Rules[2].Points);
        Assert.Equal("Invisible text + suspicious message ID", verdict.Rules[2].Description);
        Assert.Throws<InvalidOperationException>(() => SpamAssassin.Parse("spamd is down"));
    }
}
