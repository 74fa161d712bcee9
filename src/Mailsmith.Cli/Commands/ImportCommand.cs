using System.CommandLine;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith import</c>: validated, all-or-nothing import of the store's files.</summary>
internal sealed class ImportCommand : Command
{
    private readonly List<(ImportKind Kind, Option<string?> Option)> _files = [];

    public Option<bool> SkipBadRows { get; } = new("--skip-bad-rows") { Description = "Load the good rows and write the rejects with reasons to <file>.rejects.csv" };
    public Option<string?> RejectsDir { get; } = new("--rejects-dir") { Description = "Folder for .rejects.csv files (default: beside each input)" };

    public ImportCommand() : base("import", "Import customers, products, orders, order lines, events and reviews (.csv or .jsonl); each file is all-or-nothing")
    {
        foreach (var (kind, name) in new[]
        {
            (ImportKind.Customers, "--customers"), (ImportKind.Products, "--products"), (ImportKind.Orders, "--orders"),
            (ImportKind.OrderLines, "--order-lines"), (ImportKind.Events, "--events"), (ImportKind.Reviews, "--reviews"),
        })
        {
            var option = new Option<string?>(name) { Description = $"{kind} file (.csv or .jsonl)" };
            _files.Add((kind, option));
            Add(option);
        }
        Add(SkipBadRows);
        Add(RejectsDir);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var files = _files.Select(f => (f.Kind, Path: parse.GetValue(f.Option))).Where(f => f.Path is not null).Select(f => new ImportFile(f.Kind, f.Path!)).ToList();
            if (files.Count == 0)
            {
                throw new ArgumentException("name at least one file: --customers, --products, --orders, --order-lines, --events or --reviews");
            }
            foreach (var missing in files.Where(f => !File.Exists(f.Path)))
            {
                throw new FileNotFoundException($"{missing.Path}: file not found");
            }
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var options = new ImportOptions
            {
                SkipBadRows = parse.GetValue(SkipBadRows),
                RejectsDirectory = parse.GetValue(RejectsDir),
                DefaultLocale = settings.Import.DefaultLocale,
                MaxReportedErrors = settings.Import.MaxReportedErrors,
            };
            var report = await Ui.WithProgressAsync(progress => Task.Run(() => new Importer(store, options).Import(files,
                new SynchronousProgress<ImportProgress>(p => progress.Report(new PipelineProgress("ingest", Path.GetFileName(p.Path), p.BytesRead, p.TotalBytes))), ct), ct));
            return Print(report, options.SkipBadRows);
        }));
    }

    private static int Print(ImportReport report, bool skipping)
    {
        var failed = false;
        foreach (var f in report.Files)
        {
            foreach (var warning in f.Warnings)
            {
                Console.Error.WriteLine($"warning: {warning}");
            }
            foreach (var error in f.Errors)
            {
                Console.Error.WriteLine(error.ToString());
            }
            if (f.ErrorCount > f.Errors.Count)
            {
                Console.Error.WriteLine($"{f.Path}: … and {f.ErrorCount - f.Errors.Count:N0} more errors ({f.ErrorCount:N0} in all)");
            }
            var status = f.Loaded
                ? $"loaded {f.RowsLoaded:N0} of {f.RowsRead:N0} rows" + (f.RowsRejected > 0 ? $", rejected {f.RowsRejected:N0} → {f.RejectsPath}" : "")
                : $"NOT loaded: {f.ErrorCount:N0} errors; nothing from this file was stored";
            Console.WriteLine($"{f.Kind,-10} {f.Path}: {status} ({f.Elapsed.TotalSeconds:0.00} s)");
            failed |= !f.Loaded || (!skipping && f.ErrorCount > 0);
        }
        return failed ? ExitCode.BadData : ExitCode.Success;
    }
}
