using BenchmarkDotNet.Attributes;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Benchmarks.Compose;

/// <summary>
/// Compose + render of a 4-product recommendations email, over 200 seeded recipients in en-US and zh-CN.
/// Target: at least 8,000 emails/s on one thread (125 µs per email).
/// </summary>
[MemoryDiagnoser]
public class ComposeBenchmarks
{
    private static readonly string[] Categories = ["Kitchen > Coffee & Tea", "Outdoors > Camping", "Beauty > Skincare", "Electronics > Audio", "Home > Bedding", "Pets > Dog"];
    private static readonly string[] FirstNames = ["Anna", "Ben", "Chloé", "小明", "Wei", "Maximilian", "Sam", "Lena"];
    private static readonly string[] LastNames = ["Berg", "Okafor", "王", "Li", "García", "Nguyen"];

    private EmailComposer _composer = null!;
    private EmailContext[] _contexts = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20250301);
        var products = Enumerable.Range(0, 60).Select(i => new Product(
            $"p-{i}", $"Product {i} Deluxe", null, Categories[i % Categories.Length], "Acme", 5m + (i * 7.13m), i % 9 == 0 ? "CNY" : "USD", true,
            $"https://cdn.shop.example/p-{i}.jpg", $"https://shop.example/p/p-{i}", [],
            new Dictionary<string, LocalizedText> { ["zh-CN"] = new($"精选商品{i}号", null) })).ToArray();
        var byId = products.ToDictionary(p => p.ProductId);
        var sender = new SenderOptions { StoreName = "Mailsmith Demo Store", PostalAddress = "1 Example Street, Springfield, 00000, USA" };
        _composer = new EmailComposer(new ComposeOptions(), sender, id => byId.GetValueOrDefault(id));
        var campaign = new Campaign("bench", CampaignTypes.Recommendations, "Bench", "default", CampaignStatus.Composing,
            [new CampaignVariant("A", 1)], 7, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        string[] kinds = [ReasonKind.Viewed, ReasonKind.BoughtWith, ReasonKind.PopularIn, ReasonKind.Popular];
        _contexts = new EmailContext[200];
        for (var i = 0; i < _contexts.Length; i++)
        {
            var locale = i % 2 == 0 ? "en-US" : "zh-CN";
            var customer = new Customer($"c-{i}", $"c{i}@example.com", i % 7 == 0 ? null : FirstNames[random.Next(FirstNames.Length)],
                LastNames[random.Next(LastNames.Length)], locale, "UTC", null, null, true, null);
            var profile = new CustomerProfile($"c-{i}", random.Next(1, 400), random.Next(0, 6), 100m, 3, 3, 3, Lifecycle.All[random.Next(5)],
                [Categories[random.Next(Categories.Length)]], PriceBand.Mid, random.Next(24), random.NextDouble(), 50m, random.NextDouble());
            var blocks = new ProductBlock[4];
            for (var b = 0; b < blocks.Length; b++)
            {
                var product = products[random.Next(products.Length)];
                var kind = kinds[random.Next(kinds.Length)];
                var reason = new RecommendationReason(kind, kind is ReasonKind.Viewed or ReasonKind.BoughtWith ? products[random.Next(products.Length)].ProductId : null,
                    kind == ReasonKind.PopularIn ? product.Category : null);
                blocks[b] = new ProductBlock(product, new Recommendation(product.ProductId, 1.0 / (b + 1), reason));
            }
            var links = new EmailLinks($"https://shop.example/u/{i}", url => url + "?utm_source=mailsmith");
            _contexts[i] = new EmailContext(campaign, "A", customer, profile, blocks, links, DateTimeOffset.UnixEpoch, random.Next());
        }

        // The output is checked before anything is timed: an unchecked benchmark measures nothing.
        var en = _composer.Compose(_contexts[0]);
        var zh = _composer.Compose(_contexts[1]);
        if (en.ProductIds.Count != 4 || !en.Html.Contains(sender.PostalAddress, StringComparison.Ordinal) || en.Text.Contains('{')
            || !zh.Text.Contains('您') || !zh.Html.Contains("精选商品", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Compose produced an unexpected email:\n" + en.Text + "\n" + zh.Text);
        }
    }

    [Benchmark]
    public ComposedEmail Compose_Recommendations()
    {
        var context = _contexts[_next];
        _next = _next + 1 == _contexts.Length ? 0 : _next + 1;
        return _composer.Compose(context);
    }
}
