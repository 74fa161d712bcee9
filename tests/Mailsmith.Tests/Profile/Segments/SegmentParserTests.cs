using Mailsmith.Profile.Segments;

namespace Mailsmith.Tests.Profile.Segments;

public sealed class SegmentParserTests
{
    [Fact]
    public void Parse_AndBindsTighterThanOr()
    {
        var tree = SegmentParser.Parse("a = 1 or b = 2 and c = 3");
        var or = Assert.IsType<OrSyntax>(tree);
        Assert.IsType<CompareSyntax>(or.Left);
        Assert.IsType<AndSyntax>(or.Right);
    }

    [Fact]
    public void Parse_ParenthesesOverridePrecedence()
    {
        var and = Assert.IsType<AndSyntax>(SegmentParser.Parse("(a = 1 or b = 2) and c = 3"));
        Assert.IsType<OrSyntax>(and.Left);
    }

    [Fact]
    public void Parse_KeywordsIgnoreCase()
    {
        var tree = SegmentParser.Parse("NOT x IN ('a') AnD y Is NoT NuLl Or z BETWEEN 1 AND 2");
        var or = Assert.IsType<OrSyntax>(tree);
        var and = Assert.IsType<AndSyntax>(or.Left);
        var not = Assert.IsType<NotSyntax>(and.Left);
        Assert.False(Assert.IsType<InSyntax>(not.Operand).Negated);
        Assert.True(Assert.IsType<IsNullSyntax>(and.Right).Negated);
        Assert.IsType<BetweenSyntax>(or.Right);
    }

    [Fact]
    public void Parse_LiteralsAndCalls()
    {
        var c = Assert.IsType<CompareSyntax>(SegmentParser.Parse("affinity('Shoes > Running') >= -0.5e1"));
        var call = Assert.IsType<CallSyntax>(c.Left);
        Assert.Equal("affinity", call.Name);
        Assert.Equal("Shoes > Running", Assert.IsType<StringSyntax>(Assert.Single(call.Arguments)).Value);
        Assert.Equal(-5, Assert.IsType<NumberSyntax>(c.Right).Value);
        Assert.Equal(">=", c.Operator);
    }

    [Fact]
    public void Parse_DoubledQuoteInsideString()
    {
        var c = Assert.IsType<CompareSyntax>(SegmentParser.Parse("last_name = 'O''Brien'"));
        Assert.Equal("O'Brien", Assert.IsType<StringSyntax>(c.Right).Value);
    }

    [Fact]
    public void Parse_NegatedForms()
    {
        Assert.True(Assert.IsType<InSyntax>(SegmentParser.Parse("x not in (1, 2)")).Negated);
        Assert.True(Assert.IsType<BetweenSyntax>(SegmentParser.Parse("x not between 1 and 2")).Negated);
        Assert.True(Assert.IsType<MatchSyntax>(SegmentParser.Parse("x not contains 'a'")).Negated);
        Assert.Equal("starts_with", Assert.IsType<MatchSyntax>(SegmentParser.Parse("x STARTS_WITH 'a'")).Operator);
        Assert.Equal("!=", Assert.IsType<CompareSyntax>(SegmentParser.Parse("x <> 1")).Operator);
    }

    [Fact]
    public void Parse_BareValueIsATruthTest()
    {
        var and = Assert.IsType<AndSyntax>(SegmentParser.Parse("consent and not unsubscribed"));
        Assert.IsType<TruthSyntax>(and.Left);
        Assert.IsType<TruthSyntax>(Assert.IsType<NotSyntax>(and.Right).Operand);
    }

    [Theory]
    [InlineData("lifecycle = 'vip' and (monetary > 5", "this '(' is never closed: expected ')'", 23, 1)]
    [InlineData("lifecycle = 'vip' and", "expected a condition, found the end of the expression", 22, 1)]
    [InlineData("lifecycle = 'vip", "unterminated string: a ' opens here and is never closed", 13, 4)]
    [InlineData("clv_365 > 200 && frequency > 1", "unexpected '&': write 'and' / 'or'", 15, 1)]
    [InlineData("lifecycle == 'vip' monetary > 1", "expected 'and', 'or' or the end of the expression, found 'monetary'", 20, 8)]
    [InlineData("frequency > ", "expected a value after '>', found the end of the expression", 13, 1)]
    [InlineData("lifecycle in 'vip'", "expected '(' after 'in', found the text 'vip': write in ('a', 'b')", 14, 5)]
    [InlineData("lifecycle in ()", "an empty list: 'in' needs at least one value", 15, 1)]
    [InlineData("frequency between 1 2", "expected 'and' in 'between low and high', found '2'", 21, 1)]
    [InlineData("p_alive is 1", "expected 'null' after 'is', found '1'", 12, 1)]
    [InlineData("frequency > 1)", "unexpected ')': no '(' is open", 14, 1)]
    [InlineData("", "empty expression: expected a condition such as lifecycle = 'vip'", 1, 1)]
    [InlineData("3days > 1", "'3days' is not a number or a name (names start with a letter)", 1, 5)]
    [InlineData("frequency > 1 and and", "expected a condition, found the keyword 'and'", 19, 3)]
    [InlineData("frequency ! 1", "unexpected '!': write 'not', or '!=' for not equal", 11, 1)]
    [InlineData("monetary - 5 > 1", "unexpected '-': the language has no arithmetic", 10, 1)]
    [InlineData("frequency > -", "unexpected '-': the language has no arithmetic", 13, 1)]
    public void Parse_SyntaxError_NamesTheColumnAndPointsAtIt(string expression, string reason, int column, int length)
    {
        var e = Assert.Throws<SegmentExpressionException>(() => SegmentParser.Parse(expression));
        Assert.Equal(reason, e.Reason);
        Assert.Equal(column, e.Column);
        Assert.Equal(length, e.Length);
        var lines = e.Message.Split(Environment.NewLine);
        Assert.Equal($"{reason} (column {column})", lines[0]);
        Assert.Equal("  " + expression, lines[1]);
        Assert.Equal("  " + new string(' ', column - 1) + new string('^', length), lines[2]);
    }
}
