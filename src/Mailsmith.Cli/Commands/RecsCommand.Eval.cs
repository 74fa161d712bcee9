using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Recommend.Evaluation;
using Mailsmith.Storage;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

internal sealed partial class RecsCommand
{
    partial void AddMore() => Add(new EvalCommand());

    /// <summary><c>mailsmith recs eval</c>: the Recommenders benchmark protocol on a file or the store's own data.</summary>
    private sealed class EvalCommand : Command
    {
        public Option<string?> Interactions { get; } = new("--interactions") { Description = "Interactions file: CSV user_id,item_id,timestamp[,weight], or MovieLens u.data with --format movielens, or market baskets with --format baskets" };
        public Option<bool> FromDb { get; } = new("--from-db") { Description = "Evaluate on the store's own views, carts and purchases instead of a file" };
        public Option<string> Format { get; } = new("--format") { Description = "csv | movielens (tab-separated user item rating timestamp) | baskets (order_id,product_id CSV or one basket per line, as recs rules reads; each basket is a user)", DefaultValueFactory = _ => "csv" };
        public Option<string> Split { get; } = new("--split") { Description = "user | item (stratified, seeded) | time (each user's latest share is test)", DefaultValueFactory = _ => "user" };
        public Option<double> Ratio { get; } = new("--ratio") { Description = "Share of each user's (item's) interactions that trains (default 0.75)", DefaultValueFactory = _ => 0.75 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the split (default 42)", DefaultValueFactory = _ => 42 };
        public Option<int> K { get; } = new("--k") { Description = "List length (default 10)", DefaultValueFactory = _ => 10 };
        public Option<string[]> Algorithms { get; } = new("--algorithms") { Description = "Algorithms to run: popularity, sar, sar-lift, sar-cosine, ease, hybrid, bought-together, content (--from-db only); tuning keys ease:LAMBDA[:HALF_LIFE[:w]], sar:SIMILARITY[:HALF_LIFE] (default: popularity sar ease hybrid bought-together, and content with --from-db)", AllowMultipleArgumentsPerToken = true };
        public Option<bool> Json { get; } = new("--json") { Description = "Print {\"<algorithm>\": {precision, recall, ndcg, map, coverage, fit_seconds, recommend_seconds}}" };

        public EvalCommand() : base("eval", "Precision, recall, nDCG and MAP at k of each recommender under the Microsoft Recommenders protocol")
        {
            Format.AcceptOnlyFromAmong("csv", "movielens", "baskets");
            Split.AcceptOnlyFromAmong("user", "item", "time");
            Add(Interactions);
            Add(FromDb);
            Add(Format);
            Add(Split);
            Add(Ratio);
            Add(Seed);
            Add(K);
            Add(Algorithms);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var path = parse.GetValue(Interactions);
                if (path is null == !parse.GetValue(FromDb))
                {
                    throw new ArgumentException("give either --interactions FILE or --from-db");
                }
                var algorithms = parse.GetValue(Algorithms) is { Length: > 0 } given
                    ? given.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(a => a.ToLowerInvariant()).ToList()
                    : null;
                foreach (var a in (algorithms ?? []).Where(a => a != "content"))
                {
                    _ = RecommenderBenchmark.Create(a);
                }
                InteractionSet set;
                if (path is not null)
                {
                    try
                    {
                        set = await InteractionSet.ReadAsync(path, parse.GetValue(Format) switch { "movielens" => InteractionFormat.MovieLens, "baskets" => InteractionFormat.Baskets, _ => InteractionFormat.Csv }, ct);
                    }
                    catch (FormatException e)
                    {
                        Ui.Error(e.Message);
                        return ExitCode.BadData;
                    }
                }
                else
                {
                    var settings = GlobalOptions.Settings(parse);
                    set = InteractionSet.FromStore(StoreSnapshot.Load(GlobalOptions.Store(settings)), settings.Recommend);
                    if (set.Interactions.Count == 0)
                    {
                        Ui.Error($"{settings.DatabasePath}: the store has no views, carts or orders to evaluate on");
                        return ExitCode.BadData;
                    }
                }
                var options = new EvaluationOptions
                {
                    Split = parse.GetValue(Split) switch { "item" => SplitKind.Item, "time" => SplitKind.Time, _ => SplitKind.User },
                    Ratio = parse.GetValue(Ratio),
                    Seed = parse.GetValue(Seed),
                    K = parse.GetValue(K),
                    // The store's own data has product texts: content-based joins the default list there.
                    Algorithms = algorithms ?? (set.ItemProducts is null ? new EvaluationOptions().Algorithms : [.. new EvaluationOptions().Algorithms, "content"]),
                };
                var report = RecommenderBenchmark.Run(set, options);
                if (parse.GetValue(Json))
                {
                    var json = report.Results.Where(r => r.Skipped is null).ToDictionary(r => r.Name, r => new Dictionary<string, double>
                    {
                        ["precision"] = r.Scores.Precision,
                        ["recall"] = r.Scores.Recall,
                        ["ndcg"] = r.Scores.Ndcg,
                        ["map"] = r.Scores.Map,
                        ["coverage"] = r.Scores.Coverage,
                        ["fit_seconds"] = r.FitSeconds,
                        ["recommend_seconds"] = r.RecommendSeconds,
                    });
                    Console.WriteLine(JsonSerializer.Serialize(json));
                }
                else
                {
                    Print(report);
                }
                foreach (var skipped in report.Results.Where(r => r.Skipped is not null))
                {
                    Console.Error.WriteLine($"note: {skipped.Name} skipped: {skipped.Skipped}");
                }
                return ExitCode.Success;
            }));
        }

        private static void Print(EvaluationReport report)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            console.MarkupLine(Markup.Escape($"{report.Interactions:N0} interactions, {report.Users:N0} users, {report.Items:N0} items; {report.TrainPairs:N0} train and {report.TestPairs:N0} test pairs; k = {report.K}"));
            var inv = CultureInfo.InvariantCulture;
            var table = new Table().AddColumns("algorithm", "precision", "recall", "nDCG", "MAP", "coverage", "fit s", "recommend s", "users");
            foreach (var r in report.Results.Where(r => r.Skipped is null))
            {
                table.AddRow(r.Name, r.Scores.Precision.ToString("0.0000", inv), r.Scores.Recall.ToString("0.0000", inv), r.Scores.Ndcg.ToString("0.0000", inv),
                    r.Scores.Map.ToString("0.0000", inv), r.Scores.Coverage.ToString("0.000", inv), r.FitSeconds.ToString("0.000", inv),
                    r.RecommendSeconds.ToString("0.000", inv), r.Scores.Users.ToString("N0", inv));
            }
            console.Write(table);
        }
    }
}
