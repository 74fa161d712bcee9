using Mailsmith.Compose;
using Mailsmith.Deliver;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Compose;

/// <summary>Builds composers and contexts from constructed data; every test states the parts it varies.</summary>
internal static class ComposeTestData
{
    public static readonly SenderOptions Sender = new()
    {
        StoreName = "Brew & Co",
        PostalAddress = "12 Harbour Road, Portsmouth, PO1 2AB, UK",
        StoreUrl = "https://shop.example",
    };

    public const string UnsubscribeUrl = "https://shop.example/u/abc123?sig=xyz";

    public static readonly Product Kettle = MakeProduct("p-kettle", "Pour-over Kettle", "手冲咖啡壶", 49.99m, "USD", "Kitchen > Coffee & Tea");
    public static readonly Product Press = MakeProduct("p-press", "Aeropress Go", "Aeropress Go 便携咖啡机", 39.95m, "USD", "Kitchen > Coffee & Tea");
    public static readonly Product Dripper = MakeProduct("p-dripper", "Ceramic Dripper", "陶瓷滤杯", 299.00m, "CNY", "Kitchen > Coffee & Tea");
    public static readonly Product Grinder = MakeProduct("p-grinder", "Burr Grinder", "磨豆机", 129m, "USD", "Kitchen > Coffee & Tea");
    public static readonly Product Tent = MakeProduct("p-tent", "Trail Tent", "徒步帐篷", 249.50m, "USD", "Outdoors > Camping");
    public static readonly Product Frother = MakeProduct("p-frother", "Milk Frother", "奶泡器", 24.00m, "USD", "Kitchen > Coffee & Tea");

    private static readonly Dictionary<string, Product> Catalog = new[] { Kettle, Press, Dripper, Grinder, Tent, Frother }.ToDictionary(p => p.ProductId);

    private static readonly Lazy<EmailComposer> Shared = new(() => Composer());

    /// <summary>The composer over the shipped phrase files and layouts (from the build output), shared: it is immutable.</summary>
    public static EmailComposer Default => Shared.Value;

    public static EmailComposer Composer(ComposeOptions? options = null) =>
        new(options ?? new ComposeOptions(), Sender, id => Catalog.GetValueOrDefault(id));

    public static Product MakeProduct(string id, string title, string zhTitle, decimal price, string currency, string category) => new(
        id, title, null, category, null, price, currency, true, $"https://cdn.example/{id}.jpg", $"https://shop.example/p/{id}", [],
        new Dictionary<string, LocalizedText> { ["zh-CN"] = new(zhTitle, null) });

    /// <summary>Every reason kind over six products (the sixth, explore, only when asked for six), the first in the cart.</summary>
    public static IReadOnlyList<ProductBlock> Blocks(int count = 5)
    {
        ProductBlock[] all =
        [
            new(Kettle, new Recommendation(Kettle.ProductId, 1.0, new RecommendationReason(ReasonKind.InCart))),
            new(Press, new Recommendation(Press.ProductId, 0.9, new RecommendationReason(ReasonKind.Viewed, ProductId: Frother.ProductId))),
            new(Dripper, new Recommendation(Dripper.ProductId, 0.8, new RecommendationReason(ReasonKind.BoughtWith, ProductId: Kettle.ProductId))),
            new(Grinder, new Recommendation(Grinder.ProductId, 0.7, new RecommendationReason(ReasonKind.PopularIn, Category: "Kitchen > Coffee & Tea"))),
            new(Tent, new Recommendation(Tent.ProductId, 0.6, new RecommendationReason(ReasonKind.Popular))),
            new(Frother, new Recommendation(Frother.ProductId, 0.5, new RecommendationReason(ReasonKind.Explore))),
        ];
        return all[..count];
    }

    public static Customer Customer(string locale, string? first = "Anna", string? last = "Berg") =>
        new("c-1", "anna@example.com", first, last, locale, "Europe/Berlin", null, null, true, null);

    public static CustomerProfile Profile(
        string lifecycle = Lifecycle.Active, double sensitivity = 0.5, int? activeHour = 14, int frequency = 2, params string[] categories) =>
        new("c-1", 20, frequency, 120m, 4, 3, 3, lifecycle, categories.Length > 0 ? categories : ["Kitchen > Coffee & Tea"],
            PriceBand.Mid, activeHour, 0.2, 60m, sensitivity);

    public static EmailContext Context(
        string campaignType, string locale, int seed = 1, Customer? customer = null, CustomerProfile? profile = null,
        IReadOnlyList<ProductBlock>? products = null, string variant = "A")
    {
        var campaign = new Campaign(
            "camp-1", campaignType, "Test campaign", "default", CampaignStatus.Composing, [new CampaignVariant("A", 1)], 42,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        return new EmailContext(
            campaign, variant, customer ?? Customer(locale), profile ?? Profile(), products ?? Blocks(),
            new EmailLinks(UnsubscribeUrl, url => "https://t.example/c?u=" + Uri.EscapeDataString(url)),
            new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero), seed);
    }

    /// <summary>A scratch folder removed on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mailsmith-compose-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    /// <summary>Where the shipped phrase files and layouts sit in the test's build output.</summary>
    public static string ShippedFolder(string name, string sourceFolder)
    {
        var preferred = System.IO.Path.Combine(AppContext.BaseDirectory, name);
        return Directory.Exists(preferred) ? preferred : System.IO.Path.Combine(AppContext.BaseDirectory, "Compose", sourceFolder);
    }
}
