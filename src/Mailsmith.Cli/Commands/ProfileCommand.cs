using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Pipeline;
using Mailsmith.Profile;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith profile</c>: builds and stores every customer's profile (skipped when nothing changed), prints a summary.</summary>
internal sealed class ProfileCommand : Command
{
    public Option<DateTimeOffset?> AsOf { get; } = new("--as-of") { Description = "The moment to profile at (default: the latest activity in the data)" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON instead of tables" };
    public Option<bool> Force { get; } = new("--force") { Description = "Recompute even when the data and options are unchanged since the last run" };

    public ProfileCommand() : base("profile", "Compute every customer's profile: RFM, lifecycle, RFM group, CLV and churn, clusters, affinities, discount and review sentiment, language, best send hour")
    {
        Add(AsOf);
        Add(Json);
        Add(Force);
        Add(new ProfileReportCommand());
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var at = parse.GetValue(AsOf) ?? store.LatestActivity() ?? DateTimeOffset.UtcNow;
            var result = await Ui.WithProgressAsync(progress => Task.Run(() =>
                ProfileStage.Run(store, settings.Profile, at, DateTimeOffset.UtcNow, force: parse.GetValue(Force),
                    progress: (step, done, total) => progress.Report(new PipelineProgress("profile", step, done, total))), ct));
            var profiles = result.Profiles.Values.ToList();
            var lifecycle = Lifecycle.All.ToDictionary(l => l, l => profiles.Count(p => p.Lifecycle == l));
            var bands = profiles.GroupBy(p => p.PriceBand).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
            var groups = RfmSegments.All.ToDictionary(g => g, g => profiles.Count(p => p.RfmSegment == g));
            var summary = result.Summary;
            var clv = profiles.Where(p => p.Clv365 is not null).Select(p => p.Clv365!.Value).ToList();
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    as_of = summary.AsOf,
                    customers = profiles.Count,
                    up_to_date = result.UpToDate,
                    seconds = Math.Round(result.Seconds, 3),
                    lifecycle,
                    price_band = bands,
                    rfm_segments = groups,
                    clv = new { status = summary.Clv.Status, message = summary.Clv.Message, bgnbd = summary.Clv.BgNbd, gamma_gamma = summary.Clv.GammaGamma, total_clv_365 = clv.Sum() },
                    clusters = summary.Clusters.Select(c => new { cluster = c.Cluster, customers = c.Customers, label = c.Label }),
                    discount_base_rate = summary.DiscountBaseRate,
                    warnings = summary.Warnings,
                    timings = summary.Timings,
                }, DemoRunner.JsonOptions));
                return ExitCode.Success;
            }
            var title = $"{profiles.Count:N0} customers as of {summary.AsOf:yyyy-MM-dd HH:mm}Z" + (result.UpToDate ? " (unchanged since the last run: stored profiles)" : $" in {result.Seconds:F1} s");
            var table = new Table().Title(Markup.Escape(title)).AddColumns("lifecycle", "customers", "share");
            foreach (var (stage, n) in lifecycle)
            {
                table.AddRow(stage, n.ToString("N0", CultureInfo.InvariantCulture), Share(n, profiles.Count));
            }
            AnsiConsole.Write(table);
            var rfm = new Table().AddColumns("RFM group", "customers", "share");
            foreach (var (g, n) in groups)
            {
                rfm.AddRow(Markup.Escape(RfmSegments.DisplayName(g)), n.ToString("N0", CultureInfo.InvariantCulture), Share(n, profiles.Count));
            }
            AnsiConsole.Write(rfm);
            var clusters = new Table().AddColumns("cluster", "customers", "described by");
            foreach (var c in summary.Clusters)
            {
                clusters.AddRow(c.Cluster.ToString(CultureInfo.InvariantCulture), c.Customers.ToString("N0", CultureInfo.InvariantCulture), Markup.Escape(c.Label));
            }
            AnsiConsole.Write(clusters);
            Console.WriteLine("price bands: " + string.Join(", ", bands.Select(kv => $"{kv.Key} {kv.Value:N0}")));
            Console.WriteLine(summary.Clv.BgNbd is { } bg
                ? FormattableString.Invariant($"CLV: BG/NBD r={bg.R:G4} α={bg.Alpha:G4} a={bg.A:G4} b={bg.B:G4} on {summary.Clv.Customers:N0} buyers ({summary.Clv.RepeatCustomers:N0} repeat); total 12-month CLV {clv.Sum():N0}")
                : $"CLV: not fitted ({summary.Clv.Message})");
            var withHour = profiles.Count(p => p.BestHourOfWeek is not null);
            Console.WriteLine(FormattableString.Invariant($"best send hour: {withHour:N0} customers, {summary.BestHoursFromOutcomes:N0} of them learned from delivery outcomes (clicks and purchases by delivery hour)"));
            foreach (var w in summary.Warnings)
            {
                Console.Error.WriteLine("warning: " + w);
            }
            return ExitCode.Success;
        }));
    }

    private static string Share(int n, int total) => total == 0 ? "-" : ((double)n / total).ToString("P1", CultureInfo.InvariantCulture);
}
