using Mailsmith.Profile;
using Mailsmith.Profile.Segments;
using static Mailsmith.Tests.Profile.Segments.Rows;

namespace Mailsmith.Tests.Profile.Segments;

public sealed class SegmentEvaluationTests
{
    private static readonly SegmentRow Missing = Row(ProfileOf(recency: null, frequency: 0, monetary: 0m) with { Clv365 = null, PAlive = null });
    private static readonly SegmentRow Known = Row(ProfileOf() with { Clv365 = 300m, PAlive = 0.8, RfmSegment = "champions" });

    [Theory]
    [InlineData("clv_365 > 200")]
    [InlineData("clv_365 < 200")]
    [InlineData("clv_365 = 300")]
    [InlineData("clv_365 != 300")]
    [InlineData("clv_365 != 5")]
    [InlineData("clv_365 in (300, 5)")]
    [InlineData("clv_365 not in (300, 5)")]
    [InlineData("clv_365 between 0 and 1000")]
    [InlineData("clv_365 not between 0 and 1")]
    [InlineData("rfm_segment = 'champions'")]
    [InlineData("rfm_segment != 'lost'")]
    [InlineData("rfm_segment contains 'champ'")]
    [InlineData("rfm_segment in ('champions', 'lost')")]
    [InlineData("rfm_segment not starts_with 'x'")]
    [InlineData("next_order_date > '2000-01-01'")]
    [InlineData("clv_365 > p_alive")]
    public void Evaluate_ComparisonWithMissingValue_IsFalse(string expression)
    {
        Assert.False(Eval(expression, Missing));
    }

    [Fact]
    public void Evaluate_IsNull_TrueForMissing_AndNotFlips()
    {
        Assert.True(Eval("clv_365 is null and p_alive is null and rfm_segment is null and next_order_date is null and recency_days is null", Missing));
        Assert.False(Eval("clv_365 is not null", Missing));
        Assert.True(Eval("clv_365 is not null and rfm_segment is not null", Known));
        // Two-valued logic: not (missing > 200) is true.
        Assert.True(Eval("not clv_365 > 200", Missing));
        Assert.False(Eval("not clv_365 > 200", Known));
        Assert.True(Eval("top_categories is null", Row(ProfileOf())));
        Assert.False(Eval("top_categories is null", Row(ProfileOf(topCategories: "Shoes > Casual"))));
    }

    [Theory]
    [InlineData("clv_365 > 200", true)]
    [InlineData("clv_365 >= 300", true)]
    [InlineData("clv_365 > 300", false)]
    [InlineData("clv_365 <= 300 and clv_365 < 300.5", true)]
    [InlineData("clv_365 != 300", false)]
    [InlineData("300 = clv_365", true)]
    [InlineData("200 < clv_365", true)]
    [InlineData("clv_365 between 300 and 300", true)]
    [InlineData("clv_365 not between 0 and 299", true)]
    [InlineData("clv_365 in (1, 300)", true)]
    [InlineData("clv_365 not in (1, 300)", false)]
    [InlineData("p_alive > 0.5 or frequency > 1000", true)]
    [InlineData("p_alive > 0.9 or frequency > 1000", false)]
    [InlineData("not (p_alive > 0.9 or frequency > 1000)", true)]
    [InlineData("monetary > frequency", true)]
    [InlineData("frequency = 3 and r_score = 4 and f_score = 3 and m_score = 5 and rfm = '435'", true)]
    [InlineData("LIFECYCLE = 'ACTIVE' and Lifecycle IN ('vip', 'active')", true)]
    [InlineData("lifecycle != 'active'", false)]
    [InlineData("lifecycle not in ('vip', 'new')", true)]
    [InlineData("email contains 'EXAMPLE' and email starts_with 'c1@' and email_domain = 'example.com'", true)]
    [InlineData("email not contains 'example'", false)]
    [InlineData("locale = 'en-us' and language = 'en' and country = 'US' and time_zone starts_with 'Europe/'", true)]
    [InlineData("consent and not unsubscribed and consent = true and unsubscribed != true", true)]
    [InlineData("first_name = 'Ada' and last_name is null", true)]
    [InlineData("price_band = 'mid' and price_sensitivity = 0.4 and discount_share = 0.25 and active_hour = 20", true)]
    [InlineData("recency_days <= 10 and average_order_value > 83 and average_order_value < 84", true)]
    public void Evaluate_Operators(string expression, bool expected)
    {
        Assert.Equal(expected, Eval(expression, Known));
    }

    [Fact]
    public void Evaluate_Dates_CompareWithLiteralsAndDaysAgo()
    {
        // Signed up 100 days before as-of (2026-03-01): 2025-11-21.
        var row = Row(customer: CustomerOf(signup: AsOf.AddDays(-100)));
        Assert.True(Eval("signup_date = '2025-11-21'", row));
        Assert.True(Eval("signup_date < days_ago(99) and signup_date > days_ago(101)", row));
        Assert.True(Eval("signup_date = days_ago(100)", row));
        Assert.True(Eval("signup_date between '2025-11-01' and '2025-11-30'", row));
        Assert.False(Eval("signup_date > days_ago(30)", row));
        Assert.True(Eval("signup_date < today()", row));
        Assert.True(Eval("birthday is null and consent_date is null and unsubscribed_date is null", row));
        var next = Row(ProfileOf() with { NextOrderDate = new DateOnly(2026, 3, 20) });
        Assert.True(Eval("next_order_date > today() and next_order_date <= '2026-03-20'", next));
    }

    [Fact]
    public void Evaluate_Affinity_AnyLevelOfThePath()
    {
        var row = Row(ProfileOf() with
        {
            CategoryAffinity = new Dictionary<string, double>
            {
                ["Shoes"] = 0.7,
                ["Shoes > Running"] = 0.5,
                ["Shoes > Running > Trail"] = 0.45,
                ["Home"] = 0.1,
            },
        });
        Assert.True(Eval("affinity('Shoes') > 0.6", row));
        Assert.True(Eval("affinity('shoes') = 0.7", row));
        Assert.True(Eval("affinity('Shoes > Running') = 0.5", row));
        Assert.True(Eval("affinity('Shoes/Running') = 0.5", row));
        Assert.True(Eval("affinity('shoes>running>trail') = 0.45", row));
        Assert.True(Eval("affinity('Home') = 0.1 and affinity('Home > Kitchen') = 0", row));
        Assert.True(Eval("affinity('Shoes > Casual') = 0", row));
        Assert.True(Eval("lifecycle = 'active' and affinity('Shoes') > 0.3", row));
    }

    [Fact]
    public void Evaluate_Affinity_KeysWrittenWithSlashes()
    {
        // A profile stage that keys paths as "Shoes/Running" is read the same.
        var row = Row(ProfileOf() with { CategoryAffinity = new Dictionary<string, double> { ["Shoes/Running"] = 0.5 } });
        Assert.True(Eval("affinity('Shoes > Running') = 0.5", row));
    }

    [Fact]
    public void Evaluate_BrandAffinity()
    {
        var row = Row(ProfileOf() with { BrandAffinity = new Dictionary<string, double> { ["Kinsei"] = 0.9 } });
        Assert.True(Eval("brand_affinity('kinsei') > 0.8", row));
        Assert.True(Eval("brand_affinity('Stridewell') = 0", row));
        Assert.True(Eval("brand_affinity('Kinsei') = 0", Row()));
    }

    [Fact]
    public void Evaluate_TopCategoriesContains_MatchesAnyLevel()
    {
        var row = Row(ProfileOf(topCategories: ["Shoes > Running > Trail", "Home > Kitchen > Knives"]));
        Assert.True(Eval("top_categories contains 'Shoes'", row));
        Assert.True(Eval("top_categories contains 'shoes > running'", row));
        Assert.True(Eval("top_categories contains 'Home/Kitchen/Knives'", row));
        Assert.False(Eval("top_categories contains 'Shoes > Casual'", row));
        Assert.True(Eval("top_categories not contains 'Shoes > Casual'", row));
        Assert.True(Eval("top_category = 'Shoes > Running > Trail' and top_category starts_with 'Shoes'", row));
        Assert.False(Eval("top_category is null", row));
        Assert.True(Eval("top_category is null", Row()));
    }

    [Fact]
    public void Evaluate_ProfileStageFields()
    {
        var row = Row(ProfileOf() with
        {
            Cluster = 2, ExpectedPurchases30 = 0.2, ExpectedPurchases90 = 0.6, ExpectedPurchases365 = 2.5, ExpectedOrderValue = 80m,
            DiscountSensitivity = 0.7, ReviewSentiment = -0.3, PreferredLanguage = "zh-CN", BestHourOfWeek = 33, BestHourConfidence = 0.4,
        });
        Assert.True(Eval("cluster = 2 and expected_purchases_30 < expected_purchases_90 and expected_purchases_365 = 2.5 and expected_order_value = 80", row));
        Assert.True(Eval("discount_sensitivity > 0.5 and review_sentiment < 0 and preferred_language = 'zh-CN' and best_hour_of_week between 24 and 47 and best_hour_confidence >= 0.4", row));
    }

    [Fact]
    public void Evaluate_LifecycleAtRiskWithClv_TheIssueExample()
    {
        var e = SegmentExpression.Compile("lifecycle = 'at_risk' and clv_365 > 200 and affinity('Shoes') > 0.3", Context);
        SegmentRow R(string lifecycle, decimal? clv, double shoes) =>
            Row(ProfileOf(lifecycle: lifecycle) with { Clv365 = clv, CategoryAffinity = new Dictionary<string, double> { ["Shoes"] = shoes } });
        Assert.True(e.Matches(R(Lifecycle.AtRisk, 250m, 0.5)));
        Assert.False(e.Matches(R(Lifecycle.Active, 250m, 0.5)));
        Assert.False(e.Matches(R(Lifecycle.AtRisk, 150m, 0.5)));
        Assert.False(e.Matches(R(Lifecycle.AtRisk, null, 0.5)));
        Assert.False(e.Matches(R(Lifecycle.AtRisk, 250m, 0.2)));
    }
}

public sealed class SegmentPopulationTests
{
    private static readonly string[] Expressions =
    [
        "lifecycle = 'at_risk' and clv_365 > 200 and affinity('Shoes') > 0.3",
        "clv_365 is null or p_alive between 0.2 and 0.5",
        "not (clv_365 > 100) and lifecycle not in ('vip', 'new')",
        "clv_365 != 300 and recency_days < 50",
        "top_categories contains 'Shoes > Running' or brand_affinity('Kinsei') >= 0.5",
        "consent and signup_date > days_ago(200) and first_name is not null and email contains '7'",
        "affinity('Home > Kitchen') > 0 and not unsubscribed",
        "rfm_segment starts_with 'cham' or rfm_segment not contains 'l'",
    ];

    [Fact]
    public void CountAndMembers_OnALargePopulation_AgreeWithTheRowPredicate()
    {
        // Above the size where counting switches from the row predicate to columns, so both paths are compared.
        var random = new Random(5);
        string[] categories = ["Shoes > Running > Trail", "Shoes > Casual", "Home > Kitchen > Knives"];
        var rows = new List<SegmentRow>();
        for (var i = 0; i < 70_000; i++)
        {
            var id = $"C{i:000000}";
            var profile = Rows.ProfileOf(id, Lifecycle.All[random.Next(Lifecycle.All.Count)], random.Next(4) == 0 ? null : random.Next(100),
                topCategories: random.Next(3) == 0 ? [] : [categories[random.Next(3)]]) with
            {
                Clv365 = random.Next(4) == 0 ? null : random.Next(0, 500),
                PAlive = random.Next(4) == 0 ? null : random.NextDouble(),
                RfmSegment = random.Next(3) switch { 0 => null, 1 => "champions", _ => "lost" },
                CategoryAffinity = random.Next(2) == 0 ? new Dictionary<string, double>() : new Dictionary<string, double>
                {
                    ["Shoes"] = random.NextDouble(), ["Home > Kitchen"] = random.NextDouble(),
                },
                BrandAffinity = new Dictionary<string, double> { ["Kinsei"] = random.NextDouble() },
            };
            var customer = Rows.CustomerOf(id, consent: random.Next(5) != 0, signup: Rows.AsOf.AddDays(-random.Next(400)), firstName: random.Next(3) == 0 ? null : "A");
            rows.Add(new SegmentRow(customer, profile));
        }
        var population = new SegmentPopulation(rows, Rows.Context);
        foreach (var text in Expressions)
        {
            var expression = population.Compile(text);
            var expected = rows.Where(expression.Matches).ToList();
            Assert.InRange(expected.Count, 1, rows.Count - 1);
            Assert.Equal(expected.Count, population.Count(expression));
            Assert.Equal(expected.Count, population.Count(expression));
            Assert.Equal(expected.Select(r => r.Customer.CustomerId), population.Members(expression).Select(r => r.Customer.CustomerId));
        }
    }
}
