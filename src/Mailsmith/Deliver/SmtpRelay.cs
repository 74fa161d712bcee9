using System.Net;
using MailKit.Security;

namespace Mailsmith.Deliver;

/// <summary>Where and how to reach the relay: resolved from <c>--smtp URL</c> or the <c>Smtp</c> section.</summary>
public sealed record SmtpRelay(string Host, int Port, SecureSocketOptions Security, NetworkCredential? Credential)
{
    /// <summary>The relay for a URL (<c>smtp://[user[:password]@]host:port</c> or <c>smtps://…</c>), else from the options.</summary>
    /// <exception cref="ArgumentException">The URL or the options do not name a usable relay; the message says what is wrong.</exception>
    public static SmtpRelay From(string? url, SmtpOptions options)
    {
        url ??= options.Url;
        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("smtp" or "smtps") || uri.Host.Length == 0)
            {
                throw new ArgumentException($"SMTP URL '{Redact(url)}': expected smtp://[user[:password]@]host[:port] or smtps://…");
            }
            var tls = uri.Scheme == "smtps";
            NetworkCredential? credential = null;
            if (uri.UserInfo.Length > 0)
            {
                var parts = uri.UserInfo.Split(':', 2);
                credential = new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : options.Password ?? "");
            }
            else if (options.UserName is { Length: > 0 } user)
            {
                credential = new NetworkCredential(user, options.Password ?? "");
            }
            var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? 465 : 25) : uri.Port;
            return new SmtpRelay(uri.Host.Trim('[', ']'), port, tls ? SecureSocketOptions.SslOnConnect : ParseSecurity(options.Security), credential);
        }
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            throw new ArgumentException("no SMTP relay: give --smtp smtp://host:port, or set Smtp:Url or Smtp:Host in the configuration");
        }
        var security = ParseSecurity(options.Security);
        return new SmtpRelay(options.Host, options.Port ?? (security == SecureSocketOptions.SslOnConnect ? 465 : 25), security,
            options.UserName is { Length: > 0 } name ? new NetworkCredential(name, options.Password ?? "") : null);
    }

    private static SecureSocketOptions ParseSecurity(string value) => value.ToLowerInvariant() switch
    {
        "auto" => SecureSocketOptions.StartTlsWhenAvailable,
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => throw new ArgumentException($"Smtp:Security '{value}': expected auto, none, starttls or tls"),
    };

    /// <summary>The URL with any password replaced by <c>***</c>, for messages and logs.</summary>
    public static string Redact(string url)
    {
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme)
        {
            return url;
        }
        var colon = url.IndexOf(':', scheme + 3);
        return colon > 0 && colon < at ? url[..(colon + 1)] + "***" + url[at..] : url;
    }

    public override string ToString() =>
        $"{(Security == SecureSocketOptions.SslOnConnect ? "smtps" : "smtp")}://{(Credential is null ? "" : Credential.UserName + "@")}{Host}:{Port}";
}
