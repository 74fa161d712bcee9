using System.Text;
using Mailsmith.Ingest;

namespace Mailsmith.Tests.Ingest;

/// <summary>Every rejection reason, asserted as the exact <c>file:line: column: reason</c> the user sees.</summary>
public sealed class ImportRejectionTests : ImportTestBase
{
    public static TheoryData<ImportKind, string, string, string> BadRows => new()
    {
        { ImportKind.Customers, "customers.csv", "customer_id,email\nc1,ok@example.com\nc2,not-an-email\n",
            "customers.csv:3: email: invalid email address 'not-an-email'" },
        { ImportKind.Customers, "customers.csv", "customer_id,email\nc1,a b@example.com\n",
            "customers.csv:2: email: invalid email address 'a b@example.com'" },
        { ImportKind.Customers, "customers.csv", "customer_id,email\nc1,a@localhost\n",
            "customers.csv:2: email: invalid email address 'a@localhost'" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,locale\nc1,a@example.com,en_US\n",
            "customers.csv:2: locale: malformed locale tag 'en_US' (expected BCP 47, e.g. en-US)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,time_zone\nc1,a@example.com,Mars/Olympus\n",
            "customers.csv:2: time_zone: unknown time zone 'Mars/Olympus' (expected an IANA id, e.g. Europe/Paris)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,signup_at\nc1,a@example.com,yesterday\n",
            "customers.csv:2: signup_at: unparseable timestamp 'yesterday' (expected ISO 8601)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,signup_at\nc1,a@example.com,2025-02-30\n",
            "customers.csv:2: signup_at: unparseable timestamp '2025-02-30' (expected ISO 8601)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,birthday\nc1,a@example.com,12/04/1990\n",
            "customers.csv:2: birthday: unparseable date '12/04/1990' (expected yyyy-MM-dd)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,consent\nc1,a@example.com,yes\n",
            "customers.csv:2: consent: expected true, false, 1 or 0, got 'yes'" },
        { ImportKind.Customers, "customers.csv", "customer_id,email\n,a@example.com\n",
            "customers.csv:2: customer_id: missing required value" },
        { ImportKind.Customers, "customers.csv", "customer_id,first_name\nc1,Ann\n",
            "customers.csv:1: email: missing required column" },
        { ImportKind.Customers, "customers.csv", "customer_id,email\nc1,a@example.com\nc2,b@example.com\nc1,c@example.com\n",
            "customers.csv:4: customer_id: duplicate customer_id 'c1' (first on line 2)" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,first_name\nc1,a@example.com\n",
            "customers.csv:2: (row): expected 3 fields, found 2" },
        { ImportKind.Customers, "customers.csv", "customer_id,email,first_name\nc1,a@example.com,\"Ann\nc2,b@example.com,Bob\n",
            "customers.csv:2: first_name: unterminated quoted field" },
        { ImportKind.Products, "products.csv", "product_id,title,category,price,currency\np9,Pan,Home,-5,EUR\n",
            "products.csv:2: price: negative price -5" },
        { ImportKind.Products, "products.csv", "product_id,title,category,price,currency\np9,Pan,Home,abc,EUR\n",
            "products.csv:2: price: unparseable number 'abc'" },
        { ImportKind.Products, "products.csv", "product_id,title,category,price,currency\np9,Pan,Home,5,eur\n",
            "products.csv:2: currency: currency must be three uppercase letters (ISO 4217), got 'eur'" },
        { ImportKind.Products, "products.csv", "product_id,title,category,price,currency,url\np9,Pan,Home,5,EUR,javascript:alert(1)\n",
            "products.csv:2: url: not an absolute http or https URL: 'javascript:alert(1)'" },
        { ImportKind.Products, "products.csv", "product_id,title,category,price,currency\np9,Pan,,5,EUR\n",
            "products.csv:2: category: missing required value" },
        { ImportKind.Orders, "orders.csv", "order_id,customer_id,ordered_at\no9,c9,2025-01-01\n",
            "orders.csv:2: customer_id: unknown customer 'c9'" },
        { ImportKind.Orders, "orders.csv", "order_id,customer_id,ordered_at\no8,c1,2025-01-01\no8,c2,2025-01-02\n",
            "orders.csv:3: order_id: duplicate order_id 'o8' (first on line 2)" },
        { ImportKind.Orders, "orders.csv", "order_id,customer_id,ordered_at,total\no8,c1,2025-01-01,12,5\n",
            "orders.csv:2: (row): expected 4 fields, found 5" },
        { ImportKind.OrderLines, "order_lines.csv", "order_id,product_id,quantity,unit_price\no9,p1,1,10\n",
            "order_lines.csv:2: order_id: unknown order 'o9'" },
        { ImportKind.OrderLines, "order_lines.csv", "order_id,product_id,quantity,unit_price\no1,p9,1,10\n",
            "order_lines.csv:2: product_id: unknown product 'p9'" },
        { ImportKind.OrderLines, "order_lines.csv", "order_id,product_id,quantity,unit_price\no1,p1,1,10\no1,p1,2,10\n",
            "order_lines.csv:3: order_id: duplicate order_id 'o1', product_id 'p1' (first on line 2)" },
        { ImportKind.OrderLines, "order_lines.csv", "order_id,product_id,quantity,unit_price\no1,p1,0,10\n",
            "order_lines.csv:2: quantity: quantity must be at least 1, got 0" },
        { ImportKind.OrderLines, "order_lines.csv", "order_id,product_id,quantity,unit_price\no1,p1,1.5,10\n",
            "order_lines.csv:2: quantity: unparseable integer '1.5'" },
        { ImportKind.Events, "events.csv", "customer_id,type,occurred_at\nc9,view,2025-01-01T00:00:00Z\n",
            "events.csv:2: customer_id: unknown customer 'c9'" },
        { ImportKind.Events, "events.csv", "customer_id,type,occurred_at,product_id\nc1,view,2025-01-01T00:00:00Z,p9\n",
            "events.csv:2: product_id: unknown product 'p9'" },
        { ImportKind.Events, "events.csv", "customer_id,type,occurred_at\nc1,Add To Cart,2025-01-01T00:00:00Z\n",
            "events.csv:2: type: event type must be a lower_snake_case word, got 'Add To Cart'" },
        { ImportKind.Events, "events.csv", "customer_id,type,occurred_at\nc1,view,\n",
            "events.csv:2: occurred_at: missing required value" },
        { ImportKind.Reviews, "reviews.csv", "customer_id,product_id,rating\nc1,p1,6\n",
            "reviews.csv:2: rating: rating must be an integer from 1 to 5, got '6'" },
        { ImportKind.Reviews, "reviews.csv", "customer_id,product_id,rating\nc1,p9,5\n",
            "reviews.csv:2: product_id: unknown product 'p9'" },
        { ImportKind.Reviews, "reviews.csv", "customer_id,product_id,rating\nc9,p1,5\n",
            "reviews.csv:2: customer_id: unknown customer 'c9'" },
        { ImportKind.Reviews, "reviews.jsonl", "{\"customer_id\":\"c1\",\"product_id\":\"p1\",\"rating\":4.5}\n",
            "reviews.jsonl:1: rating: rating must be an integer from 1 to 5, got '4.5'" },
        { ImportKind.Reviews, "reviews.jsonl", "{\"customer_id\":\"c1\",\"product_id\":\"p1\"}\n",
            "reviews.jsonl:1: rating: missing required value" },
        { ImportKind.Events, "events.jsonl", "{\"customer_id\":\"c1\",\"type\":\"view\",\"occurred_at\":\"2025-01-01\"}\n{\"customer_id\":\"c1\",\n",
            "events.jsonl:2: (row): invalid JSON at byte 20: Expected start of a property name or value, but instead reached end of data." },
        { ImportKind.Events, "events.jsonl", "{\"customer_id\":\"c1\",\"type\":[\"view\"],\"occurred_at\":\"2025-01-01\"}\n",
            "events.jsonl:1: type: expected a string, number or boolean" },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Import_BadRow_ReportsFileLineColumnReasonAndLoadsNothing(ImportKind kind, string name, string content, string expected)
    {
        SeedReferences();
        var before = Store.Counts();

        var result = ImportOne(kind, name, content);

        Assert.False(result.Loaded);
        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
        Assert.Equal(1, result.ErrorCount);
        Assert.Equal(before, Store.Counts());
    }

    [Fact]
    public void Import_MultiLineQuotedRecords_ReportPhysicalStartLine()
    {
        var content =
            "customer_id,email,first_name\n" +              // line 1
            "c1,a@example.com,\"Ann\nMarie\nLouise\"\n" +    // lines 2-4
            "c2,\"bad\nemail\",Bob\n" +                     // lines 5-6: the bad record starts on 5
            "c3,also bad,Cy\n";                             // line 7

        var result = ImportOne(ImportKind.Customers, "customers.csv", content);

        Assert.Equal(
            ["customers.csv:5: email: invalid email address 'bad\nemail'", "customers.csv:7: email: invalid email address 'also bad'"],
            result.Errors.Select(e => e.ToString()));
        Assert.Equal(3, result.RowsRead);
    }

    [Fact]
    public void Import_InvalidUtf8_ReportsColumnAndLine()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("customer_id,email,first_name\nc1,a@example.com,Ann\nc2,b@example.com,Bj"));
        bytes.AddRange([0xC3, 0x28]); // a lead byte followed by a non-continuation byte
        bytes.AddRange(Encoding.UTF8.GetBytes("rn\n"));

        var result = Import(new ImportFile(ImportKind.Customers, WriteBytes("customers.csv", [.. bytes]))).Files.Single();

        Assert.Equal("customers.csv:3: first_name: invalid UTF-8", Assert.Single(result.Errors).ToString());
        Assert.Empty(Store.LoadCustomers());
    }

    [Fact]
    public void Import_InvalidUtf8InJsonLines_ReportsColumnAndLine()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.UTF8.GetBytes("{\"customer_id\":\"c1\",\"email\":\"a@example.com\",\"last_name\":\"X"));
        bytes.Add(0xFF);
        bytes.AddRange(Encoding.UTF8.GetBytes("\"}\n"));

        var result = Import(new ImportFile(ImportKind.Customers, WriteBytes("customers.jsonl", [.. bytes]))).Files.Single();

        Assert.Equal("customers.jsonl:1: last_name: invalid UTF-8", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Import_SeveralMissingColumns_ReportsEachOnceOnLineOne()
    {
        var rows = string.Concat(Enumerable.Range(1, 100).Select(i => $"p{i},x\n"));

        var result = ImportOne(ImportKind.Products, "products.csv", "product_id,brand\n" + rows);

        Assert.Equal(
            ["products.csv:1: title: missing required column", "products.csv:1: category: missing required column",
             "products.csv:1: price: missing required column", "products.csv:1: currency: missing required column"],
            result.Errors.Select(e => e.ToString()));
        Assert.False(result.Loaded);
        Assert.Equal(0, result.RowsRead);
    }

    [Fact]
    public void Import_ManyBadRows_ReportsFirstFiftyAndTotal()
    {
        var content = new StringBuilder("customer_id,email\n");
        for (var i = 0; i < 120; i++)
        {
            content.Append('c').Append(i).Append(",bad-").Append(i).Append('\n');
        }

        var result = ImportOne(ImportKind.Customers, "customers.csv", content.ToString());

        Assert.Equal(50, result.Errors.Count);
        Assert.Equal(120, result.ErrorCount);
        Assert.Equal(120, result.RowsRejected);
        Assert.Equal("customers.csv:2: email: invalid email address 'bad-0'", result.Errors[0].ToString());
        Assert.Equal("customers.csv:51: email: invalid email address 'bad-49'", result.Errors[49].ToString());
    }

    [Fact]
    public void Import_ReferenceAndFieldErrors_AreReportedInLineOrder()
    {
        SeedReferences();

        var result = ImportOne(ImportKind.Events, "events.csv",
            "customer_id,type,occurred_at\nc9,view,2025-01-01\nc1,view,soon\nc8,view,2025-01-02\n");

        Assert.Equal(
            ["events.csv:2: customer_id: unknown customer 'c9'", "events.csv:3: occurred_at: unparseable timestamp 'soon' (expected ISO 8601)",
             "events.csv:4: customer_id: unknown customer 'c8'"],
            result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("customers.txt", ".txt")]
    [InlineData("customers", "")]
    public void Import_UnsupportedExtension_ReportsFileError(string name, string extension)
    {
        var result = ImportOne(ImportKind.Customers, name, "customer_id,email\nc1,a@example.com\n");

        Assert.Equal($"{name}:0: (file): unsupported file extension '{extension}' (expected .csv or .jsonl)", Assert.Single(result.Errors).ToString());
        Assert.False(result.Loaded);
    }

    [Fact]
    public void Import_MissingFile_ReportsFileErrorAndOtherFilesStillLoad()
    {
        var report = Import(
            new ImportFile(ImportKind.Customers, Write("customers.csv", "customer_id,email\nc1,a@example.com\n")),
            new ImportFile(ImportKind.Events, Path.Combine(Dir, "missing.csv")));

        Assert.False(report.Success);
        Assert.True(report.Files[0].Loaded);
        Assert.Equal("missing.csv:0: (file): file not found", Assert.Single(report.Files[1].Errors).ToString());
    }
}
