using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mailsmith.Synthetic;

/// <summary>
/// Generates a synthetic store (customers, products, orders, order lines, events, reviews) as CSV files, plus
/// <c>truth.json</c> holding the hidden preferences that produced the behaviour, so later stages can be checked
/// against what they should learn.
/// </summary>
/// <remarks>
/// Deterministic: the same <see cref="GeneratorOptions"/> give byte-identical files on every run; nothing reads the
/// wall clock. Every random stream derives from <see cref="GeneratorOptions.Seed"/>: one for the catalog and one per
/// customer, so a customer's history does not change when another customer's does. Files are streamed; the
/// history is held in memory as compact rows (about 70 events per customer).
/// </remarks>
public sealed class StoreGenerator
{
    private static readonly string[] s_fileStems = ["customers", "products", "orders", "order_lines", "events", "reviews"];

    private readonly GeneratorOptions _options;

    /// <exception cref="ArgumentOutOfRangeException">A count is below its minimum or the history length is outside 1–36 months.</exception>
    public StoreGenerator(GeneratorOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Customers, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Products, SyntheticVocabulary.Embedded.Categories.Count, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HistoryMonths, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.HistoryMonths, 36, nameof(options));
        _options = options;
    }

    /// <summary>The file stems written by <see cref="Generate"/> (each as <c>stem.csv</c>), in write order.</summary>
    public static IReadOnlyList<string> FileStems => s_fileStems;

    /// <summary>
    /// Writes <c>customers.csv</c>, <c>products.csv</c>, <c>orders.csv</c>, <c>order_lines.csv</c>, <c>events.csv</c>,
    /// <c>reviews.csv</c> and <c>truth.json</c> into <paramref name="outputDirectory"/> (created if missing; existing
    /// files of those names are replaced).
    /// </summary>
    /// <param name="progress">Receives one short line per phase.</param>
    public GeneratedStore Generate(string outputDirectory, IProgress<string>? progress = null)
    {
        var directory = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(directory);
        var endOffset = _options.End.ToUniversalTime();
        var end = DateTimeOffset.FromUnixTimeSeconds(endOffset.ToUnixTimeSeconds());
        var start = end.AddMonths(-_options.HistoryMonths);
        var vocabulary = SyntheticVocabulary.Embedded;

        var catalog = new CatalogBuilder(vocabulary).Build(_options.Products, new Random(Draw.StreamSeed(_options.Seed, 1, 0)));
        progress?.Report($"catalog: {catalog.Products.Count} products in {catalog.Categories.Count} categories");

        var customers = new CustomerBuilder(vocabulary, catalog, _options.Seed, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds()).Build(_options.Customers);
        progress?.Report($"customers: {customers.Count}");

        var promotions = Promotions.Between(start, end);
        var history = new BehaviourSimulator(vocabulary, catalog, start.ToUnixTimeSeconds(), end.ToUnixTimeSeconds(), promotions).Run(customers);
        var unsubscribes = Unsubscribes(customers, end.ToUnixTimeSeconds());
        for (var i = 0; i < customers.Count; i++)
        {
            if (unsubscribes[i] is { } at)
            {
                history.Events.Add(new EventRow(at, i, int.MaxValue, EventKind.Unsubscribe, -1, -1));
            }
        }
        progress?.Report($"history: {history.Events.Count} events, {history.Orders.Count} orders, {history.Reviews.Count} reviews");

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["customers"] = WriteCustomers(Path.Combine(directory, "customers.csv"), customers),
            ["products"] = WriteProducts(Path.Combine(directory, "products.csv"), catalog),
        };
        (counts["orders"], counts["order_lines"]) = WriteOrders(directory, history, customers, catalog);
        counts["events"] = WriteEvents(Path.Combine(directory, "events.csv"), history, customers, catalog);
        counts["reviews"] = WriteReviews(Path.Combine(directory, "reviews.csv"), history, customers, catalog);
        WriteTruth(Path.Combine(directory, "truth.json"), start, end, customers, catalog, promotions, unsubscribes);
        progress?.Report($"wrote {directory}");
        return new GeneratedStore(directory, counts, start, end);
    }

    private static long WriteCustomers(string path, List<SyntheticCustomer> customers)
    {
        using var csv = new CsvOutput(path, "customer_id", "email", "first_name", "last_name", "locale", "time_zone", "signup_at", "birthday", "consent", "consent_at");
        Span<char> date = stackalloc char[10];
        foreach (var c in customers)
        {
            csv.Field(c.Id);
            csv.Field(c.Email);
            csv.Field(c.FirstName);
            csv.Field(c.LastName);
            csv.Field(c.Locale);
            csv.Field(c.TimeZoneId);
            csv.Timestamp(c.SignupAt);
            if (c.Birthday is { } birthday && birthday.TryFormat(date, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            {
                csv.Field(date[..written]);
            }
            else
            {
                csv.Empty();
            }
            csv.Field(c.Consent);
            if (c.ConsentAt is { } consentAt)
            {
                csv.Timestamp(consentAt);
            }
            else
            {
                csv.Empty();
            }
            csv.EndRow();
        }
        return csv.Rows;
    }

    private static long WriteProducts(string path, SyntheticCatalog catalog)
    {
        using var csv = new CsvOutput(path, "product_id", "title", "description", "category", "brand", "price", "currency", "in_stock", "image_url", "url", "tags",
            "title_zh-CN", "description_zh-CN", "title_en-US", "description_en-US");
        foreach (var p in catalog.Products)
        {
            csv.Field(p.Id);
            csv.Field(p.TitleEn);
            csv.Field(p.DescriptionEn);
            csv.Field(p.Category.Path);
            csv.Field(p.Brand);
            csv.Money(p.Price);
            csv.Field("USD");
            csv.Field(p.InStock);
            csv.Field("https://cdn.shop.example/img/" + p.Id + ".jpg");
            csv.Field("https://shop.example/p/" + p.Id);
            csv.Field(string.Join('|', p.Tags));
            csv.Field(p.TitleZh);
            csv.Field(p.DescriptionZh);
            csv.Field(p.TitleEn);
            csv.Field(p.DescriptionEn);
            csv.EndRow();
        }
        return csv.Rows;
    }

    private static (long Orders, long Lines) WriteOrders(string directory, StoreHistory history, List<SyntheticCustomer> customers, SyntheticCatalog catalog)
    {
        // Order ids follow time, as a real shop numbers them; ties (same second) break by customer.
        var orders = history.Orders;
        orders.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Customer.CompareTo(b.Customer));
        var width = "D" + Math.Max(6, orders.Count.ToString(CultureInfo.InvariantCulture).Length).ToString(CultureInfo.InvariantCulture);
        using var orderCsv = new CsvOutput(Path.Combine(directory, "orders.csv"), "order_id", "customer_id", "ordered_at", "total", "currency", "discount_code", "discount_amount");
        using var lineCsv = new CsvOutput(Path.Combine(directory, "order_lines.csv"), "order_id", "product_id", "quantity", "unit_price");
        for (var i = 0; i < orders.Count; i++)
        {
            var order = orders[i];
            var id = "O" + (i + 1).ToString(width, CultureInfo.InvariantCulture);
            orderCsv.Field(id);
            orderCsv.Field(customers[order.Customer].Id);
            orderCsv.Timestamp(order.Time);
            orderCsv.Money(order.Total);
            orderCsv.Field("USD");
            orderCsv.Field(order.Code);
            orderCsv.Money(order.Discount);
            orderCsv.EndRow();
            for (var l = order.FirstLine; l < order.FirstLine + order.LineCount; l++)
            {
                var line = history.Lines[l];
                lineCsv.Field(id);
                lineCsv.Field(catalog.Products[line.Product].Id);
                lineCsv.Field(line.Quantity);
                lineCsv.Money(line.UnitPrice);
                lineCsv.EndRow();
            }
        }
        return (orderCsv.Rows, lineCsv.Rows);
    }

    private static long WriteEvents(string path, StoreHistory history, List<SyntheticCustomer> customers, SyntheticCatalog catalog)
    {
        var events = history.Events;
        events.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : a.Customer != b.Customer ? a.Customer.CompareTo(b.Customer)
            : a.Sequence.CompareTo(b.Sequence));
        using var csv = new CsvOutput(path, "customer_id", "type", "occurred_at", "product_id", "query", "campaign_id");
        foreach (var e in events)
        {
            csv.Field(customers[e.Customer].Id);
            csv.Field(BehaviourSimulator.TypeName(e.Kind));
            csv.Timestamp(e.Time);
            csv.Field(e.Product >= 0 ? catalog.Products[e.Product].Id : null);
            csv.Field(e.Query >= 0 ? history.Queries[e.Query] : null);
            csv.Empty();
            csv.EndRow();
        }
        return csv.Rows;
    }

    private static long WriteReviews(string path, StoreHistory history, List<SyntheticCustomer> customers, SyntheticCatalog catalog)
    {
        var reviews = history.Reviews;
        reviews.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : a.Customer != b.Customer ? a.Customer.CompareTo(b.Customer)
            : a.Product.CompareTo(b.Product));
        using var csv = new CsvOutput(path, "customer_id", "product_id", "rating", "text", "created_at");
        foreach (var r in reviews)
        {
            csv.Field(customers[r.Customer].Id);
            csv.Field(catalog.Products[r.Product].Id);
            csv.Field(r.Rating);
            csv.Field(r.Text);
            csv.Timestamp(r.Time);
            csv.EndRow();
        }
        return csv.Rows;
    }

    /// <summary>
    /// Who unsubscribed, and when: some churned customers as they drift away (15%), a few others at any time after
    /// opting in (1%). Drawn from a stream of their own so the rest of the store is the same with or without them.
    /// </summary>
    private long?[] Unsubscribes(List<SyntheticCustomer> customers, long end)
    {
        const long Day = 86_400;
        var result = new long?[customers.Count];
        for (var i = 0; i < customers.Count; i++)
        {
            var c = customers[i];
            if (c.ConsentAt is not { } consentAt)
            {
                continue;
            }
            var rng = new Random(Draw.StreamSeed(_options.Seed, 7, i));
            long at;
            if (c.Fate == Fate.Churned && rng.NextDouble() < 0.15)
            {
                at = c.ActivityEnd + (long)(rng.NextDouble() * 20 * Day);
            }
            else if (rng.NextDouble() < 0.01)
            {
                at = consentAt + (long)(rng.NextDouble() * (end - consentAt));
            }
            else
            {
                continue;
            }
            if (at > consentAt && at < end)
            {
                result[i] = at;
            }
        }
        return result;
    }

    private void WriteTruth(string path, DateTimeOffset start, DateTimeOffset end, List<SyntheticCustomer> customers, SyntheticCatalog catalog, IReadOnlyList<Promotion> promotions, long?[] unsubscribes)
    {
        using var stream = File.Create(path);
        // Relaxed escaping keeps Chinese, '>' and '&' in category names readable; the file is data, not HTML.
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("seed", _options.Seed);
        json.WriteString("start", Iso(start.ToUnixTimeSeconds()));
        json.WriteString("end", Iso(end.ToUnixTimeSeconds()));
        json.WriteNumber("exploration_rate", BehaviourSimulator.ExplorationRate);

        json.WriteStartArray("customers");
        for (var n = 0; n < customers.Count; n++)
        {
            var c = customers[n];
            json.WriteStartObject();
            json.WriteString("customer_id", c.Id);
            json.WriteStartObject("category_affinity");
            for (var i = 0; i < c.AffinityCategories.Length; i++)
            {
                json.WriteNumber(catalog.Categories[c.AffinityCategories[i]].Path, c.AffinityWeights[i]);
            }
            json.WriteEndObject();
            json.WriteNumber("price_sensitivity", c.PriceSensitivity);
            json.WriteNumber("discount_sensitivity", c.DiscountSensitivity);
            json.WriteNumber("active_hour", c.ActiveHour);
            json.WriteNumber("purchase_cycle_days", c.PurchaseCycleDays);
            json.WriteString("fate", c.Fate);
            if (c.Fate == Fate.Churned)
            {
                json.WriteString("churned_at", Iso(c.ActivityEnd));
            }
            if (c.AbandonAt is { } abandonAt)
            {
                json.WriteString("abandoned_cart_at", Iso(abandonAt));
            }
            if (unsubscribes[n] is { } unsubscribedAt)
            {
                json.WriteString("unsubscribed_at", Iso(unsubscribedAt));
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("products");
        foreach (var p in catalog.Products)
        {
            json.WriteStartObject();
            json.WriteString("product_id", p.Id);
            json.WriteString("kind", p.Kind.Kind);
            json.WriteString("tier", p.Tier switch { 0 => "budget", 1 => "mid", _ => "premium" });
            json.WriteNumber("quality", p.Quality);
            json.WriteEndObject();
        }
        json.WriteEndArray();

        json.WriteStartArray("complements");
        foreach (var category in catalog.Categories)
        {
            foreach (var kind in category.Kinds)
            {
                json.WriteStartObject();
                json.WriteString("category", category.Path);
                json.WriteString("kind", kind.Kind);
                json.WriteStartArray("with");
                foreach (var other in kind.Complements)
                {
                    json.WriteStringValue(other);
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
        }
        json.WriteEndArray();

        json.WriteStartArray("promotions");
        foreach (var promotion in promotions)
        {
            json.WriteStartObject();
            json.WriteString("code", promotion.Code);
            json.WriteNumber("percent", promotion.Percent);
            json.WriteString("start", Iso(promotion.Start));
            json.WriteString("end", Iso(promotion.End));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static string Iso(long unixSeconds) =>
        DateTime.UnixEpoch.AddSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
