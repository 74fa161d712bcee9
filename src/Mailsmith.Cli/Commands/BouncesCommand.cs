using System.CommandLine;
using Mailsmith.Storage;
using Mailsmith.Track;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith bounces import --mbox FILE</c>: DSN bounces and ARF complaints from a mailbox suppress addresses.</summary>
internal sealed class BouncesCommand : Command
{
    public BouncesCommand() : base("bounces", "Bounces and complaints that came back as mail (DSN, ARF)")
    {
        Add(new ImportCommand());
    }

    private sealed class ImportCommand : Command
    {
        public Option<string> Mbox { get; } = new("--mbox") { Description = "An mbox file of returned mail: DSNs (RFC 3464) and ARF feedback reports (RFC 5965)", Required = true };

        public ImportCommand() : base("import", "Read an mbox: hard bounces (5.x.x) and abuse complaints suppress the address, soft bounces (4.x.x) are recorded; a rerun adds nothing")
        {
            Add(Mbox);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var settings = GlobalOptions.Settings(parse);
                var path = parse.GetValue(Mbox)!;
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"{path}: file not found", path);
                }
                var store = GlobalOptions.Store(settings);
                var links = new TrackingLinks(settings.Track, LinkSigner.FromOptions(settings.Track, settings.DefaultKeyFile));
                BounceImportResult result;
                try
                {
                    result = await Task.Run(() => new BounceImporter(store, links).ImportMbox(path, ct), ct);
                }
                catch (FormatException e)
                {
                    Ui.Error(e.Message + " (nothing was stored)");
                    return ExitCode.BadData;
                }
                Print(path, result);
                return ExitCode.Success;
            }));
        }

        private static void Print(string path, BounceImportResult r)
        {
            var table = new Table().Title(Markup.Escape($"{path}: {r.Messages:N0} messages")).AddColumns("kind", "new", "matched to a message", "unmatched", "effect");
            foreach (var (kind, label, effect) in new[]
            {
                (DeliveryReportKind.HardBounce, "hard bounce (5.x.x)", "address suppressed, bounce event"),
                (DeliveryReportKind.SoftBounce, "soft bounce (4.x.x)", "recorded only"),
                (DeliveryReportKind.Complaint, "complaint (ARF abuse)", "address suppressed, complaint event"),
            })
            {
                table.AddRow(label, $"{r.New.GetValueOrDefault(kind):N0}", $"{r.Matched.GetValueOrDefault(kind):N0}", $"{r.Unmatched(kind):N0}", effect);
            }
            // A console over the current Console.Out (not the process-wide one fixed at first use): tests capture it.
            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) }).Write(table);
            Console.WriteLine($"  addresses newly suppressed {r.Suppressed:N0}, events added {r.Events:N0}; already imported {r.AlreadyImported:N0} (nothing done)");
            Console.WriteLine($"  not a report {r.NotReports:N0} messages; other report parts (delivered, relayed, non-abuse feedback) {r.Other:N0}");
        }
    }
}
