using System.Globalization;
using System.Net;
using System.Text;
using Mailsmith.Profile.Clv;
using Mailsmith.Reporting;
using Mailsmith.Storage;
using ScottPlot;

namespace Mailsmith.Profile.Report;

/// <summary>What <see cref="ProfileReport.WriteAsync"/> wrote.</summary>
/// <param name="Calibration">The CLV holdout check, or null when the model could not be fitted on the shortened history.</param>
public sealed record ProfileReportResult(string IndexPath, IReadOnlyList<string> Charts, ClvCalibration? Calibration);

/// <summary>One decile of customers by predicted holdout spend: mean predicted and actual spend and purchases.</summary>
public sealed record CalibrationBin(int Decile, int Customers, double PredictedSpend, double ActualSpend, double PredictedPurchases, double ActualPurchases);

/// <summary>
/// The CLV model checked on the store itself: fitted on the history up to <see cref="CalibrationEnd"/>, its predictions
/// for the following <see cref="HoldoutDays"/> days compared with what the customers did.
/// </summary>
public sealed record ClvCalibration(DateOnly CalibrationEnd, int HoldoutDays, HoldoutComparison Purchases, IReadOnlyList<CalibrationBin> SpendDeciles, double PredictedSpend, double ActualSpend);

/// <summary>
/// <c>mailsmith profile report</c>: an HTML page with PNG charts of the stored profiles (ScottPlot in the house style,
/// CJK font): RFM group sizes, the CLV distribution, P(alive) against recency, the CLV holdout calibration and the
/// population's send-hour heatmap. docs/profiles.md, "Report".
/// </summary>
public static class ProfileReport
{
    /// <summary>At most this many customers are drawn in the P(alive) scatter (a fixed-seed sample).</summary>
    private const int ScatterPoints = 4000;

    /// <exception cref="InvalidOperationException">The store has no profiles yet (run <c>mailsmith profile</c> first).</exception>
    public static async Task<ProfileReportResult> WriteAsync(MailsmithStore store, ProfileOptions options, string outDirectory, CancellationToken cancellationToken = default)
    {
        var latest = store.LoadLatestProfileRun() ?? throw new InvalidOperationException($"{store.Path}: no profiles yet; run `mailsmith profile` first");
        var profiles = store.LoadProfiles().Values.ToList();
        var summary = latest.Summary;
        var dir = Path.GetFullPath(outDirectory);
        Directory.CreateDirectory(dir);
        var charts = new List<string>();

        charts.Add(SegmentChart(profiles, Path.Combine(dir, "segments.png")));
        charts.Add(ClvHistogram(profiles, Path.Combine(dir, "clv.png")));
        charts.Add(AliveScatter(profiles, Path.Combine(dir, "p-alive-recency.png")));
        var snapshot = StoreSnapshot.Load(store);
        var calibration = Calibrate(snapshot, summary.AsOf, options);
        if (calibration is not null)
        {
            charts.Add(ClvFitReport.WriteHoldoutChart(calibration.Purchases, ClvOptions.Default, Path.Combine(dir, "calibration-purchases.png")));
            charts.Add(SpendCalibrationChart(calibration, Path.Combine(dir, "calibration-clv.png")));
        }
        charts.Add(Heatmap(summary.PopulationHourOfWeek, Path.Combine(dir, "send-hours.png")));

        var index = Path.Combine(dir, "index.html");
        await File.WriteAllTextAsync(index, Html(profiles, summary, calibration, charts.Select(Path.GetFileName).ToList()!), Encoding.UTF8, cancellationToken);
        return new ProfileReportResult(index, charts, calibration);
    }

    /// <summary>
    /// Fits BG/NBD + Gamma-Gamma on the orders up to <c>asOf − ClvHoldoutDays</c> and compares, per customer of that fit,
    /// the predicted purchases and spend (expected purchases × expected order value) in the holdout days with the actual.
    /// Null when the shortened history cannot be fitted.
    /// </summary>
    public static ClvCalibration? Calibrate(StoreSnapshot snapshot, DateTimeOffset asOf, ProfileOptions options)
    {
        var end = DateOnly.FromDateTime(asOf.UtcDateTime);
        var calibrationEnd = end.AddDays(-options.ClvHoldoutDays);
        var transactions = ProfileEnricher.Transactions(snapshot, asOf);
        if (transactions.Count == 0 || transactions.Min(t => t.Date) >= calibrationEnd)
        {
            return null;
        }
        var data = ClvDataset.Create(transactions, calibrationEnd, end);
        var clvOptions = new ProfileEnricher(options).ClvOptions;
        var fit = ClvModel.Fit(data, clvOptions);
        if (fit.Status != ClvFitStatus.Fitted)
        {
            return null;
        }
        var purchases = HoldoutComparison.Compute(fit, data);
        var predictor = new ClvPredictor(fit);
        var spend = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var t in transactions)
        {
            if (t.Date > calibrationEnd && t.Date <= end)
            {
                spend[t.CustomerId] = spend.GetValueOrDefault(t.CustomerId) + t.Amount;
            }
        }
        var unit = clvOptions.TimeUnitDays;
        var rows = new (double PredictedSpend, double ActualSpend, double PredictedPurchases, double ActualPurchases)[data.Count];
        for (var i = 0; i < data.Count; i++)
        {
            var x = data.Frequency[i];
            var expected = predictor.ExpectedPurchases(x, data.RecencyDays[i] / unit, data.AgeDays[i] / unit, options.ClvHoldoutDays / unit);
            var value = fit.GammaGamma!.Parameters.ConditionalMean(x, data.MeanRepeatValue[i]);
            rows[i] = (expected * value, spend.GetValueOrDefault(data.CustomerIds[i]), expected, data.HoldoutPurchases[i]);
        }
        var sorted = rows.OrderBy(r => r.PredictedSpend).ToArray();
        var bins = new List<CalibrationBin>();
        for (var d = 0; d < 10; d++)
        {
            var from = d * sorted.Length / 10;
            var to = (d + 1) * sorted.Length / 10;
            if (to <= from)
            {
                continue;
            }
            var slice = sorted[from..to];
            bins.Add(new CalibrationBin(d + 1, slice.Length, slice.Average(r => r.PredictedSpend), slice.Average(r => r.ActualSpend),
                slice.Average(r => r.PredictedPurchases), slice.Average(r => r.ActualPurchases)));
        }
        return new ClvCalibration(calibrationEnd, options.ClvHoldoutDays, purchases, bins, rows.Sum(r => r.PredictedSpend), rows.Sum(r => r.ActualSpend));
    }

    private static string SegmentChart(List<CustomerProfile> profiles, string path)
    {
        var groups = RfmSegments.All;
        var counts = groups.Select(g => (double)profiles.Count(p => p.RfmSegment == g)).ToList();
        var plot = ChartStyle.GroupedBars("RFM groups · RFM 分群人数", "group 分群", "customers 客户数",
            [.. groups.Select(RfmSegments.DisplayName)], [("customers 客户", counts)]);
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Bottom.MinimumSize = 110;
        return ChartStyle.SavePng(plot, path, 1000, 560);
    }

    private static string ClvHistogram(List<CustomerProfile> profiles, string path)
    {
        var values = profiles.Where(p => p.Clv365 is not null).Select(p => (double)p.Clv365!.Value).OrderBy(v => v).ToArray();
        var plot = ChartStyle.NewPlot("12-month CLV of buyers · 客户终身价值分布", "CLV (store currency) 终身价值", "customers 客户数");
        if (values.Length > 0)
        {
            // Up to the 99th percentile, so one whale does not squash every bar into the first bin.
            var max = Math.Max(1e-9, values[(int)Math.Min(values.Length - 1, Math.Floor(0.99 * values.Length))]);
            const int binCount = 30;
            var width = max / binCount;
            var counts = new double[binCount];
            foreach (var v in values)
            {
                counts[Math.Clamp((int)(v / width), 0, binCount - 1)]++;
            }
            var bars = plot.Add.Bars(Enumerable.Range(0, binCount).Select(b => (b + 0.5) * width).ToArray(), counts);
            foreach (var bar in bars.Bars)
            {
                bar.Size = width * 0.95;
                bar.FillColor = ChartStyle.Palette[0];
                bar.LineWidth = 0;
            }
            plot.Axes.Margins(bottom: 0);
        }
        return ChartStyle.SavePng(plot, path);
    }

    private static string AliveScatter(List<CustomerProfile> profiles, string path)
    {
        var buyers = profiles.Where(p => p.PAlive is not null && p.RecencyDays is not null).ToList();
        var random = new Random(3);
        var sample = buyers.Count <= ScatterPoints ? buyers : buyers.OrderBy(_ => random.Next()).Take(ScatterPoints).ToList();
        var plot = ChartStyle.NewPlot("P(alive) against days since the last order · 活跃概率与最近购买", "days since the last order 距上次购买天数", "P(alive) 活跃概率");
        if (sample.Count > 0)
        {
            var byOrders = sample.GroupBy(p => Math.Min(p.Frequency, 4)).OrderBy(g => g.Key);
            var colour = 0;
            foreach (var group in byOrders)
            {
                var scatter = plot.Add.ScatterPoints(group.Select(p => p.RecencyDays!.Value).ToArray(), group.Select(p => p.PAlive!.Value).ToArray());
                scatter.MarkerSize = 4;
                scatter.Color = ChartStyle.Palette[colour++ % ChartStyle.Palette.Count].WithAlpha(0.6);
                scatter.LegendText = group.Key >= 4 ? "4+ orders 单" : $"{group.Key} order(s) 单";
            }
            plot.ShowLegend(Alignment.UpperRight);
            if (ChartStyle.FontFamily is { } family)
            {
                plot.Legend.FontName = family;
            }
            plot.Axes.SetLimitsY(0, 1.02);
        }
        return ChartStyle.SavePng(plot, path);
    }

    private static string SpendCalibrationChart(ClvCalibration c, string path)
    {
        var plot = ChartStyle.GroupedBars(
            FormattableString.Invariant($"Holdout spend by decile of predicted spend ({c.HoldoutDays} days) · 预测与实际消费"),
            "decile of predicted spend 预测消费十分位", "mean spend per customer 人均消费",
            [.. c.SpendDeciles.Select(b => b.Decile.ToString(CultureInfo.InvariantCulture))],
            [("actual 实际", [.. c.SpendDeciles.Select(b => b.ActualSpend)]), ("predicted 预测", [.. c.SpendDeciles.Select(b => b.PredictedSpend)])]);
        return ChartStyle.SavePng(plot, path);
    }

    private static readonly string[] s_days = ["Mon 周一", "Tue 周二", "Wed 周三", "Thu 周四", "Fri 周五", "Sat 周六", "Sun 周日"];

    private static string Heatmap(double[] prior, string path)
    {
        var plot = ChartStyle.NewPlot("When customers are active (local time) · 各时段活跃度", "hour of day 小时", "");
        if (prior.Length == SendTimeHistogram.HoursOfWeek)
        {
            var grid = new double[7, 24];
            for (var h = 0; h < prior.Length; h++)
            {
                grid[h / 24, h % 24] = prior[h] * 100;
            }
            var heatmap = plot.Add.Heatmap(grid);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.FlipVertically = false;
            plot.Add.ColorBar(heatmap).Label = "% of activity 活跃占比";
            plot.Axes.Left.SetTicks(Enumerable.Range(0, 7).Select(d => (double)(6 - d)).ToArray(), s_days);
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, 8).Select(h => h * 3.0).ToArray(), Enumerable.Range(0, 8).Select(h => (h * 3).ToString("00", CultureInfo.InvariantCulture)).ToArray());
        }
        return ChartStyle.SavePng(plot, path, 1000, 420);
    }

    private static string Html(List<CustomerProfile> profiles, ProfileRunSummary summary, ClvCalibration? calibration, List<string> charts)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        static string N(double v, string format = "N0") => v.ToString(format, CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Customer profiles</title>")
            .Append("<style>body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;max-width:1040px;margin:2em auto;color:#222}")
            .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}")
            .Append("td.n{text-align:right}img{max-width:100%;border:1px solid #eee;margin:0.5em 0}</style></head><body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Customer profiles 客户画像</h1>\n<p>{N(profiles.Count)} customers as of {summary.AsOf:yyyy-MM-dd HH:mm}Z.</p>\n");

        html.Append("<h2>RFM groups</h2>\n<table><tr><th>group</th><th>customers</th><th>mean CLV (12 months)</th><th>mean P(alive)</th></tr>\n");
        foreach (var g in RfmSegments.All)
        {
            var members = profiles.Where(p => p.RfmSegment == g).ToList();
            var clv = members.Where(p => p.Clv365 is not null).Select(p => (double)p.Clv365!.Value).DefaultIfEmpty(double.NaN).Average();
            var alive = members.Where(p => p.PAlive is not null).Select(p => p.PAlive!.Value).DefaultIfEmpty(double.NaN).Average();
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(RfmSegments.DisplayName(g))}</td><td class=n>{N(members.Count)}</td><td class=n>{(double.IsNaN(clv) ? "–" : N(clv, "N2"))}</td><td class=n>{(double.IsNaN(alive) ? "–" : N(alive, "F3"))}</td></tr>\n");
        }
        html.Append(CultureInfo.InvariantCulture, $"</table>\n<p>Customers without orders have no group: {N(profiles.Count(p => p.RfmSegment is null))}.</p>\n");

        html.Append(CultureInfo.InvariantCulture, $"<h2>Behavioural clusters</h2>\n<p>k = {summary.ClusterK?.ToString(CultureInfo.InvariantCulture) ?? "–"}, chosen by the mean silhouette on a sample: ")
            .Append(E(string.Join(", ", summary.Silhouettes.Select(kv => FormattableString.Invariant($"k={kv.Key}: {kv.Value:F3}"))))).Append("</p>\n<table><tr><th>cluster</th><th>customers</th><th>described by</th></tr>\n");
        foreach (var c in summary.Clusters)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{c.Cluster}</td><td class=n>{N(c.Customers)}</td><td>{E(c.Label)}</td></tr>\n");
        }
        html.Append("</table>\n");

        html.Append("<h2>Lifetime value and churn</h2>\n");
        if (summary.Clv.BgNbd is { } bg)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>BG/NBD on {N(summary.Clv.Customers)} buyers ({N(summary.Clv.RepeatCustomers)} bought again): r = {bg.R:G4}, α = {bg.Alpha:G4}, a = {bg.A:G4}, b = {bg.B:G4}, log-likelihood {summary.Clv.LogLikelihood:F2}.");
            if (summary.Clv.GammaGamma is { } gg)
            {
                html.Append(CultureInfo.InvariantCulture, $" Gamma-Gamma: p = {gg.P:G4}, q = {gg.Q:G4}, v = {gg.V:G4}.");
            }
            html.Append("</p>\n");
        }
        else
        {
            html.Append("<p>Not fitted: ").Append(E(summary.Clv.Message)).Append("</p>\n");
        }
        if (calibration is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Holdout check: fitted up to {calibration.CalibrationEnd:yyyy-MM-dd}, the next {calibration.HoldoutDays} days predicted {N(calibration.Purchases.Predicted, "N0")} purchases against {N(calibration.Purchases.Actual)} actual, and spend {N(calibration.PredictedSpend)} against {N(calibration.ActualSpend)}.</p>\n");
        }
        else
        {
            html.Append("<p>No holdout check: the history before the holdout period cannot be fitted.</p>\n");
        }

        if (summary.Warnings.Count > 0)
        {
            html.Append("<h2>Warnings</h2>\n<ul>");
            foreach (var w in summary.Warnings)
            {
                html.Append("<li>").Append(E(w)).Append("</li>");
            }
            html.Append("</ul>\n");
        }
        html.Append("<h2>Charts</h2>\n");
        foreach (var chart in charts)
        {
            html.Append("<p><img src=\"").Append(E(chart)).Append("\" alt=\"").Append(E(Path.GetFileNameWithoutExtension(chart))).Append("\"></p>\n");
        }
        html.Append("</body></html>\n");
        return html.ToString();
    }
}
