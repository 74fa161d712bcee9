using System.Globalization;
using System.Text.Json;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Synthetic;

/// <summary>One small generated store shared by the read-only checks of <see cref="StoreGeneratorTests"/>; deleted afterwards.</summary>
public sealed class GeneratedStoreFixture : IDisposable
{
    public static readonly GeneratorOptions Options = new() { Customers = 300, Products = 500, Seed = 7 };

    public GeneratedStoreFixture()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mailsmith-synthetic-").FullName;
        Result = new StoreGenerator(Options).Generate(Directory);
        Customers = CsvTable.Read(Path.Combine(Directory, "customers.csv"));
        Products = CsvTable.Read(Path.Combine(Directory, "products.csv"));
        Orders = CsvTable.Read(Path.Combine(Directory, "orders.csv"));
        OrderLines = CsvTable.Read(Path.Combine(Directory, "order_lines.csv"));
        Events = CsvTable.Read(Path.Combine(Directory, "events.csv"));
        Reviews = CsvTable.Read(Path.Combine(Directory, "reviews.csv"));
        Truth = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "truth.json")));
    }

    public string Directory { get; }
    public GeneratedStore Result { get; }
    public CsvTable Customers { get; }
    public CsvTable Products { get; }
    public CsvTable Orders { get; }
    public CsvTable OrderLines { get; }
    public CsvTable Events { get; }
    public CsvTable Reviews { get; }
    public JsonDocument Truth { get; }

    public static DateTimeOffset Time(string iso) =>
        DateTimeOffset.ParseExact(iso, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose()
    {
        Truth.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
