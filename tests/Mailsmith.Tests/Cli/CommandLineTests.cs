using Mailsmith.Cli;

namespace Mailsmith.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("demo")]
    [InlineData("demo --out x --customers 100 --seed 3")]
    [InlineData("generate --out d --customers 10")]
    [InlineData("import --customers c.csv --events e.jsonl --skip-bad-rows --rejects-dir r")]
    [InlineData("profile --json --db other.db")]
    [InlineData("campaign create --type winback --name \"We miss you\" --audience lifecycle=lapsed --variant A=1 --variant B=1")]
    [InlineData("campaign list --json --config my.json")]
    [InlineData("campaign compose cmp-0001 --outbox o")]
    public void Parse_DocumentedCommandLines_HaveNoErrors(string line)
    {
        var result = Program.CreateCommand().Parse(line);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("campaign create --type newsletter")]
    [InlineData("campaign create")]
    [InlineData("generate")]
    [InlineData("campaign compose")]
    [InlineData("demo --customers many")]
    public void Parse_BadCommandLines_AreErrors(string line) =>
        Assert.NotEmpty(Program.CreateCommand().Parse(line).Errors);

    [Fact]
    public async Task Import_NoFiles_IsAUsageError()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-cli-").FullName;
        try
        {
            var code = await Program.CreateCommand().Parse(["import", "--db", Path.Combine(dir, "a.db")]).InvokeAsync();
            Assert.Equal(ExitCode.Usage, code);
            code = await Program.CreateCommand().Parse(["import", "--db", Path.Combine(dir, "a.db"), "--customers", Path.Combine(dir, "nope.csv")]).InvokeAsync();
            Assert.Equal(ExitCode.NotFound, code);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task CampaignCompose_UnknownId_IsNotFound()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-cli-").FullName;
        try
        {
            var code = await Program.CreateCommand().Parse(["campaign", "compose", "cmp-9999", "--db", Path.Combine(dir, "a.db")]).InvokeAsync();
            Assert.Equal(ExitCode.NotFound, code);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
