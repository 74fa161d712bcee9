using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mailsmith.Storage;

namespace Mailsmith.Learn.Report;

/// <summary>One variant's figures in the report.</summary>
/// <param name="Sent">Messages delivered (state <c>sent</c>) on this variant.</param>
/// <param name="Clickers">Distinct recipients with at least one click (machine-flagged events left out).</param>
/// <param name="Converters">Distinct recipients with a conversion, and <paramref name="Revenue"/> their summed revenue.</param>
public sealed record VariantFigures(string Variant, long Sent, long Clickers, long HumanOpeners, long Converters, decimal Revenue, Interval ClickRateInterval,
    double ProbabilityBest, double ExpectedLoss, ProportionComparison? VersusControl);

/// <summary>What <c>learn report</c> found for one campaign.</summary>
public sealed record ExperimentReportResult(string CampaignId, IReadOnlyList<VariantFigures> Variants, AbVerdict Verdict, PosteriorSummary Posterior, string HtmlPath, IReadOnlyList<string> Images);

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
        var html = Path.Combine(directory, "index.html");
        await File.WriteAllTextAsync(html, Page(campaign, figures, verdict, posterior, sends), cancellationToken);
        return new ExperimentReportResult(campaignId, figures, verdict, posterior, html, images);
    }

    private static string Page(Campaign campaign, List<VariantFigures> figures, AbVerdict verdict, PosteriorSummary posterior, List<Send> sends)
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
            </body></html>
            """);
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
