using Mailsmith.Compose;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Mailsmith.Server;

/// <summary>
/// <c>/u/{token}</c>: GET shows a page with a confirm button (a link scanner that fetches it unsubscribes nobody);
/// POST unsubscribes — the button's form and RFC 8058 one-click (<c>List-Unsubscribe=One-Click</c>) alike. Replays
/// change nothing. <c>/p/{token}</c>: the preference centre (campaign types to receive, pause for 30 days).
/// </summary>
internal static class SubscriptionEndpoints
{
    private const string Html = "text/html; charset=utf-8";

    public static void MapSubscriptionEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/u/{token}", UnsubscribePage);
        app.MapPost("/u/{token}", UnsubscribeAsync);
        app.MapGet("/p/{token}", PreferencesPage);
        app.MapPost("/p/{token}", SavePreferencesAsync);
    }

    private static Results<ContentHttpResult, NotFound> UnsubscribePage(string token, TrackingLinks links, MailsmithStore store, MailsmithSettings settings)
    {
        if (!links.TryReadMessage(token, out var message))
        {
            return TypedResults.NotFound();
        }
        var customer = store.GetCustomer(message.CustomerId);
        return TypedResults.Content(Pages.ConfirmUnsubscribe(settings.Sender, customer, customer?.UnsubscribedAt is not null, links.Preferences(message)), Html);
    }

    private static async Task<Results<ContentHttpResult, NotFound>> UnsubscribeAsync(
        string token, HttpContext http, TrackingLinks links, TrackingRecorder recorder, MachineDetector machines, LinkSigner signer, MailsmithStore store, MailsmithSettings settings)
    {
        if (!links.TryReadMessage(token, out var message))
        {
            return TypedResults.NotFound();
        }
        // The body (List-Unsubscribe=One-Click, or the confirm form) says nothing the signed URL does not: the POST is the intent.
        await recorder.RecordAsync(TrackingEndpoints.Event(TrackingEventKind.Unsubscribe, message, http, machines, signer, null));
        var customer = store.GetCustomer(message.CustomerId);
        return TypedResults.Content(Pages.Unsubscribed(settings.Sender, customer, links.Preferences(message)), Html);
    }

    private static Results<ContentHttpResult, NotFound> PreferencesPage(string token, TrackingLinks links, MailsmithStore store, MailsmithSettings settings)
    {
        if (!links.TryReadMessage(token, out var message))
        {
            return TypedResults.NotFound();
        }
        var customer = store.GetCustomer(message.CustomerId);
        var preferences = store.GetPreferences(message.CustomerId);
        return TypedResults.Content(Pages.Preferences(settings.Sender, customer, preferences, CampaignTypes.All, links.Unsubscribe(message), settings.Server.PauseDays, saved: false), Html);
    }

    private static async Task<Results<ContentHttpResult, NotFound, BadRequest<string>>> SavePreferencesAsync(
        string token, HttpContext http, TrackingLinks links, TrackingRecorder recorder, MachineDetector machines, LinkSigner signer, MailsmithStore store, MailsmithSettings settings)
    {
        if (!links.TryReadMessage(token, out var message))
        {
            return TypedResults.NotFound();
        }
        if (!http.Request.HasFormContentType)
        {
            return TypedResults.BadRequest("expected a form (application/x-www-form-urlencoded)");
        }
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var wanted = form["topic"].Where(t => t is not null).Select(t => t!).ToHashSet(StringComparer.Ordinal);
        var muted = CampaignTypes.All.Where(t => !wanted.Contains(t)).ToList();
        var now = DateTimeOffset.UtcNow;
        var existing = store.GetPreferences(message.CustomerId);
        // Ticking "pause" starts a pause now; leaving it ticked keeps the running one; unticking ends it.
        DateTimeOffset? pausedUntil = form["pause"].Count > 0
            ? existing?.PausedUntil is { } until && until > now ? until : now.AddDays(settings.Server.PauseDays)
            : null;
        var e = TrackingEndpoints.Event(TrackingEventKind.Preferences, message, http, machines, signer, null) with { MutedTypes = muted, PausedUntil = pausedUntil };
        await recorder.RecordAsync(e);
        var customer = store.GetCustomer(message.CustomerId);
        var saved = new CustomerPreferences(message.CustomerId, muted, pausedUntil, now);
        return TypedResults.Content(Pages.Preferences(settings.Sender, customer, saved, CampaignTypes.All, links.Unsubscribe(message), settings.Server.PauseDays, saved: true), Html);
    }
}
