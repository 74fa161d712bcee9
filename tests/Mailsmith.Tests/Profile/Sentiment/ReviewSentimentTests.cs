using Mailsmith.Profile.Sentiment;

namespace Mailsmith.Tests.Profile.Sentiment;

public sealed class ReviewSentimentTests
{
    private static readonly ReviewText[] Reviews =
    [
        new("c1", "p1", "Love this kettle. It boils fast and looks beautiful! The lid is a bit stiff."),
        new("c2", "p1", "Great value. Great value!"),
        new("c3", "p1", "It is good, but the handle got hot."),
        new("c4", "p1", "Terrible. Broke in a week. The box was nice though."),
        new("c5", "p1", "质量很好，非常满意！做工精致。"),
        new("c1", "p2", "Not good, not bad."),
        new("c6", "p2", null),
    ];

    [Fact]
    public void PickSocialProof_ChoosesShortPositiveStandaloneSentences()
    {
        var lines = ReviewSentiment.PickSocialProof(Reviews.Where(r => r.ProductId == "p1"), count: 5);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.True(l.Score >= 0.5, l.Sentence));
        var sentences = lines.Select(l => l.Sentence).ToList();
        Assert.DoesNotContain(sentences, s => s.Contains("but") || s.Contains("Terrible") || s.Contains("nice though") || s.Contains("stiff"));
        // One line per customer, best first.
        Assert.Equal(lines.Count, lines.Select(l => l.CustomerId).Distinct().Count());
        Assert.True(lines.Zip(lines.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.Contains(sentences, s => s.StartsWith("质量很好", StringComparison.Ordinal) || s.StartsWith("做工精致", StringComparison.Ordinal));
    }

    [Fact]
    public void Summarize_AveragesPerCustomerAndPerProduct()
    {
        var (byCustomer, byProduct) = ReviewSentiment.Summarize(Reviews);
        Assert.Equal(5, byProduct["p1"].Reviews);
        Assert.Equal(1, byProduct["p2"].Reviews);
        Assert.Equal(2, byCustomer["c1"].Reviews);
        Assert.False(byCustomer.ContainsKey("c6"));
        Assert.True(byCustomer["c2"].Mean > 0 && byCustomer["c4"].Mean < 0);
        Assert.Equal(0.8, byProduct["p1"].PositiveShare, 9);
    }
}
