using Mailsmith.Learn;
using Mailsmith.Learn.Simulation;

namespace Mailsmith.Tests.Learn;

public sealed class SimulationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-learn-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Simulate_Defaults_ThompsonHalvesUniformRegretAndFindsTheBestArm()
    {
        // The defaults (3 arms, 200,000 recipients, +10%), fewer runs to keep the suite fast.
        var result = new CampaignSimulator(new SimulationOptions { Runs = 6, Seed = 7 }, new LearnOptions()).Run([Policies.Thompson, Policies.Uniform]);
        var thompson = result.Scores[Policies.Thompson];
        var uniform = result.Scores[Policies.Uniform];
        Assert.True(thompson.Regret <= 0.5 * uniform.Regret, $"thompson {thompson.Regret:0.0} vs uniform {uniform.Regret:0.0}");
        Assert.True(thompson.BestArmShare >= 5.0 / 6, $"best arm in {thompson.BestArmShare:P0}");
        // Uniform's regret is known in closed form: N · (K−1)/K · 2% · 10% ≈ 267 clicks.
        Assert.InRange(uniform.Regret, 240, 295);
        // Calibrated to Mailchimp's e-commerce figures.
        Assert.InRange(result.HumanOpenRate, 0.155, 0.165);
        Assert.InRange(result.MachineOpenShare, 0.32, 0.345);
        Assert.InRange(result.ClickRate, 0.0195, 0.0215);
        Assert.InRange(result.UnsubscribeRate, 0.0018, 0.0022);
        Assert.Equal(0.1, result.BestArmLift, 6);
    }

    [Fact]
    public void Simulate_AllEqual_RarelyDeclaresAWinner()
    {
        var result = new CampaignSimulator(new SimulationOptions { Runs = 20, Recipients = 40_000, AllEqual = true, Seed = 11 }, new LearnOptions())
            .Run(Policies.All);
        foreach (var (policy, score) in result.Scores)
        {
            Assert.True(score.WinnerRate <= 0.1, $"{policy} declared a winner in {score.WinnerRate:P0} of A/A runs");
            Assert.Equal(0, score.Regret, 9);
        }
    }

    [Fact]
    public void Simulate_PerSegment_RunsOneBanditPerSegment()
    {
        var result = new CampaignSimulator(new SimulationOptions { Runs = 2, Recipients = 30_000, Seed = 3 }, new LearnOptions { PerSegment = true }).Run([Policies.Thompson]);
        Assert.True(result.Scores[Policies.Thompson].Regret > 0);
    }

    [Fact]
    public async Task Replay_ReadsTestsAndThompsonBeatsUniform()
    {
        var file = Path.Combine(_dir, "tests.csv");
        await SyntheticClickTests.WriteCsvAsync(SyntheticClickTests.Generate(120, 5), file);
        var tests = await ClickTestReplay.ReadAsync(file);
        Assert.Equal(120, tests.Count);
        var scores = new ClickTestReplay(new ReplayOptions(), new LearnOptions()).Run(tests, Policies.All);
        Assert.True(scores[Policies.Thompson].Regret < 0.6 * scores[Policies.Uniform].Regret);
        Assert.True(scores[Policies.AbTest].Regret < scores[Policies.Uniform].Regret);
        var aa = new ClickTestReplay(new ReplayOptions { AllEqual = true }, new LearnOptions()).Run(tests, Policies.All);
        Assert.All(aa.Values, s => Assert.True(s.WinnerRate <= 0.05));
        Assert.All(aa.Values, s => Assert.Equal(1, s.BestArmShare, 9));
    }

    [Fact]
    public async Task Replay_BadRow_NamesFileLineAndField()
    {
        var file = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(file, "test_id,arm,impressions,clicks\nt1,a,100,3\nt1,b,100,x\n");
        var e = await Assert.ThrowsAsync<FormatException>(() => ClickTestReplay.ReadAsync(file));
        Assert.Contains("bad.csv:3: clicks", e.Message, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, "test_id,arm,impressions,clicks\nt1,a,100,300\n");
        Assert.Contains("exceed", (await Assert.ThrowsAsync<FormatException>(() => ClickTestReplay.ReadAsync(file))).Message, StringComparison.Ordinal);
        await File.WriteAllTextAsync(file, "test_id,arm,views\n");
        Assert.Contains("missing column 'impressions'", (await Assert.ThrowsAsync<FormatException>(() => ClickTestReplay.ReadAsync(file))).Message, StringComparison.Ordinal);
    }
}
