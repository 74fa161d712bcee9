using System.CommandLine;
using Mailsmith.Server;
using Mailsmith.Track;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith serve</c>: the tracking server and JSON API until Ctrl+C.</summary>
internal sealed class ServeCommand : Command
{
    public Option<string?> Urls { get; } = new("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:5080 (default: Server:Urls)" };

    public ServeCommand() : base("serve", "Run the tracking server (open pixel, click redirect, unsubscribe, preferences, view in browser) and the JSON API")
    {
        Add(Urls);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var settings = GlobalOptions.Settings(parse);
            await using var app = MailsmithServer.Build(settings, parse.GetValue(Urls), LogLevel.Information);
            await app.StartAsync(ct);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"mailsmith serve: {settings.DatabasePath} on {string.Join(", ", addresses)} (Ctrl+C stops)");
            if (settings.Server.ApiKeys.Count == 0)
            {
                Console.WriteLine("  the JSON API is off: set Server:ApiKeys (e.g. MAILSMITH__Server__ApiKeys__0) to turn it on");
            }
            Console.WriteLine("  " + app.Services.GetRequiredService<DeliveryScheduler>().Status);
            // Ctrl+C and SIGTERM stop the host (its console lifetime); StopAsync drains the requests in flight.
            await app.WaitForShutdownAsync(ct);
            var stats = app.Services.GetRequiredService<TrackingStats>();
            var recorder = app.Services.GetRequiredService<TrackingRecorder>();
            await recorder.DisposeAsync();
            Console.WriteLine($"stopped: {stats.Opens:N0} opens and {stats.Clicks:N0} clicks answered, {recorder.Recorded:N0} events stored, " +
                $"{recorder.Spooled:N0} spooled ({recorder.PendingSpoolFiles} spool files pending), {recorder.Lost:N0} lost, {stats.Rejected:N0} bad tokens refused");
            return ExitCode.Success;
        }));
    }
}
