using System.CommandLine;
using System.Text;
using Mailsmith.Pipeline;

namespace Mailsmith.Cli.Commands;

/// <summary>
/// <c>mailsmith preview</c>: one recipient's email (<c>--customer</c>), a stratified gallery (<c>--samples</c>), or the
/// gallery served on 127.0.0.1 (<c>--serve</c>). Opens nothing. Exit 5 when the campaign or customer does not exist,
/// 2 on a bad command line, 1 when no email could be composed for the recipient.
/// </summary>
internal sealed class PreviewCommand : Command
{
    public Option<string?> Campaign { get; } = new("--campaign") { Description = "Campaign id, or a campaign type (the newest campaign of that type)" };
    public Option<string?> Customer { get; } = new("--customer") { Description = "Customer id: write this recipient's page" };
    public Option<string?> Out { get; } = new("--out") { Description = "The HTML file to write (default: preview/<campaign>[-<customer>].html)" };
    public Option<int> Samples { get; } = new("--samples") { Description = "Gallery size, stratified by locale × lifecycle", DefaultValueFactory = _ => 24 };
    public Option<bool> Serve { get; } = new("--serve") { Description = "Serve the gallery on 127.0.0.1 until Ctrl+C" };
    public Option<int> Port { get; } = new("--port") { Description = "Port for --serve", DefaultValueFactory = _ => 5090 };

    public PreviewCommand() : base("preview", "Write (or serve) emails as recipients would see them, with plan, guardrail results, phrase choices and writer; links untracked")
    {
        Add(Campaign);
        Add(Customer);
        Add(Out);
        Add(Samples);
        Add(Serve);
        Add(Port);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var campaignName = parse.GetValue(Campaign);
            var customerId = parse.GetValue(Customer);
            var samples = parse.GetValue(Samples);
            var serve = parse.GetValue(Serve);
            var port = parse.GetValue(Port);
            if (!serve && string.IsNullOrWhiteSpace(campaignName))
            {
                Ui.Error("preview: --campaign is required (or --serve)");
                return ExitCode.Usage;
            }
            if (samples is < 1 or > 500 || port is < 1 or > 65535 || (serve && customerId is not null))
            {
                Ui.Error("preview: --samples must be 1–500, --port 1–65535, and --customer cannot be combined with --serve");
                return ExitCode.Usage;
            }
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            using var preview = new EmailPreview(store, settings);
            if (serve)
            {
                await using var server = new PreviewServer(preview, store.ListCampaigns, samples);
                try
                {
                    server.Start(port, ct);
                }
                catch (System.Net.HttpListenerException e)
                {
                    Ui.Error($"preview: cannot listen on 127.0.0.1:{port}: {e.Message} (choose another port with --port)");
                    return ExitCode.Failed;
                }
                Console.WriteLine($"mailsmith preview: {server.Address} (writer {preview.WriterName}; Ctrl+C stops)");
                await server.Completion;
                return ExitCode.Success;
            }
            var campaign = preview.FindCampaign(campaignName!);
            if (campaign is null)
            {
                Ui.Error($"preview: no campaign with id or type '{campaignName}' (create one with `mailsmith campaign create`)");
                return ExitCode.NotFound;
            }
            string html;
            string defaultName;
            var code = ExitCode.Success;
            if (customerId is not null)
            {
                if (!preview.HasCustomer(customerId))
                {
                    Ui.Error($"preview: no customer '{customerId}' in {settings.DatabasePath}");
                    return ExitCode.NotFound;
                }
                var item = await preview.ComposeAsync(campaign, customerId, ct);
                html = EmailPreview.Page(item);
                defaultName = $"{campaign.CampaignId}-{customerId}.html";
                if (item.Outcome?.Email is null)
                {
                    Ui.Error($"preview: no email for {customerId}: {item.NoEmailReason}");
                    code = ExitCode.Failed;
                }
            }
            else
            {
                var items = new List<PreviewItem>();
                foreach (var id in preview.Sample(samples))
                {
                    items.Add(await preview.ComposeAsync(campaign, id, ct));
                }
                html = EmailPreview.Gallery($"{campaign.Name} ({campaign.Type})", items);
                defaultName = $"{campaign.CampaignId}.html";
            }
            var path = parse.GetValue(Out) ?? Path.Combine("preview", string.Concat(defaultName.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_')));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, html, Encoding.UTF8, ct);
            Console.WriteLine(path);
            return code;
        }));
    }
}
