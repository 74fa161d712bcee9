using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Profile.Clv;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith clv fit</c>: BG/NBD + Gamma-Gamma on a transaction file, with the holdout comparison.</summary>
internal sealed class ClvCommand : Command
{
    public ClvCommand() : base("clv", "Customer lifetime value: fit BG/NBD and Gamma-Gamma to transactions")
    {
        Add(new FitCommand());
    }

    private sealed class FitCommand : Command
    {
        public Option<string> Transactions { get; } = new("--transactions") { Description = "Transaction file", Required = true };
        public Option<string> Format { get; } = new("--format") { Description = "cdnow (the CDNOW sample or master file) | csv (customer_id,date,amount)", DefaultValueFactory = _ => "csv" };
        public Option<string?> CalibrationEnd { get; } = new("--calibration-end") { Description = "Last day of the calibration period, YYYY-MM-DD (default: halfway from the first date to the holdout end)" };
        public Option<string?> HoldoutEnd { get; } = new("--holdout-end") { Description = "Last day of the holdout period, YYYY-MM-DD (default: the last date in the file)" };
        public Option<string> Chart { get; } = new("--chart") { Description = "PNG of the holdout comparison (default: ./clv-holdout.png)", DefaultValueFactory = _ => "clv-holdout.png" };
        public Option<bool> NoChart { get; } = new("--no-chart") { Description = "Do not write the chart" };
        public Option<string?> Predictions { get; } = new("--predictions") { Description = "Also write per-customer predictions to this CSV file" };
        public Option<double> UnitDays { get; } = new("--time-unit-days") { Description = "Days per model time unit (default 7: weeks, as in the papers)", DefaultValueFactory = _ => 7 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object: bgnbd, gamma_gamma, holdout" };

        public FitCommand() : base("fit", "Fit the models, print parameters, log-likelihood and predicted vs actual holdout purchases")
        {
            Format.AcceptOnlyFromAmong("cdnow", "csv");
            Add(Transactions);
            Add(Format);
            Add(CalibrationEnd);
            Add(HoldoutEnd);
            Add(Chart);
            Add(NoChart);
            Add(Predictions);
            Add(UnitDays);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                if (!(parse.GetValue(UnitDays) > 0))
                {
                    throw new ArgumentException("--time-unit-days must be positive");
                }
                var request = new ClvFitRequest
                {
                    TransactionsPath = parse.GetValue(Transactions)!,
                    Format = parse.GetValue(Format) == "cdnow" ? ClvFileFormat.Cdnow : ClvFileFormat.Csv,
                    CalibrationEnd = Date(parse.GetValue(CalibrationEnd), "--calibration-end"),
                    HoldoutEnd = Date(parse.GetValue(HoldoutEnd), "--holdout-end"),
                    ChartPath = parse.GetValue(NoChart) ? null : parse.GetValue(Chart),
                    PredictionsPath = parse.GetValue(Predictions),
                    Options = new ClvOptions { TimeUnitDays = parse.GetValue(UnitDays) },
                };
                ClvFitReport report;
                try
                {
                    report = await ClvFitReport.RunAsync(request, ct);
                }
                catch (ClvDataException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return ExitCode.BadData;
                }
                if (!report.Fit.CanPredict)
                {
                    Ui.Error($"cannot fit: {report.Fit.Message}");
                    return ExitCode.BadData;
                }
                if (parse.GetValue(Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(ToJson(report), JsonOptions));
                }
                else
                {
                    Print(report);
                }
                if (report.Fit.Status == ClvFitStatus.SpendNotFitted)
                {
                    Console.Error.WriteLine($"warning: {report.Fit.Message}; order values and CLV are not available");
                }
                return ExitCode.Success;
            }));
        }

        private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

        private static DateOnly? Date(string? text, string option)
        {
            if (text is null)
            {
                return null;
            }
            return ClvTransactionReader.TryParseDate(text.Trim(), out var date)
                ? date
                : throw new ArgumentException($"{option}: '{text}' is not a date (YYYY-MM-DD)");
        }

        /// <summary>The documented JSON shape, exactly: bgnbd, gamma_gamma (null when not fitted), holdout (null without a holdout period).</summary>
        internal static Dictionary<string, object?> ToJson(ClvFitReport report)
        {
            var bg = report.Fit.BgNbd!;
            var gg = report.Fit.GammaGamma;
            var h = report.Holdout;
            return new Dictionary<string, object?>
            {
                ["bgnbd"] = new Dictionary<string, double> { ["r"] = bg.Parameters.R, ["alpha"] = bg.Parameters.Alpha, ["a"] = bg.Parameters.A, ["b"] = bg.Parameters.B, ["loglik"] = bg.LogLikelihood },
                ["gamma_gamma"] = gg is null ? null : new Dictionary<string, double> { ["p"] = gg.Parameters.P, ["q"] = gg.Parameters.Q, ["v"] = gg.Parameters.V },
                ["holdout"] = h is null ? null : new Dictionary<string, object>
                {
                    ["predicted"] = h.Predicted,
                    ["actual"] = h.Actual,
                    ["by_frequency"] = h.ByFrequency.Select(g => new Dictionary<string, object> { ["x"] = g.X, ["predicted"] = g.PredictedMean, ["actual"] = g.ActualMean }).ToList(),
                },
            };
        }

        private static void Print(ClvFitReport report)
        {
            var d = report.Data;
            var fit = report.Fit;
            var inv = CultureInfo.InvariantCulture;
            // Tables go to the current Console.Out (which tests and pipes may have redirected), not a console captured at start-up.
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
            Console.WriteLine($"{report.Rows:N0} rows, {report.FirstDate:yyyy-MM-dd} .. {report.LastDate:yyyy-MM-dd}, read in {report.ParseTime.TotalSeconds:0.000} s");
            Console.WriteLine($"calibration: {d.FirstPurchase.Min():yyyy-MM-dd} .. {d.CalibrationEnd:yyyy-MM-dd}; holdout: " +
                (d.HoldoutEnd is { } he ? $"{d.CalibrationEnd.AddDays(1):yyyy-MM-dd} .. {he:yyyy-MM-dd} ({d.HoldoutDays} days)" : "none"));
            Console.WriteLine($"{d.Count:N0} customers ({d.RepeatCustomers:N0} repeat customers) in the calibration period" +
                (fit.GammaGamma is { } fitted && fitted.Customers < d.RepeatCustomers ? $"; {d.RepeatCustomers - fitted.Customers:N0} repeat customers whose repeat purchases are worth 0 are left out of Gamma-Gamma" : "") +
                (d.CustomersAfterCalibration > 0 ? $"; {d.CustomersAfterCalibration:N0} customers first bought after it and are not in the fit" : ""));
            var unit = fit.Options.TimeUnitDays;
            var bg = fit.BgNbd!;
            var table = new Table().Title($"BG/NBD (time unit {unit.ToString("0.##", inv)} days), fitted in {bg.Elapsed.TotalSeconds:0.000} s").AddColumns("parameter", "value");
            table.AddRow("r", bg.Parameters.R.ToString("0.0000", inv));
            table.AddRow("α", bg.Parameters.Alpha.ToString("0.0000", inv));
            table.AddRow("a", bg.Parameters.A.ToString("0.0000", inv));
            table.AddRow("b", bg.Parameters.B.ToString("0.0000", inv));
            table.AddRow("log-likelihood", bg.LogLikelihood.ToString("0.00", inv));
            console.Write(table);
            if (fit.GammaGamma is { } gg)
            {
                var spend = new Table().Title($"Gamma-Gamma on {gg.Customers:N0} repeat customers, fitted in {gg.Elapsed.TotalSeconds:0.000} s").AddColumns("parameter", "value");
                spend.AddRow("p", gg.Parameters.P.ToString("0.0000", inv));
                spend.AddRow("q", gg.Parameters.Q.ToString("0.0000", inv));
                spend.AddRow("v", gg.Parameters.V.ToString("0.0000", inv));
                spend.AddRow("log-likelihood", gg.LogLikelihood.ToString("0.00", inv));
                spend.AddRow("population mean order value", gg.Parameters.PopulationMean.ToString("0.00", inv));
                spend.AddRow("corr(x, mean value)", gg.FrequencyValueCorrelation.ToString("0.000", inv) + " (the model assumes ≈ 0)");
                console.Write(spend);
            }
            if (report.Holdout is { } h)
            {
                var holdout = new Table().Title($"Repeat purchases in the {h.HoldoutDays}-day holdout, by calibration repeat purchases")
                    .AddColumns("x", "customers", "actual mean", "predicted mean", "actual", "predicted");
                foreach (var g in h.ByFrequency)
                {
                    holdout.AddRow(g.Label, g.Customers.ToString("N0", inv), g.ActualMean.ToString("0.000", inv), g.PredictedMean.ToString("0.000", inv),
                        g.ActualTotal.ToString("N0", inv), g.PredictedTotal.ToString("N1", inv));
                }
                holdout.AddRow("total", h.Customers.ToString("N0", inv), "", "", h.Actual.ToString("N0", inv), h.Predicted.ToString("N1", inv));
                console.Write(holdout);
            }
            if (report.ChartPath is not null)
            {
                Console.WriteLine($"chart: {report.ChartPath}");
            }
            if (report.PredictionsPath is not null)
            {
                Console.WriteLine($"predictions: {report.PredictionsPath}");
            }
        }
    }
}
