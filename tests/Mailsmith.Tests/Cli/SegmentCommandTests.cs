using System.Text.Json;
using Mailsmith.Cli;

namespace Mailsmith.Tests.Cli;

/// <summary><c>mailsmith segment …</c> and <c>campaign create --segment</c> through the real command line on a generated store.</summary>
[Collection("Console")]
public sealed class SegmentCommandTests : IDisposable
{
    private static readonly string[] Slipping = ["at_risk", "lapsed"];
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-segcli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private async Task<(int Code, string Output, string Errors)> Run(params string[] args)
    {
        var (previousOut, previousError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var errors = new StringWriter();
        Console.SetOut(output);
        Console.SetError(errors);
        try
        {
            var code = await Program.CreateCommand().Parse([.. args, "--db", Path.Combine(_dir, "mailsmith.db")]).InvokeAsync();
            return (code, output.ToString(), errors.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    private async Task<int> Count(params string[] args)
    {
        var (code, output, errors) = await Run(["segment", "count", .. args]);
        Assert.True(code == ExitCode.Success, errors);
        // Just the number: scripts read it.
        Assert.Matches(@"^\d+\r?\n$", output);
        return int.Parse(output, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Segment_GenerateImportProfile_CreateCountShowListExportDelete_AndACampaignForIt()
    {
        var data = Path.Combine(_dir, "data");
        Assert.Equal(ExitCode.Success, (await Run("generate", "--out", data, "--customers", "300", "--seed", "8")).Code);
        Assert.Equal(ExitCode.Success, (await Run("import",
            "--customers", Path.Combine(data, "customers.csv"), "--products", Path.Combine(data, "products.csv"),
            "--orders", Path.Combine(data, "orders.csv"), "--order-lines", Path.Combine(data, "order_lines.csv"),
            "--events", Path.Combine(data, "events.csv"), "--reviews", Path.Combine(data, "reviews.csv"))).Code);
        var profile = await Run("profile", "--json");
        Assert.Equal(ExitCode.Success, profile.Code);
        // Progress lines come first when output is redirected; the JSON object is the rest.
        using var mix = JsonDocument.Parse(profile.Output[profile.Output.IndexOf("\n{", StringComparison.Ordinal)..]);
        var lifecycle = mix.RootElement.GetProperty("lifecycle");
        int Stage(string name) => lifecycle.GetProperty(name).GetInt32();
        var customers = mix.RootElement.GetProperty("customers").GetInt32();

        // Counts agree with the profile stage's own lifecycle mix.
        Assert.Equal(Stage("active"), await Count("--where", "lifecycle = 'active'"));
        Assert.Equal(Stage("at_risk") + Stage("lapsed"), await Count("--where", "LIFECYCLE IN ('at_risk', 'lapsed')"));
        Assert.Equal(customers - Stage("vip"), await Count("--where", "not lifecycle = 'vip'"));
        Assert.Equal(customers, await Count("--where", "lifecycle = 'vip' or lifecycle != 'vip'"));
        // Fields of the richer profile stage are filled: affinities at both path levels, CLV with its missing values.
        var beauty = await Count("--where", "affinity('Beauty') > 0");
        Assert.InRange(beauty, 1, customers - 1);
        Assert.InRange(await Count("--where", "affinity('Beauty > Skincare') > 0"), 1, beauty);
        var clvKnown = await Count("--where", "clv_365 is not null");
        Assert.Equal(clvKnown, await Count("--where", "clv_365 > 200") + await Count("--where", "clv_365 <= 200"));
        Assert.Equal(customers, await Count("--where", "clv_365 > 200") + await Count("--where", "not clv_365 > 200"));

        var create = await Run("segment", "create", "slipping", "--where", "lifecycle in ('at_risk', 'lapsed') and frequency >= 1", "--description", "win them back");
        Assert.Equal(ExitCode.Success, create.Code);
        var members = await Count("slipping");
        Assert.Equal(await Count("--where", "lifecycle in ('at_risk', 'lapsed') and frequency >= 1"), members);
        Assert.InRange(members, 1, customers - 1);
        Assert.Contains($"{members:N0} of {customers:N0} customers match now", create.Output, StringComparison.Ordinal);

        // An invalid expression: usage exit code, the reason with its column and caret on stderr, nothing stored.
        var bad = await Run("segment", "create", "bad", "--where", "lifecycle = 'at_risk' and clv365 > 200");
        Assert.Equal(ExitCode.Usage, bad.Code);
        Assert.Contains("unknown field 'clv365' (did you mean 'clv_365'?) (column 27)", bad.Errors, StringComparison.Ordinal);
        Assert.Contains("                            ^^^^^^", bad.Errors, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Usage, (await Run("segment", "count", "--where", "frequency >")).Code);
        Assert.Equal(ExitCode.Usage, (await Run("segment", "create", "slipping", "--where", "consent")).Code);
        Assert.Equal(ExitCode.NotFound, (await Run("segment", "count", "slipin")).Code);
        Assert.Equal(ExitCode.Usage, (await Run("segment", "count")).Code);

        var list = await Run("segment", "list", "--json");
        using (var json = JsonDocument.Parse(list.Output))
        {
            var only = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal("slipping", only.GetProperty("name").GetString());
            Assert.Equal(members, only.GetProperty("members").GetInt32());
            Assert.Equal("win them back", only.GetProperty("description").GetString());
        }

        var show = await Run("segment", "show", "slipping", "--json", "--sample", "5");
        using (var json = JsonDocument.Parse(show.Output))
        {
            Assert.Equal(members, json.RootElement.GetProperty("members").GetInt32());
            var sample = json.RootElement.GetProperty("sample").EnumerateArray().ToList();
            Assert.Equal(Math.Min(5, members), sample.Count);
            Assert.All(sample, r => Assert.Contains(r.GetProperty("lifecycle").GetString(), Slipping));
        }
        Assert.Contains($"members:     {members:N0} of {customers:N0}", (await Run("segment", "show", "slipping")).Output, StringComparison.Ordinal);

        var csv = Path.Combine(_dir, "out", "slipping.csv");
        Assert.Equal(ExitCode.Success, (await Run("segment", "export", "slipping", "--out", csv)).Code);
        var lines = await File.ReadAllLinesAsync(csv);
        var header = lines[0].Split(',');
        Assert.Equal(["customer_id", "email"], header[..2]);
        Assert.Contains("clv_365", header);
        Assert.Equal(members, lines.Length - 1);
        var at = Array.IndexOf(header, "lifecycle");
        var frequency = Array.IndexOf(header, "frequency");
        // Titles with commas would be quoted; these columns never hold one, so a plain split reads them.
        Assert.All(lines.Skip(1), l => Assert.Contains(l.Split(',')[at], Slipping));
        Assert.All(lines.Skip(1), l => Assert.True(int.Parse(l.Split(',')[frequency], System.Globalization.CultureInfo.InvariantCulture) >= 1));
        var exported = lines.Skip(1).Select(l => l.Split(',')[0]).ToHashSet();

        // A campaign for the segment: its audience is exactly the segment's members.
        var campaign = await Run("campaign", "create", "--type", "winback", "--segment", "slipping", "--seed", "4");
        Assert.Equal(ExitCode.Success, campaign.Code);
        var id = campaign.Output.Trim();
        var outbox = Path.Combine(_dir, "outbox");
        var compose = await Run("campaign", "compose", id, "--outbox", outbox);
        Assert.Equal(ExitCode.Success, compose.Code);
        Assert.Contains($"audience {members:N0},", compose.Output, StringComparison.Ordinal);
        var mailed = Directory.GetFiles(Path.Combine(outbox, id), "*.eml").Select(f => Path.GetFileNameWithoutExtension(f)!).ToList();
        Assert.NotEmpty(mailed);
        Assert.Subset(exported, mailed.ToHashSet());
        Assert.Equal(ExitCode.NotFound, (await Run("campaign", "create", "--type", "winback", "--segment", "nope")).Code);

        // Deleting a segment a campaign targets is refused; with --force it goes.
        var refused = await Run("segment", "delete", "slipping");
        Assert.Equal(ExitCode.Usage, refused.Code);
        Assert.Contains(id, refused.Errors, StringComparison.Ordinal);
        Assert.Equal(ExitCode.Success, (await Run("segment", "delete", "slipping", "--force")).Code);
        Assert.Equal(ExitCode.NotFound, (await Run("segment", "show", "slipping")).Code);
    }

    [Fact]
    public void ReadMe_SegmentExamples_ParseWithoutErrors()
    {
        var readme = File.ReadAllLines(Path.Combine(Mailsmith.Tests.Pipeline.MailsmithSettingsTests.RepoRoot(), "README.md"));
        var lines = readme.Where(l => l.StartsWith("mailsmith segment ", StringComparison.Ordinal) || l.StartsWith("mailsmith campaign create --type winback --segment", StringComparison.Ordinal))
            .Select(l => l.Split(" # ")[0].Trim()["mailsmith ".Length..])
            .ToList();
        Assert.True(lines.Count >= 8, $"{lines.Count} segment examples found in the README");
        foreach (var line in lines)
        {
            Assert.True(Program.CreateCommand().Parse(line).Errors.Count == 0, line);
        }
    }

    [Fact]
    public async Task SegmentFields_Markdown_IsTheRegistryTable()
    {
        var (code, output, _) = await Run("segment", "fields", "--markdown");
        Assert.Equal(ExitCode.Success, code);
        Assert.Equal(Mailsmith.Profile.Segments.SegmentDocs.Markdown(), output);
    }
}
