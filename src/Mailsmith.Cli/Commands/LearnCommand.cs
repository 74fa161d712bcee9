using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Learn;
using Mailsmith.Learn.Propensity;
using Mailsmith.Learn.Report;
using Mailsmith.Learn.Simulation;
using Mailsmith.Learn.Uplift;
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
        Add(new UpliftCommand());
        Add(new ReportCommand());
        Add(new PropensityCommand());
        Add(new LearnBanditCommand());
        Add(new LearnSendTimeCommand());
        Add(new LearnPhrasesCommand());
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

    private sealed class UpliftCommand : Command
    {
        public UpliftCommand() : base("uplift", "Uplift models: who responds because of the e-mail")
        {
            Add(new EvalCommand());
            Add(new GenerateCommand());
            Add(new ExportCommand());
        }

        private sealed class ExportCommand : Command
        {
            public Option<string> Campaign { get; } = new("--campaign") { Description = "A campaign created with --holdout, composed and sent", Required = true };
            public Option<string> Out { get; } = new("--out") { Description = "CSV file to write", Required = true };
            public Option<double> Window { get; } = new("--window") { Description = "Days after planning in which an order counts as a purchase", DefaultValueFactory = _ => 7 };

            public ExportCommand() : base("export", "Write a campaign's holdout experiment (sent vs held out, purchase within the window, profile features) as a CSV for uplift eval")
            {
                Add(Campaign);
                Add(Out);
                Add(Window);
                SetAction((parse, ct) => Guarded.RunAsync(async () =>
                {
                    var settings = GlobalOptions.Settings(parse);
                    var store = GlobalOptions.Store(settings);
                    var (data, revenue, ids) = StoreUpliftData.Build(store, settings, parse.GetValue(Campaign)!, parse.GetValue(Window));
                    await StoreUpliftData.WriteCsvAsync(parse.GetValue(Out)!, data, revenue, ids, ct);
                    Console.WriteLine($"{data.Count:N0} rows ({data.Treatment.Count(t => t):N0} sent, {data.Treatment.Count(t => !t):N0} held out; " +
                        $"purchase rate {Rate(data, true):P2} vs {Rate(data, false):P2}) in {Path.GetFullPath(parse.GetValue(Out)!)}");
                    Console.WriteLine($"next: mailsmith learn uplift eval --data {parse.GetValue(Out)} --treatment-column group --treatment treatment --control holdout --outcome purchase --exclude customer_id,revenue");
                    return ExitCode.Success;
                }));
            }

            private static double Rate(UpliftDataset data, bool treated)
            {
                var n = 0;
                var y = 0;
                for (var i = 0; i < data.Count; i++)
                {
                    if (data.Treatment[i] == treated)
                    {
                        n++;
                        y += data.Outcome[i] ? 1 : 0;
                    }
                }
                return n == 0 ? 0 : (double)y / n;
            }
        }

        private sealed class EvalCommand : Command
        {
            public Option<string> Data { get; } = new("--data") { Description = "CSV of a randomized experiment: a treatment column, an outcome column, features", Required = true };
            public Option<string> TreatmentColumn { get; } = new("--treatment-column") { Description = "Column naming each row's group", Required = true };
            public Option<string> Treatment { get; } = new("--treatment") { Description = "Value of the treated group", Required = true };
            public Option<string> Control { get; } = new("--control") { Description = "Value of the control group (rows of other values are dropped)", Required = true };
            public Option<string> Outcome { get; } = new("--outcome") { Description = "Outcome column (0/1; a number counts as a response when > 0)", Required = true };
            public Option<string?> Exclude { get; } = new("--exclude") { Description = "Comma-separated columns that are not features (e.g. other outcomes)" };
            public Option<double> Split { get; } = new("--split") { Description = "Share of rows to train on (stratified by group and outcome)", DefaultValueFactory = _ => 0.5 };
            public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the split and the learners", DefaultValueFactory = _ => 42 };
            public Option<double> K { get; } = new("--k") { Description = "Share of the test rows for uplift@k", DefaultValueFactory = _ => 0.3 };
            public Option<bool> Json { get; } = new("--json") { Description = "Print {\"<model>\": {\"uplift_at_k\", \"qini\", \"auuc\"}}" };

            public EvalCommand() : base("eval", "Fit two-model and class-transformation uplift learners and score them (scikit-uplift metrics)")
            {
                foreach (var option in new Option[] { Data, TreatmentColumn, Treatment, Control, Outcome, Exclude, Split, Seed, K, Json })
                {
                    Add(option);
                }
                SetAction((parse, ct) => Guarded.RunAsync(async () =>
                {
                    var k = parse.GetValue(K);
                    if (k is <= 0 or >= 1)
                    {
                        throw new ArgumentException("--k must be between 0 and 1");
                    }
                    var exclude = (parse.GetValue(Exclude) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    var data = await UpliftDataset.ReadCsvAsync(parse.GetValue(Data)!, parse.GetValue(TreatmentColumn)!, parse.GetValue(Treatment)!,
                        parse.GetValue(Control)!, parse.GetValue(Outcome)!, exclude, ct);
                    var json = parse.GetValue(Json);
                    if (!json)
                    {
                        Console.WriteLine($"{data.Count:N0} rows ({data.Treatment.Count(t => t):N0} treated, {data.Treatment.Count(t => !t):N0} control; {data.Dropped:N0} of other groups dropped), " +
                            $"features: {string.Join(", ", data.FeatureNames.Select((n, i) => data.IsCategorical[i] ? n + " (categorical)" : n))}");
                        if (data.OutcomeBinarized)
                        {
                            Console.WriteLine($"outcome {parse.GetValue(Outcome)} is not 0/1: a value > 0 counts as a response");
                        }
                    }
                    var progress = new Progress<string>(m =>
                    {
                        if (!json)
                        {
                            Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] fitting {m}");
                        }
                    });
                    var result = await Task.Run(() => UpliftEvaluation.Evaluate(data, parse.GetValue(Split), parse.GetValue(Seed), k, progress: progress), ct);
                    var rows = result.Scores.ToDictionary(kv => kv.Key, kv => new Dictionary<string, double> { ["uplift_at_k"] = kv.Value.UpliftAtK, ["qini"] = kv.Value.Qini, ["auuc"] = kv.Value.Auuc });
                    if (json)
                    {
                        Console.WriteLine(JsonSerializer.Serialize(rows, DemoRunner.JsonOptions));
                        return ExitCode.Success;
                    }
                    var table = new Table().AddColumns("model", $"uplift@{k:P0}", "qini (normalized)", "auuc (normalized)");
                    foreach (var (name, score) in result.Scores.OrderByDescending(kv => kv.Value.UpliftAtK))
                    {
                        table.AddRow(name, score.UpliftAtK.ToString("0.0000", CultureInfo.InvariantCulture), score.Qini.ToString("0.0000", CultureInfo.InvariantCulture), score.Auuc.ToString("0.0000", CultureInfo.InvariantCulture));
                    }
                    Console.WriteLine($"trained on {result.TrainRows:N0} rows, scored on {result.TestRows:N0}");
                    AnsiConsole.Write(table);
                    return ExitCode.Success;
                }));
            }
        }

        private sealed class GenerateCommand : Command
        {
            public Option<string> Out { get; } = new("--out") { Description = "CSV file to write", Required = true };
            public Option<int> Rows { get; } = new("--rows") { Description = "Customers", DefaultValueFactory = _ => 64_000 };
            public Option<int> Seed { get; } = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };

            public GenerateCommand() : base("generate", "Write a Hillstrom-shaped e-mail experiment (same columns) for trying uplift eval")
            {
                Add(Out);
                Add(Rows);
                Add(Seed);
                SetAction((parse, ct) => Guarded.RunAsync(async () =>
                {
                    if (parse.GetValue(Rows) < 10)
                    {
                        throw new ArgumentException("--rows must be at least 10");
                    }
                    await HillstromGenerator.WriteCsvAsync(parse.GetValue(Out)!, parse.GetValue(Rows), parse.GetValue(Seed), ct);
                    Console.WriteLine($"{parse.GetValue(Rows):N0} rows in {Path.GetFullPath(parse.GetValue(Out)!)}");
                    return ExitCode.Success;
                }));
            }
        }
    }

    private sealed class ReportCommand : Command
    {
        public Option<string> Campaign { get; } = new("--campaign") { Description = "Campaign id (see campaign list)", Required = true };
        public Option<string?> Out { get; } = new("--out") { Description = "Folder for index.html and the PNG charts (default: reports/<campaign> beside the database)" };

        public ReportCommand() : base("report", "Write a campaign's experiment report (HTML + PNG): allocation, bandit decisions, posteriors, P(best), expected loss, lift with CIs, Qini curve on the holdout, calibration")
        {
            Add(Campaign);
            Add(Out);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var id = parse.GetValue(Campaign)!;
                var directory = parse.GetValue(Out) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.DatabasePath))!, "reports", id);
                ExperimentReportResult result;
                try
                {
                    result = await new ExperimentReport(store) { Settings = settings }.WriteAsync(id, directory, cancellationToken: ct);
                }
                catch (InvalidOperationException e)
                {
                    Ui.Error(e.Message);
                    return ExitCode.NotFound;
                }
                var table = new Table().AddColumns("variant", "sent", "clickers", "click rate", "P(best)", "expected loss");
                foreach (var v in result.Variants)
                {
                    table.AddRow(Markup.Escape(v.Variant), v.Sent.ToString("N0", CultureInfo.InvariantCulture), v.Clickers.ToString("N0", CultureInfo.InvariantCulture),
                        (v.Sent == 0 ? 0 : (double)v.Clickers / v.Sent).ToString("P2", CultureInfo.InvariantCulture), v.ProbabilityBest.ToString("P1", CultureInfo.InvariantCulture),
                        v.ExpectedLoss.ToString("0.00000", CultureInfo.InvariantCulture));
                }
                AnsiConsole.Write(table);
                Console.WriteLine(result.Verdict.Reason);
                if (result.HoldoutEffect is { } h)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"holdout: purchase rate e-mailed − held out {h.Difference:+0.00%;-0.00%} (95% CI {h.Interval.Low:+0.00%;-0.00%} – {h.Interval.High:+0.00%;-0.00%}; {h.Treated:N0} vs {h.Control:N0})"));
                }
                foreach (var (name, score) in result.Uplift?.Scores ?? new Dictionary<string, Mailsmith.Learn.Uplift.UpliftScore>())
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"uplift {name}: uplift@30% {score.UpliftAtK:0.0000}, Qini {score.Qini:0.0000}, AUUC {score.Auuc:0.0000}"));
                }
                foreach (var (section, why) in result.Skipped)
                {
                    Console.WriteLine($"{section}: skipped — {why}");
                }
                Console.WriteLine($"report: {result.HtmlPath}");
                return ExitCode.Success;
            }));
        }
    }

    private sealed class PropensityCommand : Command
    {
        public PropensityCommand() : base("propensity", "Response models: P(open), P(click), P(purchase) per recipient and message")
        {
            Add(new TrainCommand());
            Add(new BenchCommand());
        }

        internal static void Print(PropensityResult result, string target)
        {
            Console.WriteLine($"trained on {result.TrainRows:N0} sends, evaluated on the {result.HoldoutRows:N0} sent from {result.HoldoutFrom:yyyy-MM-dd HH:mm}Z on");
            var table = new Table().AddColumns("learner", "AUC", "Brier", "mean predicted", "observed", "train s", "score s");
            foreach (var s in result.Scores)
            {
                table.AddRow(s.Learner, s.Auc.ToString("0.0000", CultureInfo.InvariantCulture), s.Brier.ToString("0.00000", CultureInfo.InvariantCulture),
                    s.MeanPredicted.ToString("P2", CultureInfo.InvariantCulture), s.ObservedRate.ToString("P2", CultureInfo.InvariantCulture),
                    s.TrainSeconds.ToString("0.00", CultureInfo.InvariantCulture), s.ScoreSeconds.ToString("0.00", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
        }

        internal static object Json(PropensityResult result, string target) => new
        {
            target,
            train_rows = result.TrainRows,
            holdout_rows = result.HoldoutRows,
            learners = result.Scores.ToDictionary(s => s.Learner, s => new
            {
                auc = s.Auc,
                brier = s.Brier,
                mean_predicted = s.MeanPredicted,
                observed = s.ObservedRate,
                train_seconds = s.TrainSeconds,
                score_seconds = s.ScoreSeconds,
                calibration = s.Calibration.Select(b => new { predicted = b.MeanPredicted, observed = b.Observed, count = b.Count }),
            }),
        };

        private sealed class TrainCommand : Command
        {
            public Option<PropensityTarget> Target { get; } = new("--target") { Description = "open (human opens only) | click | purchase", DefaultValueFactory = _ => PropensityTarget.Click };
            public Option<double> Window { get; } = new("--window-days") { Description = "Purchase attribution window after a send, in days", DefaultValueFactory = _ => 7 };
            public Option<double> Holdout { get; } = new("--holdout") { Description = "Share of the latest sends held out for evaluation", DefaultValueFactory = _ => 0.2 };
            public Option<string?> Out { get; } = new("--out") { Description = "Folder for reliability.png (default: reports/propensity beside the database)" };
            public Option<bool> AsJson { get; } = new("--json") { Description = "Print JSON" };

            public TrainCommand() : base("train", "Train LightGBM and logistic-regression response models on the store's sends and engagement; AUC and calibration on a time-based holdout")
            {
                foreach (var option in new Option[] { Target, Window, Holdout, Out, AsJson })
                {
                    Add(option);
                }
                SetAction((parse, ct) => Guarded.RunAsync(async () =>
                {
                    var settings = GlobalOptions.Settings(parse);
                    var store = GlobalOptions.Store(settings);
                    var target = parse.GetValue(Target);
                    PropensityData data;
                    try
                    {
                        data = await Task.Run(() => StorePropensityData.Build(store, settings, target, parse.GetValue(Window)), ct);
                    }
                    catch (InvalidOperationException e)
                    {
                        Ui.Error(e.Message);
                        return ExitCode.NotFound;
                    }
                    var result = await Task.Run(() => PropensityTrainer.TrainAndEvaluate(data, parse.GetValue(Holdout)), ct);
                    var name = target.ToString().ToLowerInvariant();
                    var directory = parse.GetValue(Out) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(settings.DatabasePath))!, "reports", "propensity");
                    var png = PropensityTrainer.ReliabilityPlot(Path.Combine(directory, $"reliability-{name}.png"), result.Scores, name);
                    if (parse.GetValue(AsJson))
                    {
                        Console.WriteLine(JsonSerializer.Serialize(Json(result, name), DemoRunner.JsonOptions));
                        return ExitCode.Success;
                    }
                    Print(result, name);
                    Console.WriteLine($"reliability plot: {png}");
                    return ExitCode.Success;
                }));
            }
        }

        private sealed class BenchCommand : Command
        {
            public Option<int> Sends { get; } = new("--sends") { Description = "Synthetic sends to train on and to score", DefaultValueFactory = _ => 1_000_000 };
            public Option<int> Seed { get; } = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };

            public BenchCommand() : base("bench", "Time training on N synthetic sends and scoring N recipients (LightGBM and logistic regression)")
            {
                Add(Sends);
                Add(Seed);
                SetAction((parse, ct) => Guarded.RunAsync(async () =>
                {
                    var n = parse.GetValue(Sends);
                    if (n < 1000)
                    {
                        throw new ArgumentException("--sends must be at least 1000");
                    }
                    Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] generating {n:N0} sends (and {n:N0} more to score)");
                    var train = SyntheticSends.Generate(n, parse.GetValue(Seed));
                    var score = SyntheticSends.Generate(n, parse.GetValue(Seed) + 1);
                    foreach (var (name, kind) in new[] { ("lightgbm", Mailsmith.Learn.Models.LearnerKind.LightGbm), ("logistic", Mailsmith.Learn.Models.LearnerKind.LogisticRegression) })
                    {
                        var clock = System.Diagnostics.Stopwatch.StartNew();
                        var model = await Task.Run(() => Mailsmith.Learn.Models.BinaryClassifier.Fit(train.Features, train.Labels, kind, 42), ct);
                        var fit = clock.Elapsed.TotalSeconds;
                        clock.Restart();
                        var p = model.Predict(score.Features);
                        var predict = clock.Elapsed.TotalSeconds;
                        Console.WriteLine($"{name,-9} train {n:N0}: {fit,6:0.0} s   score {n:N0}: {predict,5:0.0} s   AUC on the scored set {PropensityTrainer.Auc(p, score.Labels):0.000}");
                    }
                    return ExitCode.Success;
                }));
            }
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
