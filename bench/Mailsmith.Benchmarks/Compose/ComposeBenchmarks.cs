using BenchmarkDotNet.Attributes;
using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Learn;
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
    private static readonly string[] Locales = ["en-US", "zh-CN"];
    private static readonly string[] LastNames = ["Berg", "Okafor", "王", "Li", "García", "Nguyen"];

    private EmailComposer _composer = null!;
    private EmailContext[] _contexts = [];
    private EmailContext[] _withArms = [];
    private string _storeDirectory = "";
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

        // The same recipients drawing with phrase-slot arms learned from an earlier campaign: every slot of both locales
        // has trials and clicks, so every draw multiplies by learned weights (docs/learn.md "Phrase slots as arms").
        var arms = LearnedArms(campaign);
        _withArms = Array.ConvertAll(_contexts, c => c with { SlotWeights = arms });
        var learned = _composer.Compose(_withArms[0]);
        if (learned.Choices.Count == 0 || learned.Text.Contains('{') || arms.Counts.Count == 0)
        {
            throw new InvalidOperationException("Compose with arms produced an unexpected email:\n" + learned.Text);
        }
    }

    private PhraseSlotArms LearnedArms(Campaign campaign)
    {
        _storeDirectory = Directory.CreateTempSubdirectory("mailsmith-bench-arms-").FullName;
        var store = MailsmithStore.Open(Path.Combine(_storeDirectory, "m.db"));
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var earlier = store.CreateCampaign(CampaignTypes.Recommendations, "earlier", "all", [new("A", 1)], 3, at);
        var slots = Locales.SelectMany(l => _composer.SlotVariants(l, CampaignTypes.Recommendations)).ToList();
        var draws = slots.SelectMany(s => s.VariantIds.Select(v => (s.Slot, Variant: v))).ToList();
        var sends = store.PlanSends(Enumerable.Range(0, draws.Count).Select(i => new SendPlan(earlier.CampaignId, $"c{i}", "A", 1, $"k{i}", $"<{i}@bench.example>", SendState.Planned, null, null)), at);
        store.UpdateSendStates(sends.Select(s => new SendStateChange(s.SendId, SendState.Sent)), at);
        PhraseSlotArms.RecordChoices(store, draws.Select((d, i) => new PhraseChoiceRecord(sends[i].SendId, d.Slot, d.Variant, 0.5)));
        var random = new Random(11);
        foreach (var send in sends.Where(_ => random.NextDouble() < 0.3))
        {
            store.RecordEngagement(new EngagementEvent(send.SendId, send.CampaignId, send.CustomerId, send.Variant, "click", at.AddHours(1)));
        }
        var next = campaign with { Type = CampaignTypes.Recommendations, CreatedAt = DateTimeOffset.UtcNow };
        return PhraseSlotArms.LoadPrior(store, next, new LearnOptions());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_storeDirectory.Length > 0)
        {
            Directory.Delete(_storeDirectory, true);
        }
    }

    [Benchmark]
    public ComposedEmail Compose_Recommendations_WithArms()
    {
        var context = _withArms[_next];
        _next = _next + 1 == _withArms.Length ? 0 : _next + 1;
        return _composer.Compose(context);
    }

    [Benchmark]
    public ComposedEmail Compose_Recommendations()
    {
        var context = _contexts[_next];
        _next = _next + 1 == _contexts.Length ? 0 : _next + 1;
        return _composer.Compose(context);
    }
}
