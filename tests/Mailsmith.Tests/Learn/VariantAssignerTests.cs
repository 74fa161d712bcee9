using Mailsmith.Learn;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Learn;

public sealed class VariantAssignerTests
{
    private static Campaign Campaign(params CampaignVariant[] variants) =>
        new("cmp-0001", "recommendations", "x", "default", "draft", variants, 1234, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Assign_IsReproducibleAndFollowsWeights()
    {
        var assigner = new VariantAssigner(Campaign(new CampaignVariant("A", 3), new CampaignVariant("B", 1)));
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var (variant, p) = assigner.Assign($"C{i}");
            Assert.Equal(variant == "A" ? 0.75 : 0.25, p, 10);
            counts[variant] = counts.GetValueOrDefault(variant) + 1;
        }
        // 15,000 expected; a 4-sigma band is ±245.
        Assert.InRange(counts["A"], 14_755, 15_245);
        Assert.Equal(assigner.Assign("C7"), new VariantAssigner(Campaign(new CampaignVariant("A", 3), new CampaignVariant("B", 1))).Assign("C7"));
    }

    [Fact]
    public void Assign_ZeroWeights_Throw() =>
        Assert.Throws<InvalidOperationException>(() => new VariantAssigner(Campaign(new CampaignVariant("A", 0))));
}
