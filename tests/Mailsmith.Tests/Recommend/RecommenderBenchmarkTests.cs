using System.Text.Json;
using Mailsmith.Cli;
using Mailsmith.Recommend.Evaluation;
using Mailsmith.Tests.Profile.Clv;

namespace Mailsmith.Tests.Recommend;

/// <summary>The <c>recs eval</c> harness: metrics against hand-computed cases, the split protocol, the models, the CLI.</summary>
[Collection("Console")]
public sealed class RecommenderBenchmarkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-recs-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void ForUser_HandComputed()
    {
        // Ranked [1,2,3,4], relevant {1,3,9}, k = 4: hits at ranks 1 and 3.
        var (precision, recall, ndcg, map) = RankingMetrics.ForUser([1, 2, 3, 4], new HashSet<int> { 1, 3, 9 }, 4);
        Assert.Equal(2 / 4.0, precision, 12);
        Assert.Equal(2 / 3.0, recall, 12);
        // DCG = 1/ln 2 + 1/ln 4; IDCG (3 relevant, k 4) = 1/ln 2 + 1/ln 3 + 1/ln 4.
        Assert.Equal((1 / Math.Log(2) + 1 / Math.Log(4)) / (1 / Math.Log(2) + 1 / Math.Log(3) + 1 / Math.Log(4)), ndcg, 12);
        // MAP (Recommenders): (1/1 + 2/3) / 3 relevant.
        Assert.Equal((1 + 2 / 3.0) / 3, map, 12);
    }

    [Fact]
    public void ForUser_NoHits_IsZeroAndShortListsStillDivideByK()
    {
        var (p, r, n, m) = RankingMetrics.ForUser([5], new HashSet<int> { 1 }, 10);
        Assert.Equal((0.0, 0.0, 0.0, 0.0), (p, r, n, m));
        var (p2, _, n2, _) = RankingMetrics.ForUser([1], new HashSet<int> { 1 }, 10);
        Assert.Equal(0.1, p2, 12);
        Assert.Equal(1.0, n2, 12);
    }

    [Fact]
    public void Average_SkipsUsersWithoutTestItemsAndCountsCoverage()
    {
        var lists = new Dictionary<int, IReadOnlyList<int>> { [0] = [1, 2], [1] = [3], [2] = [4] };
        var relevant = new Dictionary<int, HashSet<int>> { [0] = [1], [1] = [9] };
        var scores = RankingMetrics.Average(lists, relevant, 2, trainItems: 8);
        Assert.Equal(2, scores.Users);
        Assert.Equal((0.5 + 0) / 2, scores.Precision, 12);
        Assert.Equal(4 / 8.0, scores.Coverage, 12);
    }

    [Theory]
    [InlineData(SplitKind.User)]
    [InlineData(SplitKind.Item)]
    [InlineData(SplitKind.Time)]
    public void Split_KeepsTheRatioPerGroupIsSeededAndNeverSharesAPair(SplitKind kind)
    {
        var set = Synthetic(users: 60, items: 40, seed: 3);
        var (train, test) = Splits.Split(set, kind, 0.75, 42);
        var (train2, _) = Splits.Split(set, kind, 0.75, 42);
        Assert.Equal(train, train2);
        Assert.Empty(train.Select(t => (t.User, t.Item)).Intersect(test.Select(t => (t.User, t.Item))));
        Func<Interaction, int> key = kind == SplitKind.Item ? i => i.Item : i => i.User;
        foreach (var group in train.Concat(test).GroupBy(key))
        {
            var trained = train.Count(t => key(t) == group.Key);
            Assert.Equal((int)Math.Round(0.75 * group.Count(), MidpointRounding.ToEven), trained);
        }
        if (kind == SplitKind.Time)
        {
            foreach (var user in test.GroupBy(t => t.User))
            {
                Assert.True(user.Min(t => t.Time) >= train.Where(t => t.User == user.Key).DefaultIfEmpty().Max(t => t.Time));
            }
        }
    }

    [Fact]
    public void Cholesky_InverseOfASpdMatrix_MatchesTheIdentity()
    {
        var random = new Random(5);
        const int n = 90;
        var m = new double[n, n];
        var x = Enumerable.Range(0, n * 3).Select(_ => random.NextDouble()).ToArray();
        var a = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var v = 0.0;
                for (var k = 0; k < 3; k++)
                {
                    v += x[i * 3 + k] * x[j * 3 + k];
                }
                m[i, j] = v + (i == j ? 2 : 0);
                a[i * n + j] = (float)m[i, j];
            }
        }
        var inverse = Cholesky.InverseSpd(a, n);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var v = 0.0;
                for (var k = 0; k < n; k++)
                {
                    v += m[i, k] * inverse[k * n + j];
                }
                Assert.Equal(i == j ? 1 : 0, v, 3);
            }
        }
    }

    [Fact]
    public void Run_OnStructuredData_LearnedModelsBeatPopularity()
    {
        // Users belong to one of 4 taste groups and interact mostly inside their group's 10 items.
        var set = Synthetic(users: 400, items: 40, seed: 11);
        var report = RecommenderBenchmark.Run(set, new EvaluationOptions { K = 5 });
        var by = report.Results.ToDictionary(r => r.Name);
        Assert.True(by["sar"].Scores.Ndcg > by["popularity"].Scores.Ndcg * 1.5, $"sar {by["sar"].Scores.Ndcg} vs popularity {by["popularity"].Scores.Ndcg}");
        Assert.True(by["ease"].Scores.Ndcg > by["popularity"].Scores.Ndcg * 1.5);
        Assert.True(by["hybrid"].Scores.Ndcg > by["popularity"].Scores.Ndcg * 1.5);
    }

    [Fact]
    public async Task Cli_MovieLensFormat_PrintsTheDocumentedJson()
    {
        var random = new Random(1);
        var lines = new List<string>();
        for (var u = 1; u <= 80; u++)
        {
            var group = u % 4;
            foreach (var item in Enumerable.Range(0, 12).Select(_ => group * 10 + random.Next(10) + 1).Distinct())
            {
                lines.Add($"{u}\t{item}\t{random.Next(1, 6)}\t{880000000 + random.Next(1000000)}");
            }
        }
        var path = Path.Combine(_dir, "u.data");
        await File.WriteAllLinesAsync(path, lines);
        var (code, stdout, _) = await ClvCliTests.RunAsync("recs", "eval", "--interactions", path, "--format", "movielens", "--json");
        Assert.Equal(ExitCode.Success, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(["popularity", "sar", "ease", "hybrid", "bought-together"], json.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var algorithm in json.RootElement.EnumerateObject())
        {
            Assert.Equal(["precision", "recall", "ndcg", "map", "coverage", "fit_seconds", "recommend_seconds"], algorithm.Value.EnumerateObject().Select(p => p.Name));
            Assert.InRange(algorithm.Value.GetProperty("ndcg").GetDouble(), 0, 1);
        }
    }

    [Fact]
    public async Task Baskets_Groceries_EachBasketIsAUserAndEachItemOneInteraction()
    {
        var set = await InteractionSet.ReadAsync(SharedData.File("groceries", "groceries.csv"), InteractionFormat.Baskets);

        // arules' Groceries: 9,835 transactions, 169 items, 43,367 item occurrences (its summary's density × size).
        Assert.Equal(9835, set.UserIds.Count);
        Assert.Equal(169, set.ItemIds.Count);
        Assert.Equal(43367, set.Interactions.Count);
        Assert.All(set.Interactions, i => Assert.Equal(1f, i.Weight));
        Assert.Equal(["citrus fruit", "margarine", "ready soups", "semi-finished bread"],
            set.Interactions.Where(i => set.UserIds[i.User] == "basket 1").Select(i => set.ItemIds[i.Item]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Cli_GroceriesBaskets_TheLearnedModelBeatsPopularityAndSar()
    {
        // Real baskets, not generated ones: completing each basket from three quarters of it. The default chain's
        // first model must beat both baselines here as well as on the generated store (docs/recommend.md).
        var (code, stdout, stderr) = await ClvCliTests.RunAsync("recs", "eval", "--interactions", SharedData.File("groceries", "groceries.csv"),
            "--format", "baskets", "--algorithms", "popularity", "sar", "ease", "--json");
        Assert.True(code == ExitCode.Success, stderr);
        using var json = JsonDocument.Parse(stdout);
        double Ndcg(string name) => json.RootElement.GetProperty(name).GetProperty("ndcg").GetDouble();
        Assert.InRange(Ndcg("popularity"), 0.15, 0.35);
        Assert.True(Ndcg("ease") > Ndcg("popularity") * 1.05, $"ease {Ndcg("ease")} vs popularity {Ndcg("popularity")}");
        Assert.True(Ndcg("ease") > Ndcg("sar"), $"ease {Ndcg("ease")} vs sar {Ndcg("sar")}");
    }

    [Fact]
    public async Task Cli_BasketsFormat_BadFileNamesLine()
    {
        var path = Path.Combine(_dir, "baskets.csv");
        await File.WriteAllTextAsync(path, "order_id,product_id\no1,\n");
        var (code, _, stderr) = await ClvCliTests.RunAsync("recs", "eval", "--interactions", path, "--format", "baskets");
        Assert.NotEqual(ExitCode.Success, code);
        Assert.Contains("baskets.csv:2", stderr);
    }

    [Theory]
    [InlineData("user_id,item_id\n1,2\n", ":1: the header lacks timestamp")]
    [InlineData("user_id,item_id,timestamp\n1,2,yesterday\n", ":2: field timestamp 'yesterday'")]
    [InlineData("user_id,item_id,timestamp,weight\n1,2,2024-01-01T00:00:00Z,-1\n", ":2: field weight '-1'")]
    [InlineData("user_id,item_id,timestamp\n,2,5\n", ":2: field user_id is empty")]
    public async Task Cli_BadCsv_NamesLineAndField(string content, string expected)
    {
        var path = Path.Combine(_dir, "bad.csv");
        await File.WriteAllTextAsync(path, content);
        var (code, _, stderr) = await ClvCliTests.RunAsync("recs", "eval", "--interactions", path);
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains(path + expected, stderr);
    }

    [Fact]
    public async Task Csv_IsoAndUnixTimestamps_BothRead()
    {
        var path = Path.Combine(_dir, "i.csv");
        await File.WriteAllTextAsync(path, "user_id,item_id,timestamp,weight\na,x,2024-01-01T00:00:00Z,2\na,y,1704067200,1\n");
        var set = await InteractionSet.ReadAsync(path, InteractionFormat.Csv);
        Assert.Equal(2, set.Interactions.Count);
        Assert.Equal(set.Interactions[0].Time, set.Interactions[1].Time);
        Assert.Equal(2f, set.Interactions[0].Weight);
    }

    private static InteractionSet Synthetic(int users, int items, int seed)
    {
        var random = new Random(seed);
        var rows = new List<(string, string, long, float)>();
        var groupSize = items / 4;
        for (var u = 0; u < users; u++)
        {
            var group = u % 4;
            var count = random.Next(6, 14);
            foreach (var item in Enumerable.Range(0, count).Select(_ => random.NextDouble() < 0.85 ? group * groupSize + random.Next(groupSize) : random.Next(items)).Distinct())
            {
                rows.Add(($"u{u}", $"i{item}", 1_700_000_000 + random.Next(10_000_000), 1));
            }
        }
        return InteractionSet.From(rows);
    }
}
