using Mailsmith.Cli;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Tests.Deliver;

namespace Mailsmith.Tests.Pipeline;

/// <summary>
/// A small generated store for <c>mailsmith preview</c>: imported from real files into a real SQLite database, with
/// one customer whose first name is an HTML tag and a campaign whose name is markup, so escaping can be checked.
/// </summary>
public sealed class PreviewStoreFixture : IDisposable
{
    /// <summary>The first name given to <see cref="ScriptedCustomer"/>.</summary>
    public const string ScriptName = "<script>alert(1)</script>";

    /// <summary>The name of <see cref="Recommendations"/>.</summary>
    public const string MarkupCampaignName = "Picks <b>for</b> you & \"friends\"";

    public PreviewStoreFixture()
    {
        Root = Directory.CreateTempSubdirectory("mailsmith-preview-").FullName;
        (Store, Settings) = DeliveryStore.Create(Root, 200, seed: 21, beforeImport: MarkUp);
        DatabasePath = Settings.DatabasePath;
        var runner = new CampaignRunner(Store, Settings);
        Recommendations = runner.Create("recommendations", MarkupCampaignName, "all", null, 3).CampaignId;
        Winback = runner.Create("winback", "We miss you", "all", null, 4).CampaignId;
        Snapshot = StoreSnapshot.Load(Store);
    }

    // The first en-US row gets a first name that is a script tag (no comma or quote in it: the row stays plain CSV).
    private void MarkUp(string dataDirectory)
    {
        var customersCsv = Path.Combine(dataDirectory, "customers.csv");
        var lines = File.ReadAllLines(customersCsv);
        var header = lines[0].Split(',');
        int firstName = Array.IndexOf(header, "first_name"), locale = Array.IndexOf(header, "locale");
        var at = Array.FindIndex(lines, 1, l => l.Split(',')[locale] == "en-US");
        var fields = lines[at].Split(',');
        fields[firstName] = ScriptName;
        lines[at] = string.Join(',', fields);
        ScriptedCustomer = fields[0];
        File.WriteAllLines(customersCsv, lines);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        EnglishCustomer = rows.First(r => r[locale] == "en-US" && r[0] != ScriptedCustomer)[0];
        EnglishFirstName = rows.First(r => r[0] == EnglishCustomer)[firstName];
        ChineseCustomer = rows.First(r => r[locale] == "zh-CN")[0];
    }

    public string Root { get; }
    public string DatabasePath { get; }
    public MailsmithSettings Settings { get; }
    public MailsmithStore Store { get; }
    public StoreSnapshot Snapshot { get; }
    public string Recommendations { get; }
    public string Winback { get; }
    public string ScriptedCustomer { get; private set; } = "";
    public string EnglishCustomer { get; private set; } = "";
    public string EnglishFirstName { get; private set; } = "";
    public string ChineseCustomer { get; private set; } = "";

    /// <summary>Runs <c>mailsmith ARGS --db DB</c> in process, capturing stdout and stderr (callers are in the Console collection).</summary>
    public async Task<(int Code, string Output, string Error)> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var (previousOut, previousError) = (Console.Out, Console.Error);
        using var output = new StringWriter();
        using var error = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(output));
        Console.SetError(TextWriter.Synchronized(error));
        try
        {
            var parse = Program.CreateCommand().Parse([.. args, "--db", DatabasePath]);
            var code = parse.Errors.Count > 0 ? ExitCode.Usage : await parse.InvokeAsync(null, cancellationToken);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Root, true);
    }
}
