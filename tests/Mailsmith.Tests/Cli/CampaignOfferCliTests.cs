using System.Text.Json;
using System.Text.RegularExpressions;
using Mailsmith.Cli;
using MimeKit;

namespace Mailsmith.Tests.Cli;

/// <summary><c>campaign create --offer-*</c>: the offer is stored with the campaign, stated in its emails, and checked first.</summary>
[Collection("Console")]
public sealed partial class CampaignOfferCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-offercli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private Task<(int Code, string Output, string Errors)> Run(params string[] args) =>
        Mailsmith.Tests.Profile.Clv.ClvCliTests.RunAsync([.. args, "--db", Path.Combine(_dir, "mailsmith.db")]);

    private async Task Ok(params string[] args)
    {
        var (code, output, errors) = await Run(args);
        Assert.True(code == ExitCode.Success, $"{args[0]} exited {code}: {errors}{output}");
    }

    [GeneratedRegex(@"\d+(?:\.\d+)?\s?%")]
    private static partial Regex Percentage();

    [Fact]
    public async Task Create_WithOffer_EveryEmailStatesTheCodeAndNoOtherPercentage_WithoutOfferNone()
    {
        var data = Path.Combine(_dir, "data");
        await Ok("generate", "--out", data, "--customers", "250", "--seed", "5");
        await Ok("import",
            "--customers", Path.Combine(data, "customers.csv"), "--products", Path.Combine(data, "products.csv"),
            "--orders", Path.Combine(data, "orders.csv"), "--order-lines", Path.Combine(data, "order_lines.csv"),
            "--events", Path.Combine(data, "events.csv"), "--reviews", Path.Combine(data, "reviews.csv"));
        await Ok("profile", "--json");

        var created = await Run("campaign", "create", "--type", "promotion", "--seed", "3",
            "--offer-percent", "15", "--offer-code", "SPRING15", "--offer-expires", "2099-04-30");
        Assert.True(created.Code == ExitCode.Success, created.Errors);
        var withOffer = created.Output.Trim();
        var plain = (await Run("campaign", "create", "--type", "promotion", "--seed", "3")).Output.Trim();

        using (var list = JsonDocument.Parse((await Run("campaign", "list", "--json")).Output))
        {
            var rows = list.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
            var offer = rows[withOffer].GetProperty("offer");
            Assert.Equal("SPRING15", offer.GetProperty("code").GetString());
            Assert.Equal(15, offer.GetProperty("percent").GetInt32());
            Assert.Equal("2099-04-30", offer.GetProperty("expires").GetString());
            Assert.True(!rows[plain].TryGetProperty("offer", out var none) || none.ValueKind == JsonValueKind.Null);
        }

        var outbox = Path.Combine(_dir, "outbox");
        foreach (var id in new[] { withOffer, plain })
        {
            var compose = await Run("campaign", "compose", id, "--outbox", outbox);
            Assert.True(compose.Code == ExitCode.Success, compose.Errors);
        }
        var offered = Texts(Path.Combine(outbox, withOffer));
        var unoffered = Texts(Path.Combine(outbox, plain));
        Assert.True(offered.Count >= 50, $"{offered.Count} emails");
        Assert.Equal(offered.Count, unoffered.Count);
        // The layout's code box is in every email of the offer campaign; each percentage stated is the offer's.
        Assert.All(offered, t => Assert.Contains(">> SPRING15 <<", t, StringComparison.Ordinal));
        Assert.All(offered, t => Assert.All(Percentage().Matches(t), m => Assert.Equal("15", m.Value.TrimEnd('%', ' '))));
        Assert.Contains(offered, t => t.Contains("15%", StringComparison.Ordinal));
        // Without an offer no email names a code or a percentage.
        Assert.All(unoffered, t => Assert.DoesNotContain("SPRING15", t, StringComparison.Ordinal));
        Assert.All(unoffered, t => Assert.Empty(Percentage().Matches(t)));
    }

    [Theory]
    [InlineData("--offer-code", "SAVE10", "a code alone states no discount")]
    [InlineData("--offer-percent", "0", "--offer-percent 0: must be a whole percent from 1 to 90")]
    [InlineData("--offer-percent", "95", "--offer-percent 95")]
    [InlineData("--offer-amount", "0", "--offer-amount 0: must be more than 0")]
    [InlineData("--offer-amount", "4.999", "at most 2 decimals")]
    [InlineData("--offer-expires", "30/04/2099", "--offer-expires '30/04/2099': a date as YYYY-MM-DD")]
    [InlineData("--offer-expires", "2001-01-01", "already past")]
    public async Task Create_BadOffer_ExitsWithUsageNamingTheOption_AndStoresNoCampaign(string option, string value, string expected)
    {
        // Each bad offer is refused before anything is written.
        // An expiry date is checked beside a valid percentage; the other options alone.
        string[] args = option == "--offer-expires"
            ? ["campaign", "create", "--type", "promotion", "--offer-percent", "10", option, value]
            : ["campaign", "create", "--type", "promotion", option, value];
        var result = await Run(args);
        Assert.Equal(ExitCode.Usage, result.Code);
        Assert.Contains(expected, result.Errors + result.Output, StringComparison.Ordinal);
        Assert.Equal("[]", (await Run("campaign", "list", "--json")).Output.Trim());
    }

    [Fact]
    public async Task Create_PercentAndAmount_OrACodeWithASpace_ExitWithUsage()
    {
        var both = await Run("campaign", "create", "--type", "promotion", "--offer-percent", "10", "--offer-amount", "5");
        Assert.Equal(ExitCode.Usage, both.Code);
        Assert.Contains("not both", both.Errors + both.Output, StringComparison.Ordinal);
        var code = await Run("campaign", "create", "--type", "promotion", "--offer-percent", "10", "--offer-code", "NO SPACES");
        Assert.Contains("--offer-code 'NO SPACES'", code.Errors + code.Output, StringComparison.Ordinal);
    }

    private static List<string> Texts(string folder) =>
        [.. Directory.GetFiles(folder, "*.eml").Order(StringComparer.Ordinal).Select(f =>
        {
            using var message = MimeMessage.Load(f);
            return message.TextBody ?? throw new InvalidDataException($"{f}: no text part");
        })];
}
