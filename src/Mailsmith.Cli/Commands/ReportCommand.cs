using System.CommandLine;
using System.Globalization;
using Mailsmith.Track;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith report --campaign ID [--json] [--html FILE]</c>.</summary>
internal sealed class ReportCommand : Command
{
    public Option<string> Campaign { get; } = new("--campaign") { Description = "Campaign id (see campaign list)", Required = true };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON (keys sent, delivered, bounced, human_opens, machine_opens, clicks, ctr, …)" };
    public Option<string?> Html { get; } = new("--html") { Description = "Also write the report as an HTML page to this file" };

    public ReportCommand() : base("report", "Sent, delivered, opens (human and machine), clicks, unsubscribes, conversions and revenue of a campaign, per variant with 95% intervals")
    {
        Add(Campaign);
        Add(Json);
        Add(Html);
        SetAction((parse, ct) => Guarded.RunAsync(() =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var report = new CampaignReporter(store, settings.Track).Build(parse.GetValue(Campaign)!);
            if (parse.GetValue(Html) is { } html)
            {
                File.WriteAllText(html, ReportHtml.Render(report));
            }
            if (parse.GetValue(Json))
            {
                Console.WriteLine(report.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
                return Task.FromResult(ExitCode.Success);
            }
            Print(report);
            if (parse.GetValue(Html) is { } written)
            {
                Console.WriteLine($"HTML report: {Path.GetFullPath(written)}");
            }
            return Task.FromResult(ExitCode.Success);
        }));
    }

    private static void Print(CampaignReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var columns = new List<(string Name, ReportFigures F)> { ("campaign", report.Total) };
        columns.AddRange(report.Variants.Select(kv => ("variant " + kv.Key, kv.Value)));
        var table = new Table().Title(Markup.Escape($"{report.Campaign.CampaignId} {report.Campaign.Name} ({report.Campaign.Type})")).AddColumn("");
        foreach (var (name, _) in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        }
        static string Pct(double x) => x.ToString("P2", CultureInfo.InvariantCulture);
        static string Ci(Interval i) => $"[{Pct(i.Low)}, {Pct(i.High)}]";
        void Row(string label, Func<ReportFigures, string> value) =>
            table.AddRow([label, .. columns.Select(x => Markup.Escape(value(x.F)))]);
        Row("sent", f => f.Sent.ToString("N0", c));
        Row("delivered", f => f.Delivered.ToString("N0", c));
        Row("bounced", f => f.Bounced.ToString("N0", c));
        Row("human opens", f => $"{f.HumanOpens:N0} {Pct(f.OpenRate)} {Ci(f.OpenRateCi)}");
        Row("machine opens", f => f.MachineOpens.ToString("N0", c));
        Row("clicks", f => $"{f.Clicks:N0}");
        Row("click-through rate", f => $"{Pct(f.Ctr)} {Ci(f.CtrCi)}");
        Row("unsubscribes", f => f.Unsubscribes.ToString("N0", c));
        Row("complaints", f => f.Complaints.ToString("N0", c));
        Row("conversions", f => $"{f.Conversions:N0} {Pct(f.ConversionRate)} {Ci(f.ConversionRateCi)}");
        Row("revenue" + (report.Currency is { } cur ? $" ({cur})" : ""), f => f.Revenue.ToString("N2", c));
        Row("revenue per recipient", f => $"{f.RevenuePerRecipient.ToString("N4", c)} [{f.RevenuePerRecipientCi.Low.ToString("N4", c)}, {f.RevenuePerRecipientCi.High.ToString("N4", c)}]");
        AnsiConsole.Write(table);
        Console.WriteLine("95% intervals in brackets (Wilson for rates, normal for revenue per recipient); rates are over delivered messages.");
        foreach (var (currency, amount) in report.RevenueByCurrency.Where(kv => kv.Key != report.Currency))
        {
            Console.WriteLine($"also attributed: {amount.ToString("N2", c)} {currency} (not added to revenue above)");
        }
    }
}
