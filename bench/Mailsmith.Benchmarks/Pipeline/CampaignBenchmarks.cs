using BenchmarkDotNet.Attributes;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Learn;
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
[MedianColumn]
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

    [GlobalSetup(Target = nameof(Pipeline_RecommendationsCampaign))]
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

    [IterationSetup(Target = nameof(Pipeline_RecommendationsCampaign))]
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

    /// <summary>
    /// Exactly the target's scope: compose + render + MIME (built and serialized to a null stream) for 4,000 prepared
    /// recipients of the recommendations campaign, on every core. Recommendations are picked in the setup.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ComposeBatch)]
    public long Pipeline_ComposeRenderMime()
    {
        long bytes = 0;
        Parallel.For(0, _prepared.Length, i =>
        {
            var (context, customer, envelope) = _prepared[i];
            var message = _mime.Build(_composer.Compose(context), customer, envelope);
            using var counter = new CountingStream();
            message.WriteTo(counter);
            Interlocked.Add(ref bytes, counter.Length);
        });
        return bytes;
    }

    /// <summary>
    /// The same scope on the bytes path the send path uses (<c>CampaignRunner.SendAsync</c>): compose + render +
    /// <see cref="MimeBuilder.Write"/> straight to the message's bytes, for the same 4,000 prepared recipients, on every core.
    /// </summary>
    [Benchmark(OperationsPerInvoke = ComposeBatch)]
    public long Pipeline_ComposeRenderMimeBytes()
    {
        long bytes = 0;
        Parallel.For(0, _prepared.Length, i =>
        {
            var (context, customer, envelope) = _prepared[i];
            Interlocked.Add(ref bytes, _mime.Write(_composer.Compose(context), customer, envelope).Length);
        });
        return bytes;
    }

    /// <summary>Stage alone: plan + built-in writer + guardrails + render (no MIME), same recipients, every core.</summary>
    [Benchmark(OperationsPerInvoke = ComposeBatch)]
    public long ComposeStage_Compose()
    {
        long chars = 0;
        Parallel.For(0, _prepared.Length, i => Interlocked.Add(ref chars, _composer.Compose(_prepared[i].Item1).Html.Length));
        return chars;
    }

    /// <summary>Stage alone: the guardrails on each recipient's copy (planned and written in the setup), every core.</summary>
    [Benchmark(OperationsPerInvoke = ComposeBatch)]
    public int ComposeStage_Guardrails()
    {
        var passed = 0;
        Parallel.For(0, _copies.Length, i =>
        {
            if (CopyChecks.Check(_copies[i].Plan, _copies[i].Copy).Passed)
            {
                Interlocked.Increment(ref passed);
            }
        });
        return passed;
    }

    /// <summary>Stage alone: <see cref="MimeBuilder.Write"/> of each recipient's composed email (composed in the setup), every core.</summary>
    [Benchmark(OperationsPerInvoke = ComposeBatch)]
    public long ComposeStage_MimeWrite()
    {
        long bytes = 0;
        Parallel.For(0, _prepared.Length, i =>
        {
            var (_, customer, envelope) = _prepared[i];
            Interlocked.Add(ref bytes, _mime.Write(_composedEmails[i], customer, envelope).Length);
        });
        return bytes;
    }

    private const int ComposeBatch = 4000;
    private ComposedEmail[] _composedEmails = [];
    private (EmailPlan Plan, EmailCopy Copy)[] _copies = [];
    private (EmailContext, Customer, MessageEnvelope)[] _prepared = [];
    private EmailComposer _composer = default!;
    private MimeBuilder _mime = default!;

    [GlobalSetup(Targets = [nameof(Pipeline_ComposeRenderMime), nameof(Pipeline_ComposeRenderMimeBytes),
        nameof(ComposeStage_Compose), nameof(ComposeStage_Guardrails), nameof(ComposeStage_MimeWrite)])]
    public async Task SetupCompose()
    {
        await Setup();
        var snapshot = _context.Snapshot;
        var campaign = _store.GetCampaign(_campaignId)!;
        _composer = new EmailComposer(_settings.Compose, _settings.Sender, id => snapshot.ProductsById.GetValueOrDefault(id));
        _mime = new MimeBuilder(_settings.Sender);
        var links = new EmailLinks("https://mail.shop.example/u/token", url => url);
        _prepared = _store.LoadSends(_campaignId).Where(s => s.State == SendState.Sent).Take(ComposeBatch).Select(send =>
        {
            var customer = snapshot.CustomersById[send.CustomerId];
            var profile = _context.Profiles[send.CustomerId];
            var blocks = _context.Recommendations.For(campaign.Type, customer, profile, 4)
                .Select(r => new ProductBlock(snapshot.ProductsById[r.ProductId], r)).ToList();
            var context = new EmailContext(campaign, send.Variant, customer, profile, blocks, links, _context.AsOf, VariantAssigner.Seed(campaign.Seed, customer.CustomerId, "compose"));
            return (context, customer, new MessageEnvelope(send.MessageId, "https://mail.shop.example/u/token", "token", campaign.CampaignId, campaign.Type, send.PlannedAt));
        }).ToArray();
        if (_prepared.Length != ComposeBatch)
        {
            throw new InvalidOperationException($"only {_prepared.Length} recipients prepared");
        }
        // Check the output before timing: a real email with its products.
        var first = _composer.Compose(_prepared[0].Item1);
        if (first.ProductIds.Count < 3 || !first.Html.Contains("</html>", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("composed email is incomplete");
        }
        // The bytes path writes the message the MimeKit tree describes: same subject, recipient and parts. (A part's
        // final line end is read back as part of the boundary's CRLF, so line ends at the very end are not compared.)
        using (var written = new MemoryStream(_mime.Write(first, _prepared[0].Item2, _prepared[0].Item3)))
        {
            var parsed = MimeMessage.Load(written);
            var built = _mime.Build(first, _prepared[0].Item2, _prepared[0].Item3);
            if (parsed.Subject != built.Subject || parsed.To.Mailboxes.Single().Address != built.To.Mailboxes.Single().Address
                || parsed.HtmlBody?.ReplaceLineEndings("\n").TrimEnd('\n') != first.Html.ReplaceLineEndings("\n").TrimEnd('\n')
                || parsed.TextBody?.ReplaceLineEndings("\n").TrimEnd('\n') != first.Text.ReplaceLineEndings("\n").TrimEnd('\n'))
            {
                throw new InvalidOperationException("MimeBuilder.Write does not parse back to the composed email");
            }
        }
        _composedEmails = _prepared.Select(p => _composer.Compose(p.Item1)).ToArray();
        _copies = _prepared.Select(p => _composer.Plan(p.Item1)).Select(plan => (plan, _composer.WriteCopy(plan))).ToArray();
        if (_copies.Count(c => CopyChecks.Check(c.Item1, c.Item2).Passed) != _copies.Length)
        {
            throw new InvalidOperationException("a prepared copy fails the guardrails");
        }
    }

    private Task<CampaignRunResult> Run() =>
        new CampaignRunner(_store, _settings).ComposeAsync(_campaignId, _context, new NullSender());

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    /// <summary>Counts bytes written and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException("write-only counter"); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("write-only counter");
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("write-only counter");
        public override void SetLength(long value) => throw new NotSupportedException("write-only counter");
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
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
