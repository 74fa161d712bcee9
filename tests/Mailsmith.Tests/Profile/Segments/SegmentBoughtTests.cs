using Mailsmith.Profile.Segments;
using static Mailsmith.Tests.Profile.Segments.Rows;

namespace Mailsmith.Tests.Profile.Segments;

/// <summary><c>bought(product | 'category:…' | 'brand:…', [days])</c>: evaluation and its errors.</summary>
public sealed class SegmentBoughtTests
{
    private static readonly int Today = DateOnly.FromDateTime(AsOf.UtcDateTime).DayNumber;

    // Bought P1 (Shoes > Running > Trail, Stridewell) 200 days ago and P3 (Home > Kitchen > Knives, Lumiere Lab) 10 days ago.
    private static readonly SegmentRow Buyer = new(CustomerOf(), ProfileOf(), [new SegmentPurchase("P1", Today - 200), new SegmentPurchase("P3", Today - 10)]);

    private static readonly SegmentRow NeverBought = Row();

    [Theory]
    [InlineData("bought('P1')", true)]
    [InlineData("bought('P2')", false)]
    [InlineData("bought('product:P3')", true)]
    [InlineData("bought('category:Shoes')", true)]
    [InlineData("bought('category:Shoes > Running')", true)]
    [InlineData("bought('category:shoes/running/trail')", true)]
    [InlineData("bought('category:Shoes > Casual')", false)]
    [InlineData("bought('brand:stridewell')", true)]
    [InlineData("bought('brand:Kinsei')", false)]
    [InlineData("bought('P1', 365)", true)]
    [InlineData("bought('P1', 199)", false)]
    [InlineData("bought('P1', 200)", true)]
    [InlineData("bought('category:Home', 30)", true)]
    [InlineData("bought('category:Shoes', 90)", false)]
    [InlineData("not bought('P1', 90)", true)]
    [InlineData("bought('P3', 0)", false)]
    [InlineData("bought('P3') = true and frequency = 3", true)]
    [InlineData("bought('category:Shoes') and not bought('category:Shoes', 90)", true)]
    public void Evaluate_Bought_ByProductCategoryBrandAndWindow(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression, Buyer));
        // A customer without purchases buys nothing, and its negation holds.
        Assert.False(Eval(expression.StartsWith("not ", StringComparison.Ordinal) ? expression[4..] : expression, NeverBought));
    }

    [Fact]
    public void Evaluate_Bought_OnPopulationColumns_MatchesRowAtATime()
    {
        // Enough rows that the population reads columns (the second count of an expression).
        var rows = Enumerable.Range(0, 60_000).Select(i => new SegmentRow(CustomerOf($"C{i}"), ProfileOf($"C{i}"),
            i % 3 == 0 ? [new SegmentPurchase(i % 2 == 0 ? "P1" : "P2", Today - i % 400)] : null)).ToList();
        var population = new SegmentPopulation(rows, Context);
        var expression = population.Compile("bought('category:Shoes > Running', 100)");
        var expected = rows.Count(r => r.Purchases is [{ ProductId: "P1" } p] && p.Day >= Today - 100);
        Assert.InRange(expected, 1000, 59_000);
        Assert.Equal(expected, population.Count(expression));
        Assert.Equal(expected, population.Count(expression));
        Assert.Equal(expected, population.Members(expression).Count);
    }

    [Theory]
    [InlineData("bought('P11')", "unknown product 'P11' (did you mean 'P1'?)", 8, 5)]
    [InlineData("frequency > 1 and bought('SKU-nothing-like-it')", "unknown product 'SKU-nothing-like-it' (no product in the catalog has that id; 'category:…' and 'brand:…' name groups)", 26, 21)]
    [InlineData("bought('category:Sheos')", "unknown category 'Sheos' (did you mean 'Shoes'?)", 8, 16)]
    [InlineData("bought('category:Trail')", "unknown category 'Trail' (did you mean 'Shoes > Running > Trail'?)", 8, 16)]
    [InlineData("bought('brand:Stridwell')", "unknown brand 'Stridwell' (did you mean 'Stridewell'?)", 8, 17)]
    [InlineData("bought('categroy:Shoes')", "bought('categroy:Shoes'): unknown kind 'categroy' (did you mean 'category:'?)", 8, 16)]
    [InlineData("bought('category:')", "bought('category:'): an empty category", 8, 11)]
    [InlineData("bought('P1', -1)", "bought(product, [days]): days must be a whole number of days, 0 or more, not -1", 14, 2)]
    [InlineData("bought('P1', 2.5)", "bought(product, [days]): days must be a whole number of days, 0 or more, not 2.5", 14, 3)]
    [InlineData("bought('P1', '90')", "bought(product, [days]): days must be a number, not text", 14, 4)]
    [InlineData("bought()", "bought takes 1 to 2 arguments (bought(product, [days])), not 0", 1, 8)]
    [InlineData("bought('P1', 1, 2)", "bought takes 1 to 2 arguments (bought(product, [days])), not 3", 1, 18)]
    [InlineData("bougth('P1')", "unknown function 'bougth' (did you mean 'bought'?)", 1, 6)]
    [InlineData("bought('P1') > 1", "type mismatch: bought('P1') is a boolean but 1 is a number", 16, 1)]
    public void Bind_Bought_ErrorsPointAtTheArgument(string expression, string reason, int column, int length)
    {
        var e = Assert.Throws<SegmentExpressionException>(() => SegmentExpression.Compile(expression, Context));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(column, e.Column);
        Assert.Equal(length, e.Length);
        // The message shows the expression and a caret line under exactly that part.
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal("  " + expression, lines[1]);
        Assert.Equal("  " + new string(' ', column - 1) + new string('^', length), lines[2]);
    }

    [Fact]
    public void Bind_StoredSegment_NamesGoneFromTheCatalog_MatchNobody()
    {
        var lenient = Context with { CheckNames = false };
        Assert.False(SegmentExpression.Compile("bought('P9')", lenient).Matches(Buyer));
        Assert.False(SegmentExpression.Compile("bought('category:Garden')", lenient).Matches(Buyer));
        Assert.True(SegmentExpression.Compile("bought('P1')", lenient).Matches(Buyer));
    }
}
