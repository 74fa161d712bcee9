using Mailsmith.Recommend;

namespace Mailsmith.Tests.Recommend;

public sealed class EaseRankingTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(500)]
    public void Ranked_SameOrderAsAFullSort_PositiveScoresOnly(int head)
    {
        var random = new Random(7);
        var n = 400;
        var scores = new float[n];
        var products = new string[n];
        for (var i = 0; i < n; i++)
        {
            // Coarse values so ties (broken by product id) are common; a third are not positive.
            scores[i] = random.Next(-5, 10) / 2f;
            products[i] = $"p{random.Next(100_000):D6}-{i}";
        }
        var expected = Enumerable.Range(0, n).Where(i => scores[i] > 0)
            .OrderByDescending(i => scores[i]).ThenBy(i => products[i], StringComparer.Ordinal).ToList();
        Assert.Equal(expected, EaseRecommender.Ranked(scores, products, head).ToList());
    }
}
