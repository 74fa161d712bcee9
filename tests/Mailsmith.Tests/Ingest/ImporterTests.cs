using System.Globalization;
using Mailsmith.Ingest;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Ingest;

public sealed class ImporterTests : ImportTestBase
{
    private static DateTimeOffset Utc(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    [Fact]
    public void Import_SampleFilesInAnyOrder_LoadsInDependencyOrderAndResolvesReferences()
    {
        var report = Import([.. SampleFiles(".csv")]);

        Assert.True(report.Success, string.Join("\n", report.Files.SelectMany(f => f.Errors)));
        Assert.Equal(
            [ImportKind.Customers, ImportKind.Products, ImportKind.Orders, ImportKind.OrderLines, ImportKind.Events, ImportKind.Reviews],
            report.Files.Select(f => f.Kind));
        Assert.Equal(new StoreCounts(4, 3, 2, 5, 2, 0), Store.Counts());
        Assert.Equal([4L, 3, 2, 3, 5, 2], report.Files.Select(f => f.RowsLoaded));
    }

    [Fact]
    public void Import_Customers_NormalizesEmailLocaleAndParsesValues()
    {
        Import(new ImportFile(ImportKind.Customers, TestData("customers.csv")));

        var customers = Store.LoadCustomers().ToDictionary(c => c.CustomerId);
        Assert.Equal(
            new Customer("c1", "Ana.Lopez@example.com", "Ana", "López", "es-ES", "Europe/Madrid", Utc("2025-01-05T10:00:00Z"),
                new DateOnly(1990, 4, 12), true, Utc("2025-01-05T10:00:00Z")),
            customers["c1"]);
        Assert.Equal("zh-CN", customers["c2"].Locale);
        Assert.Equal(Utc("2025-02-01T00:30:00Z"), customers["c2"].SignupAt);
        Assert.Equal(Utc("2025-02-01T00:00:00Z"), customers["c2"].ConsentAt);
        Assert.Equal("Marie \"Mimi\"", customers["c3"].FirstName);
        Assert.False(customers["c3"].Consent);
        Assert.Equal("zh-Hant-TW", customers["c4"].Locale);
        Assert.Equal(Utc("2025-03-11T09:15:30.250Z"), customers["c4"].SignupAt);
    }

    [Fact]
    public void Import_CustomerWithoutLocale_GetsDefaultLocale()
    {
        var result = ImportOne(ImportKind.Customers, "customers.csv", "customer_id,email\nc1,a@example.com\n",
            new ImportOptions { DefaultLocale = "fr-fr" });

        Assert.True(result.Loaded);
        Assert.Equal("fr-FR", Store.LoadCustomers().Single().Locale);
    }

    [Fact]
    public void Import_JsonLinesEquivalentOfCsv_GivesSameRows()
    {
        Assert.True(Import([.. SampleFiles(".csv")]).Success);
        var csv = Snapshot(Store);

        var jsonStore = MailsmithStore.Open(Path.Combine(Dir, "json.db"));
        var report = new Importer(jsonStore, new ImportOptions()).Import(SampleFiles(".jsonl"));

        Assert.True(report.Success, string.Join("\n", report.Files.SelectMany(f => f.Errors)));
        Assert.Equal(csv, Snapshot(jsonStore));
    }

    [Fact]
    public void Import_SameFilesTwice_ChangesNothing()
    {
        Assert.True(Import([.. SampleFiles(".csv")]).Success);
        var first = Snapshot(Store);

        var again = Import([.. SampleFiles(".csv")]);

        Assert.True(again.Success);
        Assert.Equal(first, Snapshot(Store));
        Assert.Equal(new StoreCounts(4, 3, 2, 5, 2, 0), Store.Counts());
    }

    [Fact]
    public void Import_ChangedRow_UpdatesStoredRow()
    {
        SeedReferences();

        ImportOne(ImportKind.Customers, "customers.csv", "customer_id,email,first_name\nc1,new@example.com,Ann\n");
        ImportOne(ImportKind.Products, "products.csv", "product_id,title,category,price,currency\np1,Knife v2,Home > Kitchen,12.50,EUR\n");
        ImportOne(ImportKind.Reviews, "reviews.csv", "customer_id,product_id,rating,text\nc1,p1,2,meh\n");
        ImportOne(ImportKind.Reviews, "reviews.csv", "customer_id,product_id,rating,text\nc1,p1,4,better after sharpening\n");

        var c1 = Store.LoadCustomers().Single(c => c.CustomerId == "c1");
        Assert.Equal(("new@example.com", "Ann"), (c1.Email, c1.FirstName));
        var p1 = Store.LoadProducts().Single(p => p.ProductId == "p1");
        Assert.Equal(("Knife v2", 12.50m), (p1.Title, p1.Price));
        var review = Assert.Single(Store.LoadReviews());
        Assert.Equal((4, "better after sharpening"), (review.Rating, review.Text));
        Assert.Equal(2, Store.Counts().Customers);
    }

    [Fact]
    public void Import_EventsTwice_KeepsOneRowPerNaturalKeyAndUpdatesCampaign()
    {
        SeedReferences();
        const string Header = "customer_id,type,occurred_at,product_id,query,campaign_id\n";
        ImportOne(ImportKind.Events, "events.csv", Header + "c1,view,2025-01-01T10:00:00Z,p1,,\nc1,search,2025-01-01T10:01:00Z,,knife,\n");

        var second = ImportOne(ImportKind.Events, "events.csv", Header + "c1,view,2025-01-01T10:00:00Z,p1,,cmp-0001\nc1,search,2025-01-01T10:01:00Z,,knife,\n");

        Assert.True(second.Loaded);
        var events = Store.LoadEvents();
        Assert.Equal(2, events.Count);
        Assert.Equal(new StoreEvent("c1", "view", Utc("2025-01-01T10:00:00Z"), "p1", null, "cmp-0001"), events[0]);
        Assert.Equal(new StoreEvent("c1", "search", Utc("2025-01-01T10:01:00Z"), null, "knife", null), events[1]);
    }

    [Fact]
    public void Import_CustomersAgain_KeepsUnsubscribedAt()
    {
        const string Content = "customer_id,email,consent\nc1,a@example.com,true\n";
        ImportOne(ImportKind.Customers, "customers.csv", Content);
        var at = Utc("2025-05-01T12:00:00Z");
        Store.MarkUnsubscribed("c1", at);

        var result = ImportOne(ImportKind.Customers, "customers.csv", Content.Replace("a@", "b@", StringComparison.Ordinal));

        Assert.True(result.Loaded);
        var c1 = Store.LoadCustomers().Single();
        Assert.Equal(at, c1.UnsubscribedAt);
        Assert.Equal("b@example.com", c1.Email);
    }

    [Fact]
    public void Import_FileWithOneBadRow_LeavesStoreUnchanged()
    {
        ImportOne(ImportKind.Customers, "customers.csv", "customer_id,email,first_name\nc1,a@example.com,Ann\n");
        var before = Store.LoadCustomers();

        var result = ImportOne(ImportKind.Customers, "customers.csv",
            "customer_id,email,first_name\nc1,changed@example.com,Annie\nc2,b@example.com,Bob\nc3,broken,Cy\n");

        Assert.False(result.Loaded);
        Assert.Equal(0, result.RowsLoaded);
        Assert.Equal(3, result.RowsRead);
        Assert.Equal(before, Store.LoadCustomers());
        Assert.False(new ImportReport([result]).Success);
    }

    [Fact]
    public void Import_SkipBadRows_LoadsGoodRowsAndWritesRejectsWithReasons()
    {
        SeedReferences();
        var rejects = Path.Combine(Dir, "rejects");
        var options = new ImportOptions { SkipBadRows = true, RejectsDirectory = rejects };

        var result = ImportOne(ImportKind.Orders, "orders.csv",
            "order_id,customer_id,ordered_at,total\n" +
            "o2,c1,2025-02-01,10.00\n" +
            "o3,c1,2025-02-02,\"1,5\"\n" +       // a quoted comma: one field, not a number
            "o4,c2,someday,5\n" +
            "o5,c2,2025-02-04,7.25\n" +
            "o2,c2,2025-02-05,1\n" +              // duplicate of line 2
            "o6,c9,2025-02-06,3\n",              // unknown customer, found by the set-based check
            options);

        Assert.True(result.Loaded, string.Join("\n", result.Errors));
        Assert.True(new ImportReport([result]).Success);
        Assert.Equal((6L, 2L, 4L, 4L), (result.RowsRead, result.RowsLoaded, result.RowsRejected, result.ErrorCount));
        Assert.Equal(Path.Combine(rejects, "orders.rejects.csv"), result.RejectsPath);
        Assert.Equal(
            "order_id,customer_id,ordered_at,total,_line,_column,_reason\n" +
            "o3,c1,2025-02-02,\"1,5\",3,total,\"unparseable number '1,5'\"\n" +
            "o4,c2,someday,5,4,ordered_at,unparseable timestamp 'someday' (expected ISO 8601)\n" +
            "o2,c2,2025-02-05,1,6,order_id,duplicate order_id 'o2' (first on line 2)\n" +
            "o6,c9,2025-02-06,3,7,customer_id,unknown customer 'c9'\n",
            File.ReadAllText(result.RejectsPath!));
        Assert.Equal(["o1", "o2", "o5"], Store.LoadOrders().Select(o => o.OrderId).Order());
    }

    [Fact]
    public void Import_SkipBadRowsWithoutDirectory_WritesRejectsBesideInput()
    {
        var result = ImportOne(ImportKind.Customers, "people.jsonl",
            "{\"customer_id\":\"c1\",\"email\":\"a@example.com\"}\n{\"customer_id\":\"c2\",\"email\":\"nope\",\"vip\":true}\n",
            new ImportOptions { SkipBadRows = true });

        Assert.Equal(Path.Combine(Dir, "people.rejects.csv"), result.RejectsPath);
        Assert.Equal(
            "customer_id,email,vip,_line,_column,_reason\nc2,nope,true,2,email,invalid email address 'nope'\n",
            File.ReadAllText(result.RejectsPath!));
        Assert.Equal(["c1"], Store.LoadCustomers().Select(c => c.CustomerId));
    }

    [Fact]
    public void Import_HeaderOnly_LoadsNothingWithWarning()
    {
        var result = ImportOne(ImportKind.Customers, "customers.csv", "customer_id,email\n");

        Assert.True(result.Loaded);
        Assert.Equal((0L, 0L, 0L), (result.RowsRead, result.RowsLoaded, result.ErrorCount));
        Assert.Equal(["customers.csv: no data rows"], result.Warnings);
    }

    [Fact]
    public void Import_UnknownColumns_WarnsOncePerFileNamingThem()
    {
        var result = ImportOne(ImportKind.Customers, "customers.csv",
            "customer_id,loyalty_tier,email,Shoe Size\nc1,gold,a@example.com,42\nc2,silver,b@example.com,38\n");

        Assert.True(result.Loaded);
        Assert.Equal(2, result.RowsLoaded);
        Assert.Equal(["customers.csv: unknown columns ignored: loyalty_tier, Shoe Size"], result.Warnings);
    }

    [Fact]
    public void Import_UnknownJsonKeys_WarnsOncePerFile()
    {
        var result = ImportOne(ImportKind.Customers, "customers.jsonl",
            "{\"customer_id\":\"c1\",\"email\":\"a@example.com\",\"tier\":1}\n{\"customer_id\":\"c2\",\"email\":\"b@example.com\",\"tier\":2,\"pet\":\"cat\"}\n");

        Assert.Equal(["customers.jsonl: unknown columns ignored: tier, pet"], result.Warnings);
    }

    [Fact]
    public void Import_EmptyCsv_IsRejected()
    {
        var result = ImportOne(ImportKind.Customers, "customers.csv", "");

        Assert.False(result.Loaded);
        Assert.Equal("customers.csv:1: (file): empty file: no header row", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Import_LocalizedProductColumns_LandInProductTexts()
    {
        Import(new ImportFile(ImportKind.Products, TestData("products.csv")));

        var products = Store.LoadProducts().ToDictionary(p => p.ProductId);
        var knife = products["p1"];
        Assert.Equal("Forged steel,\n20 cm blade", knife.Description);
        Assert.Equal(new LocalizedText("主厨刀", "锻钢刀片"), knife.Localized["zh-CN"]);
        Assert.Equal(new LocalizedText("Couteau de chef", null), knife.TextFor("fr-FR"));
        Assert.Equal(["steel", "gift"], knife.Tags);
        Assert.Equal(89.90m, knife.Price);
        Assert.Equal(["zh-CN"], products["p2"].Localized.Keys);
        Assert.False(products["p2"].InStock);
        Assert.Equal(["fr-FR"], products["p3"].Localized.Keys);
        Assert.Equal("Espresso Cups", products["p3"].TextFor("zh-CN").Title);
    }

    [Fact]
    public void Import_LocalizedDescriptionWithoutTitle_IsRejected()
    {
        var result = ImportOne(ImportKind.Products, "products.csv",
            "product_id,title,category,price,currency,description_de-DE\np1,Knife,Home,5,EUR,Ein Messer\n");

        Assert.Equal("products.csv:2: description_de-DE: a localized description needs a localized title (title_de-DE)",
            Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Import_ReviewWithoutCreatedAtTwice_KeepsOneRow()
    {
        SeedReferences();
        const string Content = "customer_id,product_id,rating,text\nc1,p1,5,\"=HYPERLINK(\"\"http://x\"\")\"\n";

        ImportOne(ImportKind.Reviews, "reviews.csv", Content);
        ImportOne(ImportKind.Reviews, "reviews.csv", Content);

        var review = Assert.Single(Store.LoadReviews());
        Assert.Null(review.CreatedAt);
        Assert.Equal("=HYPERLINK(\"http://x\")", review.Text);
    }

    [Fact]
    public void Import_Progress_ReportsFinalCountsPerFile()
    {
        var reports = new List<ImportProgress>();
        var progress = new SynchronousProgress(reports.Add);

        new Importer(Store, new ImportOptions()).Import([new ImportFile(ImportKind.Customers, TestData("customers.csv"))], progress);

        var last = reports[^1];
        Assert.Equal((4L, new FileInfo(TestData("customers.csv")).Length), (last.RowsRead, last.BytesRead));
    }

    [Fact]
    public void Import_Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        Assert.Throws<OperationCanceledException>(() =>
            new Importer(Store, new ImportOptions()).Import(SampleFiles(".csv"), ct: cancel.Token));
        Assert.Equal(0, Store.Counts().Customers);
    }

    private sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }

    /// <summary>Every imported row in a comparable form (products flattened: their tags and texts are collections).</summary>
    private static string Snapshot(MailsmithStore store)
    {
        var lines = new List<string>();
        lines.AddRange(store.LoadCustomers().Select(c => c.ToString()));
        lines.AddRange(store.LoadProducts().Select(p => p with { Tags = [], Localized = new Dictionary<string, LocalizedText>() } + " tags=" +
            string.Join('|', p.Tags) + " texts=" + string.Join(';', p.Localized.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value))));
        lines.AddRange(store.LoadOrders().Select(o => o.ToString()));
        lines.AddRange(store.LoadOrderLines().OrderBy(l => l.OrderId + "/" + l.ProductId, StringComparer.Ordinal).Select(l => l.ToString()));
        lines.AddRange(store.LoadEvents().Select(e => e.ToString()));
        lines.AddRange(store.LoadReviews().Select(r => r.ToString()));
        return string.Join('\n', lines);
    }
}
