using Mailsmith.Recommend;
using Mailsmith.Recommend.Evaluation;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

/// <summary>Content-based under the <c>recs eval</c> harness: it reads the store's product texts, and is skipped on a file.</summary>
public sealed class ContentModelEvaluationTests
{
    private static Product P(string id, string title, string description, string category) =>
        new(id, title, description, category, null, 10m, "USD", true, null, null, [], new Dictionary<string, LocalizedText>());

    private static SnapshotBuilder Store() => new SnapshotBuilder()
        .Product(P("coffee1", "Ethiopian coffee beans", "Light roast single origin coffee", "Kitchen > Coffee"))
        .Product(P("coffee2", "Kenyan coffee beans", "Bright single origin coffee, light roast", "Kitchen > Coffee"))
        .Product(P("zh1", "手冲咖啡壶", "不锈钢手冲咖啡壶", "厨房 > 咖啡"))
        .Product(P("zh2", "陶瓷手冲咖啡滤杯", "适合手冲咖啡的滤杯", "厨房 > 咖啡"))
        .Product(P("towel", "Cotton bath towel", "Soft absorbent towel", "Home > Bath"))
        .Product(P("hose", "Garden hose", "A long green garden hose", "Garden > Tools"))
        .Customer("c1").Event("c1", EventTypes.View, DaysAgo(2), "coffee1")
        .Customer("c2").Event("c2", EventTypes.View, DaysAgo(1), "zh1")
        .Customer("c3").Event("c3", EventTypes.View, DaysAgo(1), "towel").Event("c3", EventTypes.View, DaysAgo(1), "hose")
        .Customer("c4").Event("c4", EventTypes.View, DaysAgo(3), "coffee2").Event("c4", EventTypes.View, DaysAgo(3), "zh2");

    private static float[] Scores(InteractionSet set, ContentModel model, string user)
    {
        var matrix = new TrainMatrix(set.Interactions, set.UserIds.Count, set.ItemIds.Count);
        model.Fit(matrix);
        var scores = new float[set.ItemIds.Count];
        model.Score(set.UserIds.ToList().IndexOf(user), scores);
        return scores;
    }

    [Fact]
    public void Score_FromStore_RanksTheTextNeighbourFirstInEitherLanguage()
    {
        var set = InteractionSet.FromStore(Store().Build(), RecommendOptions.Default);
        Assert.NotNull(set.ItemProducts);
        var items = set.ItemIds.ToList();

        var english = Scores(set, new ContentModel(set.ItemProducts!), "c1");
        Assert.True(english[items.IndexOf("coffee2")] > 0);
        Assert.Equal(0, english[items.IndexOf("towel")]);
        Assert.Equal(0, english[items.IndexOf("hose")]);

        var chinese = Scores(set, new ContentModel(set.ItemProducts!), "c2");
        Assert.True(chinese[items.IndexOf("zh2")] > chinese[items.IndexOf("coffee2")]);
        Assert.Equal(0, chinese[items.IndexOf("towel")]);
    }

    [Fact]
    public void Run_OnAFileSet_ReportsContentSkippedAndTheOthersScored()
    {
        var rows = new List<(string, string, long, float)>();
        for (var u = 0; u < 20; u++)
        {
            for (var i = 0; i < 6; i++)
            {
                rows.Add(($"u{u}", $"i{(u + i) % 9}", 1_700_000_000 + i, 1));
            }
        }
        var report = RecommenderBenchmark.Run(InteractionSet.From(rows), new EvaluationOptions { K = 3, Algorithms = ["popularity", "content"] });

        Assert.Null(report.Results.Single(r => r.Name == "popularity").Skipped);
        Assert.Contains("--from-db", report.Results.Single(r => r.Name == "content").Skipped);
    }

    [Fact]
    public void Run_FromStore_EvaluatesContent()
    {
        var set = InteractionSet.FromStore(Store().Build(), RecommendOptions.Default);
        var report = RecommenderBenchmark.Run(set, new EvaluationOptions { K = 3, Ratio = 0.5, Algorithms = ["content"] });

        var content = Assert.Single(report.Results);
        Assert.Null(content.Skipped);
        Assert.Equal("content", content.Name);
    }
}
