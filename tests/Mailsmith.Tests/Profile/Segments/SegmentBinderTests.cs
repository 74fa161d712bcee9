using Mailsmith.Profile.Segments;

namespace Mailsmith.Tests.Profile.Segments;

public sealed class SegmentBinderTests
{
    private static SegmentExpressionException Error(string expression) =>
        Assert.Throws<SegmentExpressionException>(() => SegmentExpression.Compile(expression, Rows.Context));

    [Theory]
    [InlineData("lifecycle = 'at_risk' and clv365 > 200", "unknown field 'clv365' (did you mean 'clv_365'?)", 27)]
    [InlineData("palive > 0.5", "unknown field 'palive' (did you mean 'p_alive'?)", 1)]
    [InlineData("lifecyle = 'vip'", "unknown field 'lifecyle' (did you mean 'lifecycle'?)", 1)]
    [InlineData("zzzz_qqqq > 1", "unknown field 'zzzz_qqqq' (every field is listed by 'mailsmith segment fields' and in docs/segments.md)", 1)]
    public void Bind_UnknownField_SuggestsTheNearestName(string expression, string reason, int column)
    {
        var e = Error(expression);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(column, e.Column);
    }

    [Theory]
    [InlineData("clv_365 > '200'", "type mismatch: clv_365 is a number but '200' is text (write 200 without quotes)", 11)]
    [InlineData("lifecycle = 5", "type mismatch: lifecycle is text but 5 is a number (quote it: '5')", 13)]
    [InlineData("consent = 'yes'", "type mismatch: consent is a boolean but 'yes' is text", 11)]
    [InlineData("signup_date > 5", "type mismatch: signup_date is a date but 5 is a number", 15)]
    [InlineData("frequency in (1, 'two')", "type mismatch: frequency is a number but 'two' is text", 18)]
    [InlineData("monetary between 'a' and 5", "type mismatch: monetary is a number but 'a' is text", 18)]
    [InlineData("lifecycle > 'vip'", "'>' compares numbers or dates; lifecycle is text (use = or != or in)", 11)]
    [InlineData("frequency contains '1'", "'contains' needs text; frequency is a number", 1)]
    [InlineData("monetary", "monetary is a number, not a condition (compare it, e.g. monetary > 0)", 1)]
    [InlineData("top_categories = 'Shoes'", "top_categories is a list of categories: write top_categories contains 'Shoes'", 1)]
    [InlineData("lifecycle between 'a' and 'b'", "'between' needs a number or a date; lifecycle is text", 1)]
    [InlineData("frequency between 5 and 1", "'between 5 and 1' is empty: the low end comes first", 19)]
    public void Bind_TypeMismatch_NamesBothSides(string expression, string reason, int column)
    {
        var e = Error(expression);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(column, e.Column);
    }

    [Theory]
    [InlineData("affinity('Shoes', 2) > 0.3", "affinity takes 1 argument (affinity(category)), not 2", 1)]
    [InlineData("affinity() > 0.3", "affinity takes 1 argument (affinity(category)), not 0", 1)]
    [InlineData("signup_date > today(1)", "today takes no arguments (today()), not 1", 15)]
    [InlineData("affinity(3) > 0.3", "affinity(category): category must be text, not a number", 10)]
    [InlineData("affinity(lifecycle) > 0.3", "affinity(category): category must be a literal text such as 'Shoes'", 10)]
    [InlineData("afinity('Shoes') > 0.3", "unknown function 'afinity' (did you mean 'affinity'?)", 1)]
    [InlineData("lifecycle('x') = 'vip'", "lifecycle is a field, not a function: write it without parentheses", 1)]
    [InlineData("signup_date > today", "today is a function: write today()", 15)]
    [InlineData("signup_date > days_ago(1.5)", "days_ago(days): days must be a whole number of days, 0 or more, not 1.5", 24)]
    public void Bind_Functions_CheckNameArityAndArguments(string expression, string reason, int column)
    {
        var e = Error(expression);
        Assert.Equal(reason, e.Reason);
        Assert.Equal(column, e.Column);
    }

    [Theory]
    [InlineData("lifecycle = 'at_rsk'", "unknown lifecycle 'at_rsk' (did you mean 'at_risk'?); lifecycle is one of: new, active, at_risk, lapsed, vip", 13)]
    [InlineData("rfm_segment = 'champion'", "unknown rfm_segment 'champion' (did you mean 'champions'?); rfm_segment is one of: RFMALL", 15)]
    [InlineData("price_band in ('mid', 'premum')", "unknown price_band 'premum' (did you mean 'premium'?); price_band is one of: budget, mid, premium, unknown", 23)]
    [InlineData("affinity('Shoe') > 0", "unknown category 'Shoe' (did you mean 'Shoes'?)", 10)]
    [InlineData("affinity('Running') > 0", "unknown category 'Running' (did you mean 'Shoes > Running'?)", 10)]
    [InlineData("top_categories contains 'Kitchn'", "unknown category 'Kitchn' (did you mean 'Home > Kitchen'?)", 25)]
    [InlineData("brand_affinity('Kinsai') > 0", "unknown brand 'Kinsai' (did you mean 'Kinsei'?)", 16)]
    [InlineData("signup_date > '2026-02-30'", "'2026-02-30' is not a date: write 'yyyy-MM-dd', e.g. '2026-01-31'", 15)]
    [InlineData("p_alive = null", "nothing is equal to null: write 'is null'", 11)]
    [InlineData("p_alive != null", "nothing is unequal to null: write 'is not null'", 12)]
    [InlineData("lifecycle in ('vip', null)", "null cannot be listed: write 'is null' for a missing value", 22)]
    [InlineData("affinity('Shoes') is null", "'is null' tests a field; affinity('Shoes') is not one", 1)]
    public void Bind_Values_CheckedAgainstWhatExists(string expression, string reason, int column)
    {
        var e = Error(expression);
        Assert.Equal(reason.Replace("RFMALL", string.Join(", ", Mailsmith.Profile.RfmSegments.All), StringComparison.Ordinal), e.Reason);
        Assert.Equal(column, e.Column);
    }

    [Fact]
    public void Bind_UnknownCategoryOfAStoredSegment_MatchesNobodyInsteadOfFailing()
    {
        var lenient = Rows.Context with { CheckNames = false };
        var e = SegmentExpression.Compile("affinity('Garden') > 0", lenient);
        Assert.False(e.Matches(Rows.Row()));
    }

    [Fact]
    public void Bind_CategoryWithoutCatalog_IsNotChecked()
    {
        var e = SegmentExpression.Compile("affinity('Anything/At All') >= 0", SegmentContext.At(Rows.AsOf));
        Assert.True(e.Matches(Rows.Row()));
    }

    [Fact]
    public void Bind_Fields_AreListedInOrderOfUse()
    {
        var e = SegmentExpression.Compile("clv_365 > 1 or lifecycle = 'vip' and clv_365 < 5 and consent", Rows.Context);
        Assert.Equal(["clv_365", "lifecycle", "consent"], e.Fields.Select(f => f.Name));
    }
}
