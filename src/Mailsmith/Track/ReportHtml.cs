using System.Globalization;
using System.Net;
using System.Text;

namespace Mailsmith.Track;

/// <summary>A campaign report as one self-contained HTML page: the figures per variant and their 95% intervals drawn as bars.</summary>
public static class ReportHtml
{
    public static string Render(CampaignReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var columns = new List<(string Name, ReportFigures F)> { ("campaign", report.Total) };
        columns.AddRange(report.Variants.Select(kv => ("variant " + kv.Key, kv.Value)));
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"Report {report.Campaign.CampaignId}")).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3rem .7rem;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append(".ci{font-size:.8em;color:#666}svg{display:block;margin:.3rem 0}</style></head><body>")
            .Append("<h1>").Append(E($"{report.Campaign.Name} ({report.Campaign.CampaignId}, {report.Campaign.Type})")).Append("</h1>")
            .Append("<p>Generated ").Append(E(report.GeneratedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", c)))
            .Append(". Rates are over delivered messages; opens exclude machine opens (proxies, scanners); clicks are unique human clicks.")
            .Append(report.Currency is { } cur ? $" Revenue in {E(cur)}." : "").Append("</p><table><tr><th></th>");
        foreach (var (name, _) in columns)
        {
            html.Append("<th>").Append(E(name)).Append("</th>");
        }
        html.Append("</tr>");
        void Row(string label, Func<ReportFigures, string> value, Func<ReportFigures, Interval?>? ci = null)
        {
            html.Append("<tr><td>").Append(E(label)).Append("</td>");
            foreach (var (_, f) in columns)
            {
                html.Append("<td>").Append(E(value(f)));
                if (ci?.Invoke(f) is { } i)
                {
                    html.Append("<br><span class=\"ci\">95% ").Append(E(Percent(i.Low))).Append(" – ").Append(E(Percent(i.High))).Append("</span>");
                }
                html.Append("</td>");
            }
            html.Append("</tr>");
        }
        Row("sent", f => f.Sent.ToString("N0", c));
        Row("delivered", f => f.Delivered.ToString("N0", c));
        Row("bounced", f => f.Bounced.ToString("N0", c));
        Row("suppressed (never addressed)", f => f.Suppressed.ToString("N0", c));
        Row("human opens (unique)", f => $"{f.HumanOpens.ToString("N0", c)} ({Percent(f.OpenRate)})", f => f.OpenRateCi);
        Row("machine opens (messages)", f => f.MachineOpens.ToString("N0", c));
        Row("clicks (unique)", f => $"{f.Clicks.ToString("N0", c)} ({Percent(f.Ctr)})", f => f.CtrCi);
        Row("unsubscribes", f => f.Unsubscribes.ToString("N0", c));
        Row("complaints", f => f.Complaints.ToString("N0", c));
        Row("conversions", f => $"{f.Conversions.ToString("N0", c)} ({Percent(f.ConversionRate)})", f => f.ConversionRateCi);
        Row("revenue", f => f.Revenue.ToString("N2", c));
        Row("revenue per recipient", f => f.RevenuePerRecipient.ToString("N4", c));
        html.Append("</table><h2>Click-through rate with 95% intervals</h2>");
        var max = Math.Max(0.0001, columns.Max(x => x.F.CtrCi.High));
        foreach (var (name, f) in columns)
        {
            var x0 = 160 + f.CtrCi.Low / max * 400;
            var x1 = 160 + f.CtrCi.High / max * 400;
            var xm = 160 + f.Ctr / max * 400;
            html.Append(c, $"<svg width=\"600\" height=\"24\"><text x=\"0\" y=\"16\" font-size=\"13\">{E(name)}</text>")
                .Append(c, $"<line x1=\"{x0:F1}\" y1=\"12\" x2=\"{x1:F1}\" y2=\"12\" stroke=\"#3572a5\" stroke-width=\"6\"/>")
                .Append(c, $"<circle cx=\"{xm:F1}\" cy=\"12\" r=\"5\" fill=\"#111\"/><text x=\"{Math.Min(x1 + 8, 560):F1}\" y=\"16\" font-size=\"12\">{E(Percent(f.Ctr))}</text></svg>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static string Percent(double x) => x.ToString("P2", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
