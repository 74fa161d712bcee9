using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mailsmith.Reporting;

namespace Mailsmith.Profile.Clv;

/// <summary>What <c>mailsmith clv fit</c> is asked to do.</summary>
public sealed class ClvFitRequest
{
    public required string TransactionsPath { get; init; }

    /// <summary>The file format. Default <see cref="ClvFileFormat.Csv"/>.</summary>
    public ClvFileFormat Format { get; init; } = ClvFileFormat.Csv;

    /// <summary>The last calibration day. Default: the middle day between the first date in the file and the holdout end, so both periods are equally long (CDNOW: 1997-09-30).</summary>
    public DateOnly? CalibrationEnd { get; init; }

    /// <summary>The last holdout day. Default: the last date in the file.</summary>
    public DateOnly? HoldoutEnd { get; init; }

    /// <summary>Where the holdout chart (PNG) goes; null for none. Default null.</summary>
    public string? ChartPath { get; init; }

    /// <summary>Where per-customer predictions (CSV) go; null for none. Default null.</summary>
    public string? PredictionsPath { get; init; }

    /// <summary>Model options. Default <see cref="ClvOptions.Default"/>.</summary>
    public ClvOptions Options { get; init; } = ClvOptions.Default;
}

/// <summary>The outcome of a <see cref="ClvFitRequest"/>: the data read, the fit, the holdout comparison and the files written.</summary>
public sealed record ClvFitReport(
    ClvDataset Data,
    int Rows,
    DateOnly FirstDate,
    DateOnly LastDate,
    TimeSpan ParseTime,
    ClvFitResult Fit,
    HoldoutComparison? Holdout,
    string? ChartPath,
    string? PredictionsPath)
{
    /// <summary>Reads the file, fits both models, compares the holdout and writes the chart and predictions asked for.</summary>
    /// <exception cref="ClvDataException">The file has bad rows or no transactions.</exception>
    /// <exception cref="ArgumentException">The dates are inconsistent.</exception>
    public static async Task<ClvFitReport> RunAsync(ClvFitRequest request, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var rows = await ClvTransactionReader.ReadAsync(request.TransactionsPath, request.Format, cancellationToken);
        var parseTime = clock.Elapsed;
        if (rows.Count == 0)
        {
            throw new ClvDataException($"{request.TransactionsPath}: no transactions");
        }
        var first = rows.Min(r => r.Date);
        var last = rows.Max(r => r.Date);
        var (calibrationEnd, holdoutEnd) = ResolvePeriods(first, last, request.CalibrationEnd, request.HoldoutEnd);
        var data = ClvDataset.Create(rows, calibrationEnd, holdoutEnd);
        var fit = ClvModel.Fit(data, request.Options);
        HoldoutComparison? holdout = null;
        string? chart = null;
        string? predictions = null;
        if (fit.CanPredict)
        {
            if (holdoutEnd is not null)
            {
                holdout = HoldoutComparison.Compute(fit, data);
                if (request.ChartPath is { } chartPath)
                {
                    chart = WriteHoldoutChart(holdout, fit.Options, chartPath);
                }
            }
            if (request.PredictionsPath is { } predictionsPath)
            {
                predictions = await WritePredictionsAsync(data, new ClvPredictor(fit).PredictAll(data, cancellationToken), predictionsPath, cancellationToken);
            }
        }
        return new ClvFitReport(data, rows.Count, first, last, parseTime, fit, holdout, chart, predictions);
    }

    /// <summary>
    /// The periods: the holdout ends at <paramref name="holdoutEnd"/> or the last date; the calibration at
    /// <paramref name="calibrationEnd"/> or halfway from the first date to the holdout end. No holdout when the
    /// calibration ends on or after the last date.
    /// </summary>
    public static (DateOnly CalibrationEnd, DateOnly? HoldoutEnd) ResolvePeriods(DateOnly first, DateOnly last, DateOnly? calibrationEnd, DateOnly? holdoutEnd)
    {
        var end = holdoutEnd ?? last;
        var calibration = calibrationEnd ?? DateOnly.FromDayNumber(first.DayNumber + (end.DayNumber - first.DayNumber) / 2);
        if (calibration < first)
        {
            throw new ArgumentException($"--calibration-end {calibration:yyyy-MM-dd} is before the first transaction ({first:yyyy-MM-dd})");
        }
        if (holdoutEnd is not null && holdoutEnd <= calibration)
        {
            throw new ArgumentException($"--holdout-end {holdoutEnd:yyyy-MM-dd} must be after the calibration end {calibration:yyyy-MM-dd}");
        }
        return (calibration, end > calibration ? end : null);
    }

    /// <summary>The paper's conditional-expectation chart: mean holdout purchases by calibration repeat purchases, actual beside predicted.</summary>
    public static string WriteHoldoutChart(HoldoutComparison holdout, ClvOptions options, string path)
    {
        var weeks = holdout.HoldoutDays / options.TimeUnitDays;
        var plot = ChartStyle.GroupedBars(
            $"Holdout purchases per customer ({holdout.HoldoutDays} days): actual {holdout.Actual:N0}, predicted {holdout.Predicted:N0}",
            "Repeat purchases in the calibration period",
            $"Mean purchases in the holdout ({weeks:0.#} × {options.TimeUnitDays:0.##} days)",
            [.. holdout.ByFrequency.Select(g => g.Label)],
            [("Actual", [.. holdout.ByFrequency.Select(g => g.ActualMean)]), ("BG/NBD", [.. holdout.ByFrequency.Select(g => g.PredictedMean)])]);
        return ChartStyle.SavePng(plot, path);
    }

    /// <summary>Writes one CSV row of predictions per customer (columns in docs/clv.md); returns the full path.</summary>
    public static async Task<string> WritePredictionsAsync(ClvDataset data, ClvPrediction[] predictions, string path, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Written to a temporary file and moved: a crash never leaves half a file under the final name.
        var temporary = full + ".tmp";
        await using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("customer_id,frequency,recency_days,age_days,p_alive,expected_purchases_30,expected_purchases_90,expected_purchases_365,expected_order_value,clv,expected_next_order".AsMemory(), cancellationToken);
            var line = new StringBuilder();
            for (var i = 0; i < data.Count; i++)
            {
                var p = predictions[i];
                line.Clear();
                line.Append(Csv(data.CustomerIds[i])).Append(',')
                    .Append(CultureInfo.InvariantCulture, $"{data.Frequency[i]},{data.RecencyDays[i]},{data.AgeDays[i]},{p.ProbabilityAlive:0.######},{p.ExpectedPurchases30:0.######},{p.ExpectedPurchases90:0.######},{p.ExpectedPurchases365:0.######},")
                    .Append(p.ExpectedOrderValue?.ToString("0.####", CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.Clv?.ToString("0.####", CultureInfo.InvariantCulture)).Append(',')
                    .Append(p.ExpectedNextOrder?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                await writer.WriteLineAsync(line, cancellationToken);
            }
        }
        File.Move(temporary, full, overwrite: true);
        return full;
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
