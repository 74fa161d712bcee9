using System.CommandLine;
using System.Text.Json;
using Mailsmith.Pipeline;
using Mailsmith.Profile;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith bench profile</c>: the profile stage's 1M customers / 10M events target (docs/benchmarks.md).</summary>
internal sealed class ProfileBenchCommand : Command
{
    public Option<int> Customers { get; } = new("--customers") { Description = "Customers generated (default 1000000)", DefaultValueFactory = _ => 1_000_000 };
    public Option<long> Events { get; } = new("--events") { Description = "Storefront events generated (default 10000000)", DefaultValueFactory = _ => 10_000_000 };
    public Option<bool> Save { get; } = new("--save") { Description = "Also write the profiles to a temporary SQLite store and time it" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the figures as JSON" };

    public ProfileBenchCommand() : base("profile", "Generate a store in memory and time the whole profile stage on it, with peak memory")
    {
        Add(Customers);
        Add(Events);
        Add(Save);
        Add(Json);
        SetAction((parse, ct) => Guarded.RunAsync(() =>
        {
            var result = ProfileBenchmark.Run(new ProfileBenchmarkOptions
            {
                Customers = parse.GetValue(Customers),
                Events = parse.GetValue(Events),
                Save = parse.GetValue(Save),
            }, line => Console.Error.WriteLine(line));
            Console.WriteLine(parse.GetValue(Json)
                ? JsonSerializer.Serialize(result, DemoRunner.JsonOptions)
                : FormattableString.Invariant($"{result.Customers:N0} customers, {result.Events:N0} events: profile {result.ProfileSeconds:F1} s")
                    + (result.SaveSeconds is { } s ? FormattableString.Invariant($", save {s:F1} s") : "")
                    + FormattableString.Invariant($", peak memory {result.PeakWorkingSetMb:N0} MB (whole process, generated data included; the data alone {result.DataResidentMb:N0} MB resident); steps: ")
                    + string.Join(", ", result.StepSeconds.Select(kv => FormattableString.Invariant($"{kv.Key} {kv.Value:F1} s"))));
            return Task.FromResult(ExitCode.Success);
        }));
    }
}
