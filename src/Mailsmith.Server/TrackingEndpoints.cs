using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Mailsmith.Server;

/// <summary>
/// <c>/o/{token}.gif</c> open pixel, <c>/c/{token}</c> click redirect, <c>/v/{token}</c> view in browser.
/// A forged, tampered or malformed token gets 404 and records nothing. For a valid token the reader always gets the
/// pixel or the redirect: the event is committed (group commit) or spooled before the answer, and a failure of both
/// is logged, never shown to the mail client.
/// </summary>
internal static class TrackingEndpoints
{
    // The smallest transparent GIF: 1×1, one transparent palette entry.
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static void MapTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/o/{file}", ["GET", "HEAD"], OpenAsync);
        app.MapMethods("/c/{token}", ["GET", "HEAD"], ClickAsync);
        app.MapGet("/v/{token}", ViewAsync);
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> OpenAsync(
        string file, HttpContext http, TrackingLinks links, TrackingRecorder recorder, MachineDetector machines, LinkSigner signer, TrackingStats stats)
    {
        // The route is /o/{file} rather than /o/{token}.gif: a token contains a dot, and one suffix test is cheaper
        // than a complex route segment.
        if (!file.EndsWith(".gif", StringComparison.Ordinal) || !links.TryReadMessage(file[..^4], out var message))
        {
            stats.Reject();
            return TypedResults.NotFound();
        }
        await recorder.RecordAsync(Event(TrackingEventKind.Open, message, http, machines, signer, null));
        stats.Open();
        NoCache(http.Response);
        return TypedResults.File(Pixel, "image/gif");
    }

    private static async Task<Results<RedirectHttpResult, NotFound>> ClickAsync(
        string token, HttpContext http, TrackingLinks links, TrackingRecorder recorder, MachineDetector machines, LinkSigner signer, TrackingStats stats)
    {
        // The destination comes only from the signed payload, and is checked again: never anything but absolute http(s).
        if (!links.TryReadClick(token, out var message, out var destination)
            || !Uri.TryCreate(destination, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            stats.Reject();
            return TypedResults.NotFound();
        }
        await recorder.RecordAsync(Event(TrackingEventKind.Click, message, http, machines, signer, destination));
        stats.Click();
        NoCache(http.Response);
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Redirect(uri.AbsoluteUri);
    }

    private static async Task<Results<ContentHttpResult, NotFound>> ViewAsync(
        string token, HttpContext http, TrackingLinks links, MailsmithStore store, MessageRenderer renderer, MailsmithSettings settings, TrackingStats stats)
    {
        if (!links.TryReadMessage(token, out var message))
        {
            stats.Reject();
            return TypedResults.NotFound();
        }
        var send = store.GetSend(message.SendId);
        var email = send is not null && send.CampaignId == message.CampaignId && send.CustomerId == message.CustomerId
            ? await renderer.RenderAsync(send, http.RequestAborted)
            : null;
        NoCache(http.Response);
        http.Response.Headers["X-Robots-Tag"] = "noindex, nofollow";
        // The email's HTML never runs script; the policy makes sure of it in the browser too.
        http.Response.Headers.ContentSecurityPolicy = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";
        if (email is null)
        {
            var customer = store.GetCustomer(message.CustomerId);
            http.Response.StatusCode = StatusCodes.Status410Gone;
            return TypedResults.Content(Pages.Gone(settings.Sender, customer?.Locale), "text/html; charset=utf-8", statusCode: StatusCodes.Status410Gone);
        }
        return TypedResults.Content(email.Html, "text/html; charset=utf-8");
    }

    internal static TrackingEvent Event(TrackingEventKind kind, MessageRef message, HttpContext http, MachineDetector machines, LinkSigner signer, string? url)
    {
        var userAgent = http.Request.Headers.UserAgent.ToString();
        var at = DateTimeOffset.UtcNow;
        return new TrackingEvent(kind, message.SendId, message.CampaignId, message.CustomerId, at, EventKeys.New(at),
            Url: url,
            UserAgent: userAgent.Length == 0 ? null : userAgent.Length > 512 ? userAgent[..512] : userAgent,
            Client: ClientFingerprint(http, signer),
            MachineReason: kind is TrackingEventKind.Open or TrackingEventKind.Click ? machines.Reason(userAgent, http.Request.Method) : null);
    }

    private static readonly object FingerprintKey = new();

    /// <summary>The keyed fingerprint of the client's address, computed once per connection (image proxies keep theirs open).</summary>
    private static string? ClientFingerprint(HttpContext http, LinkSigner signer)
    {
        var items = http.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(FingerprintKey, out var cached))
        {
            return (string?)cached;
        }
        var ip = http.Connection.RemoteIpAddress?.ToString();
        var fingerprint = ip is null ? null : signer.Fingerprint(ip);
        if (items is not null)
        {
            items[FingerprintKey] = fingerprint;
        }
        return fingerprint;
    }

    private static void NoCache(HttpResponse response)
    {
        // Every fetch must reach us: a cached pixel is an uncounted open.
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate, private, max-age=0";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "0";
    }
}
