using Mailsmith.Ingest;
using Mailsmith.Pipeline;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Deliver;

/// <summary>A generated store imported into a fresh database in a temp folder, with settings for sending tests.</summary>
internal static class DeliveryStore
{
    /// <param name="beforeImport">Edits the generated files (given their folder) before they are imported; null: none.</param>
    public static (MailsmithStore Store, MailsmithSettings Settings) Create(
        string directory, int customers, Dictionary<string, string?>? overrides = null, int seed = 3, Action<string>? beforeImport = null)
    {
        var data = new StoreGenerator(new GeneratorOptions { Customers = customers, Seed = seed }).Generate(Path.Combine(directory, "data"));
        beforeImport?.Invoke(data.Directory);
        var settings = MailsmithSettings.Load(null, Path.Combine(directory, "m.db"), overrides ?? []);
        var store = MailsmithStore.Open(settings.DatabasePath);
        var files = StoreGenerator.FileStems
            .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(data.Directory, stem + ".csv")))
            .ToList();
        Assert.True(new Importer(store, new ImportOptions()).Import(files).Success);
        return (store, settings);
    }

    /// <summary>The Message-IDs the outbox holds as sent.</summary>
    public static HashSet<string> SentIds(MailsmithStore store, string campaignId) =>
        store.LoadSends(campaignId).Where(s => s.State == SendState.Sent).Select(s => s.MessageId).ToHashSet(StringComparer.Ordinal);
}
