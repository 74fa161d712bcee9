using System.Globalization;
using System.Net;
using System.Text;
using Mailsmith.Deliver;
using Mailsmith.Storage;

namespace Mailsmith.Server;

/// <summary>The few pages a reader sees (unsubscribe, preferences, a message no longer available), in zh-CN or en-US.</summary>
/// <remarks>Every value from data or configuration is HTML-encoded.</remarks>
internal static class Pages
{
    private static readonly Dictionary<string, string> En = new(StringComparer.Ordinal)
    {
        ["confirm.title"] = "Unsubscribe",
        ["confirm.body"] = "Stop all marketing email from {0} to {1}?",
        ["confirm.button"] = "Unsubscribe",
        ["already"] = "{1} is already unsubscribed from {0}. You will not get marketing email from us.",
        ["done.title"] = "You are unsubscribed",
        ["done.body"] = "{1} will get no more marketing email from {0}. It may take a moment for messages already on their way.",
        ["prefs.link"] = "Rather choose what you get?",
        ["prefs.title"] = "Email preferences",
        ["prefs.intro"] = "Choose the emails {0} sends to {1}.",
        ["prefs.pause"] = "Pause all marketing email for {2} days",
        ["prefs.paused"] = "Paused until {3}",
        ["prefs.save"] = "Save",
        ["prefs.saved"] = "Saved.",
        ["prefs.unsubscribe"] = "Unsubscribe from everything",
        ["gone.title"] = "Not available",
        ["gone.body"] = "This email from {0} can no longer be shown.",
        ["type.welcome"] = "Welcome messages",
        ["type.abandoned_cart"] = "Reminders about your cart",
        ["type.winback"] = "Offers when we have not seen you for a while",
        ["type.recommendations"] = "Products picked for you",
    };

    private static readonly Dictionary<string, string> Zh = new(StringComparer.Ordinal)
    {
        ["confirm.title"] = "退订",
        ["confirm.body"] = "不再接收 {0} 发往 {1} 的营销邮件？",
        ["confirm.button"] = "确认退订",
        ["already"] = "{1} 已退订 {0} 的营销邮件，您不会再收到。",
        ["done.title"] = "已退订",
        ["done.body"] = "{1} 将不再收到 {0} 的营销邮件。已在途中的邮件可能仍会送达。",
        ["prefs.link"] = "想自己选择接收哪些邮件？",
        ["prefs.title"] = "邮件偏好",
        ["prefs.intro"] = "选择 {0} 发往 {1} 的邮件。",
        ["prefs.pause"] = "暂停所有营销邮件 {2} 天",
        ["prefs.paused"] = "已暂停至 {3}",
        ["prefs.save"] = "保存",
        ["prefs.saved"] = "已保存。",
        ["prefs.unsubscribe"] = "退订全部邮件",
        ["gone.title"] = "无法显示",
        ["gone.body"] = "这封来自 {0} 的邮件已无法显示。",
        ["type.welcome"] = "欢迎邮件",
        ["type.abandoned_cart"] = "购物车提醒",
        ["type.winback"] = "久未光顾时的优惠",
        ["type.recommendations"] = "为您挑选的商品",
    };

    public static string ConfirmUnsubscribe(SenderOptions sender, Customer? customer, bool already, string preferencesUrl)
    {
        var t = Texts(customer?.Locale);
        var body = new StringBuilder();
        if (already)
        {
            body.Append("<p>").Append(Format(t["already"], sender, customer)).Append("</p>");
        }
        else
        {
            body.Append("<p>").Append(Format(t["confirm.body"], sender, customer)).Append("</p>")
                .Append("<form method=\"post\"><input type=\"hidden\" name=\"confirm\" value=\"1\"><button type=\"submit\">")
                .Append(Encode(t["confirm.button"])).Append("</button></form>");
        }
        body.Append("<p><a href=\"").Append(Encode(preferencesUrl)).Append("\">").Append(Encode(t["prefs.link"])).Append("</a></p>");
        return Page(customer?.Locale, t["confirm.title"], body.ToString());
    }

    public static string Unsubscribed(SenderOptions sender, Customer? customer, string preferencesUrl)
    {
        var t = Texts(customer?.Locale);
        return Page(customer?.Locale, t["done.title"],
            $"<p>{Format(t["done.body"], sender, customer)}</p><p><a href=\"{Encode(preferencesUrl)}\">{Encode(t["prefs.link"])}</a></p>");
    }

    public static string Preferences(SenderOptions sender, Customer? customer, CustomerPreferences? preferences, IReadOnlyList<string> types, string unsubscribeUrl, int pauseDays, bool saved)
    {
        var t = Texts(customer?.Locale);
        var now = DateTimeOffset.UtcNow;
        var body = new StringBuilder();
        if (saved)
        {
            body.Append("<p class=\"saved\">").Append(Encode(t["prefs.saved"])).Append("</p>");
        }
        body.Append("<p>").Append(Format(t["prefs.intro"], sender, customer)).Append("</p><form method=\"post\">");
        foreach (var type in types)
        {
            var on = preferences is null || !preferences.MutedTypes.Contains(type, StringComparer.Ordinal);
            var label = t.GetValueOrDefault("type." + type) ?? En.GetValueOrDefault("type." + type) ?? type.Replace('_', ' ');
            body.Append("<label><input type=\"checkbox\" name=\"topic\" value=\"").Append(Encode(type)).Append('"')
                .Append(on ? " checked" : "").Append("> ").Append(Encode(label)).Append("</label><br>");
        }
        var paused = preferences?.PausedUntil is { } until && until > now ? until : (DateTimeOffset?)null;
        body.Append("<p><label><input type=\"checkbox\" name=\"pause\" value=\"1\"").Append(paused is null ? "" : " checked").Append("> ")
            .Append(Format(t["prefs.pause"], sender, customer, pauseDays)).Append("</label>");
        if (paused is { } p)
        {
            body.Append(" <em>").Append(Format(t["prefs.paused"], sender, customer, pauseDays, p.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))).Append("</em>");
        }
        body.Append("</p><button type=\"submit\">").Append(Encode(t["prefs.save"])).Append("</button></form>")
            .Append("<p><a href=\"").Append(Encode(unsubscribeUrl)).Append("\">").Append(Encode(t["prefs.unsubscribe"])).Append("</a></p>");
        return Page(customer?.Locale, t["prefs.title"], body.ToString());
    }

    public static string Gone(SenderOptions sender, string? locale)
    {
        var t = Texts(locale);
        return Page(locale, t["gone.title"], $"<p>{Format(t["gone.body"], sender, null)}</p>");
    }

    private static Dictionary<string, string> Texts(string? locale) =>
        locale is not null && locale.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? Zh : En;

    private static string Format(string pattern, SenderOptions sender, Customer? customer, int days = 0, string date = "") =>
        string.Format(CultureInfo.InvariantCulture, Encode(pattern), Encode(sender.StoreName), Encode(customer is null ? "you" : Mask(customer.Email)),
            days, Encode(date));

    /// <summary>j•••@example.com: enough to recognise one's own address, not enough to harvest it from a forwarded link.</summary>
    private static string Mask(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at <= 1 ? email : email[0] + "•••" + email[at..];
    }

    private static string Encode(string s) => WebUtility.HtmlEncode(s);

    private const string Style =
        "body{font-family:system-ui,-apple-system,\"Noto Sans CJK SC\",sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222;line-height:1.5}"
        + "button{font-size:1rem;padding:.5rem 1.2rem;border-radius:.3rem;border:1px solid #555;background:#222;color:#fff;cursor:pointer}.saved{color:#186a3b}";

    private static string Page(string? locale, string title, string body) =>
        $"""
        <!doctype html>
        <html lang="{Encode(locale ?? "en-US")}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{Encode(title)}</title><style>{Style}</style>
        </head><body><h1>{Encode(title)}</h1>{body}</body></html>
        """;
}
