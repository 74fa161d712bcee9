using System.Reflection;
using Mailsmith.Pipeline;

namespace Mailsmith.Tests.Pipeline;

public sealed class MailsmithSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Load_FileAndOverrides_BindEveryLayer()
    {
        var file = Path.Combine(_dir, "mailsmith.json");
        File.WriteAllText(file, """{ "Sender": { "FromName": "From file", "PostalAddress": "1 File St" }, "Campaigns": { "ProductsPerEmail": 5 } }""");
        var settings = MailsmithSettings.Load(file, Path.Combine(_dir, "x.db"), new Dictionary<string, string?> { ["Sender:FromName"] = "Override" });
        Assert.Equal("Override", settings.Sender.FromName);
        Assert.Equal("1 File St", settings.Sender.PostalAddress);
        Assert.Equal(5, settings.Campaigns.ProductsPerEmail);
        Assert.Equal(Path.Combine(_dir, "outbox"), settings.OutboxDirectory);
    }

    [Fact]
    public void Load_UnknownKey_NamesIt()
    {
        var file = Path.Combine(_dir, "typo.json");
        File.WriteAllText(file, """{ "Sender": { "FromNmae": "x" } }""");
        var e = Assert.Throws<ConfigurationException>(() => MailsmithSettings.Load(file, "x.db"));
        Assert.Contains("FromNmae", e.Message, StringComparison.Ordinal);
        Assert.Contains("typo.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownSectionOrMissingFile_Throws()
    {
        var file = Path.Combine(_dir, "section.json");
        File.WriteAllText(file, """{ "Sendr": { } }""");
        Assert.Contains("Sendr", Assert.Throws<ConfigurationException>(() => MailsmithSettings.Load(file, "x.db")).Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => MailsmithSettings.Load(Path.Combine(_dir, "missing.json"), "x.db"));
    }

    [Fact]
    public void ConfigurationDoc_DocumentsEveryKey()
    {
        var doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "configuration.md"));
        var missing = new List<string>();
        foreach (var property in typeof(MailsmithSettings).GetProperties().Where(p => p.PropertyType.Name.EndsWith("Options", StringComparison.Ordinal)))
        {
            foreach (var key in property.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var name = $"{property.Name}:{key.Name}";
                if (!doc.Contains($"`{name}`", StringComparison.Ordinal))
                {
                    missing.Add(name);
                }
            }
        }
        Assert.Empty(missing);
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Mailsmith.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
