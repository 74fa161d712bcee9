using Mailsmith.Cli;

namespace Mailsmith.Tests.Learn;

public sealed class LearnCommandLineTests
{
    [Theory]
    [InlineData("learn simulate")]
    [InlineData("learn simulate --arms 4 --recipients 50000 --effect 0.2 --runs 10 --aa --seed 3 --json")]
    [InlineData("learn simulate --policies thompson,uniform --per-segment")]
    [InlineData("learn replay --tests t.csv --policies thompson,ab,uniform --horizon 5000 --repeats 3 --seed 1 --aa --json")]
    [InlineData("learn generate-tests --out t.csv --tests 50 --seed 2")]
    [InlineData("learn uplift eval --data h.csv --treatment-column segment --treatment \"Womens E-Mail\" --control \"No E-Mail\" --outcome visit --exclude conversion,spend --split 0.5 --seed 42 --k 0.3 --json")]
    [InlineData("learn uplift generate --out h.csv --rows 1000")]
    [InlineData("learn report --campaign cmp-0001 --out r")]
    [InlineData("learn propensity train --target purchase --window-days 3 --holdout 0.3 --json")]
    [InlineData("learn propensity bench --sends 10000")]
    [InlineData("learn phrases --type recommendations --locale zh-CN --json")]
    public void Parse_DocumentedCommandLines_HaveNoErrors(string line) => Assert.Empty(Program.CreateCommand().Parse(line).Errors);

    [Theory]
    [InlineData("learn replay")]
    [InlineData("learn uplift eval --data h.csv --treatment-column segment --treatment x")]
    [InlineData("learn report")]
    [InlineData("learn propensity train --target revenue")]
    [InlineData("learn simulate --arms many")]
    [InlineData("learn phrases --type newsletter")]
    public void Parse_BadCommandLines_AreErrors(string line) => Assert.NotEmpty(Program.CreateCommand().Parse(line).Errors);

    [Fact]
    public async Task Simulate_Json_PrintsEveryPolicyWithTheThreeKeys()
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        int code;
        try
        {
            code = await Program.CreateCommand().Parse(["learn", "simulate", "--recipients", "5000", "--runs", "2", "--json", "--db", Path.Combine(Path.GetTempPath(), $"learn-{Guid.NewGuid():N}.db")]).InvokeAsync();
        }
        finally
        {
            Console.SetOut(saved);
        }
        Assert.Equal(ExitCode.Success, code);
        using var json = System.Text.Json.JsonDocument.Parse(output.ToString());
        foreach (var policy in new[] { "thompson", "ab", "uniform" })
        {
            var score = json.RootElement.GetProperty(policy);
            Assert.Equal(["regret", "best_arm_share", "winner_rate"], score.EnumerateObject().Select(p => p.Name));
        }
    }

    [Fact]
    public async Task Replay_MissingFile_IsNotFound() =>
        Assert.Equal(ExitCode.NotFound, await Program.CreateCommand().Parse(["learn", "replay", "--tests", Path.Combine(Path.GetTempPath(), "no-such-tests.csv")]).InvokeAsync());
}
