using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Learn;
using Mailsmith.Learn.Simulation;
using Mailsmith.Pipeline;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith learn simulate|replay|plan|uplift|propensity|report</c>: experiments, bandits and response models.</summary>
internal sealed class LearnCommand : Command
{
    public LearnCommand() : base("learn", "Experiments, bandits and response models: simulate, replay, plan, uplift, propensity, report")
    {
        Add(new SimulateCommand());
        Add(new ReplayCommand());
        Add(new GenerateTestsCommand());
    }

    internal static void PrintScores(IReadOnlyDictionary<string, PolicyScore> scores, string unit)
    {
        var uniform = scores.TryGetValue(Policies.Uniform, out var u) ? u.Regret : double.NaN;
        var table = new Table().AddColumns("policy", $"regret (clicks lost per {unit})", "regret / uniform", "final pick is best", "winner declared");
        foreach (var (key, s) in scores)
        {
            table.AddRow(key, s.Regret.ToString("N1", CultureInfo.InvariantCulture),
                double.IsNaN(uniform) || uniform <= 0 ? "-" : (s.Regret / uniform).ToString("0.00", CultureInfo.InvariantCulture),
                s.BestArmShare.ToString("P1", CultureInfo.InvariantCulture), s.WinnerRate.ToString("P1", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(table);
    }

    private sealed class SimulateCommand : Command
    {
        public Option<int> Arms { get; } = new("--arms") { Description = "Arms (variants) per simulated campaign", DefaultValueFactory = _ => 3 };
        public Option<int> Recipients { get; } = new("--recipients") { Description = "Recipients per simulated campaign", DefaultValueFactory = _ => 200_000 };
        public Option<double> Effect { get; } = new("--effect") { Description = "Relative click-rate advantage of the best arm (0.1 = +10%)", DefaultValueFactory = _ => 0.1 };
        public Option<int> Runs { get; } = new("--runs") { Description = "Simulated campaigns per policy", DefaultValueFactory = _ => 100 };
        public Option<bool> AllEqual { get; } = new("--aa") { Description = "A/A: every arm equal (measures false winners)" };
        public Option<int> Seed { get; } = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        public Option<string?> PolicyList { get; } = new("--policies") { Description = "Policies to compare (default thompson,ab,uniform)" };
        public Option<bool> PerSegment { get; } = new("--per-segment") { Description = "One bandit per lifecycle × locale segment" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print {\"<policy>\": {\"regret\", \"best_arm_share\", \"winner_rate\"}}" };

        public SimulateCommand() : base("simulate", "Run the allocation policies against a synthetic audience with known truth")
        {
            foreach (var option in new Option[] { Arms, Recipients, Effect, Runs, AllEqual, Seed, PolicyList, PerSegment, Json })
            {
                Add(option);
            }
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var settings = GlobalOptions.Settings(parse);
                var learn = settings.Learn;
                if (parse.GetValue(PerSegment))
                {
                    learn = Copy(learn, perSegment: true);
                }
                var options = new SimulationOptions
                {
                    Arms = parse.GetValue(Arms),
                    Recipients = parse.GetValue(Recipients),
                    Effect = parse.GetValue(Effect),
                    Runs = parse.GetValue(Runs),
                    AllEqual = parse.GetValue(AllEqual),
                    Seed = parse.GetValue(Seed),
                };
                var policies = Policies.Parse(parse.GetValue(PolicyList));
                var json = parse.GetValue(Json);
                var progress = new Progress<int>(done =>
                {
                    if (!json && (done == options.Runs || done % Math.Max(1, options.Runs / 10) == 0))
                    {
                        Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] simulate {done}/{options.Runs} runs");
                    }
                });
                var started = DateTime.UtcNow;
                var result = await Task.Run(() => new CampaignSimulator(options, learn).Run(policies, progress, ct), ct);
                if (json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(result.Scores, DemoRunner.JsonOptions));
                    return ExitCode.Success;
                }
                Console.WriteLine($"{result.Runs} campaigns × {result.Recipients:N0} recipients, {result.Arms} arms, best arm {(result.AllEqual ? "none (A/A)" : $"+{result.BestArmLift:P1} clicks")}");
                Console.WriteLine($"observed per delivery: human opens {result.HumanOpenRate:P1}, machine opens {result.MachineOpenShare:P1}, clicks {result.ClickRate:P2}, unsubscribes {result.UnsubscribeRate:P2}");
                PrintScores(result.Scores, "campaign");
                Console.WriteLine($"done in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
                return ExitCode.Success;
            }));
        }
    }

    private sealed class ReplayCommand : Command
    {
        public Option<string> Tests { get; } = new("--tests") { Description = "CSV of recorded tests: test_id,arm,impressions,clicks", Required = true };
        public Option<string?> PolicyList { get; } = new("--policies") { Description = "Policies to compare (default thompson,ab,uniform)" };
        public Option<long?> Horizon { get; } = new("--horizon") { Description = "Recipients per replayed test (default: the test's total impressions)" };
        public Option<int> Repeats { get; } = new("--repeats") { Description = "Replays of each test per policy", DefaultValueFactory = _ => 1 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        public Option<bool> AllEqual { get; } = new("--aa") { Description = "A/A: every arm at the test's pooled rate (measures false winners)" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print {\"<policy>\": {\"regret\", \"best_arm_share\", \"winner_rate\"}}" };

        public ReplayCommand() : base("replay", "Replay recorded multi-arm click tests under each allocation policy")
        {
            foreach (var option in new Option[] { Tests, PolicyList, Horizon, Repeats, Seed, AllEqual, Json })
            {
                Add(option);
            }
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var settings = GlobalOptions.Settings(parse);
                var policies = Policies.Parse(parse.GetValue(PolicyList));
                if (parse.GetValue(Repeats) < 1 || parse.GetValue(Horizon) is < 1)
                {
                    throw new ArgumentException("--repeats and --horizon must be positive");
                }
                var tests = await ClickTestReplay.ReadAsync(parse.GetValue(Tests)!, ct);
                if (tests.Count == 0)
                {
                    throw new FormatException($"{parse.GetValue(Tests)}: no test with at least two arms and some impressions");
                }
                var options = new ReplayOptions { Horizon = parse.GetValue(Horizon), Repeats = parse.GetValue(Repeats), Seed = parse.GetValue(Seed), AllEqual = parse.GetValue(AllEqual) };
                var json = parse.GetValue(Json);
                var tenth = Math.Max(1, tests.Count / 10);
                var progress = new Progress<int>(done =>
                {
                    if (!json && (done % tenth == 0 || done == tests.Count))
                    {
                        Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] replay {done:N0}/{tests.Count:N0} tests");
                    }
                });
                var started = DateTime.UtcNow;
                var scores = await Task.Run(() => new ClickTestReplay(options, settings.Learn).Run(tests, policies, progress, ct), ct);
                if (json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(scores, DemoRunner.JsonOptions));
                    return ExitCode.Success;
                }
                Console.WriteLine($"{tests.Count:N0} tests, {tests.Sum(t => t.Arms.Count):N0} arms, {tests.Sum(t => t.Impressions):N0} impressions{(options.AllEqual ? ", A/A" : "")}");
                PrintScores(scores, "test");
                Console.WriteLine($"done in {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
                return ExitCode.Success;
            }));
        }
    }

    private sealed class GenerateTestsCommand : Command
    {
        public Option<string> Out { get; } = new("--out") { Description = "CSV file to write", Required = true };
        public Option<int> Count { get; } = new("--tests") { Description = "Number of tests", DefaultValueFactory = _ => 2000 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };

        public GenerateTestsCommand() : base("generate-tests", "Write synthetic Upworthy-shaped headline click tests for learn replay")
        {
            Add(Out);
            Add(Count);
            Add(Seed);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                if (parse.GetValue(Count) < 1)
                {
                    throw new ArgumentException("--tests must be positive");
                }
                var tests = SyntheticClickTests.Generate(parse.GetValue(Count), parse.GetValue(Seed));
                await SyntheticClickTests.WriteCsvAsync(tests, parse.GetValue(Out)!, ct);
                Console.WriteLine($"{tests.Count:N0} tests, {tests.Sum(t => t.Arms.Count):N0} arms in {Path.GetFullPath(parse.GetValue(Out)!)}");
                return ExitCode.Success;
            }));
        }
    }

    internal static LearnOptions Copy(LearnOptions o, bool? perSegment = null, double? batchShare = null) => new()
    {
        Alpha = o.Alpha,
        Power = o.Power,
        BaselineRate = o.BaselineRate,
        MinimumDetectableEffect = o.MinimumDetectableEffect,
        MaxTestShare = o.MaxTestShare,
        ExplorationFloor = o.ExplorationFloor,
        StopValueRemaining = o.StopValueRemaining,
        StopProbability = o.StopProbability,
        MinTrialsPerArm = o.MinTrialsPerArm,
        PosteriorDraws = o.PosteriorDraws,
        Objective = o.Objective,
        SequentialGate = o.SequentialGate,
        PerSegment = perSegment ?? o.PerSegment,
        BatchShare = batchShare ?? o.BatchShare,
    };
}
