using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mailsmith.Learn.Propensity;
using Mailsmith.Learn.Uplift;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Learn.Report;

/// <summary>One variant's figures in the report.</summary>
/// <param name="Sent">Messages delivered (state <c>sent</c>) on this variant.</param>
/// <param name="Clickers">Distinct recipients with at least one click (machine-flagged events left out).</param>
/// <param name="Converters">Distinct recipients with a conversion, and <paramref name="Revenue"/> their summed revenue.</param>
public sealed record VariantFigures(string Variant, long Sent, long Clickers, long HumanOpeners, long Converters, decimal Revenue, Interval ClickRateInterval,
    double ProbabilityBest, double ExpectedLoss, ProportionComparison? VersusControl);

/// <summary>What <c>learn report</c> found for one campaign.</summary>
public sealed record ExperimentReportResult(string CampaignId, IReadOnlyList<VariantFigures> Variants, AbVerdict Verdict, PosteriorSummary Posterior, string HtmlPath, IReadOnlyList<string> Images)
{
    /// <summary>The uplift models' scores on the holdout experiment's test half (null without a holdout, or when it could not be fitted).</summary>
    public UpliftEvaluationResult? Uplift { get; init; }

    /// <summary>Treated minus held-out purchase rate with a 95% Newcombe interval (null without a holdout).</summary>
    public (double Difference, Interval Interval, long Treated, long Control)? HoldoutEffect { get; init; }

    /// <summary>The click models' scores on the store's latest sends, with their reliability bins (null when they could not be fitted).</summary>
    public IReadOnlyList<PropensityScore>? Calibration { get; init; }

    /// <summary>Why a section is missing, by section (uplift, calibration).</summary>
    public IReadOnlyDictionary<string, string> Skipped { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The experiment report of a campaign, from what the store holds (its sends and their engagement): allocation over
/// time, the posterior of each variant's click rate, probability to be best, expected loss, lift against the first
/// variant with confidence intervals, and the fixed-horizon verdict. Writes <c>index.html</c> and PNG charts.
/// </summary>
/// <remarks>
/// Clicks are the response (opens are noisy: machine opens are flagged and left out of the human-open count).
/// A recipient counts once however often they click. Assignment probabilities are on every send, so the report
/// also gives each variant's inverse-propensity-weighted share of the audience.
/// </remarks>
public sealed class ExperimentReport(MailsmithStore store)
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>
    /// The settings of the store's profiles; when set, the report also fits the uplift models on the campaign's
    /// holdout (Qini curve) and click models on the store's sends (calibration plot). Default null (those sections skipped).
    /// </summary>
    public MailsmithSettings? Settings { get; init; }

    /// <summary>Days after planning in which an order counts as the uplift outcome. Default 7.</summary>
    public double UpliftWindowDays { get; init; } = 7;

    /// <exception cref="KeyNotFoundException">No campaign with that id.</exception>
    /// <exception cref="InvalidOperationException">The campaign has sent nothing yet.</exception>
    public async Task<ExperimentReportResult> WriteAsync(string campaignId, string directory, int seed = 42, CancellationToken cancellationToken = default)
    {
        var campaign = store.GetCampaign(campaignId) ?? throw new KeyNotFoundException($"no campaign '{campaignId}' (see: mailsmith campaign list)");
        var sends = store.LoadSends(campaignId).Where(s => s.State == SendState.Sent).ToList();
        if (sends.Count == 0)
        {
            throw new InvalidOperationException($"campaign {campaignId} has no sent messages yet: nothing to report");
        }
        var engagement = store.LoadEngagement(campaignId);
        var variantOfSend = sends.ToDictionary(s => s.SendId, s => s.Variant);
        var variantOfCustomer = sends.ToDictionary(s => s.CustomerId, s => s.Variant, StringComparer.Ordinal);
        string? VariantOf(EngagementEvent e) => e.SendId is { } id && variantOfSend.TryGetValue(id, out var v) ? v
            : variantOfCustomer.TryGetValue(e.CustomerId, out var w) ? w : null;
        var names = campaign.Variants.Select(v => v.Name).Concat(sends.Select(s => s.Variant)).Distinct(StringComparer.Ordinal).Where(n => !VariantAssigner.IsHoldout(n)).ToList();
        var sent = names.ToDictionary(n => n, n => (long)sends.Count(s => s.Variant == n), StringComparer.Ordinal);
        HashSet<string> Distinct(string type, string variant) => engagement.Where(e => e.Type == type && !e.IsMachine && VariantOf(e) == variant).Select(e => e.CustomerId).ToHashSet(StringComparer.Ordinal);
        var arms = names.Select(n => new ArmCounts(n, sent[n], Distinct("click", n).Count)).ToList();
        var verdict = AbTestAnalysis.Analyse(arms);
        var posterior = BayesianArms.Summarize(arms, new Random(seed), draws: 20_000);
        var figures = names.Select((n, i) => new VariantFigures(n, sent[n], arms[i].Successes, Distinct("open", n).Count, Distinct("conversion", n).Count,
            engagement.Where(e => e.Type == "conversion" && VariantOf(e) == n).Sum(e => e.Revenue ?? 0),
            Proportions.Wilson(arms[i].Successes, arms[i].Trials), posterior.Arms[i].ProbabilityBest, posterior.Arms[i].ExpectedLoss,
            i == 0 ? null : Proportions.Compare(arms[0], arms[i]))).ToList();

        Directory.CreateDirectory(directory);
        var images = new List<string>
        {
            Charts.Allocation(Path.Combine(directory, "allocation.png"), sends, names),
            Charts.Posteriors(Path.Combine(directory, "posterior.png"), arms),
        };
        var batches = SendPathBandit.LoadBatches(store, campaignId);
        if (batches.Count > 0)
        {
            images.Add(Charts.BanditDecisions(Path.Combine(directory, "bandit.png"), batches, names));
        }
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        UpliftEvaluationResult? uplift = null;
        (double, Interval, long, long)? effect = null;
        IReadOnlyList<PropensityScore>? calibration = null;
        if (Settings is null)
        {
            skipped["uplift"] = skipped["calibration"] = "not requested (no settings given)";
        }
        else
        {
            (uplift, effect) = Uplift(campaignId, directory, images, skipped, seed);
            calibration = Calibration(directory, images, skipped, seed);
        }
        var html = Path.Combine(directory, "index.html");
        var result = new ExperimentReportResult(campaignId, figures, verdict, posterior, html, images)
        {
            Uplift = uplift, HoldoutEffect = effect, Calibration = calibration, Skipped = skipped,
        };
        await File.WriteAllTextAsync(html, Page(campaign, figures, verdict, posterior, sends, batches, result), cancellationToken);
        return result;
    }

    private (UpliftEvaluationResult?, (double, Interval, long, long)?) Uplift(string campaignId, string directory, List<string> images, Dictionary<string, string> skipped, int seed)
    {
        UpliftDataset data;
        try
        {
            data = StoreUpliftData.Build(store, Settings!, campaignId, UpliftWindowDays).Data;
        }
        catch (InvalidOperationException e)
        {
            skipped["uplift"] = e.Message;
            return (null, null);
        }
        long nt = 0, yt = 0, nc = 0, yc = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (data.Treatment[i])
            {
                nt++;
                yt += data.Outcome[i] ? 1 : 0;
            }
            else
            {
                nc++;
                yc += data.Outcome[i] ? 1 : 0;
            }
        }
        var effect = ((double)yt / nt - (double)yc / nc, Proportions.NewcombeDifference(yt, nt, yc, nc), nt, nc);
        try
        {
            // LightGBM needs hundreds of rows per leaf; below a few thousand rows only the logistic learners are fitted.
            var models = data.Count >= 4000 ? UpliftEvaluation.DefaultModels()
                : [new ClassTransformationUplift(Models.LearnerKind.LogisticRegression), new TwoModelUplift(Models.LearnerKind.LogisticRegression)];
            var result = UpliftEvaluation.Evaluate(data, 0.5, seed, 0.3, models);
            images.Add(Charts.Qini(Path.Combine(directory, "qini.png"), result));
            return (result, effect);
        }
        catch (ArgumentException e)
        {
            skipped["uplift"] = $"the uplift models could not be fitted: {e.Message}";
            return (null, effect);
        }
    }

    private IReadOnlyList<PropensityScore>? Calibration(string directory, List<string> images, Dictionary<string, string> skipped, int seed)
    {
        try
        {
            var data = StorePropensityData.Build(store, Settings!, PropensityTarget.Click);
            var result = PropensityTrainer.TrainAndEvaluate(data, 0.2, seed);
            images.Add(PropensityTrainer.ReliabilityPlot(Path.Combine(directory, "calibration.png"), result.Scores, "click"));
            return result.Scores;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            skipped["calibration"] = $"no click model could be fitted on the store's sends: {e.Message}";
            return null;
        }
    }

    private static string Page(Campaign campaign, List<VariantFigures> figures, AbVerdict verdict, PosteriorSummary posterior, List<Send> sends,
        IReadOnlyList<BanditBatch> batches, ExperimentReportResult result)
    {
        string E(string s) => Html.Encode(s);
        string P(double x) => double.IsNaN(x) ? "–" : x.ToString("0.00%", CultureInfo.InvariantCulture);
        string Ci(Interval i) => $"{P(i.Low)} – {P(i.High)}";
        var ipw = figures.ToDictionary(f => f.Variant, f => sends.Where(s => s.Variant == f.Variant).Sum(s => 1 / s.AssignmentProbability), StringComparer.Ordinal);
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Experiment report — {E(campaign.CampaignId)}</title>
            <style>
            body{"{"}font-family:system-ui,sans-serif;margin:24px 32px;color:#111827;max-width:1100px{"}"}
            table{"{"}border-collapse:collapse;margin:12px 0{"}"}th,td{"{"}border:1px solid #e5e7eb;padding:6px 10px;text-align:right{"}"}th:first-child,td:first-child{"{"}text-align:left{"}"}
            .verdict{"{"}background:#eef2ff;padding:10px 14px;border-radius:8px{"}"}img{"{"}max-width:100%;border:1px solid #e5e7eb;margin:8px 0{"}"}.note{"{"}color:#6b7280;font-size:14px{"}"}
            </style></head><body>
            <h1>Experiment report — {E(campaign.CampaignId)} ({E(campaign.Type)}, “{E(campaign.Name)}”)</h1>
            <p class="note">{sends.Count:N0} messages sent; response = clicks by distinct recipients (machine-flagged events left out). Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC.</p>
            <p class="verdict"><b>Fixed-horizon test:</b> {E(verdict.Reason)} (chi-squared {verdict.ChiSquared:0.00}, df {verdict.DegreesOfFreedom}, p = {verdict.OmnibusPValue:0.0000}).<br>
            <b>Bayesian:</b> {E(figures[posterior.Champion].Variant)} is best with probability {P(posterior.Arms[posterior.Champion].ProbabilityBest)}; with {posterior.Quantile:P0} probability no variant beats it by more than {P(posterior.ValueRemaining)} of its rate.</p>
            <table><tr><th>variant</th><th>sent</th><th>IPW audience share</th><th>clickers</th><th>click rate (95% CI)</th><th>human openers</th><th>converters</th><th>revenue</th><th>P(best)</th><th>expected loss</th><th>lift vs {E(figures[0].Variant)} (95% CI)</th><th>p</th></tr>
            """);
        var totalIpw = ipw.Values.Sum();
        foreach (var f in figures)
        {
            var rate = f.Sent == 0 ? double.NaN : (double)f.Clickers / f.Sent;
            var lift = f.VersusControl is { } c ? $"{(c.Lift is { } l ? l.ToString("+0.0%;-0.0%", CultureInfo.InvariantCulture) : "–")} ({(c.LiftInterval is { } li ? $"{li.Low:+0.0%;-0.0%} – {li.High:+0.0%;-0.0%}" : "–")})" : "control";
            page.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(f.Variant)}</td><td>{f.Sent:N0}</td><td>{P(ipw[f.Variant] / totalIpw)}</td><td>{f.Clickers:N0}</td><td>{P(rate)} ({Ci(f.ClickRateInterval)})</td><td>{f.HumanOpeners:N0}</td><td>{f.Converters:N0}</td><td>{f.Revenue:0.00}</td><td>{P(f.ProbabilityBest)}</td><td>{f.ExpectedLoss:0.00000}</td><td>{E(lift)}</td><td>{(f.VersusControl is { } v ? v.PValue.ToString("0.0000", CultureInfo.InvariantCulture) : "")}</td></tr>\n");
        }
        page.Append("""
            </table>
            <p class="note">Lift: relative click-rate difference with a Katz log-ratio interval; p: two-sided two-proportion z-test before the Bonferroni split (the verdict uses it). Expected loss: clicks per recipient given up by sending only this variant now. IPW audience share: the share of the audience each variant stands for when every send is weighted by 1 / its assignment probability.</p>
            <h2>Allocation over time</h2><img src="allocation.png" alt="share of sends per variant over time">
            <h2>Posterior of each variant's click rate</h2><img src="posterior.png" alt="Beta posterior densities">
            """);
        var inv = CultureInfo.InvariantCulture;
        if (batches.Count > 0)
        {
            var last = batches.Max(b => b.Batch);
            page.Append(inv, $"<h2>Bandit allocation (Thompson sampling in the send path)</h2><p>{last:N0} batches decided; latest: ");
            page.AppendJoin(", ", batches.Where(b => b.Batch == last).Select(b => $"{E(b.Segment.Length == 0 ? "" : b.Segment + " ")}{E(b.Variant)} {P(b.Probability)}"));
            page.Append(inv, $" — {E(batches[^1].Reason ?? "")}</p><img src=\"bandit.png\" alt=\"assignment probability per variant by batch\">\n");
        }
        page.Append("<h2>Uplift on the holdout group</h2>\n");
        if (result.HoldoutEffect is { } h)
        {
            page.Append(inv, $"<p>Purchase within the window: e-mailed {h.Treated:N0}, held out {h.Control:N0}; difference {h.Difference:+0.00%;-0.00%} (95% CI {h.Interval.Low:+0.00%;-0.00%} – {h.Interval.High:+0.00%;-0.00%}, Newcombe).</p>\n");
        }
        if (result.Uplift is { } u)
        {
            page.Append(inv, $"<table><tr><th>model (trained on {u.TrainRows:N0}, scored on {u.TestRows:N0})</th><th>uplift@{u.K:P0}</th><th>Qini coefficient</th><th>AUUC</th></tr>\n");
            foreach (var (name, score) in u.Scores)
            {
                page.Append(inv, $"<tr><td>{E(name)}</td><td>{score.UpliftAtK:0.0000}</td><td>{score.Qini:0.0000}</td><td>{score.Auuc:0.0000}</td></tr>\n");
            }
            page.Append("</table><img src=\"qini.png\" alt=\"Qini curves\">\n");
        }
        if (result.Skipped.TryGetValue("uplift", out var whyUplift))
        {
            page.Append(inv, $"<p class=\"note\">{E(whyUplift)}</p>\n");
        }
        page.Append("<h2>Calibration of the click models</h2>\n");
        if (result.Calibration is { } cal)
        {
            page.Append("<table><tr><th>model</th><th>AUC</th><th>Brier</th><th>mean predicted</th><th>observed</th></tr>\n");
            foreach (var s in cal)
            {
                page.Append(inv, $"<tr><td>{E(s.Learner)}</td><td>{s.Auc:0.000}</td><td>{s.Brier:0.00000}</td><td>{P(s.MeanPredicted)}</td><td>{P(s.ObservedRate)}</td></tr>\n");
            }
            page.Append("</table><p class=\"note\">P(click) models trained on the store's earlier sends (all campaigns), scored on the latest 20%; each point is a tenth of the scored sends by predicted probability.</p><img src=\"calibration.png\" alt=\"reliability plot\">\n");
        }
        if (result.Skipped.TryGetValue("calibration", out var whyCalibration))
        {
            page.Append(inv, $"<p class=\"note\">{E(whyCalibration)}</p>\n");
        }
        page.Append("</body></html>\n");
        return page.ToString();
    }
}

/// <summary>The report's PNG charts (ScottPlot).</summary>
internal static class Charts
{
    public static string Allocation(string path, IReadOnlyList<Send> sends, IReadOnlyList<string> variants)
    {
        var times = sends.Select(s => (s.SentAt ?? s.PlannedAt).ToUnixTimeMilliseconds()).ToArray();
        long min = times.Min(), max = times.Max();
        const int buckets = 24;
        var width = Math.Max(1, (max - min + buckets) / buckets);
        var plot = Mailsmith.Reporting.ChartStyle.NewPlot("Share of sends per variant", $"time bucket (1 = first {TimeSpan.FromMilliseconds(width):g} of sending)", "share of the bucket's sends");
        foreach (var variant in variants)
        {
            var xs = new double[buckets];
            var ys = new double[buckets];
            for (var b = 0; b < buckets; b++)
            {
                var inBucket = sends.Where((s, i) => (times[i] - min) / width == b).ToList();
                xs[b] = b + 1;
                ys[b] = inBucket.Count == 0 ? 0 : (double)inBucket.Count(s => s.Variant == variant) / inBucket.Count;
            }
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = variant;
        }
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend();
        plot.SavePng(path, 900, 420);
        return path;
    }

    public static string BanditDecisions(string path, IReadOnlyList<BanditBatch> batches, IReadOnlyList<string> variants)
    {
        var plot = Mailsmith.Reporting.ChartStyle.NewPlot("Assignment probability per variant, batch by batch", "batch", "probability (mean over segments, by sends assigned)");
        var byBatch = batches.GroupBy(b => b.Batch).OrderBy(g => g.Key).ToList();
        foreach (var variant in variants)
        {
            var xs = byBatch.Select(g => (double)g.Key).ToArray();
            var ys = byBatch.Select(g =>
            {
                var rows = g.Where(b => b.Variant == variant).ToList();
                var segments = g.GroupBy(b => b.Segment).ToDictionary(x => x.Key, x => x.Sum(b => b.Assigned));
                var total = segments.Values.Sum();
                return rows.Count == 0 ? 0 : total == 0 ? rows.Average(b => b.Probability) : rows.Sum(b => b.Probability * segments[b.Segment]) / total;
            }).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = variant;
        }
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend();
        plot.SavePng(path, 900, 420);
        return path;
    }

    public static string Qini(string path, UpliftEvaluationResult result)
    {
        var plot = Mailsmith.Reporting.ChartStyle.NewPlot("Qini curves on the test half", "recipients targeted (by predicted uplift)", "incremental responders");
        double[] lastX = [];
        double[] lastY = [];
        foreach (var (name, uplift) in result.TestPredictions)
        {
            var (x, y) = UpliftMetrics.QiniCurve(result.TestOutcome, uplift, result.TestTreatment);
            var line = plot.Add.Scatter(x, y);
            line.MarkerSize = 0;
            line.LegendText = name;
            (lastX, lastY) = (x, y);
        }
        if (lastX.Length > 0)
        {
            var random = plot.Add.Scatter(new[] { 0, lastX[^1] }, new[] { 0, lastY[^1] });
            random.LegendText = "random targeting";
            random.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        plot.ShowLegend();
        plot.SavePng(path, 900, 420);
        return path;
    }

    public static string Posteriors(string path, IReadOnlyList<ArmCounts> arms)
    {
        var plot = Mailsmith.Reporting.ChartStyle.NewPlot("Posterior of the click rate (Beta, uniform prior)", "click rate (%)", "density");
        var hi = arms.Max(a => Math.Min(1, (a.Successes + 1.0) / (a.Trials + 2) + 5 * Math.Sqrt((a.Successes + 1.0) * (a.Trials - a.Successes + 1) / Math.Pow(a.Trials + 2, 3))));
        var lo = arms.Min(a => Math.Max(0, (a.Successes + 1.0) / (a.Trials + 2) - 5 * Math.Sqrt((a.Successes + 1.0) * (a.Trials - a.Successes + 1) / Math.Pow(a.Trials + 2, 3))));
        const int points = 400;
        foreach (var arm in arms)
        {
            var beta = new MathNet.Numerics.Distributions.Beta(arm.Successes + 1, arm.Trials - arm.Successes + 1);
            var xs = Enumerable.Range(0, points).Select(i => lo + (hi - lo) * i / (points - 1)).ToArray();
            var ys = xs.Select(beta.Density).ToArray();
            var line = plot.Add.Scatter(xs.Select(x => x * 100).ToArray(), ys);
            line.MarkerSize = 0;
            line.LegendText = arm.Name;
        }
        plot.ShowLegend();
        plot.SavePng(path, 900, 420);
        return path;
    }
}
