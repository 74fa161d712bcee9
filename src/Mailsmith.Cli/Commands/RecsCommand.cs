using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Recommend.Rules;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith recs …</c>: the Recommend stage's tools (association rules; evaluation).</summary>
internal sealed partial class RecsCommand : Command
{
    public RecsCommand() : base("recs", "Recommendations: association rules, evaluation")
    {
        Add(new RulesCommand());
        AddMore();
    }

    /// <summary>Other <c>recs</c> verbs add themselves here from their own files.</summary>
    partial void AddMore();

    private sealed class RulesCommand : Command
    {
        public Option<string?> BasketsFile { get; } = new("--baskets") { Description = "Basket file: CSV with header order_id,product_id, or one basket per line (items comma-separated)" };
        public Option<bool> FromDb { get; } = new("--from-db") { Description = "Mine the store's own orders (order lines of the database) instead of a file" };
        public Option<double> MinSupport { get; } = new("--min-support") { Description = "Minimum support, a ratio of baskets (arules' supp)", Required = true };
        public Option<double> MinConfidence { get; } = new("--min-confidence") { Description = "Minimum confidence (arules' conf)", Required = true };
        public Option<int> MinLength { get; } = new("--min-length") { Description = "Minimum items per rule, both sides together (default 2)", DefaultValueFactory = _ => 2 };
        public Option<int> MaxLength { get; } = new("--max-length") { Description = "Maximum items per rule (default 10)", DefaultValueFactory = _ => 10 };
        public Option<int> Top { get; } = new("--top") { Description = "Rows of the table (default 30; --json prints every rule)", DefaultValueFactory = _ => 30 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print every rule as a JSON list of {antecedent, consequent, support, confidence, lift}" };

        public RulesCommand() : base("rules", "Frequently bought together: association rules by FP-Growth (arules conventions)")
        {
            Add(BasketsFile);
            Add(FromDb);
            Add(MinSupport);
            Add(MinConfidence);
            Add(MinLength);
            Add(MaxLength);
            Add(Top);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var path = parse.GetValue(BasketsFile);
                var fromDb = parse.GetValue(FromDb);
                if (path is null == !fromDb)
                {
                    throw new ArgumentException("give either --baskets FILE or --from-db");
                }
                var options = new RuleMiningOptions
                {
                    MinSupport = parse.GetValue(MinSupport),
                    MinConfidence = parse.GetValue(MinConfidence),
                    MinLength = parse.GetValue(MinLength),
                    MaxLength = parse.GetValue(MaxLength),
                };
                Baskets baskets;
                string source;
                if (path is not null)
                {
                    try
                    {
                        baskets = await Baskets.ReadAsync(path, ct);
                    }
                    catch (FormatException e)
                    {
                        Ui.Error(e.Message);
                        return ExitCode.BadData;
                    }
                    source = path;
                }
                else
                {
                    var settings = GlobalOptions.Settings(parse);
                    var store = GlobalOptions.Store(settings);
                    baskets = Baskets.FromPairs(store.LoadOrderLines().Select(l => (l.OrderId, l.ProductId)));
                    source = settings.DatabasePath;
                    if (baskets.Count == 0)
                    {
                        Ui.Error($"{source}: the store has no orders to mine");
                        return ExitCode.BadData;
                    }
                }
                var watch = Stopwatch.StartNew();
                var rules = AssociationRules.Mine(baskets, options);
                var seconds = watch.Elapsed.TotalSeconds;
                if (parse.GetValue(Json))
                {
                    var list = rules.Select(r => new Dictionary<string, object>
                    {
                        ["antecedent"] = r.Antecedent,
                        ["consequent"] = new[] { r.Consequent },
                        ["support"] = r.Support,
                        ["confidence"] = r.Confidence,
                        ["lift"] = r.Lift,
                    });
                    Console.WriteLine(JsonSerializer.Serialize(list));
                    return ExitCode.Success;
                }
                Print(rules, baskets, source, seconds, parse.GetValue(Top));
                return ExitCode.Success;
            }));
        }

        private static void Print(IReadOnlyList<AssociationRule> rules, Baskets baskets, string source, double seconds, int top)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            var byLength = string.Join(", ", rules.GroupBy(r => r.Length).OrderBy(g => g.Key).Select(g => $"{g.Count():N0} of length {g.Key}"));
            console.MarkupLine(Markup.Escape(
                $"{rules.Count:N0} rules ({(rules.Count == 0 ? "none" : byLength)}) from {baskets.Count:N0} baskets and {baskets.ItemCount:N0} items of {source}, mined in {seconds:0.000} s"));
            if (rules.Count == 0 || top <= 0)
            {
                return;
            }
            var inv = CultureInfo.InvariantCulture;
            var table = new Table().AddColumns("if bought", "then also", "support", "confidence", "lift", "baskets");
            foreach (var rule in rules.Take(Math.Max(top, 0)))
            {
                table.AddRow(
                    Markup.Escape(string.Join(" + ", rule.Antecedent)),
                    Markup.Escape(rule.Consequent),
                    rule.Support.ToString("0.0000", inv),
                    rule.Confidence.ToString("0.000", inv),
                    rule.Lift.ToString("0.00", inv),
                    rule.Count.ToString("N0", inv));
            }
            console.Write(table);
            if (rules.Count > top)
            {
                console.MarkupLine(Markup.Escape($"(strongest {top} by lift shown; --top N for more, --json for all)"));
            }
        }
    }
}
