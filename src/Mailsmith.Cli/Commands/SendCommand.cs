using System.CommandLine;
using System.Globalization;
using Mailsmith.Deliver;
using Mailsmith.Pipeline;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith send --campaign ID</c>: delivers every message of a campaign that is due, over SMTP.</summary>
internal sealed class SendCommand : Command
{
    public Option<string> Campaign { get; } = new("--campaign") { Description = "Campaign id (see campaign list)", Required = true };
    public Option<string?> Smtp { get; } = new("--smtp") { Description = "Relay: smtp://[user[:password]@]host:port (STARTTLS when offered) or smtps://… (default: Smtp:Url or Smtp:Host)" };
    public Option<int?> Concurrency { get; } = new("--concurrency") { Description = "SMTP connections, one message in flight each (default: Smtp:Concurrency, 8)" };
    public Option<double?> Rate { get; } = new("--rate") { Description = "At most this many messages per second to the relay (default: Smtp:RatePerSecond, no limit)" };
    public Option<bool> Now { get; } = new("--now") { Description = "Send every planned message now, ignoring best hour, quiet hours and the window (the frequency cap still holds)" };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Say what would be sent now, later and held back; store and send nothing" };
    public Option<bool> Resume { get; } = new("--resume") { Description = "Send a campaign that paused itself after too many failures" };
    public Option<DateTimeOffset?> AsOf { get; } = new("--as-of") { Description = "The moment the store's data is read at (default: the latest activity in the data)" };

    public SendCommand() : base("send", "Deliver the campaign's messages that are due over SMTP; later ones stay planned (serve's scheduler or a later send)")
    {
        Add(Campaign);
        Add(Smtp);
        Add(Concurrency);
        Add(Rate);
        Add(Now);
        Add(DryRun);
        Add(Resume);
        Add(AsOf);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var id = parse.GetValue(Campaign)!;
            _ = store.GetCampaign(id) ?? throw new KeyNotFoundException($"no campaign '{id}' (see: mailsmith campaign list)");
            var concurrency = parse.GetValue(Concurrency) ?? settings.Smtp.Concurrency;
            if (concurrency < 1 || concurrency > 256)
            {
                throw new ArgumentException($"--concurrency {concurrency}: expected 1 to 256");
            }
            var rate = parse.GetValue(Rate) ?? settings.Smtp.RatePerSecond;
            if (rate < 0)
            {
                throw new ArgumentException($"--rate {rate.ToString(CultureInfo.InvariantCulture)}: expected a number of messages per second, 0 or more");
            }
            var dryRun = parse.GetValue(DryRun);
            var smtpOptions = new SmtpOptions
            {
                Url = settings.Smtp.Url, Host = settings.Smtp.Host, Port = settings.Smtp.Port, Security = settings.Smtp.Security,
                UserName = settings.Smtp.UserName, Password = settings.Smtp.Password, Concurrency = concurrency, RatePerSecond = rate,
                TimeoutSeconds = settings.Smtp.TimeoutSeconds, MessagesPerConnection = settings.Smtp.MessagesPerConnection, HeloName = settings.Smtp.HeloName,
            };
            // Resolved even for a dry run: a wrong URL is an error before anything is read.
            var relay = SmtpRelay.From(parse.GetValue(Smtp), smtpOptions);
            using var dkim = DkimSigner.FromOptions(settings.Dkim, settings.Sender);
            await using var sender = new SmtpSender(relay, smtpOptions, dkim);
            var run = new SendRunOptions { IgnoreSchedule = parse.GetValue(Now), DryRun = dryRun, Concurrency = concurrency, Resume = parse.GetValue(Resume) };
            var result = await Ui.WithProgressAsync(async progress =>
            {
                var context = PipelineContext.Prepare(store, settings, parse.GetValue(AsOf), progress, saveProfiles: !dryRun);
                return await new CampaignRunner(store, settings).SendAsync(id, context, sender, run, progress, ct);
            });
            var d = result.Delivery;
            if (result.DryRun)
            {
                Console.WriteLine($"{id}: dry run via {relay}: audience {result.Audience:N0}, would send now {result.WouldSend:N0}, later {result.Open:N0}" +
                    (result.NextDue is { } first ? $" (first at {first.UtcDateTime:yyyy-MM-dd HH:mm} UTC)" : ""));
            }
            else
            {
                Console.WriteLine($"{id}: sent {d.Sent:N0} via {relay} in {d.Seconds:N1} s ({(d.Seconds > 0 ? d.Sent / d.Seconds : 0):N0} msg/s, {d.ConnectionsOpened:N0} connections" +
                    $"{(dkim is null ? "" : ", DKIM " + dkim.Algorithm)}), bounced {d.Bounced:N0}, failed {d.Failed:N0}, deferred {d.Deferred:N0}, retries {d.Retries:N0}");
                Console.WriteLine($"  still planned or deferred: {result.Open:N0}" + (result.NextDue is { } next ? $", next due {next.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : ""));
            }
            foreach (var (reason, n) in d.HeldBack)
            {
                Console.WriteLine($"  held back {n:N0}: {reason}");
            }
            if (d.PausedBecause is { } why)
            {
                Ui.Error($"campaign {id} paused: {why}; fix the relay, then: mailsmith send --campaign {id} --resume");
                return ExitCode.Failed;
            }
            return ExitCode.Success;
        }));
    }
}
