using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith profile</c>: builds and stores every customer's profile, prints the lifecycle mix.</summary>
internal sealed class ProfileCommand : Command
{
    public Option<DateTimeOffset?> AsOf { get; } = new("--as-of") { Description = "The moment to profile at (default: the latest activity in the data)" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of tables" };

    public ProfileCommand() : base("profile", "Compute RFM, lifecycle, top categories, price band and active hour for every customer")
    {
        Add(AsOf);
        Add(Json);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var context = await Ui.WithProgressAsync(progress => Task.Run(() => PipelineContext.Prepare(store, settings, parse.GetValue(AsOf), progress), ct));
            var profiles = context.Profiles.Values.ToList();
            var lifecycle = Lifecycle.All.ToDictionary(l => l, l => profiles.Count(p => p.Lifecycle == l));
            var bands = profiles.GroupBy(p => p.PriceBand).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { as_of = context.AsOf, customers = profiles.Count, lifecycle, price_band = bands }, DemoRunner.JsonOptions));
                return ExitCode.Success;
            }
            var table = new Table().Title($"{profiles.Count:N0} customers as of {context.AsOf:yyyy-MM-dd HH:mm}Z").AddColumns("lifecycle", "customers", "share");
            foreach (var (stage, n) in lifecycle)
            {
                table.AddRow(stage, n.ToString("N0", CultureInfo.InvariantCulture), profiles.Count == 0 ? "-" : ((double)n / profiles.Count).ToString("P1", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            Console.WriteLine("price bands: " + string.Join(", ", bands.Select(kv => $"{kv.Key} {kv.Value:N0}")));
            return ExitCode.Success;
        }));
    }
}
