using BenchmarkDotNet.Attributes;
using Mailsmith.Ingest;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Benchmarks.Ingest;

/// <summary>
/// One million event rows imported into a store that already holds the referenced 50,000 customers and 5,000 products.
/// Each iteration starts from a fresh copy of that seeded store, so every run inserts the same rows.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class ImportBenchmarks
{
    private const int Events = 1_000_000;
    private string _dir = "";
    private string _seeded = "";
    private string _events = "";
    private string _target = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Directory.CreateTempSubdirectory("mailsmith-bench-ingest-").FullName;
        var customers = Path.Combine(_dir, "customers.csv");
        var products = Path.Combine(_dir, "products.csv");
        _events = Path.Combine(_dir, "events.csv");
        ImportData.WriteCustomers(customers, 50_000);
        ImportData.WriteProducts(products, 5_000);
        ImportData.WriteEvents(_events, Events, 50_000, 5_000, seed: 42);

        _seeded = Path.Combine(_dir, "seeded.db");
        var store = MailsmithStore.Open(_seeded);
        var seed = new Importer(store, new ImportOptions()).Import(
            [new ImportFile(ImportKind.Customers, customers), new ImportFile(ImportKind.Products, products)]);
        Check(seed.Success, "seeding customers and products failed");
        Checkpoint(store);

        // The output is checked before anything is timed: every generated row must load.
        _target = Path.Combine(_dir, "target.db");
        ResetTarget();
        var rows = Import_Events1M();
        Check(rows == Events && MailsmithStore.Open(_target).Counts().Events == Events, $"expected {Events} events, loaded {rows}");
    }

    [IterationSetup]
    public void ResetTarget()
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_target + suffix);
        }
        File.Copy(_seeded, _target);
    }

    [Benchmark]
    public long Import_Events1M()
    {
        var store = MailsmithStore.Open(_target);
        var report = new Importer(store, new ImportOptions()).Import([new ImportFile(ImportKind.Events, _events)]);
        return report.Files[0].RowsLoaded;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static void Checkpoint(MailsmithStore store)
    {
        // Fold the WAL into the main file so a plain file copy is the whole seeded store.
        using var connection = store.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        SqliteConnection.ClearAllPools();
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
