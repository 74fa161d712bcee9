using System.CommandLine;
using Mailsmith.Pipeline;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith demo</c>: the whole pipeline on a generated store.</summary>
internal sealed class DemoCommand : Command
{
    public Option<string> Out { get; } = new("--out") { Description = "Output folder", DefaultValueFactory = _ => "out" };
    public Option<int> Customers { get; } = new("--customers") { Description = "Customers in the generated store", DefaultValueFactory = _ => 5000 };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the generated store and campaigns", DefaultValueFactory = _ => 42 };

    public DemoCommand() : base("demo", "Generate a store, import it into a fresh database, run every stage, and write emails, a preview gallery and summary.json")
    {
        Add(Out);
        Add(Customers);
        Add(Seed);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var customers = parse.GetValue(Customers);
            if (customers < 10)
            {
                throw new ArgumentException("--customers must be at least 10");
            }
            var settings = GlobalOptions.Settings(parse);
            var options = new DemoOptions { OutputDirectory = parse.GetValue(Out)!, Customers = customers, Seed = parse.GetValue(Seed) };
            var summary = await Ui.WithProgressAsync(progress => new DemoRunner(options, settings).RunAsync(progress, ct));
            Print(summary, options.OutputDirectory);
            return ExitCode.Success;
        }));
    }

    private static void Print(DemoSummary summary, string outDir)
    {
        var stages = new Table().Title("Stages").AddColumns("stage", "seconds", "count");
        foreach (var (stage, s) in summary.Stages)
        {
            stages.AddRow(stage, s.Seconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), s.Count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        }
        var campaigns = new Table().Title("Campaigns").AddColumns("id", "type", "audience", "emails", "emails/s", "held back");
        foreach (var c in summary.Campaigns)
        {
            campaigns.AddRow(c.Id, c.Type, c.Audience.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), c.Emails.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                c.EmailsPerSecond.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(c.Suppressed.Count == 0 ? "-" : string.Join(", ", c.Suppressed.Select(kv => $"{kv.Key} {kv.Value}"))));
        }
        AnsiConsole.Write(stages);
        AnsiConsole.Write(campaigns);
        var emails = summary.Campaigns.Sum(c => c.Emails);
        Console.WriteLine($"{emails:N0} emails in {Path.Combine(outDir, "emails")}/ · compose+render+MIME {summary.EmailsPerSecond:N0} emails/s · total {summary.TotalSeconds:0.0} s");
        Console.WriteLine($"preview: {summary.Preview}");
        Console.WriteLine($"summary: {Path.Combine(Path.GetFullPath(outDir), "summary.json")}");
    }
}
