using System.Text.Json;
using Mailsmith.Cli;
using Mailsmith.Recommend.Rules;
using Mailsmith.Tests.Profile.Clv;

namespace Mailsmith.Tests.Recommend;

/// <summary>FP-Growth and the arules rule conventions: the published Groceries counts, hand-computed measures, brute force.</summary>
[Collection("Console")]
public sealed class AssociationRulesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-rules-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task Groceries_Support0006Confidence025_FindsThe463RulesOfTheLiterature()
    {
        var baskets = await Baskets.ReadAsync(SharedData.File("groceries", "groceries.csv"));
        Assert.Equal(9835, baskets.Count);
        Assert.Equal(169, baskets.ItemCount);

        var rules = AssociationRules.Mine(baskets, new RuleMiningOptions { MinSupport = 0.006, MinConfidence = 0.25, MinLength = 2 });

        Assert.Equal(463, rules.Count);
        Assert.Equal(150, rules.Count(r => r.Length == 2));
        Assert.Equal(297, rules.Count(r => r.Length == 3));
        Assert.Equal(16, rules.Count(r => r.Length == 4));
        // The strongest rule by lift in Lantz's Machine Learning with R: {herbs} => {root vegetables}, lift 3.956.
        var top = rules[0];
        Assert.Equal(["herbs"], top.Antecedent);
        Assert.Equal("root vegetables", top.Consequent);
        Assert.Equal(3.956, top.Lift, 3);
        Assert.Equal(0.431, top.Confidence, 3);
        Assert.Equal(69, top.Count);
    }

    [Fact]
    public async Task Groceries_Support0001Confidence08_FindsThe410RulesOfTheArulesExamples()
    {
        var baskets = await Baskets.ReadAsync(SharedData.File("groceries", "groceries.csv"));
        var rules = AssociationRules.Mine(baskets, new RuleMiningOptions { MinSupport = 0.001, MinConfidence = 0.8 });
        Assert.Equal(410, rules.Count);
    }

    [Fact]
    public void Mine_SmallCase_MeasuresAreTheHandComputedOnes()
    {
        // 5 baskets. {a,b} in 3, a in 4, b in 3 → a⇒b: support 3/5, confidence 3/4, lift (3/4)/(3/5) = 1.25;
        // b⇒a: confidence 3/3 = 1, lift 1/(4/5) = 1.25.
        var baskets = Baskets.FromLists([["a", "b"], ["a", "b", "c"], ["a", "b"], ["a", "c"], ["c"]]);
        var rules = AssociationRules.Mine(baskets, new RuleMiningOptions { MinSupport = 0.5, MinConfidence = 0.5 });

        var ab = Assert.Single(rules, r => r.Antecedent.SequenceEqual(["a"]) && r.Consequent == "b");
        Assert.Equal(0.6, ab.Support, 12);
        Assert.Equal(0.75, ab.Confidence, 12);
        Assert.Equal(1.25, ab.Lift, 12);
        var ba = Assert.Single(rules, r => r.Antecedent.SequenceEqual(["b"]) && r.Consequent == "a");
        Assert.Equal(1.0, ba.Confidence, 12);
        Assert.Equal(1.25, ba.Lift, 12);
        // {a,c} is in 2 of 5 baskets (0.4 < 0.5): no rule between a and c.
        Assert.DoesNotContain(rules, r => r.Consequent == "c" || r.Antecedent.Contains("c"));
        Assert.Equal(2, rules.Count);
    }

    [Fact]
    public void Mine_SupportExactlyAtTheThreshold_IsKept()
    {
        // 2 of 4 baskets = 0.5 exactly: arules keeps support >= supp.
        var baskets = Baskets.FromLists([["x", "y"], ["x", "y"], ["x"], ["z"]]);
        var rules = AssociationRules.Mine(baskets, new RuleMiningOptions { MinSupport = 0.5, MinConfidence = 0 });
        Assert.Contains(rules, r => r.Antecedent.SequenceEqual(["x"]) && r.Consequent == "y");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FpGrowth_RandomBaskets_FindsExactlyTheItemsetsOfBruteForce(int seed)
    {
        var random = new Random(seed);
        var lists = Enumerable.Range(0, 200)
            .Select(_ => Enumerable.Range(0, random.Next(1, 7)).Select(_ => "i" + (int)Math.Floor(Math.Pow(random.NextDouble(), 2) * 12)).ToList())
            .ToList();
        var baskets = Baskets.FromLists(lists);
        const int minCount = 8;

        var mined = FpGrowth.Mine(baskets, minCount).ToDictionary(s => string.Join(",", s.Items.Select(baskets.Name).Order(StringComparer.Ordinal)), s => s.Count);

        // Brute force: every subset of every basket, counted once per basket.
        var counts = new Dictionary<string, int>();
        foreach (var list in lists)
        {
            var items = list.Distinct().Order(StringComparer.Ordinal).ToArray();
            for (var mask = 1; mask < 1 << items.Length; mask++)
            {
                var key = string.Join(",", items.Where((_, i) => (mask & (1 << i)) != 0));
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        var expected = counts.Where(kv => kv.Value >= minCount).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.Ordinal), mined.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void FpGrowth_BasketOrder_DoesNotChangeTheItemsets()
    {
        var random = new Random(7);
        var lists = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, random.Next(1, 6)).Select(_ => "p" + random.Next(10)).ToList()).ToList();
        static string Signature(Baskets b) => string.Join(";", FpGrowth.Mine(b, 10)
            .Select(s => string.Join(",", s.Items.Select(b.Name).Order(StringComparer.Ordinal)) + "=" + s.Count).Order(StringComparer.Ordinal));
        var shuffled = lists.OrderBy(_ => random.Next()).ToList();
        Assert.Equal(Signature(Baskets.FromLists(lists)), Signature(Baskets.FromLists(shuffled)));
    }

    [Fact]
    public async Task ReadAsync_OrderProductCsv_GroupsLinesOfAnOrderWhereverTheyAre()
    {
        var path = Write("lines.csv", "order_id,product_id\no1,milk\no2,bread\no1,bread\no1,milk\n\no2,butter\n");
        var baskets = await Baskets.ReadAsync(path);
        Assert.Equal(2, baskets.Count);
        Assert.Equal(["milk", "bread"], baskets[0].ToArray().Select(baskets.Name));
        Assert.Equal(["bread", "butter"], baskets[1].ToArray().Select(baskets.Name));
    }

    [Fact]
    public async Task ReadAsync_HeaderlessLines_ReadQuotedItemsWithCommas()
    {
        var path = Write("b.txt", "\"salt, coarse\",pepper\npepper\n");
        var baskets = await Baskets.ReadAsync(path);
        Assert.Equal(2, baskets.Count);
        Assert.Equal("salt, coarse", baskets.Name(baskets[0][0]));
    }

    [Theory]
    [InlineData("order_id,product_id\no1,\n", ":2: field product_id is empty")]
    [InlineData("order_id,product_id\no1,a,b\n", ":2: expected 2 fields")]
    [InlineData("milk,bread\nmilk,,bread\n", ":2: item 2 is empty")]
    [InlineData("milk,\"bread\n", ":1: field 2 has an unclosed quote")]
    [InlineData("order_id,product_id\n", "no baskets")]
    public async Task ReadAsync_BadLines_NameFileLineAndField(string content, string expected)
    {
        var path = Write("bad.csv", content);
        var e = await Assert.ThrowsAsync<FormatException>(() => Baskets.ReadAsync(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Cli_Json_PrintsEveryRuleWithTheDocumentedKeys()
    {
        var (code, stdout, _) = await ClvCliTests.RunAsync("recs", "rules", "--baskets", SharedData.File("groceries", "groceries.csv"),
            "--min-support", "0.006", "--min-confidence", "0.25", "--json");
        Assert.Equal(ExitCode.Success, code);
        using var json = JsonDocument.Parse(stdout);
        var rules = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(463, rules.Count);
        Assert.All(rules, r =>
        {
            Assert.Equal(["antecedent", "consequent", "support", "confidence", "lift"], r.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, r.GetProperty("consequent").GetArrayLength());
            Assert.True(r.GetProperty("support").GetDouble() >= 0.006);
            Assert.True(r.GetProperty("confidence").GetDouble() >= 0.25);
        });
    }

    [Fact]
    public async Task Cli_MinLength3_DropsThePairs()
    {
        var (code, stdout, _) = await ClvCliTests.RunAsync("recs", "rules", "--baskets", SharedData.File("groceries", "groceries.csv"),
            "--min-support", "0.006", "--min-confidence", "0.25", "--min-length", "3", "--json");
        Assert.Equal(ExitCode.Success, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(297 + 16, json.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Cli_BadFile_ExitsWithBadDataAndNamesTheLine()
    {
        var path = Write("bad.csv", "order_id,product_id\no1,\n");
        var (code, _, stderr) = await ClvCliTests.RunAsync("recs", "rules", "--baskets", path, "--min-support", "0.1", "--min-confidence", "0.1");
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains($"{path}:2: field product_id is empty", stderr);
    }

    [Theory]
    [InlineData("--min-support", "0")]
    [InlineData("--min-support", "1.5")]
    [InlineData("--min-confidence", "-0.1")]
    [InlineData("--min-length", "1")]
    public async Task Cli_BadThresholds_AreUsageErrors(string option, string value)
    {
        var path = Write("ok.csv", "a,b\na\n");
        var args = new Dictionary<string, string> { ["--min-support"] = "0.1", ["--min-confidence"] = "0.1", [option] = value };
        var (code, _, stderr) = await ClvCliTests.RunAsync(["recs", "rules", "--baskets", path, .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(ExitCode.Usage, code);
        Assert.Contains("error:", stderr);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }
}
