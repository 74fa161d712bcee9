using System.CommandLine;
using System.Text.Json;
using Mailsmith.Pipeline;
using Mailsmith.Server;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith bench serve</c>: the tracking server's throughput target, measured with wrk.</summary>
internal sealed class BenchCommand : Command
{
    public BenchCommand() : base("bench", "Measure a performance target (results go in docs/benchmarks.md)")
    {
        Add(new ServeBenchCommand());
        Add(new ProfileBenchCommand());
        Add(new SegmentsBenchCommand());
        Add(new RecsBenchCommand());
        Add(new SpamBenchCommand());
        Add(new SendBenchCommand());
    }

    private sealed class SendBenchCommand : Command
    {
        public Option<int> Customers { get; } = new("--customers") { Description = "Customers in the generated store (default 8000)", DefaultValueFactory = _ => 8000 };
        public Option<int> Runs { get; } = new("--runs") { Description = "Timed sends, each on a fresh copy of the store; the median is reported (default 3)", DefaultValueFactory = _ => 3 };
        public Option<bool> Dkim { get; } = new("--dkim") { Description = "Sign every message with a fresh RSA-2048 DKIM key" };
        public Option<int> Concurrency { get; } = new("--concurrency") { Description = "SMTP connections (default 16)", DefaultValueFactory = _ => 16 };
        public Option<int> SourceMessages { get; } = new("--smtp-source-messages") { Description = "Messages postfix's smtp-source sends for scale; 0 skips it (default 10000)", DefaultValueFactory = _ => 10_000 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };

        public SendBenchCommand() : base("send", "Send a generated campaign to postfix's smtp-sink on 127.0.0.1 (compose included); msg/s, CPU per message by stage, and smtp-source for scale")
        {
            Add(Customers);
            Add(Runs);
            Add(Dkim);
            Add(Concurrency);
            Add(SourceMessages);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var concurrency = parse.GetValue(Concurrency);
                if (concurrency is < 1 or > 256)
                {
                    throw new ArgumentException($"--concurrency {concurrency}: expected 1 to 256");
                }
                var result = await SendBenchmark.RunAsync(new SendBenchmarkOptions
                {
                    Customers = Math.Max(10, parse.GetValue(Customers)),
                    Runs = Math.Max(1, parse.GetValue(Runs)),
                    Dkim = parse.GetValue(Dkim),
                    Concurrency = concurrency,
                    SmtpSourceMessages = Math.Max(0, parse.GetValue(SourceMessages)),
                }, GlobalOptions.Settings(parse), line => Console.Error.WriteLine(line), ct);
                Console.WriteLine(parse.GetValue(Json) ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions) : SendBenchmark.Describe(result));
                return ExitCode.Success;
            }));
        }
    }

    private sealed class SpamBenchCommand : Command
    {
        public Option<int> Customers { get; } = new("--customers") { Description = "Customers in the generated store (default 400)", DefaultValueFactory = _ => 400 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the store and campaigns (default 42)", DefaultValueFactory = _ => 42 };
        public Option<string[]> Locales { get; } = new("--locale") { Description = "Customer locales sampled, repeatable (default: every locale in the store)", AllowMultipleArgumentsPerToken = true };
        public Option<int> PerStratum { get; } = new("--per-stratum") { Description = "Emails per campaign type × locale × lifecycle (default 1)", DefaultValueFactory = _ => 1 };
        public Option<bool> Rotate { get; } = new("--rotate-lifecycles") { Description = "One stratum per campaign type × locale, the lifecycle rotating (the test's 24-email sample)" };
        public Option<bool> Markdown { get; } = new("--markdown") { Description = "Print the docs/benchmarks.md section: rules hit and every email's score" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };

        public SpamBenchCommand() : base("spam", "Score a stratified sample of demo-pipeline emails with SpamAssassin (spamd -L); targets: average < 2.0, none > 4.0")
        {
            Add(Customers);
            Add(Seed);
            Add(Locales);
            Add(PerStratum);
            Add(Rotate);
            Add(Markdown);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var locales = parse.GetValue(Locales);
                var options = new SpamBenchmarkOptions
                {
                    Customers = Math.Max(10, parse.GetValue(Customers)),
                    Seed = parse.GetValue(Seed),
                    Locales = locales is { Length: > 0 } ? locales : null,
                    PerStratum = Math.Max(1, parse.GetValue(PerStratum)),
                    EveryLifecycle = !parse.GetValue(Rotate),
                };
                var result = await SpamBenchmark.RunAsync(options, GlobalOptions.Settings(parse), line => Console.Error.WriteLine(line), ct);
                var command = "mailsmith bench spam " + string.Join(' ', parse.Tokens.SkipWhile(t => t.Value != "spam").Skip(1).Select(t => t.Value));
                Console.WriteLine(parse.GetValue(Json) ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions)
                    : parse.GetValue(Markdown) ? SpamBenchmark.Markdown(result, command.Trim())
                    : $"{result.Emails.Count} emails: average {result.Average:0.00}, median {result.Median:0.0}, max {result.Max:0.0} (targets < 2.0, none > 4.0); {result.Seconds:0} s");
                return result.Average < 2.0 && result.Max <= 4.0 ? ExitCode.Success : ExitCode.Failed;
            }));
        }
    }

    private sealed class SegmentsBenchCommand : Command
    {
        public Option<int> Customers { get; } = new("--customers") { Description = "Profiles held in memory (default 1000000)", DefaultValueFactory = _ => 1_000_000 };
        public Option<int> Repetitions { get; } = new("--repetitions") { Description = "Repetitions; medians are printed (default 7)", DefaultValueFactory = _ => 7 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };

        public SegmentsBenchCommand() : base("segments", "Count segments over seeded in-memory profiles (docs/benchmarks.md)")
        {
            Add(Customers);
            Add(Repetitions);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var result = Mailsmith.Profile.Segments.SegmentBenchmark.Run(parse.GetValue(Customers), Math.Max(1, parse.GetValue(Repetitions)), line => Console.Error.WriteLine(line));
                Console.WriteLine(parse.GetValue(Json)
                    ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions)
                    : $"{result.Customers:N0} profiles: count (issue example, {result.Members:N0} members) first {result.FirstCountMs:F1} ms, second (building columns) {result.ColumnBuildCountMs:F1} ms, warm {result.WarmCountMs:F1} ms; "
                      + $"wide expression {result.WideWarmCountMs:F1} ms; row by row {result.RowByRowCountMs:F1} ms; members {result.MembersMs:F1} ms; compile {result.CompileMs * 1000:F0} µs");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class RecsBenchCommand : Command
    {
        public Option<int> Customers { get; } = new("--customers") { Description = "Customers generated (default 1000000)", DefaultValueFactory = _ => 1_000_000 };
        public Option<int> Products { get; } = new("--products") { Description = "Products generated (default 50000)", DefaultValueFactory = _ => 50_000 };
        public Option<long> Interactions { get; } = new("--interactions") { Description = "Interactions generated (default 10000000)", DefaultValueFactory = _ => 10_000_000 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Generator seed (default 42)", DefaultValueFactory = _ => 42 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };
        public Option<bool> Service { get; } = new("--service") { Description = "Time the whole recommendation service (default chain, business rules, the recommendations campaign's picks) instead of bare item-item; profiles are built first, untimed" };

        public RecsBenchCommand() : base("recs", "Generate a store in memory, fit item-item and recommend top-10 for every customer; times and peak memory")
        {
            Add(Customers);
            Add(Products);
            Add(Interactions);
            Add(Seed);
            Add(Json);
            Add(Service);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var result = Mailsmith.Recommend.Evaluation.ScaleBenchmark.Run(new Mailsmith.Recommend.Evaluation.ScaleBenchmarkOptions
                {
                    Customers = parse.GetValue(Customers),
                    Products = parse.GetValue(Products),
                    Interactions = parse.GetValue(Interactions),
                    Seed = parse.GetValue(Seed),
                    Service = parse.GetValue(Service),
                }, line => Console.Error.WriteLine(line));
                Console.WriteLine(parse.GetValue(Json)
                    ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions)
                    : $"{result.Mode}: fit {result.FitSeconds:F1} s, top-10 for {result.Customers:N0} customers {result.RecommendSeconds:F1} s "
                      + $"({result.CustomersServed:N0} served), peak working set {result.PeakWorkingSetBytes / (1024.0 * 1024 * 1024):F2} GiB, "
                      + $"GC heap after fit {result.GcHeapBytesAfterFit / (1024.0 * 1024 * 1024):F2} GiB, {result.ProcessorCount} cores");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class ServeBenchCommand : Command
    {
        public Option<string> Route { get; } = new("--route") { Description = "open, click, or baseline (/healthz: the host's ceiling, nothing recorded) (default open)", DefaultValueFactory = _ => "open" };
        public Option<int> Duration { get; } = new("--duration") { Description = "Seconds measured (default 10)", DefaultValueFactory = _ => 10 };
        public Option<int> Connections { get; } = new("--connections") { Description = "wrk -c (default 64)", DefaultValueFactory = _ => 64 };
        public Option<int> Threads { get; } = new("--threads") { Description = "wrk -t (default 2)", DefaultValueFactory = _ => 2 };
        public Option<int> Messages { get; } = new("--messages") { Description = "Distinct signed messages cycled through (default 10000)", DefaultValueFactory = _ => 10_000 };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };

        public ServeBenchCommand() : base("serve", "Run the server on 127.0.0.1 under wrk and check that every answered request was stored")
        {
            Route.AcceptOnlyFromAmong("open", "click", "baseline");
            Add(Route);
            Add(Duration);
            Add(Connections);
            Add(Threads);
            Add(Messages);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var result = await ServeBenchmark.RunAsync(new ServeBenchmarkOptions
                {
                    Route = parse.GetValue(Route)!,
                    DurationSeconds = parse.GetValue(Duration),
                    Connections = parse.GetValue(Connections),
                    Threads = parse.GetValue(Threads),
                    Messages = parse.GetValue(Messages),
                }, line => Console.Error.WriteLine(line), ct);
                Console.WriteLine(parse.GetValue(Json) ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions) : ServeBenchmark.Describe(result));
                return result.AllPersisted ? ExitCode.Success : ExitCode.Failed;
            }));
        }
    }
}
