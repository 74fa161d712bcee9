using System.Text;
using Mailsmith.Ingest;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Ingest;

/// <summary>A fresh store and scratch folder per test, plus helpers to write input files and import them.</summary>
public abstract class ImportTestBase : IDisposable
{
    protected ImportTestBase()
    {
        Dir = Directory.CreateTempSubdirectory("mailsmith-ingest-").FullName;
        Store = MailsmithStore.Open(Path.Combine(Dir, "store.db"));
    }

    protected string Dir { get; }

    protected MailsmithStore Store { get; }

    protected static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "Ingest", name);

    protected static IReadOnlyList<ImportFile> SampleFiles(string extension) =>
    [
        new(ImportKind.Reviews, TestData("reviews" + extension)),
        new(ImportKind.Events, TestData("events" + extension)),
        new(ImportKind.OrderLines, TestData("order_lines" + extension)),
        new(ImportKind.Orders, TestData("orders" + extension)),
        new(ImportKind.Products, TestData("products" + extension)),
        new(ImportKind.Customers, TestData("customers" + extension)),
    ];

    protected string Write(string name, string content) => WriteBytes(name, Encoding.UTF8.GetBytes(content));

    protected string WriteBytes(string name, byte[] content)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    protected ImportReport Import(ImportOptions options, params ImportFile[] files) => new Importer(Store, options).Import(files);

    protected ImportReport Import(params ImportFile[] files) => Import(new ImportOptions(), files);

    protected FileImportResult ImportOne(ImportKind kind, string name, string content, ImportOptions? options = null) =>
        Import(options ?? new ImportOptions(), new ImportFile(kind, Write(name, content))).Files.Single();

    /// <summary>Customers c1, c2, products p1, p2 and order o1 (of c1), for files that reference them.</summary>
    protected void SeedReferences()
    {
        var report = Import(
            new ImportFile(ImportKind.Customers, Write("seed-customers.csv", "customer_id,email\nc1,c1@example.com\nc2,c2@example.com\n")),
            new ImportFile(ImportKind.Products, Write("seed-products.csv", "product_id,title,category,price,currency\np1,Knife,Home > Kitchen,10.00,EUR\np2,Board,Home > Kitchen,5.00,EUR\n")),
            new ImportFile(ImportKind.Orders, Write("seed-orders.csv", "order_id,customer_id,ordered_at\no1,c1,2025-01-01T00:00:00Z\n")));
        Assert.True(report.Success, string.Join("\n", report.Files.SelectMany(f => f.Errors)));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
