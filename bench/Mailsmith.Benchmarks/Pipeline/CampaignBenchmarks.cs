using BenchmarkDotNet.Attributes;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Synthetic;
using MimeKit;

namespace Mailsmith.Benchmarks.Pipeline;

/// <summary>
/// The recommendations campaign end to end after profiling: audience, planning, recommend, compose, render, MIME
/// serialization (to a null stream) and outbox state updates, on both cores. One operation = one campaign.
/// </summary>
[MemoryDiagnoser]
[GcServer(true)] // as the CLI runs (src/Mailsmith.Cli/Mailsmith.Cli.csproj)
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class CampaignBenchmarks
{
    private string _dir = "";
    private MailsmithStore _store = default!;
    private MailsmithSettings _settings = default!;
    private PipelineContext _context = default!;
    private string _campaignId = "";
    private int _emails;

    [GlobalSetup]
    public async Task Setup()
    {
        _dir = Directory.CreateTempSubdirectory("mailsmith-bench-").FullName;
        var data = Path.Combine(_dir, "data");
        new StoreGenerator(new GeneratorOptions { Customers = 5000, Seed = 42 }).Generate(data);
        _store = MailsmithStore.Open(Path.Combine(_dir, "bench.db"));
        var report = new Importer(_store, new ImportOptions()).Import(
        [
            new(ImportKind.Customers, Path.Combine(data, "customers.csv")), new(ImportKind.Products, Path.Combine(data, "products.csv")),
            new(ImportKind.Orders, Path.Combine(data, "orders.csv")), new(ImportKind.OrderLines, Path.Combine(data, "order_lines.csv")),
            new(ImportKind.Events, Path.Combine(data, "events.csv")), new(ImportKind.Reviews, Path.Combine(data, "reviews.csv")),
        ]);
        if (!report.Success)
        {
            throw new InvalidOperationException("import failed");
        }
        _settings = MailsmithSettings.Load(null, _store.Path, new Dictionary<string, string?>());
        _context = PipelineContext.Prepare(_store, _settings);
        // Check the output before timing anything.
        NewCampaign();
        var result = await Run();
        if (result.Composed < 1000)
        {
            throw new InvalidOperationException($"only {result.Composed} emails composed");
        }
        _emails = result.Composed;
        Console.WriteLine($"// recommendations campaign: {_emails} emails per invocation");
    }

    [IterationSetup]
    public void NewCampaign() =>
        _campaignId = new CampaignRunner(_store, _settings).Create(CampaignTypes.Recommendations, seed: 1).CampaignId;

    /// <summary>One whole campaign; divide by the email count printed in the setup log for emails/s.</summary>
    [Benchmark]
    public async Task<int> Pipeline_RecommendationsCampaign()
    {
        var result = await Run();
        if (result.Composed != _emails)
        {
            throw new InvalidOperationException($"composed {result.Composed}, expected {_emails}");
        }
        return result.Composed;
    }

    private Task<CampaignRunResult> Run() =>
        new CampaignRunner(_store, _settings).ComposeAsync(_campaignId, _context, new NullSender());

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    /// <summary>Serializes each message (so MIME encoding is measured) and discards the bytes.</summary>
    private sealed class NullSender : IMailSender
    {
        public Task SendAsync(MimeMessage message, OutboxAddress address, CancellationToken cancellationToken = default)
        {
            message.WriteTo(Stream.Null, cancellationToken);
            return Task.CompletedTask;
        }
    }
}
