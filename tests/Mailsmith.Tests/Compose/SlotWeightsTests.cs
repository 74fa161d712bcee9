using Mailsmith.Compose;
using Mailsmith.Learn;

namespace Mailsmith.Tests.Compose;

/// <summary>The seam between Learn's phrase-slot arms and the built-in writer's seeded draw (<see cref="ISlotWeights"/>).</summary>
public sealed class SlotWeightsTests
{
    /// <summary>Every variant weighs 1: what a campaign type without history gets.</summary>
    private sealed class Unit : ISlotWeights
    {
        public IReadOnlyList<double> Weights(string slot, IReadOnlyList<string> variantIds) => [.. Enumerable.Repeat(1.0, variantIds.Count)];
    }

    /// <summary>One variant of one slot weighs <paramref name="weight"/>, the others 1.</summary>
    private sealed class Favour(string slot, string variantId, double weight) : ISlotWeights
    {
        public IReadOnlyList<double> Weights(string name, IReadOnlyList<string> variantIds) =>
            [.. variantIds.Select(v => name == slot && v == variantId ? weight : 1.0)];
    }

    /// <summary>A writer other than the built-in one, as the LLM writer is: here it declines, or hands in built-in copy under its own name.</summary>
    private sealed class OtherWriter(EmailComposer composer, bool declines) : ICopyWriter
    {
        public string Name => "other";

        public ValueTask<EmailCopy?> WriteAsync(EmailPlan plan, CancellationToken cancellationToken) =>
            ValueTask.FromResult(declines ? null : composer.WriteCopy(plan) with { Writer = Name, Choices = [] });
    }

    private static EmailContext Context(string type, string locale, int seed, ISlotWeights? weights) =>
        ComposeTestData.Context(type, locale, seed) with { SlotWeights = weights };

    [Theory]
    [InlineData("recommendations", "en-US")]
    [InlineData("winback", "en-US")]
    [InlineData("abandoned_cart", "zh-CN")]
    public void Compose_AllWeightsOne_SameWordsAndChoicesAsWithoutArms(string type, string locale)
    {
        var composer = ComposeTestData.Default;
        for (var seed = 1; seed <= 60; seed++)
        {
            var plain = composer.Compose(Context(type, locale, seed, null));
            var weighted = composer.Compose(Context(type, locale, seed, new Unit()));
            Assert.Equal(plain.Subject, weighted.Subject);
            Assert.Equal(plain.Preheader, weighted.Preheader);
            Assert.Equal(plain.Html, weighted.Html);
            Assert.Equal(plain.Text, weighted.Text);
            Assert.Equal(plain.Choices.Select(c => (c.Slot, c.VariantId, c.Probability)), weighted.Choices.Select(c => (c.Slot, c.VariantId, c.Probability)));
        }
    }

    [Fact]
    public void Compose_VariantWeightedUp_DrawnMostAndItsProbabilityRecorded()
    {
        var composer = ComposeTestData.Default;
        var seeds = Enumerable.Range(1, 200).ToList();
        var plain = seeds.Select(s => composer.Compose(Context("recommendations", "en-US", s, null)).Choices.Single(c => c.Slot == "greeting")).ToList();
        var variants = plain.Select(c => c.VariantId).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(variants.Count >= 2, "the greeting slot needs two variants that fit this recipient");
        var target = variants[^1];
        var shareBefore = plain.Count(c => c.VariantId == target) / (double)plain.Count;

        var favoured = seeds.Select(s => composer.Compose(Context("recommendations", "en-US", s, new Favour("greeting", target, 50))).Choices.Single(c => c.Slot == "greeting")).ToList();
        var shareAfter = favoured.Count(c => c.VariantId == target) / (double)favoured.Count;
        Assert.True(shareAfter > 0.85 && shareAfter > shareBefore + 0.2, $"share of {target}: {shareBefore:F3} → {shareAfter:F3}");
        // The recorded probability is the draw's: the weighted variant's own, above what it had without arms.
        var pBefore = plain.First(c => c.VariantId == target).Probability!.Value;
        var pAfter = favoured.First(c => c.VariantId == target).Probability!.Value;
        Assert.True(pAfter > pBefore, $"{pBefore} → {pAfter}");
        Assert.All(favoured, c => Assert.InRange(c.Probability!.Value, 1e-9, 1.0));
        Assert.All(favoured.Where(c => c.VariantId != target), c => Assert.True(c.Probability < 1 - pAfter + 1e-9, $"{c.VariantId}: {c.Probability}"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ComposeAsync_OtherWriter_LayoutSlotsAndFallbackDrawWithTheArms(bool declines)
    {
        var composer = ComposeTestData.Default;
        var writer = new OtherWriter(composer, declines);
        var plain = (await composer.ComposeAsync(Context("recommendations", "en-US", 7, null), writer)).Email!;
        var greeting = plain.Choices.Single(c => c.Slot == "greeting");
        var alternative = Enumerable.Range(1, 200)
            .Select(s => composer.Compose(Context("recommendations", "en-US", s, null)).Choices.Single(c => c.Slot == "greeting").VariantId)
            .First(v => v != greeting.VariantId);

        var outcome = await composer.ComposeAsync(Context("recommendations", "en-US", 7, new Favour("greeting", alternative, 1e6)), writer);
        Assert.Equal(declines ? BuiltInCopyWriter.WriterName : "other", outcome.Writer);
        var drawn = outcome.Email!.Choices.Single(c => c.Slot == "greeting");
        Assert.Equal(alternative, drawn.VariantId);
        Assert.True(drawn.Probability > 0.99, $"{drawn.Probability}");
        // The built-in writer's own slots are in the choices only when its copy was used.
        Assert.Equal(declines, outcome.Email.Choices.Any(c => c.Slot == "subject"));
    }
}
