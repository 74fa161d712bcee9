using Mailsmith.Pipeline;
using Microsoft.AspNetCore.Builder;
using Mailsmith.Track;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mailsmith.Server;

/// <summary>
/// The tracking server: open pixel, click redirect, unsubscribe and preference pages, view in browser, and the JSON
/// API (routes in docs/server.md). The table of contents of the host; each area's endpoints live in their own class.
/// </summary>
public static class MailsmithServer
{
    /// <summary>Builds the server for <paramref name="settings"/>, listening on <paramref name="urls"/> (default <c>Server:Urls</c>).</summary>
    /// <param name="time">The clock the scheduler reads (default the system's; tests shift it).</param>
    /// <remarks>Start it with <c>StartAsync</c>/<c>RunAsync</c>; stopping it stores (or spools) every event already answered.</remarks>
    public static WebApplication Build(MailsmithSettings settings, string? urls = null, LogLevel minimumLevel = LogLevel.Warning, TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.AddMailsmith(settings, urls ?? settings.Server.Urls, minimumLevel, time ?? TimeProvider.System);

        var app = builder.Build();
        // Started now, not on the first request: a spool left by an earlier run is replayed at once.
        app.Services.GetRequiredService<TrackingRecorder>();
        app.MapTrackingEndpoints();
        app.MapSubscriptionEndpoints();
        app.MapApiEndpoints();
        return app;
    }
}
