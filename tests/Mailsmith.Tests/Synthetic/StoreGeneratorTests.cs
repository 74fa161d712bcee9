using System.Globalization;
using System.Text.RegularExpressions;

namespace Mailsmith.Tests.Synthetic;

public sealed partial class StoreGeneratorTests(GeneratedStoreFixture store) : IClassFixture<GeneratedStoreFixture>
{
    // Units and size tokens that may stay Latin inside Chinese copy.
    private static readonly HashSet<string> s_units = new(StringComparer.Ordinal) { "mAh" };
    private static readonly string[] s_productEventTypes = ["view", "add_to_cart", "remove_from_cart", "purchase"];
    private static readonly string[] s_fates = ["active", "churned", "new", "loyal"];

    [GeneratedRegex("[A-Za-z]{3,}")]
    private static partial Regex LatinWord();

    [GeneratedRegex(@"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.(example|com|net|org)$")]
    private static partial Regex EmailShape();

    [GeneratedRegex(@"(^|\.)example(\.(com|net|org))?$")]
    private static partial Regex ReservedDomain();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex IsoUtc();

    [GeneratedRegex(@"^\d+\.\d{2}$")]
    private static partial Regex Money();

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Han();

    [Fact]
    public void Generate_Files_HaveExactHeadersUtf8WithoutBomAndLfLineEnds()
    {
        var expected = new Dictionary<string, string>
        {
            ["customers"] = "customer_id,email,first_name,last_name,locale,time_zone,signup_at,birthday,consent,consent_at",
            ["products"] = "product_id,title,description,category,brand,price,currency,in_stock,image_url,url,tags,title_zh-CN,description_zh-CN,title_en-US,description_en-US",
            ["orders"] = "order_id,customer_id,ordered_at,total,currency,discount_code,discount_amount",
            ["order_lines"] = "order_id,product_id,quantity,unit_price",
            ["events"] = "customer_id,type,occurred_at,product_id,query,campaign_id",
            ["reviews"] = "customer_id,product_id,rating,text,created_at",
        };
        foreach (var (stem, header) in expected)
        {
            var bytes = File.ReadAllBytes(Path.Combine(store.Directory, stem + ".csv"));
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, stem + " starts with a BOM");
            Assert.DoesNotContain((byte)'\r', bytes);
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            Assert.Equal(header, text[..text.IndexOf('\n', StringComparison.Ordinal)]);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
        }
        Assert.Equal(store.Customers.Rows.Count, store.Result.RowCounts["customers"]);
        Assert.Equal(store.Events.Rows.Count, store.Result.RowCounts["events"]);
        Assert.Equal(store.OrderLines.Rows.Count, store.Result.RowCounts["order_lines"]);
    }

    [Fact]
    public void Generate_Catalog_HasEnoughProductsCategoriesAndGroups()
    {
        Assert.True(store.Products.Rows.Count >= 500);
        var categories = store.Products.Values("category").Distinct().ToList();
        Assert.True(categories.Count >= 20, $"{categories.Count} categories");
        Assert.All(categories, c => Assert.Matches(@"^[A-Z][^>]* > [^>]+$", c));
        Assert.True(categories.Select(c => c.Split(" > ")[0]).Distinct().Count() >= 8);
        Assert.Equal(store.Products.Rows.Count, store.Products.Values("product_id").Distinct().Count());
    }

    [Fact]
    public void Generate_Products_HaveBothLanguagesAndUrls()
    {
        var t = store.Products;
        foreach (var row in t.Rows)
        {
            foreach (var column in new[] { "title", "description", "title_zh-CN", "description_zh-CN", "title_en-US", "description_en-US" })
            {
                Assert.False(string.IsNullOrWhiteSpace(row[t.Column(column)]), $"{row[0]} {column} is empty");
            }
            Assert.Equal(row[t.Column("title")], row[t.Column("title_en-US")]);
            Assert.Matches(Han(), row[t.Column("title_zh-CN")]);
            Assert.Matches(Han(), row[t.Column("description_zh-CN")]);
            Assert.Equal($"https://cdn.shop.example/img/{row[0]}.jpg", row[t.Column("image_url")]);
            Assert.Equal($"https://shop.example/p/{row[0]}", row[t.Column("url")]);
            Assert.Equal("USD", row[t.Column("currency")]);
            Assert.Matches(Money(), row[t.Column("price")]);
            Assert.NotEmpty(row[t.Column("tags")].Split('|'));
        }
    }

    [Fact]
    public void Generate_ChineseText_HasNoLatinWordsExceptBrandsAndUnits()
    {
        var t = store.Products;
        var brands = t.Values("brand").SelectMany(b => b.Split(' ')).ToHashSet(StringComparer.Ordinal);
        var offenders = new List<string>();
        foreach (var row in t.Rows)
        {
            foreach (var text in new[] { row[t.Column("title_zh-CN")], row[t.Column("description_zh-CN")] })
            {
                offenders.AddRange(LatinWord().Matches(text).Select(m => m.Value).Where(w => !brands.Contains(w) && !s_units.Contains(w)).Select(w => $"{row[0]}: {w}"));
            }
        }
        var zhCustomers = ChineseCustomers();
        var r = store.Reviews;
        foreach (var row in r.Rows.Where(x => zhCustomers.Contains(x[r.Column("customer_id")])))
        {
            offenders.AddRange(LatinWord().Matches(row[r.Column("text")]).Select(m => "review: " + m.Value));
        }
        var e = store.Events;
        foreach (var row in e.Rows.Where(x => x[e.Column("type")] == "search" && zhCustomers.Contains(x[e.Column("customer_id")])))
        {
            offenders.AddRange(LatinWord().Matches(row[e.Column("query")]).Select(m => m.Value).Where(w => !brands.Contains(w) && !s_units.Contains(w)).Select(w => "search: " + w));
        }
        Assert.Empty(offenders);
    }

    [Fact]
    public void Generate_Titles_AreAtLeast95PercentDistinctPerLanguage()
    {
        var count = store.Products.Rows.Count;
        Assert.True(store.Products.Values("title_en-US").Distinct().Count() >= 0.95 * count);
        Assert.True(store.Products.Values("title_zh-CN").Distinct().Count() >= 0.95 * count);
    }

    [Fact]
    public void Generate_Catalog_HasSomeOutOfStockAndPriceSpreadInEveryCategory()
    {
        var t = store.Products;
        var outOfStock = t.Values("in_stock").Count(v => v == "false");
        Assert.All(t.Values("in_stock"), v => Assert.True(v is "true" or "false"));
        Assert.InRange(outOfStock, 1, t.Rows.Count / 5);

        var truthTier = store.Truth.RootElement.GetProperty("products").EnumerateArray()
            .ToDictionary(p => p.GetProperty("product_id").GetString()!, p => p.GetProperty("tier").GetString()!);
        foreach (var group in t.Rows.GroupBy(r => r[t.Column("category")]))
        {
            var prices = group.Select(r => decimal.Parse(r[t.Column("price")], CultureInfo.InvariantCulture)).ToList();
            Assert.True(prices.Max() >= 2 * prices.Min(), $"{group.Key}: {prices.Min()}–{prices.Max()}");
            Assert.Equal(3, group.Select(r => truthTier[r[0]]).Distinct().Count());
        }
    }

    [Fact]
    public void Generate_Customers_MixLocalesTimeZonesAndConsent()
    {
        var t = store.Customers;
        var n = t.Rows.Count;
        var locales = t.Values("locale").GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.InRange(locales["zh-CN"], n / 4, n / 2);
        Assert.InRange(locales["en-US"], n * 2 / 5, n * 3 / 4);
        Assert.True(t.Values("time_zone").Distinct().Count() >= 4);

        var withoutConsent = t.Rows.Where(r => r[t.Column("consent")] == "false").ToList();
        Assert.InRange(withoutConsent.Count, 1, n / 10);
        Assert.All(withoutConsent, r => Assert.Equal("", r[t.Column("consent_at")]));
        Assert.All(t.Rows.Where(r => r[t.Column("consent")] == "true"), r => Assert.Matches(IsoUtc(), r[t.Column("consent_at")]));

        var emails = t.Values("email").ToList();
        Assert.Equal(emails.Count, emails.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(emails, e => Assert.Matches(EmailShape(), e));
        // RFC 2606 reserved names only: example.com/.net/.org or a name under the .example TLD.
        Assert.All(emails, e => Assert.Matches(ReservedDomain(), e[(e.IndexOf('@', StringComparison.Ordinal) + 1)..]));

        Assert.All(t.Rows.Where(r => r[t.Column("locale")] == "zh-CN"), r =>
        {
            Assert.Matches(Han(), r[t.Column("first_name")]);
            Assert.Matches(Han(), r[t.Column("last_name")]);
        });
    }

    [Fact]
    public void Generate_History_HasNewCustomersAndRecentAbandonedCarts()
    {
        var end = store.Result.End;
        var t = store.Customers;
        var newCustomers = t.Rows.Count(r => GeneratedStoreFixture.Time(r[t.Column("signup_at")]) > end.AddDays(-14));
        Assert.InRange(newCustomers, 3, t.Rows.Count / 4);

        var e = store.Events;
        var cutoff = end.AddHours(-72);
        var lastPurchase = new Dictionary<(string, string), DateTimeOffset>();
        var recentAdds = new List<(string Customer, string Product, DateTimeOffset At)>();
        foreach (var row in e.Rows)
        {
            var at = GeneratedStoreFixture.Time(row[e.Column("occurred_at")]);
            var key = (row[e.Column("customer_id")], row[e.Column("product_id")]);
            if (row[e.Column("type")] == "purchase")
            {
                lastPurchase[key] = at;
            }
            else if (row[e.Column("type")] == "add_to_cart" && at >= cutoff)
            {
                recentAdds.Add((key.Item1, key.Item2, at));
            }
        }
        var abandoned = recentAdds
            .Where(a => !lastPurchase.TryGetValue((a.Customer, a.Product), out var bought) || bought < a.At)
            .Select(a => a.Customer)
            .Distinct()
            .Count();
        Assert.True(abandoned >= 3, $"{abandoned} customers with an abandoned cart");
    }

    [Fact]
    public void Generate_References_AreConsistent()
    {
        var customers = store.Customers.Values("customer_id").ToHashSet();
        var signup = store.Customers.Rows.ToDictionary(r => r[0], r => GeneratedStoreFixture.Time(r[store.Customers.Column("signup_at")]));
        var products = store.Products.Values("product_id").ToHashSet();
        var orders = store.Orders.Rows.ToDictionary(r => r[0], r => (Customer: r[1], At: GeneratedStoreFixture.Time(r[2])));
        Assert.All(orders.Values, o => Assert.Contains(o.Customer, customers));

        var ol = store.OrderLines;
        var purchased = new Dictionary<(string, string), DateTimeOffset>();
        var linePairs = new HashSet<(string, string)>();
        foreach (var line in ol.Rows)
        {
            Assert.True(orders.TryGetValue(line[0], out var order), "line of unknown order " + line[0]);
            Assert.Contains(line[1], products);
            Assert.True(linePairs.Add((line[0], line[1])), "product twice in order " + line[0]);
            Assert.InRange(int.Parse(line[2], CultureInfo.InvariantCulture), 1, 10);
            var key = (order.Customer, line[1]);
            if (!purchased.TryGetValue(key, out var first) || order.At < first)
            {
                purchased[key] = order.At;
            }
        }
        Assert.Equal(orders.Keys.ToHashSet(), ol.Values("order_id").ToHashSet());

        var e = store.Events;
        var end = store.Result.End;
        var purchaseEvents = 0;
        var naturalKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in e.Rows)
        {
            var customer = row[e.Column("customer_id")];
            var type = row[e.Column("type")];
            var product = row[e.Column("product_id")];
            var at = GeneratedStoreFixture.Time(row[e.Column("occurred_at")]);
            Assert.Contains(customer, customers);
            Assert.True(at < end && at >= signup[customer], $"{customer} {type} at {at:O}");
            Assert.Equal("", row[e.Column("campaign_id")]);
            Assert.True(naturalKeys.Add(string.Join('\u0001', row)), "duplicate event " + string.Join(',', row));
            if (type == "search")
            {
                Assert.Equal("", product);
                Assert.NotEqual("", row[e.Column("query")]);
                continue;
            }
            if (type == "unsubscribe")
            {
                Assert.Equal("", product);
                Assert.Equal("", row[e.Column("query")]);
                continue;
            }
            Assert.Contains(type, s_productEventTypes);
            Assert.Contains(product, products);
            Assert.Equal("", row[e.Column("query")]);
            if (type == "purchase")
            {
                purchaseEvents++;
                Assert.True(purchased.ContainsKey((customer, product)));
            }
        }
        Assert.Equal(ol.Rows.Count, purchaseEvents);

        var r = store.Reviews;
        var reviewKeys = new HashSet<(string, string)>();
        foreach (var row in r.Rows)
        {
            var key = (row[0], row[1]);
            Assert.True(purchased.TryGetValue(key, out var boughtAt), $"review of unpurchased {key}");
            Assert.True(GeneratedStoreFixture.Time(row[r.Column("created_at")]) > boughtAt);
            Assert.True(reviewKeys.Add(key), $"second review {key}");
            Assert.InRange(int.Parse(row[r.Column("rating")], CultureInfo.InvariantCulture), 1, 5);
            Assert.False(string.IsNullOrWhiteSpace(row[r.Column("text")]));
        }
        Assert.NotEmpty(r.Rows);
    }

    [Fact]
    public void Generate_OrderTotals_EqualLinesMinusDiscount()
    {
        var subtotals = store.OrderLines.Rows
            .GroupBy(l => l[0])
            .ToDictionary(g => g.Key, g => g.Sum(l => int.Parse(l[2], CultureInfo.InvariantCulture) * decimal.Parse(l[3], CultureInfo.InvariantCulture)));
        var o = store.Orders;
        var discounted = 0;
        foreach (var row in o.Rows)
        {
            var total = decimal.Parse(row[o.Column("total")], CultureInfo.InvariantCulture);
            var discount = decimal.Parse(row[o.Column("discount_amount")], CultureInfo.InvariantCulture);
            Assert.Equal(subtotals[row[0]] - discount, total);
            Assert.Matches(Money(), row[o.Column("total")]);
            Assert.Equal(row[o.Column("discount_code")] == "", discount == 0m);
            discounted += discount > 0 ? 1 : 0;
        }
        Assert.InRange(discounted, 1, o.Rows.Count - 1);
    }

    [Fact]
    public void Generate_Views_FollowDominantCategoryAffinity()
    {
        var category = store.Products.Rows.ToDictionary(r => r[0], r => r[store.Products.Column("category")]);
        var views = store.Events.Rows
            .Where(r => r[1] == "view")
            .GroupBy(r => r[0])
            .ToDictionary(g => g.Key, g => g.Select(r => category[r[3]]).ToList());
        var checkedCustomers = 0;
        var followed = 0;
        foreach (var c in store.Truth.RootElement.GetProperty("customers").EnumerateArray())
        {
            var top = c.GetProperty("category_affinity").EnumerateObject().MaxBy(p => p.Value.GetDouble());
            if (top.Value.GetDouble() < 0.7 || !views.TryGetValue(c.GetProperty("customer_id").GetString()!, out var seen) || seen.Count < 10)
            {
                continue;
            }
            checkedCustomers++;
            followed += seen.Count(v => v == top.Name) * 2 > seen.Count ? 1 : 0;
        }
        Assert.True(checkedCustomers >= 30, $"only {checkedCustomers} customers to check");
        Assert.True(followed >= 0.85 * checkedCustomers, $"{followed} of {checkedCustomers} mostly viewed their dominant category");
    }

    [Fact]
    public void Generate_Purchases_FollowPriceSensitivity()
    {
        var tier = store.Truth.RootElement.GetProperty("products").EnumerateArray()
            .ToDictionary(p => p.GetProperty("product_id").GetString()!, p => p.GetProperty("tier").GetString() switch { "budget" => 0, "mid" => 1, _ => 2 });
        var sensitivity = store.Truth.RootElement.GetProperty("customers").EnumerateArray()
            .ToDictionary(c => c.GetProperty("customer_id").GetString()!, c => c.GetProperty("price_sensitivity").GetDouble());
        var orderCustomer = store.Orders.Rows.ToDictionary(r => r[0], r => r[1]);
        var lowSensitivity = new List<int>();
        var highSensitivity = new List<int>();
        foreach (var line in store.OrderLines.Rows)
        {
            var s = sensitivity[orderCustomer[line[0]]];
            (s < 0.3 ? lowSensitivity : s > 0.7 ? highSensitivity : null)?.Add(tier[line[1]]);
        }
        Assert.True(lowSensitivity.Average() > highSensitivity.Average() + 0.8, $"premium-seekers {lowSensitivity.Average():F2} vs bargain-hunters {highSensitivity.Average():F2}");
    }

    [Fact]
    public void Generate_MultiLineOrders_MostlyPairComplements()
    {
        var kindOf = store.Truth.RootElement.GetProperty("products").EnumerateArray()
            .ToDictionary(p => p.GetProperty("product_id").GetString()!, p => p.GetProperty("kind").GetString()!);
        var complements = new HashSet<(string, string)>();
        foreach (var c in store.Truth.RootElement.GetProperty("complements").EnumerateArray())
        {
            foreach (var other in c.GetProperty("with").EnumerateArray())
            {
                complements.Add((c.GetProperty("kind").GetString()!, other.GetString()!));
                complements.Add((other.GetString()!, c.GetProperty("kind").GetString()!));
            }
        }
        var multi = store.OrderLines.Rows.GroupBy(l => l[0]).Where(g => g.Count() > 1).ToList();
        var withPair = multi.Count(g => g.Any(a => g.Any(b => complements.Contains((kindOf[a[1]], kindOf[b[1]])))));
        Assert.True(multi.Count >= 50, $"{multi.Count} multi-line orders");
        Assert.True(withPair >= 0.6 * multi.Count, $"{withPair} of {multi.Count} multi-line orders hold a complement pair");
    }

    [Fact]
    public void Generate_ReviewRatings_MatchTextSentiment()
    {
        var r = store.Reviews;
        var english = store.Customers.Rows.Where(c => c[store.Customers.Column("locale")] == "en-US").Select(c => c[0]).ToHashSet();
        string[] negative = ["disappointed", "broke", "Not great", "Would not recommend", "Stopped working", "damaged", "flimsy"];
        string[] positive = ["love", "Excellent", "Five stars", "happy", "Best purchase", "Exceeded"];
        var rows = r.Rows.Where(x => english.Contains(x[0])).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var rating = int.Parse(row[r.Column("rating")], CultureInfo.InvariantCulture);
            var text = row[r.Column("text")];
            if (rating >= 4)
            {
                Assert.DoesNotContain(negative, w => text.Contains(w, StringComparison.Ordinal));
            }
            if (rating <= 2)
            {
                Assert.DoesNotContain(positive, w => text.Contains(w, StringComparison.Ordinal));
            }
        }
        // Ratings follow the hidden product quality.
        var quality = store.Truth.RootElement.GetProperty("products").EnumerateArray()
            .ToDictionary(p => p.GetProperty("product_id").GetString()!, p => p.GetProperty("quality").GetDouble());
        var low = r.Rows.Where(x => quality[x[1]] < 0.4).Select(x => int.Parse(x[2], CultureInfo.InvariantCulture)).ToList();
        var high = r.Rows.Where(x => quality[x[1]] > 0.8).Select(x => int.Parse(x[2], CultureInfo.InvariantCulture)).ToList();
        Assert.True(low.Count > 0 && high.Count > 0);
        Assert.True(high.Average() > low.Average() + 2);
    }

    [Fact]
    public void Generate_Truth_DescribesEveryCustomer()
    {
        var root = store.Truth.RootElement;
        Assert.Equal(GeneratedStoreFixture.Options.Seed, root.GetProperty("seed").GetInt32());
        Assert.Equal("2026-11-01T00:00:00Z", root.GetProperty("end").GetString());
        Assert.Equal("2025-11-01T00:00:00Z", root.GetProperty("start").GetString());
        var customers = root.GetProperty("customers").EnumerateArray().ToList();
        Assert.Equal(store.Customers.Values("customer_id"), customers.Select(c => c.GetProperty("customer_id").GetString()!));
        var categories = store.Products.Values("category").ToHashSet();
        foreach (var c in customers)
        {
            var affinity = c.GetProperty("category_affinity").EnumerateObject().ToList();
            Assert.InRange(affinity.Count, 1, 3);
            Assert.All(affinity, a => Assert.Contains(a.Name, categories));
            Assert.Equal(1.0, affinity.Sum(a => a.Value.GetDouble()), 3);
            Assert.InRange(c.GetProperty("price_sensitivity").GetDouble(), 0, 1);
            Assert.InRange(c.GetProperty("discount_sensitivity").GetDouble(), 0, 1);
            Assert.InRange(c.GetProperty("active_hour").GetInt32(), 0, 23);
            Assert.True(c.GetProperty("purchase_cycle_days").GetDouble() > 0);
            Assert.Contains(c.GetProperty("fate").GetString(), s_fates);
        }
        Assert.Equal(4, customers.Select(c => c.GetProperty("fate").GetString()).Distinct().Count());
    }

    [Fact]
    public void Generate_SomeConsentingCustomersUnsubscribe_AsTruthSays()
    {
        var e = store.Events;
        var events = e.Rows.Where(r => r[e.Column("type")] == "unsubscribe")
            .ToDictionary(r => r[e.Column("customer_id")], r => GeneratedStoreFixture.Time(r[e.Column("occurred_at")]));
        var truth = store.Truth.RootElement.GetProperty("customers").EnumerateArray()
            .Where(c => c.TryGetProperty("unsubscribed_at", out _))
            .ToDictionary(c => c.GetProperty("customer_id").GetString()!, c => GeneratedStoreFixture.Time(c.GetProperty("unsubscribed_at").GetString()!));
        Assert.NotEmpty(events);
        Assert.Equal(truth.OrderBy(kv => kv.Key), events.OrderBy(kv => kv.Key));
        var c = store.Customers;
        foreach (var row in c.Rows.Where(r => events.ContainsKey(r[c.Column("customer_id")])))
        {
            Assert.Equal("true", row[c.Column("consent")]);
            Assert.True(events[row[c.Column("customer_id")]] > GeneratedStoreFixture.Time(row[c.Column("consent_at")]));
        }
    }

    [Fact]
    public void Generate_ChurnedCustomers_GoQuietBeforeTheEnd()
    {
        // Behaviour stops; an unsubscribe may still come after it (people leave the list as they drift away).
        var last = store.Events.Rows.Where(r => r[1] != "unsubscribe").GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Max(r => GeneratedStoreFixture.Time(r[2])));
        var churned = store.Truth.RootElement.GetProperty("customers").EnumerateArray()
            .Where(c => c.GetProperty("fate").GetString() == "churned")
            .ToList();
        Assert.NotEmpty(churned);
        foreach (var c in churned)
        {
            var churnedAt = GeneratedStoreFixture.Time(c.GetProperty("churned_at").GetString()!);
            Assert.True(churnedAt <= store.Result.End.AddDays(-60));
            if (last.TryGetValue(c.GetProperty("customer_id").GetString()!, out var at))
            {
                Assert.True(at < churnedAt);
            }
        }
    }

    private HashSet<string> ChineseCustomers() =>
        store.Customers.Rows.Where(r => r[store.Customers.Column("locale")] == "zh-CN").Select(r => r[0]).ToHashSet();
}
