using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

public sealed class ContentRecommenderTests
{
    private static Product P(string id, string title, string? description, string category, string[]? tags = null, (string Locale, string Title, string? Description)? localized = null) =>
        new(id, title, description, category, null, 10m, "USD", true, null, null, tags ?? [],
            localized is { } l ? new Dictionary<string, LocalizedText> { [l.Locale] = new LocalizedText(l.Title, l.Description) } : new Dictionary<string, LocalizedText>());

    [Fact]
    public void Tokenize_ChineseRun_GivesOverlappingBigrams()
    {
        Assert.Equal(["咖啡", "啡豆"], ContentRecommender.Tokenize("咖啡豆"));
        Assert.Equal(["茶"], ContentRecommender.Tokenize("茶"));
    }

    [Fact]
    public void Tokenize_MixedText_LowerCasesWordsDropsStopWordsAndSplitsScripts()
    {
        Assert.Equal(["arabica", "coffee", "咖啡", "beans"], ContentRecommender.Tokenize("The Arabica Coffee, 咖啡 and BEANS a"));
    }

    [Fact]
    public void Recommend_ChineseProduct_FindsItsChineseNeighbour()
    {
        var store = new SnapshotBuilder()
            .Product(P("zh1", "手冲咖啡壶", "不锈钢手冲咖啡壶，细口设计", "厨房 > 咖啡"))
            .Product(P("zh2", "陶瓷手冲咖啡滤杯", "适合手冲咖啡的陶瓷滤杯", "厨房 > 咖啡"))
            .Product(P("zh3", "纯棉浴巾", "柔软吸水的纯棉浴巾", "家居 > 浴室"))
            .Product(P("en1", "Garden hose", "A long green garden hose", "Garden > Tools"))
            .Customer("c1")
            .Event("c1", EventTypes.View, DaysAgo(2), "zh1");
        var recommender = new ContentRecommender(RecommendOptions.Default);
        recommender.Fit(store.Build(), AsOf);

        var picks = recommender.Recommend("c1", 3, _ => true);

        Assert.Equal("zh2", picks[0].ProductId);
        Assert.DoesNotContain(picks, p => p.ProductId == "zh1");
        Assert.Equal("zh2", recommender.SimilarTo("zh1", 1, _ => true)[0].ProductId);
    }

    [Fact]
    public void Recommend_NewProductWithoutInteractions_IsRecommendedByContentAsNewInFavourite()
    {
        var store = new SnapshotBuilder()
            .Product(P("old", "Ethiopian coffee beans", "Light roast single origin coffee beans", "Kitchen > Coffee", ["coffee", "single-origin"],
                ("zh-CN", "埃塞俄比亚咖啡豆", "浅烘焙单一产地咖啡豆")))
            .Product(P("seen", "Colombian coffee beans", "Medium roast coffee beans", "Kitchen > Coffee", ["coffee"]))
            .Product(P("new", "Kenyan coffee beans", "Bright single origin coffee beans, light roast", "Kitchen > Coffee", ["coffee", "single-origin"],
                ("zh-CN", "肯尼亚咖啡豆", "浅烘焙单一产地咖啡豆")))
            .Product(P("towel", "Cotton bath towel", "Soft absorbent towel", "Home > Bath"))
            .Customer("c1").Order("c1", DaysAgo(3), ["old"])
            .Customer("c2").Event("c2", EventTypes.View, DaysAgo(1), "seen").Event("c2", EventTypes.View, DaysAgo(1), "towel");
        var recommender = new ContentRecommender(RecommendOptions.Default);
        recommender.Fit(store.Build(), AsOf);

        var picks = recommender.Recommend("c1", 2, _ => true);

        Assert.Equal("new", picks[0].ProductId);
        Assert.Equal(new RecommendationReason(ReasonKind.NewInFavourite, Category: "Kitchen > Coffee"), picks[0].Reason);
        // A product somebody has touched gets the similar-to reason naming the closest history product.
        Assert.Equal(new RecommendationReason(ReasonKind.SimilarTo, ProductId: "old"), picks[1].Reason);
        Assert.Equal("seen", picks[1].ProductId);
    }

    [Fact]
    public void Recommend_Allow_IsRespectedAndUnknownCustomerGetsNothing()
    {
        var store = new SnapshotBuilder()
            .Product(P("a", "Green tea", null, "Kitchen > Tea"))
            .Product(P("b", "Green tea leaves", null, "Kitchen > Tea"))
            .Customer("c1").Event("c1", EventTypes.View, DaysAgo(1), "a");
        var recommender = new ContentRecommender(RecommendOptions.Default);
        recommender.Fit(store.Build(), AsOf);

        Assert.Empty(recommender.Recommend("c1", 5, id => id != "b"));
        Assert.Empty(recommender.Recommend("nobody", 5, _ => true));
    }
}
