using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Spectre.Console;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith campaign create|list|compose</c>.</summary>
internal sealed class CampaignCommand : Command
{
    public CampaignCommand() : base("campaign", "Create, list and compose campaigns")
    {
        Add(new CreateCommand());
        Add(new ListCommand());
        Add(new ComposeCommand());
    }

    private sealed class CreateCommand : Command
    {
        public Option<string> Type { get; } = new("--type") { Description = "welcome | abandoned_cart | winback | recommendations", Required = true };
        public Option<string?> CampaignName { get; } = new("--name") { Description = "A name for people (default: type and date)" };
        public Option<string?> Audience { get; } = new("--audience") { Description = "Audience rule: default | all | field=v1,v2;field=… (fields: lifecycle, locale, price_band, category)" };
        public Option<string[]> Variants { get; } = new("--variant") { Description = "A variant as NAME or NAME=WEIGHT; repeat for an experiment (default: one variant A)", AllowMultipleArgumentsPerToken = false };
        public Option<long?> Seed { get; } = new("--seed") { Description = "Seed of variant assignment and wording draws (default: random)" };
        public Option<string?> Segment { get; } = new("--segment") { Description = "Address the members of this saved segment (see segment list), evaluated when the campaign is composed" };
        public Option<double> Holdout { get; } = new("--holdout") { Description = "Share of the audience held out as a randomized control group that receives nothing (for uplift models), e.g. 0.1 (default 0)" };
        public Option<string?> UpliftFrom { get; } = new("--uplift-from") { Description = "Send only to the persuadables: learn uplift from this earlier campaign's holdout experiment (needs --budget)" };
        public Option<int?> Budget { get; } = new("--budget") { Description = "With --uplift-from: the most messages to send, to the highest predicted uplift first" };
        public Option<string> UpliftModel { get; } = new("--uplift-model") { Description = "With --uplift-from: logistic | lightgbm (default logistic)", DefaultValueFactory = _ => "logistic" };
        public Option<double> UpliftWindow { get; } = new("--uplift-window") { Description = "With --uplift-from: days after a send in which a purchase counts (default 7)", DefaultValueFactory = _ => 7 };
        public Option<int?> OfferPercent { get; } = new("--offer-percent") { Description = "The campaign's offer: whole percent off (1-90), stated in every email" };
        public Option<decimal?> OfferAmount { get; } = new("--offer-amount") { Description = "The campaign's offer: a fixed amount off (in --offer-currency, default the products' currency)" };
        public Option<string?> OfferCurrency { get; } = new("--offer-currency") { Description = "ISO 4217 currency of --offer-amount, e.g. USD" };
        public Option<string?> OfferCode { get; } = new("--offer-code") { Description = "Discount code to type at checkout, e.g. SPRING15 (letters, digits, '-', '_')" };
        public Option<string?> OfferExpires { get; } = new("--offer-expires") { Description = "Last day the offer is valid, YYYY-MM-DD" };

        public CreateCommand() : base("create", "Create a campaign and print its id")
        {
            Type.AcceptOnlyFromAmong([.. CampaignTypes.All]);
            Add(Type);
            Add(CampaignName);
            Add(Audience);
            Add(Variants);
            Add(Seed);
            Add(Segment);
            Add(Holdout);
            UpliftModel.AcceptOnlyFromAmong("logistic", "lightgbm");
            Add(UpliftFrom);
            Add(Budget);
            Add(UpliftModel);
            Add(UpliftWindow);
            Add(OfferPercent);
            Add(OfferAmount);
            Add(OfferCurrency);
            Add(OfferCode);
            Add(OfferExpires);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var variants = ParseVariants(parse.GetValue(Variants));
                if (parse.GetValue(Holdout) is var holdout and not 0)
                {
                    if (holdout is < 0 or >= 1)
                    {
                        throw new ArgumentException($"--holdout {holdout.ToString(CultureInfo.InvariantCulture)}: the share must be at least 0 and below 1");
                    }
                    variants = [.. Mailsmith.Learn.VariantAssigner.WithHoldout(variants ?? [new CampaignVariant("A", 1)], holdout)];
                }
                Mailsmith.Learn.Uplift.UpliftTarget? uplift = null;
                if (parse.GetValue(UpliftFrom) is { } source)
                {
                    uplift = new Mailsmith.Learn.Uplift.UpliftTarget(source,
                        parse.GetValue(Budget) ?? throw new ArgumentException("--uplift-from needs --budget N (the most messages to send)"),
                        parse.GetValue(UpliftModel) == "lightgbm" ? Mailsmith.Learn.Models.LearnerKind.LightGbm : Mailsmith.Learn.Models.LearnerKind.LogisticRegression,
                        WindowDays: parse.GetValue(UpliftWindow));
                }
                else if (parse.GetValue(Budget) is not null)
                {
                    throw new ArgumentException("--budget is for uplift targeting: give --uplift-from CAMPAIGN too");
                }
                var offer = ParseOffer(parse);
                var campaign = new CampaignRunner(store, settings).Create(parse.GetValue(Type)!, parse.GetValue(CampaignName),
                    parse.GetValue(Segment) is { } segment ? Pipeline.Audience.WithSegment(parse.GetValue(Audience), segment) : parse.GetValue(Audience), variants, parse.GetValue(Seed),
                    uplift, offer);
                Console.WriteLine(campaign.CampaignId);
                return Task.FromResult(ExitCode.Success);
            }));
        }

        // The --offer-* options as one offer, or null when none is given; CampaignOffer.Validate checks the rest.
        private CampaignOffer? ParseOffer(ParseResult parse)
        {
            var percent = parse.GetValue(OfferPercent);
            var amount = parse.GetValue(OfferAmount);
            var currency = parse.GetValue(OfferCurrency);
            var code = parse.GetValue(OfferCode);
            var expiresText = parse.GetValue(OfferExpires);
            if (percent is null && amount is null && currency is null && code is null && expiresText is null)
            {
                return null;
            }
            DateOnly? expires = null;
            if (expiresText is not null)
            {
                if (!DateOnly.TryParseExact(expiresText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    throw new ArgumentException($"--offer-expires '{expiresText}': a date as YYYY-MM-DD");
                }
                expires = day;
            }
            return new CampaignOffer(code, percent, amount, currency?.ToUpperInvariant(), expires);
        }

        private static List<CampaignVariant>? ParseVariants(string[]? values)
        {
            if (values is null || values.Length == 0)
            {
                return null;
            }
            return values.Select(v =>
            {
                var eq = v.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0)
                {
                    return new CampaignVariant(v.Trim(), 1);
                }
                if (!double.TryParse(v[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var weight))
                {
                    throw new ArgumentException($"--variant {v}: the weight after '=' must be a number");
                }
                return new CampaignVariant(v[..eq].Trim(), weight);
            }).ToList();
        }
    }

    private sealed class ListCommand : Command
    {
        public Option<bool> Json { get; } = new("--json") { Description = "Print a JSON array" };

        public ListCommand() : base("list", "List campaigns with their send counts")
        {
            Add(Json);
            SetAction((parse, ct) => Guarded.RunAsync(() =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var campaigns = store.ListCampaigns();
                if (parse.GetValue(Json))
                {
                    var rows = campaigns.Select(c => new
                    {
                        id = c.CampaignId,
                        type = c.Type,
                        name = c.Name,
                        audience = c.Audience,
                        status = c.Status,
                        variants = c.Variants.Select(v => new { name = v.Name, weight = v.Weight }),
                        seed = c.Seed,
                        offer = c.Offer is { } o
                            ? new { code = o.Code, percent = o.Percent, amount = o.Amount, currency = o.Currency, expires = o.Expires?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }
                            : null,
                        created_at = c.CreatedAt,
                        sends = store.CountSendsByState(c.CampaignId),
                    });
                    Console.WriteLine(JsonSerializer.Serialize(rows, DemoRunner.JsonOptions));
                    return Task.FromResult(ExitCode.Success);
                }
                var table = new Table().AddColumns("id", "type", "name", "audience", "status", "variants", "sends");
                foreach (var c in campaigns)
                {
                    var sends = store.CountSendsByState(c.CampaignId);
                    table.AddRow(
                        Markup.Escape(c.CampaignId), c.Type, Markup.Escape(c.Name), Markup.Escape(c.Audience), c.Status,
                        Markup.Escape(string.Join(", ", c.Variants.Select(v => $"{v.Name}={v.Weight.ToString(CultureInfo.InvariantCulture)}"))),
                        sends.Count == 0 ? "-" : string.Join(", ", sends.Select(kv => $"{kv.Key} {kv.Value:N0}")));
                }
                AnsiConsole.Write(table);
                return Task.FromResult(ExitCode.Success);
            }));
        }
    }

    private sealed class ComposeCommand : Command
    {
        public Argument<string> Id { get; } = new("ID") { Description = "Campaign id (see campaign list)" };
        public Option<DateTimeOffset?> AsOf { get; } = new("--as-of") { Description = "The moment to compose at (default: the latest activity in the data)" };
        public Option<string?> Outbox { get; } = new("--outbox") { Description = "Folder for the .eml files (default: Outbox:Directory, else outbox/ beside the database)" };

        public ComposeCommand() : base("compose", "Run profile → recommend → compose for a campaign and write its emails to the outbox")
        {
            Add(Id);
            Add(AsOf);
            Add(Outbox);
            SetAction((parse, ct) => Guarded.RunAsync(async () =>
            {
                var settings = GlobalOptions.Settings(parse);
                var store = GlobalOptions.Store(settings);
                var id = parse.GetValue(Id)!;
                _ = store.GetCampaign(id) ?? throw new KeyNotFoundException($"no campaign '{id}' (see: mailsmith campaign list)");
                var outbox = parse.GetValue(Outbox) ?? settings.OutboxDirectory;
                var result = await Ui.WithProgressAsync(async progress =>
                {
                    var context = PipelineContext.Prepare(store, settings, parse.GetValue(AsOf), progress);
                    return await new CampaignRunner(store, settings).ComposeAsync(id, context, new PickupFolderSender(outbox), progress, ct);
                });
                var compose = result.Timings.First(t => t.Stage == "compose");
                Console.WriteLine($"{result.Campaign.CampaignId} ({result.Campaign.Type}): audience {result.Audience:N0}, composed {result.Composed:N0}, already sent {result.AlreadySent:N0}");
                foreach (var (reason, n) in result.Suppressed)
                {
                    Console.WriteLine($"  held back {n:N0}: {reason}");
                }
                if (compose.Seconds > 0 && result.Composed > 0)
                {
                    Console.WriteLine($"  {result.Composed / compose.Seconds:N0} emails/s (recommend + compose + render + MIME)");
                }
                if (result.Writers is { } writers)
                {
                    Console.WriteLine($"  {writers}");
                }
                Console.WriteLine($"  emails in {Path.Combine(Path.GetFullPath(outbox), result.Campaign.CampaignId)}");
                return ExitCode.Success;
            }));
        }
    }
}
