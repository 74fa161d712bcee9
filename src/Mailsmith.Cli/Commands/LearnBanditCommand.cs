using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Learn;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith learn bandit enable|status</c>: Thompson sampling over a campaign's variants in the send path.</summary>
internal sealed class LearnBanditCommand : Command
{
    public LearnBanditCommand() : base("bandit", "Thompson sampling over a campaign's variants, batch by batch as engagement arrives")
    {
        Add(new EnableCommand());
        Add(new StatusCommand());
    }

    private sealed class EnableCommand : Command
    {
        public Option<string> Campaign { get; } = new("--campaign") { Description = "A campaign with at least two variants (besides any holdout)", Required = true };
        public Option<string> Metric { get; } = new("--metric") { Description = "What a response is: click (a human click) or conversion (an attributed order)", DefaultValueFactory = _ => "click" };
        public Option<bool> PerSegment { get; } = new("--per-segment") { Description = "One bandit per lifecycle × locale instead of one for everyone" };
        public Option<double?> Floor { get; } = new("--floor") { Description = "Exploration floor: share of every batch spread evenly over the variants (default Learn:ExplorationFloor, 0.01)" };

        public EnableCommand() : base("enable", "Make a campaign's variant allocation a bandit: each batch the send path composes is drawn from the responses so far")
        {
            Metric.AcceptOnlyFromAmong([.. BanditSettings.Metrics]);
            Add(Campaign);
            Add(Metric);
            Add(PerSegment);
            Add(Floor);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var bandit = new BanditSettings(parse.GetValue(Metric)!, parse.GetValue(PerSegment), parse.GetValue(Floor) ?? settings.Learn.ExplorationFloor);
                SendPathBandit.Enable(store, parse.GetValue(Campaign)!, bandit, DateTimeOffset.UtcNow);
                Console.WriteLine($"{parse.GetValue(Campaign)}: Thompson sampling on {bandit.Metric}s{(bandit.PerSegment ? " per lifecycle × locale" : "")}, exploration floor {bandit.ExplorationFloor.ToString(CultureInfo.InvariantCulture)}");
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class StatusCommand : Command
    {
        public Option<string> Campaign { get; } = new("--campaign") { Description = "Campaign id", Required = true };
        public Option<bool> Json { get; } = new("--json") { Description = "Print the decisions as JSON" };

        public StatusCommand() : base("status", "Print a bandit campaign's allocation decisions, batch by batch")
        {
            Add(Campaign);
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var id = parse.GetValue(Campaign)!;
                var campaign = store.GetCampaign(id) ?? throw new KeyNotFoundException($"no campaign '{id}'");
                var bandit = SendPathBandit.For(store, campaign, settings.Learn, _ => "");
                var batches = SendPathBandit.LoadBatches(store, id);
                if (parse.GetValue(Json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(new
                    {
                        campaign = id,
                        bandit = bandit is not null,
                        winner = bandit?.Winner,
                        batches = batches.Select(b => new { batch = b.Batch, segment = b.Segment, variant = b.Variant, probability = b.Probability, trials = b.Trials, successes = b.Successes, assigned = b.Assigned, decided_at = b.DecidedAt, reason = b.Reason }),
                    }));
                    return Task.FromResult(ExitCode.Success);
                }
                Console.WriteLine(bandit is null ? $"{id} is not a bandit campaign (learn bandit enable)" : $"{id}: winner {bandit.Winner ?? "not yet"}");
                foreach (var b in batches)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"batch {b.Batch,4} {(b.Segment.Length == 0 ? "" : b.Segment + " ")}{b.Variant}: p {b.Probability:0.000} from {b.Successes}/{b.Trials}, assigned {b.Assigned}  {b.Reason}"));
                }
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }
}
