using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mailsmith.Compose;
using Mailsmith.Learn;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith learn phrases --type T</c>: per phrase slot, each variant's arm as the next campaign of the type draws it.</summary>
internal sealed class LearnPhrasesCommand : Command
{
    public Option<string> Type { get; } = new("--type") { Description = "Campaign type (welcome, recommendations, winback, …)", Required = true };
    public Option<string?> Locale { get; } = new("--locale") { Description = "Whose phrase file lists the variants (default Compose:DefaultLocale)" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the rows as JSON" };

    public LearnPhrasesCommand() : base("phrases", "Phrase slots as arms: per slot and variant the trials, clicks, posterior mean, draw share and IPW click rate")
    {
        Type.AcceptOnlyFromAmong([.. CampaignTypes.All]);
        Add(Type);
        Add(Locale);
        Add(Json);
        SetAction((parse, ct) => Guarded.RunAsync(() =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var type = parse.GetValue(Type)!;
            var locale = parse.GetValue(Locale) ?? settings.Compose.DefaultLocale;
            var composer = new EmailComposer(settings.Compose, settings.Sender);
            var rows = PhraseArmReport.For(store, type, composer.SlotVariants(locale, type), settings.Learn, DateTimeOffset.UtcNow);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                {
                    slot = r.Slot, variant = r.VariantId, trials = r.Trials, clicks = r.Clicks, posterior_mean = r.PosteriorMean,
                    draw_share = r.DrawShare, ipw_click_rate = r.IpwClickRate,
                })));
                return Task.FromResult(ExitCode.Success);
            }
            Console.WriteLine($"{type} ({locale}): {rows.Sum(r => r.Trials):N0} recorded draws, {rows.Sum(r => r.Clicks):N0} clicked");
            foreach (var slot in rows.GroupBy(r => r.Slot))
            {
                Console.WriteLine(slot.Key);
                foreach (var r in slot)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {r.VariantId,-28} trials {r.Trials,7}  clicks {r.Clicks,6}  mean {r.PosteriorMean:0.0000}  share {r.DrawShare:0.000}  ipw {(r.IpwClickRate is { } v ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-")}"));
                }
            }
            return Task.FromResult(ExitCode.Success);
        }));
    }
}
