using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Pipeline;

/// <summary>Options of <c>mailsmith demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>Output folder. Default <c>out</c>.</summary>
    public string OutputDirectory { get; init; } = "out";

    /// <summary>Customers in the generated store. Default 5,000.</summary>
    public int Customers { get; init; } = 5000;

    /// <summary>Seed of the generated store and of the campaigns. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Sample emails per campaign and locale in the preview gallery. Default 3.</summary>
    public int PreviewSamples { get; init; } = 3;
}

/// <summary>What the demo did; also written as <c>summary.json</c>.</summary>
public sealed record DemoSummary(
    [property: JsonPropertyName("campaigns")] IReadOnlyList<DemoCampaignSummary> Campaigns,
    [property: JsonPropertyName("stages")] IReadOnlyDictionary<string, DemoStageSummary> Stages,
    [property: JsonPropertyName("emails_per_second")] double EmailsPerSecond,
    [property: JsonPropertyName("emails_per_second_including_write")] double EmailsPerSecondIncludingWrite,
    [property: JsonPropertyName("total_seconds")] double TotalSeconds,
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("preview")] string Preview);

public sealed record DemoCampaignSummary(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("emails")] int Emails,
    [property: JsonPropertyName("audience")] int Audience,
    [property: JsonPropertyName("emails_per_second")] double EmailsPerSecond,
    [property: JsonPropertyName("suppressed")] IReadOnlyDictionary<string, int> Suppressed);

public sealed record DemoStageSummary(
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("count")] long Count);

/// <summary>
/// <c>mailsmith demo</c>: generates a store, imports it into a fresh database, runs every stage for one campaign of
/// each type, and leaves emails, a preview gallery and a summary behind. Uses the same library calls as the
/// individual commands.
/// </summary>
public sealed class DemoRunner(DemoOptions options, MailsmithSettings baseSettings)
{
    public async Task<DemoSummary> RunAsync(IProgress<PipelineProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var root = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(root);
        var dataDir = Path.Combine(root, "data");
        var emailsDir = Path.Combine(root, "emails");
        var previewDir = Path.Combine(root, "preview");
        var dbPath = Path.Combine(root, "mailsmith.db");
        // A fresh database and fresh outputs each run: stale emails from a bigger earlier run would mislead.
        foreach (var file in new[] { dbPath, dbPath + "-wal", dbPath + "-shm" })
        {
            File.Delete(file);
        }
        foreach (var dir in new[] { dataDir, emailsDir, previewDir })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        var settings = new MailsmithSettings
        {
            DatabasePath = dbPath,
            ConfigPath = baseSettings.ConfigPath,
            Import = baseSettings.Import,
            Profile = baseSettings.Profile,
            Recommend = baseSettings.Recommend,
            Compose = baseSettings.Compose,
            Sender = baseSettings.Sender,
            Track = baseSettings.Track,
            Campaigns = baseSettings.Campaigns,
            Outbox = new OutboxOptions { Directory = emailsDir },
        };
        var stages = new Dictionary<string, DemoStageSummary>(StringComparer.Ordinal);

        // Generate.
        var watch = Stopwatch.StartNew();
        progress?.Report(new PipelineProgress("generate", $"generating a store of {options.Customers:N0} customers", 0, 0));
        var generated = new StoreGenerator(new GeneratorOptions { Customers = options.Customers, Seed = options.Seed })
            .Generate(dataDir, new SynchronousProgress<string>(m => progress?.Report(new PipelineProgress("generate", m, 0, 0))));
        stages["generate"] = new DemoStageSummary(Round(watch.Elapsed.TotalSeconds), generated.RowCounts.Values.Sum());

        // Ingest.
        watch.Restart();
        var store = MailsmithStore.Open(dbPath);
        var files = new List<ImportFile>
        {
            new(ImportKind.Customers, Path.Combine(dataDir, "customers.csv")),
            new(ImportKind.Products, Path.Combine(dataDir, "products.csv")),
            new(ImportKind.Orders, Path.Combine(dataDir, "orders.csv")),
            new(ImportKind.OrderLines, Path.Combine(dataDir, "order_lines.csv")),
            new(ImportKind.Events, Path.Combine(dataDir, "events.csv")),
            new(ImportKind.Reviews, Path.Combine(dataDir, "reviews.csv")),
        };
        var report = new Importer(store, settings.Import).Import(files, new SynchronousProgress<ImportProgress>(p =>
            progress?.Report(new PipelineProgress("ingest", Path.GetFileName(p.Path), p.BytesRead, p.TotalBytes))), cancellationToken);
        if (!report.Success)
        {
            var first = report.Files.SelectMany(f => f.Errors).Take(5).Select(e => e.ToString());
            throw new InvalidOperationException("The generated store failed to import:\n" + string.Join('\n', first));
        }
        stages["ingest"] = new DemoStageSummary(Round(watch.Elapsed.TotalSeconds), report.Files.Sum(f => f.RowsLoaded));

        // Profile + Recommend (shared by all campaigns).
        var context = PipelineContext.Prepare(store, settings, progress: progress);
        foreach (var t in context.Timings)
        {
            stages[t.Stage] = new DemoStageSummary(Round(t.Seconds), t.Count);
        }

        // Campaigns: one of each type, composed into the outbox folder.
        var runner = new CampaignRunner(store, settings) { SamplesPerLocale = options.PreviewSamples };
        var sender = new PickupFolderSender(emailsDir);
        var results = new List<CampaignRunResult>();
        // The promotion shows an offer end to end (code box, value framing, grounding): 15% for the month after the store's last day.
        var offerEnds = DateOnly.FromDateTime((context.AsOf > DateTimeOffset.UtcNow ? context.AsOf : DateTimeOffset.UtcNow).UtcDateTime).AddDays(30);
        foreach (var type in CampaignTypes.All)
        {
            var offer = type == CampaignTypes.Promotion ? new CampaignOffer("DEMO15", 15, Expires: offerEnds) : null;
            var campaign = runner.Create(type, DemoNames.TryGetValue(type, out var n) ? n : null, seed: options.Seed, offer: offer);
            results.Add(await runner.ComposeAsync(campaign.CampaignId, context, sender, progress, cancellationToken));
        }
        foreach (var stage in new[] { "plan", "recommend", "compose", "deliver" })
        {
            var seconds = results.Sum(r => r.Timings.First(t => t.Stage == stage).Seconds);
            var count = results.Sum(r => r.Timings.First(t => t.Stage == stage).Count);
            // "recommend" is the fit (shared by all campaigns) plus picking each recipient's products.
            if (stages.TryGetValue(stage, out var before))
            {
                seconds += before.Seconds;
                count += before.Count;
            }
            stages[stage] = new DemoStageSummary(Round(seconds), count);
        }
        var emails = results.Sum(r => r.Composed);
        // Track: every email produced is a recorded send with signed links.
        stages["track"] = new DemoStageSummary(0, results.Sum(r => store.CountSendsByState(r.Campaign.CampaignId).Values.Sum()));

        // Preview gallery.
        watch.Restart();
        var previewIndex = new PreviewWriter(context.Snapshot).Write(previewDir, results);
        stages["preview"] = new DemoStageSummary(Round(watch.Elapsed.TotalSeconds), results.Sum(r => r.Samples.Count));

        var composeAndDeliver = stages["compose"].Seconds + stages["deliver"].Seconds;
        var summary = new DemoSummary(
            results.Select(r => new DemoCampaignSummary(r.Campaign.CampaignId, r.Campaign.Type, r.Composed, r.Audience, Rate(r.Composed, r.Timings.First(t => t.Stage == "compose").Seconds), r.Suppressed)).ToList(),
            stages,
            Rate(emails, stages["compose"].Seconds),
            Rate(emails, composeAndDeliver),
            Round(total.Elapsed.TotalSeconds),
            dbPath,
            previewIndex);
        await File.WriteAllTextAsync(Path.Combine(root, "summary.json"), JsonSerializer.Serialize(summary, JsonOptions), cancellationToken);
        return summary;
    }

    private static readonly Dictionary<string, string> DemoNames = new(StringComparer.Ordinal)
    {
        [CampaignTypes.Welcome] = "Welcome series",
        [CampaignTypes.AbandonedCart] = "Abandoned cart reminder",
        [CampaignTypes.Winback] = "We miss you",
        [CampaignTypes.Recommendations] = "Picked for you",
    };

    /// <summary>How Mailsmith writes JSON for people and scripts: indented, property names as declared.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };

    private static double Round(double seconds) => Math.Round(seconds, 3);

    /// <summary>Emails per second; the demo's compose figure covers compose + render + MIME, in memory.</summary>
    private static double Rate(long emails, double seconds) => seconds > 0 ? Math.Round(emails / seconds, 1) : 0;
}
