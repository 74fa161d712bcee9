using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>
/// Writes <c>preview/index.html</c>: per campaign, a gallery of sample emails in every locale, each with who it went
/// to (profile facts) and why these products (the structured reasons), the email itself in a frame beside it.
/// </summary>
public sealed class PreviewWriter(StoreSnapshot snapshot)
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    /// <summary>Writes the gallery and returns the path of its index page.</summary>
    public string Write(string directory, IReadOnlyList<CampaignRunResult> results)
    {
        Directory.CreateDirectory(directory);
        var page = new StringBuilder();
        page.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Mailsmith preview</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;background:#f3f4f6;color:#111827}
            header{background:#111827;color:#fff;padding:20px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#d1d5db}
            nav{padding:12px 32px;background:#fff;border-bottom:1px solid #e5e7eb}nav a{margin-right:16px;color:#2563eb;text-decoration:none}
            section{padding:8px 32px 24px}h2{font-size:20px;margin:24px 0 4px}.meta{color:#4b5563;margin:0 0 12px}
            .card{display:flex;gap:20px;background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:16px;margin:14px 0}
            .facts{flex:0 0 340px;font-size:14px}.facts h3{margin:0 0 6px;font-size:16px}.facts dl{display:grid;grid-template-columns:110px 1fr;gap:4px 8px;margin:8px 0}
            .facts dt{color:#6b7280}.facts dd{margin:0}.subject{font-weight:600}.pre{color:#6b7280}
            .why{margin:10px 0 0;padding-left:18px}.why li{margin:3px 0}.tag{display:inline-block;background:#eef2ff;color:#3730a3;border-radius:4px;padding:0 6px;font-size:12px;margin-right:4px}
            iframe{flex:1;min-width:0;height:640px;border:1px solid #e5e7eb;border-radius:6px;background:#fff}
            </style></head><body>
            <header><h1>Mailsmith preview</h1><p>Sample emails per campaign and locale, with who each went to and why these products.</p></header>
            <nav>
            """);
        foreach (var r in results)
        {
            page.Append(CultureInfo.InvariantCulture, $"<a href=\"#{Html.Encode(r.Campaign.CampaignId)}\">{Html.Encode(r.Campaign.Type)}</a>");
        }
        page.Append("</nav>\n");
        foreach (var r in results)
        {
            var suppressed = r.Suppressed.Count == 0 ? "none" : string.Join(", ", r.Suppressed.Select(kv => $"{kv.Key} {kv.Value:N0}"));
            page.Append(CultureInfo.InvariantCulture, $"""
                <section id="{Html.Encode(r.Campaign.CampaignId)}"><h2>{Html.Encode(r.Campaign.Name)} <span class="tag">{Html.Encode(r.Campaign.Type)}</span> <span class="tag">{Html.Encode(r.Campaign.CampaignId)}</span></h2>
                <p class="meta">Audience {r.Audience:N0} · emails {r.Composed:N0} · held back: {Html.Encode(suppressed)}</p>

                """);
            if (r.Samples.Count == 0)
            {
                page.Append("<p class=\"meta\">No email was produced for this campaign.</p>");
            }
            foreach (var sample in r.Samples)
            {
                var folder = Path.Combine(directory, Safe(r.Campaign.CampaignId));
                Directory.CreateDirectory(folder);
                var file = Safe(sample.Customer.CustomerId) + ".html";
                File.WriteAllText(Path.Combine(folder, file), sample.Email.Html, Encoding.UTF8);
                var c = sample.Customer;
                var p = sample.Profile;
                page.Append(CultureInfo.InvariantCulture, $"""
                    <div class="card"><div class="facts">
                    <h3>{Html.Encode(Deliver.MimeBuilder.DisplayName(c))} &lt;{Html.Encode(c.Email)}&gt;</h3>
                    <div class="subject">{Html.Encode(sample.Email.Subject)}</div><div class="pre">{Html.Encode(sample.Email.Preheader)}</div>
                    <dl><dt>Customer</dt><dd>{Html.Encode(c.CustomerId)}</dd><dt>Locale</dt><dd>{Html.Encode(c.Locale)} ({Html.Encode(c.TimeZone ?? "UTC")})</dd>
                    <dt>Lifecycle</dt><dd>{Html.Encode(p.Lifecycle)} · RFM {Html.Encode(p.Rfm)}</dd>
                    <dt>Orders</dt><dd>{p.Frequency} · spent {p.Monetary.ToString("0.00", CultureInfo.InvariantCulture)}</dd>
                    <dt>Likes</dt><dd>{Html.Encode(p.TopCategories.Count == 0 ? "unknown yet" : string.Join(", ", p.TopCategories))}</dd>
                    <dt>Price band</dt><dd>{Html.Encode(p.PriceBand)} · price sensitivity {p.PriceSensitivity.ToString("0.00", CultureInfo.InvariantCulture)}</dd>
                    <dt>Active hour</dt><dd>{(p.ActiveHour is { } h ? $"{h:00}:00 local" : "unknown")}</dd>
                    <dt>Variant</dt><dd>{Html.Encode(sample.Send.Variant)} (p = {sample.Send.AssignmentProbability.ToString("0.##", CultureInfo.InvariantCulture)})</dd></dl>
                    <strong>Why these products</strong><ul class="why">
                    """);
                foreach (var block in sample.Products)
                {
                    page.Append(CultureInfo.InvariantCulture, $"<li>{Html.Encode(block.Product.TextFor(c.Locale).Title)} — {Html.Encode(Describe(block.Recommendation.Reason))}</li>");
                }
                page.Append(CultureInfo.InvariantCulture, $"""
                    </ul></div><iframe loading="lazy" title="email to {Html.Encode(c.CustomerId)}" src="{Html.Encode(Safe(r.Campaign.CampaignId))}/{Html.Encode(file)}"></iframe></div>

                    """);
            }
            page.Append("</section>\n");
        }
        page.Append("</body></html>\n");
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, page.ToString(), Encoding.UTF8);
        return index;
    }

    /// <summary>The structured reason in plain English, for the person reviewing the campaign.</summary>
    public string Describe(RecommendationReason reason)
    {
        string Title(string? id) => id is not null && snapshot.ProductsById.TryGetValue(id, out var p) ? $"“{p.Title}” ({id})" : id ?? "?";
        return reason.Kind switch
        {
            ReasonKind.InCart => "left in the cart",
            ReasonKind.Viewed => $"similar to viewed {Title(reason.ProductId)}",
            ReasonKind.BoughtWith => $"often bought with {Title(reason.ProductId)}",
            ReasonKind.PopularIn => $"popular in {reason.Category}",
            ReasonKind.Popular => "popular in the store",
            ReasonKind.Explore => "fills the list from the catalog (has not sold yet)",
            ReasonKind.SimilarTo => $"text close to {Title(reason.ProductId)}",
            ReasonKind.NewInFavourite => $"new in the favourite category {reason.Category}",
            ReasonKind.Trending => "trending (interest grew in the last days)",
            ReasonKind.PopularWithSimilar => $"best seller of the customer's segment {reason.Segment}",
            _ => reason.Kind,
        };
    }

    private static string Safe(string id) => string.Concat(id.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_'));
}
