using Mailsmith.Profile;

namespace Mailsmith.Tests.Profile;

/// <summary>The profile keeps its optional numbers without Nullable's padding; what is set must be what is read.</summary>
public sealed class CustomerProfileStorageTests
{
    // One list for every profile: record equality compares the reference.
    private static readonly string[] s_top = ["A"];

    private static CustomerProfile Base(double? recency = 12.5, int? hour = 7, decimal? aov = 41.20m) =>
        new("c1", recency, 3, 123.60m, 4, 3, 5, Lifecycle.Active, s_top, PriceBand.Mid, hour, 0.25, aov, 0.4);

    [Fact]
    public void Optionals_NeverSet_ReadAsNull()
    {
        var p = Base(recency: null, hour: null, aov: null);

        Assert.Null(p.RecencyDays);
        Assert.Null(p.ActiveHour);
        Assert.Null(p.AverageOrderValue);
        Assert.Null(p.PAlive);
        Assert.Null(p.ExpectedPurchases30);
        Assert.Null(p.ExpectedPurchases90);
        Assert.Null(p.ExpectedPurchases365);
        Assert.Null(p.ExpectedOrderValue);
        Assert.Null(p.Clv365);
        Assert.Null(p.DiscountSensitivity);
        Assert.Null(p.ReviewSentiment);
        Assert.Null(p.BestHourOfWeek);
        Assert.Null(p.BestHourConfidence);
        Assert.Null(p.ShrunkDiscountShare);
        Assert.Null(p.Cluster);
    }

    [Fact]
    public void Optionals_SetToEdgeValues_ReadBackExactly()
    {
        var p = Base(recency: 0.0, hour: 0, aov: 0m) with
        {
            PAlive = double.NaN,
            ExpectedPurchases30 = -0.0,
            ExpectedPurchases90 = double.PositiveInfinity,
            ExpectedPurchases365 = double.Epsilon,
            ExpectedOrderValue = 0m,
            Clv365 = -79228162514264337593543950335m,
            DiscountSensitivity = 1,
            ReviewSentiment = -1,
            BestHourOfWeek = 167,
            BestHourConfidence = 0.1234,
            ShrunkDiscountShare = 1e-300,
            Cluster = 0,
        };

        Assert.Equal(0.0, p.RecencyDays);
        Assert.Equal(0, p.ActiveHour);
        Assert.Equal(0m, p.AverageOrderValue);
        Assert.True(p.PAlive is { } alive && double.IsNaN(alive));
        Assert.True(p.ExpectedPurchases30 is { } e30 && e30 == 0 && double.IsNegative(e30));
        Assert.Equal(double.PositiveInfinity, p.ExpectedPurchases90);
        Assert.Equal(double.Epsilon, p.ExpectedPurchases365);
        Assert.Equal(0m, p.ExpectedOrderValue);
        Assert.Equal(-79228162514264337593543950335m, p.Clv365);
        Assert.Equal(1, p.DiscountSensitivity);
        Assert.Equal(-1, p.ReviewSentiment);
        Assert.Equal(167, p.BestHourOfWeek);
        Assert.Equal(0.1234, p.BestHourConfidence);
        Assert.Equal(1e-300, p.ShrunkDiscountShare);
        Assert.Equal(0, p.Cluster);
    }

    [Fact]
    public void With_ClearingOneMoneyField_KeepsTheOthers()
    {
        // The three decimals share one byte of has-value bits.
        var p = Base() with { ExpectedOrderValue = 10m, Clv365 = 20m };
        var q = p with { ExpectedOrderValue = null };

        Assert.Equal(41.20m, q.AverageOrderValue);
        Assert.Null(q.ExpectedOrderValue);
        Assert.Equal(20m, q.Clv365);
        Assert.Equal(10m, p.ExpectedOrderValue);
        var r = q with { AverageOrderValue = null, Clv365 = 5m };
        Assert.Null(r.AverageOrderValue);
        Assert.Null(r.ExpectedOrderValue);
        Assert.Equal(5m, r.Clv365);
    }

    [Fact]
    public void Equality_SameValues_EqualAndDifferentOptional_NotEqual()
    {
        var a = Base() with { PAlive = 0.5, Cluster = 2 };
        var b = Base() with { PAlive = 0.5, Cluster = 2 };

        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { PAlive = null });
        Assert.NotEqual(a, b with { Cluster = null });
        Assert.NotEqual(a, b with { AverageOrderValue = null });
        Assert.NotEqual(a with { Clv365 = 0m }, b);
    }
}
