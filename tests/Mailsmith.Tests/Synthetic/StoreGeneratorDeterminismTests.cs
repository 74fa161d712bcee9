using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Synthetic;

public sealed class StoreGeneratorDeterminismTests : IDisposable
{
    private static readonly string[] s_files = ["customers.csv", "products.csv", "orders.csv", "order_lines.csv", "events.csv", "reviews.csv", "truth.json"];

    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-synthetic-det-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_SameSeed_WritesIdenticalBytes()
    {
        var options = new GeneratorOptions { Customers = 150, Products = 500, Seed = 11 };
        var a = new StoreGenerator(options).Generate(Path.Combine(_dir, "a"));
        var b = new StoreGenerator(options).Generate(Path.Combine(_dir, "b"));
        Assert.Equal(a.RowCounts, b.RowCounts);
        foreach (var file in s_files)
        {
            Assert.True(File.ReadAllBytes(Path.Combine(a.Directory, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b.Directory, file))), file + " differs");
        }
    }

    [Fact]
    public void Generate_DifferentSeed_WritesDifferentData()
    {
        var a = new StoreGenerator(new GeneratorOptions { Customers = 150, Products = 500, Seed = 11 }).Generate(Path.Combine(_dir, "a"));
        var b = new StoreGenerator(new GeneratorOptions { Customers = 150, Products = 500, Seed = 12 }).Generate(Path.Combine(_dir, "b"));
        foreach (var file in new[] { "customers.csv", "products.csv", "events.csv" })
        {
            Assert.NotEqual(File.ReadAllText(Path.Combine(a.Directory, file)), File.ReadAllText(Path.Combine(b.Directory, file)));
        }
    }

    [Fact]
    public void Generate_CustomEnd_KeepsEveryTimestampInsideTheWindow()
    {
        var end = new DateTimeOffset(2025, 3, 15, 12, 0, 0, TimeSpan.FromHours(8));
        var result = new StoreGenerator(new GeneratorOptions { Customers = 60, Products = 500, Seed = 3, End = end, HistoryMonths = 6 }).Generate(_dir);
        Assert.Equal(end.ToUniversalTime(), result.End);
        Assert.Equal(end.ToUniversalTime().AddMonths(-6), result.Start);
        var events = CsvTable.Read(Path.Combine(_dir, "events.csv"));
        Assert.NotEmpty(events.Rows);
        Assert.All(events.Values("occurred_at"), t => Assert.True(GeneratedStoreFixture.Time(t) < result.End));
        Assert.All(events.Values("occurred_at"), t => Assert.True(GeneratedStoreFixture.Time(t) >= result.Start.AddDays(-181)));
    }

    [Fact]
    public void Constructor_FewerProductsThanCategories_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreGenerator(new GeneratorOptions { Products = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreGenerator(new GeneratorOptions { HistoryMonths = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StoreGenerator(new GeneratorOptions { Customers = 0 }));
    }

    [Fact]
    public void Vocabulary_Embedded_LoadsEveryCategoryWithComplements()
    {
        var vocabulary = SyntheticVocabulary.Embedded;
        Assert.True(vocabulary.Categories.Count >= 20);
        Assert.All(vocabulary.Categories, c => Assert.Contains(c.Kinds, k => k.Complements.Length > 0));
        Assert.Contains("zh-CN", vocabulary.Names.Keys);
        Assert.Contains("en-US", vocabulary.Reviews.Keys);
    }
}
