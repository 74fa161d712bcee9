using Mailsmith.Cli;

namespace Mailsmith.Tests.Profile;

public sealed class ProfileCommandLineTests
{
    [Theory]
    [InlineData("profile --force")]
    [InlineData("profile --as-of 2026-10-01 --json --force")]
    [InlineData("profile report")]
    [InlineData("profile report --out r --db other.db")]
    [InlineData("bench profile")]
    [InlineData("bench profile --customers 1000 --events 10000 --save --json")]
    public void Parse_DocumentedCommandLines_HaveNoErrors(string line) =>
        Assert.Empty(Program.CreateCommand().Parse(line).Errors);

    [Theory]
    [InlineData("bench profile --customers many")]
    [InlineData("profile report --out")]
    public void Parse_BadCommandLines_AreErrors(string line) =>
        Assert.NotEmpty(Program.CreateCommand().Parse(line).Errors);

    [Fact]
    public async Task Report_BeforeAnyProfileRun_FailsWithoutWritingAPage()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-profile-cli-").FullName;
        try
        {
            var code = await Program.CreateCommand().Parse(["profile", "report", "--db", Path.Combine(dir, "a.db"), "--out", Path.Combine(dir, "r")]).InvokeAsync();
            Assert.NotEqual(ExitCode.Success, code);
            Assert.False(File.Exists(Path.Combine(dir, "r", "index.html")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task Profile_EmptyStore_SucceedsAndThenReportsUpToDate()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-profile-cli-").FullName;
        try
        {
            var db = Path.Combine(dir, "a.db");
            Assert.Equal(ExitCode.Success, await Program.CreateCommand().Parse(["profile", "--db", db, "--json"]).InvokeAsync());
            var store = Mailsmith.Storage.MailsmithStore.Open(db);
            Assert.NotNull(store.LoadLatestProfileRun());
            Assert.Equal(ExitCode.Success, await Program.CreateCommand().Parse(["profile", "report", "--db", db, "--out", Path.Combine(dir, "r")]).InvokeAsync());
            Assert.True(File.Exists(Path.Combine(dir, "r", "index.html")));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }
}
