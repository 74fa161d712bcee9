using Mailsmith.Compose;
using Mailsmith.Recommend;
using Mailsmith.Storage;
using Mailsmith.Synthetic;

namespace Mailsmith.Tests.Compose;

/// <summary>
/// The guardrails and the plan's own facts: a catalog title may hold capitals ("LED") and numbers ("2-4 Players"), and a
/// subject may be cut inside a title. None of that is an invented fact or shouting (the demo lost 228 emails to it).
/// </summary>
public class CopyChecksFactsTests
{
    private static readonly Product Bulbs = ComposeTestData.MakeProduct(
        "P0254", "Glowhaus Modern Warm White LED Bulb Pack, 6-Pack", "Glowhaus 现代暖白 LED 灯泡套装 6只装", 19.99m, "USD", "Home > Lighting");

    private static readonly Product Game = ComposeTestData.MakeProduct(
        "P0588", "Oakhill Games Strategy Cooperative Board Game, 2-4 Players", "Oakhill Games 策略合作桌游 2-4人", 61.99m, "USD", "Toys > Puzzles & Games");

    private static List<ProductBlock> LeadWith(Product lead)
    {
        var blocks = new List<ProductBlock> { new(lead, new Recommendation(lead.ProductId, 1.0, new RecommendationReason(ReasonKind.Viewed, ProductId: lead.ProductId))) };
        blocks.AddRange(ComposeTestData.Blocks(3));
        return blocks;
    }

    private static EmailPlan PlanFor(string type, string locale, Product lead, int seed = 1, double sensitivity = 0.05) =>
        ComposeTestData.Default.Plan(ComposeTestData.Context(
            type, locale, seed: seed, products: LeadWith(lead),
            profile: ComposeTestData.Profile(sensitivity: sensitivity) with { DiscountSensitivity = sensitivity }));

    [Fact]
    public void WriteCopy_EveryGeneratedProductAsLead_PassesTheChecks()
    {
        // The demo's own catalog (the generator's default seed and size): every title leads every campaign type in
        // both locales, in every frame (low sensitivity is mostly quality framing, whose subjects all name the product).
        var catalog = new CatalogBuilder(SyntheticVocabulary.Embedded).Build(600, new Random(Draw.StreamSeed(42, 1, 0)));
        var composer = ComposeTestData.Default;
        var failures = new List<string>();
        var cut = 0;
        var n = 0;
        double[] sensitivities = [0.05, 0.05, 0.5, 0.95];
        foreach (var generated in catalog.Products)
        {
            var lead = ComposeTestData.MakeProduct(
                generated.Id, generated.TitleEn, generated.TitleZh, generated.Price, "USD", generated.Category.Path);
            foreach (var type in CampaignTypes.All)
            {
                foreach (var locale in (string[])["en-US", "zh-CN"])
                {
                    var plan = PlanFor(type, locale, lead, seed: n, sensitivity: sensitivities[n % sensitivities.Length]);
                    n++;
                    var copy = composer.WriteCopy(plan);
                    cut += copy.Subject.EndsWith('…') ? 1 : 0;
                    var result = CopyChecks.Check(plan, copy);
                    if (!result.Passed && failures.Count < 20)
                    {
                        failures.Add($"{generated.Id} {type} {locale}: {string.Join("; ", result.Failures)} | {copy.Subject}");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The test covers the cut subjects it is about.
        Assert.True(cut > 100, $"only {cut} subjects were cut to length");
    }

    [Theory]
    [InlineData(CampaignTypes.PriceDrop, "en-US", "Quality for less: the Glowhaus Modern Warm White LED Bulb…")]
    [InlineData(CampaignTypes.BackInStock, "en-US", "Worth the wait: the Oakhill Games Strategy Cooperative Board Game, 2-4…")]
    [InlineData(CampaignTypes.BackInStock, "zh-CN", "补货到店，做工如一：Oakhill Games 策略合作桌游 2-4…")]
    [InlineData(CampaignTypes.PriceDrop, "zh-CN", "同样品质更低价格：Glowhaus 现代暖白 LED…")]
    public void Check_SubjectCutInsideAProductTitle_Passes(string type, string locale, string subject)
    {
        var lead = subject.Contains("LED", StringComparison.Ordinal) ? Bulbs : Game;
        var plan = PlanFor(type, locale, lead);
        var copy = ComposeTestData.Default.WriteCopy(plan) with { Subject = subject };

        var result = CopyChecks.Check(plan, copy);

        Assert.True(result.Passed, string.Join("; ", result.Failures));
    }

    [Theory]
    // A cut inside a number would state a number the plan does not have (2025 → 20).
    [InlineData("Save on the Brewmaster Kettle 20…", "number '20'")]
    // Only a title cut by the ellipsis is excused, not a title that merely starts the same way.
    [InlineData("Save on the Brewmaster Kettle 2026 Edition", "number '2026'")]
    [InlineData("Save on the Brewmaster FREE…", "all-caps")]
    public void Check_CutTitleThatStatesSomethingElse_Fails(string subject, string expected)
    {
        var kettle = ComposeTestData.MakeProduct("p-brew", "Brewmaster Kettle 2025 Edition", "Brewmaster 手冲壶 2025款", 59m, "USD", "Kitchen > Coffee & Tea");
        var plan = PlanFor(CampaignTypes.PriceDrop, "en-US", kettle);
        var copy = ComposeTestData.Default.WriteCopy(plan) with { Subject = subject };

        var result = CopyChecks.Check(plan, copy);

        Assert.False(result.Passed);
        Assert.Contains(result.Failures, f => f.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    // A writer (the LLM one especially) may name a product by part of its title: its capitals and numbers are the plan's.
    [InlineData("Our LED bulbs fill a room with a warm light.", true)]
    [InlineData("A cooperative game for 2-4 players, ready for quiet evenings.", true)]
    [InlineData("Our FREE bulbs fill a room with a warm light.", false)]
    [InlineData("A cooperative game for 2-6 players, ready for quiet evenings.", false)]
    [InlineData("Our bulbs last 6 years.", false)]
    public void Check_CapitalsAndNumbersFromTheTitles_PassOthersFail(string paragraph, bool passes)
    {
        var blocks = new List<ProductBlock>
        {
            new(Bulbs, new Recommendation(Bulbs.ProductId, 1.0, new RecommendationReason(ReasonKind.Viewed, ProductId: Bulbs.ProductId))),
            new(Game, new Recommendation(Game.ProductId, 0.9, new RecommendationReason(ReasonKind.Popular))),
        };
        blocks.AddRange(ComposeTestData.Blocks(2));
        var plan = ComposeTestData.Default.Plan(ComposeTestData.Context(CampaignTypes.Recommendations, "en-US", seed: 3, products: blocks));
        var good = ComposeTestData.Default.WriteCopy(plan);
        Assert.True(CopyChecks.Check(plan, good).Passed, string.Join("; ", CopyChecks.Check(plan, good).Failures));

        var result = CopyChecks.Check(plan, good with { Paragraphs = [.. good.Paragraphs.Take(2), paragraph] });

        Assert.True(result.Passed == passes, string.Join("; ", result.Failures));
    }
}
