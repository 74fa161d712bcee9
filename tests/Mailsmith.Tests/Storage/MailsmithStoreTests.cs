using Mailsmith.Storage;

namespace Mailsmith.Tests.Storage;

public sealed class MailsmithStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Open_NewFile_AppliesEveryMigrationOnce()
    {
        var path = Path.Combine(_dir, "a.db");
        var store = MailsmithStore.Open(path);
        var version = store.SchemaVersion();
        Assert.Equal(SqlCatalog.Sqlite.Migrations.Max(m => m.Version), version);
        // Opening again must not re-run migrations (they would fail on CREATE TABLE).
        Assert.Equal(version, MailsmithStore.Open(path).SchemaVersion());
    }

    [Fact]
    public void Open_UsesWalJournal()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "wal.db"));
        using var connection = store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void SqlCatalog_UnknownName_Throws()
    {
        Assert.Throws<KeyNotFoundException>(() => SqlCatalog.Sqlite["no-such-query"]);
        Assert.Contains("plan-send", SqlCatalog.Sqlite.Names);
    }

    [Fact]
    public void PlanSends_SameKeyTwice_KeepsFirstRowAndMessageId()
    {
        var store = MailsmithStore.Open(Path.Combine(_dir, "sends.db"));
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var campaign = store.CreateCampaign("welcome", "Hello", "default", [new CampaignVariant("A", 1)], 7, now);
        var first = store.PlanSends([new SendPlan(campaign.CampaignId, "c1", "A", 1, "k1", "<m1@x>", SendState.Planned, null, null)], now);
        var second = store.PlanSends([new SendPlan(campaign.CampaignId, "c1", "B", 0.5, "k1", "<m2@x>", SendState.Planned, null, null)], now);
        Assert.Equal(first[0].SendId, second[0].SendId);
        Assert.Equal("<m1@x>", second[0].MessageId);
        Assert.Equal("A", second[0].Variant);
        Assert.Single(store.LoadSends(campaign.CampaignId));
    }
}
