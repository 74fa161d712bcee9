using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Track;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mailsmith.Server;

/// <summary>Counts of what the tracking endpoints answered (the server benchmark compares them with the database).</summary>
public sealed class TrackingStats
{
    private long _opens;
    private long _clicks;
    private long _rejected;

    public long Opens => Interlocked.Read(ref _opens);
    public long Clicks => Interlocked.Read(ref _clicks);
    /// <summary>Requests with a forged, tampered or malformed token (answered 404, nothing recorded).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    internal void Open() => Interlocked.Increment(ref _opens);
    internal void Click() => Interlocked.Increment(ref _clicks);
    internal void Reject() => Interlocked.Increment(ref _rejected);
}

/// <summary>The server's wiring, in one place.</summary>
internal static class ServerServices
{
    public static void AddMailsmith(this WebApplicationBuilder builder, MailsmithSettings settings, string urls, LogLevel minimumLevel, TimeProvider time)
    {
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.Server.MaxRequestBodyBytes;
            // Tokens are at most 4 KiB; nothing legitimate needs more in the request line or headers.
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(minimumLevel);
        // Never a line per request: at tens of thousands of requests a second the log would cost more than the work.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var store = MailsmithStore.Open(settings.DatabasePath);
        var signer = LinkSigner.FromOptions(settings.Track, settings.DefaultKeyFile);
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(time);
        services.AddSingleton(store);
        services.AddSingleton(signer);
        services.AddSingleton(new TrackingLinks(settings.Track, signer));
        services.AddSingleton(new MachineDetector(settings.Track));
        services.AddSingleton(new TrackingStats());
        services.AddSingleton(sp => new TrackingRecorder(store, settings.Server, settings.Track, settings.SpoolDirectory,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mailsmith.Track")));
        services.AddSingleton(_ => new MessageRenderer(store, settings));
        services.AddSingleton(new RequestImport(store, settings.Import));
        services.AddSingleton(new ApiKeys(settings.Server.ApiKeys));
        // The scheduler: sends messages as they become due (docs/delivery.md); off without a relay.
        services.AddSingleton<DeliveryScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryScheduler>());
    }
}
