using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using Xunit.Abstractions;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

public sealed class RecommenderEvaluationTests(ITestOutputHelper output)
{
    /// <summary>
    /// 8 categories × 15 products; each of 400 customers sticks to one category: before the split they view 8 and buy 2
    /// of its products (plus 2 random views anywhere); after it they buy one more product of that category.
    /// </summary>
    private static StoreSnapshot CategoryLoyalStore(DateTimeOffset split)
    {
        var random = new Random(20260301);
        var data = new SnapshotBuilder();
        const int Categories = 8, PerCategory = 15;
        for (var c = 0; c < Categories; c++)
        {
            for (var i = 0; i < PerCategory; i++)
            {
                data.Product($"c{c}-p{i:00}", $"Cat {c}");
            }
        }
        for (var u = 0; u < 400; u++)
        {
            var id = $"u{u:000}";
            var category = u % Categories;
            data.Customer(id);
            DateTimeOffset Before() => split.AddDays(-1 - random.Next(90)).AddMinutes(random.Next(1440));
            for (var v = 0; v < 8; v++)
            {
                data.Event(id, EventTypes.View, Before(), $"c{category}-p{random.Next(PerCategory):00}");
            }
            for (var v = 0; v < 2; v++)
            {
                data.Event(id, EventTypes.View, Before(), $"c{random.Next(Categories)}-p{random.Next(PerCategory):00}");
            }
            var first = random.Next(PerCategory);
            var second = (first + 1 + random.Next(PerCategory - 1)) % PerCategory;
            data.Order(id, Before(), [$"c{category}-p{first:00}", $"c{category}-p{second:00}"]);
            int next;
            do
            {
                next = random.Next(PerCategory);
            }
            while (next == first || next == second);
            data.Order(id, split.AddDays(random.Next(20)), [$"c{category}-p{next:00}"]);
        }
        return data.Build();
    }

    [Fact]
    public void HitRateAtK_CategoryLoyalCustomers_ItemItemClearlyBeatsPopularity()
    {
        var split = AsOf.AddDays(-30);
        var snapshot = CategoryLoyalStore(split);

        var itemItem = RecommenderEvaluation.HitRateAtK(snapshot, split, new ItemItemRecommender(RecommendOptions.Default), 5);
        var popularity = RecommenderEvaluation.HitRateAtK(snapshot, split, new PopularityRecommender(RecommendOptions.Default), 5);

        output.WriteLine(itemItem.ToString());
        output.WriteLine(popularity.ToString());
        Assert.Equal(("item-item", 5, 400), (itemItem.Recommender, itemItem.K, itemItem.Users));
        Assert.Equal(400, popularity.Users);
        Assert.True(itemItem.HitRate > 0.25, $"item-item {itemItem}");
        Assert.True(itemItem.HitRate > 2 * popularity.HitRate, $"item-item {itemItem} vs popularity {popularity}");
        Assert.True(itemItem.Ndcg > popularity.Ndcg);
        // One new purchase each: recall equals hit rate.
        Assert.Equal(itemItem.HitRate, itemItem.Recall, 9);
    }

    [Fact]
    public void HitRateAtK_OnlyRepurchasesAfterSplit_NoUsers()
    {
        var split = AsOf.AddDays(-10);
        var snapshot = new SnapshotBuilder().Product("p", "A").Customer("c")
            .Order("c", split.AddDays(-5), ["p"]).Order("c", split.AddDays(2), ["p"]).Build();
        var result = RecommenderEvaluation.HitRateAtK(snapshot, split, new PopularityRecommender(RecommendOptions.Default), 3);
        Assert.Equal(0, result.Users);
    }

    [Fact]
    public void HitRateAtK_PurchaseAtSplit_IsNotTrainingData()
    {
        // The only purchase of "q" is exactly at the split: it must be a target, not something the popularity model saw.
        var split = AsOf.AddDays(-10);
        var snapshot = new SnapshotBuilder().Product("p", "A").Product("q", "A").Customer("c").Customer("d")
            .Order("d", split.AddDays(-3), ["p"])
            .Order("c", split, ["q"]).Build();
        var result = RecommenderEvaluation.HitRateAtK(snapshot, split, new PopularityRecommender(RecommendOptions.Default), 1);
        Assert.Equal(1, result.Users);
        Assert.Equal(0, result.HitRate);
    }
}
