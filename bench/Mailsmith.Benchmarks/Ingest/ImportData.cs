using System.Globalization;
using System.Text;

namespace Mailsmith.Benchmarks.Ingest;

/// <summary>Seeded, reproducible import files for the Ingest benchmarks: customers, products and a large events file.</summary>
public static class ImportData
{
    private static readonly string[] Types = ["view", "view", "view", "view", "search", "add_to_cart", "remove_from_cart", "purchase", "email_open", "email_click"];

    public static void WriteCustomers(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("customer_id,email,first_name,last_name,locale,time_zone,signup_at,consent\n");
        string[] locales = ["en-US", "fr-FR", "zh-CN", "de-DE", "es-ES"];
        string[] zones = ["America/New_York", "Europe/Paris", "Asia/Shanghai", "Europe/Berlin", "Europe/Madrid"];
        for (var i = 0; i < count; i++)
        {
            var l = i % locales.Length;
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"c{i:D6},user{i}@example.com,First{i},Last{i},{locales[l]},{zones[l]},2024-01-{1 + i % 28:D2}T10:00:00Z,{(i % 3 == 0 ? "true" : "false")}\n"));
        }
    }

    public static void WriteProducts(string path, int count)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("product_id,title,category,price,currency\n");
        for (var i = 0; i < count; i++)
        {
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"p{i:D5},Product {i},Home > Kitchen > Line {i % 40},{5 + i % 200}.{i % 100:D2},EUR\n"));
        }
    }

    /// <summary>Events in time order, each referencing an existing customer and (for product events) product.</summary>
    public static void WriteEvents(string path, int count, int customers, int products, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.Write("customer_id,type,occurred_at,product_id,query,campaign_id\n");
        var time = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            time = time.AddMilliseconds(random.Next(1, 20_000));
            var type = Types[random.Next(Types.Length)];
            var customer = random.Next(customers);
            var product = type is "search" or "email_open" or "email_click" ? "" : "p" + random.Next(products).ToString("D5", CultureInfo.InvariantCulture);
            var query = type == "search" ? "kitchen knife " + random.Next(50).ToString(CultureInfo.InvariantCulture) : "";
            var campaign = type is "email_open" or "email_click" ? "cmp-0001" : "";
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"c{customer:D6},{type},{time:yyyy-MM-ddTHH:mm:ss.fffZ},{product},{query},{campaign}\n"));
        }
    }
}
