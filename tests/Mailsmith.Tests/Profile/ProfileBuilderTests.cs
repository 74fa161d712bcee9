using Mailsmith.Profile;
using Mailsmith.Storage;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Profile;

public sealed class ProfileBuilderTests
{
    private static readonly ProfileBuilder s_builder = new(ProfileOptions.Default);

    private static IReadOnlyDictionary<string, CustomerProfile> Build(SnapshotBuilder data) => s_builder.Build(data.Build(), AsOf);

    [Fact]
    public void Build_TenCustomersWithDistinctValues_ScoresTwoPerQuintile()
    {
        var data = new SnapshotBuilder().Product("p", "A");
        for (var i = 0; i < 10; i++)
        {
            // c0 ordered longest ago and spent least; c9 most recently and most.
            data.Customer($"c{i}").Order($"c{i}", DaysAgo(100 - (i * 5)), ["p"], price: 10m * (i + 1));
        }
        data.Customer("none");
        var profiles = Build(data);

        int[] expected = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
        for (var i = 0; i < 10; i++)
        {
            var p = profiles[$"c{i}"];
            Assert.Equal(expected[i], p.R);
            Assert.Equal(expected[i], p.M);
            // Everyone has one order: one tie group, mid-rank percentile 0.5.
            Assert.Equal(3, p.F);
        }
        Assert.Equal("000", profiles["none"].Rfm);
        Assert.Null(profiles["none"].RecencyDays);
    }

    [Fact]
    public void Quintiles_TiesInAnyOrder_ShareOneScore()
    {
        var scores = ProfileBuilder.Quintiles([50, 10, 50, 30, 50, 20]);
        Assert.Equal(scores[0], scores[2]);
        Assert.Equal(scores[0], scores[4]);
        // 10 is below everything: p = 0.5/6 → 1. 50 × 3: p = (3 + 1.5)/6 = 0.75 → 4.
        Assert.Equal(1, scores[1]);
        Assert.Equal(4, scores[0]);
    }

    [Fact]
    public void Build_OrderWithoutTotal_UsesLinesMinusDiscount()
    {
        var data = new SnapshotBuilder().Product("p", "A").Product("q", "A")
            .Customer("c").Order("c", DaysAgo(5), ["p", "q"], price: 20m, total: null, discountCode: "TEN", discountAmount: 4m)
            .Order("c", DaysAgo(3), ["p"], price: 20m, total: 21.5m);
        var p = Build(data)["c"];
        Assert.Equal(36m + 21.5m, p.Monetary);
        Assert.Equal(2, p.Frequency);
        Assert.Equal(28.75m, p.AverageOrderValue);
        Assert.Equal(0.5, p.DiscountShare);
    }

    /// <summary>Twelve customers with one cheap order each 60 days ago, so a big spender reaches F and M of 5.</summary>
    private static SnapshotBuilder Population()
    {
        var data = new SnapshotBuilder().Product("p", "A");
        for (var i = 0; i < 12; i++)
        {
            data.Customer($"filler{i}").Order($"filler{i}", DaysAgo(60), ["p"], price: 5m);
        }
        return data;
    }

    private static SnapshotBuilder BigSpender(SnapshotBuilder data, string id, double lastOrderDaysAgo)
    {
        data.Customer(id);
        for (var k = 0; k < 6; k++)
        {
            data.Order(id, DaysAgo(lastOrderDaysAgo + (7 * k)), ["p"], price: 500m);
        }
        return data;
    }

    [Fact]
    public void Build_RecentSignupWithOneOrder_IsNewBeforeAnyOtherRule()
    {
        var data = Population()
            .Customer("fresh", signup: DaysAgo(10)).Order("fresh", DaysAgo(9), ["p"])
            .Customer("silent", signup: DaysAgo(20))
            .Customer("twice", signup: DaysAgo(10)).Order("twice", DaysAgo(9), ["p"], price: 1m).Order("twice", DaysAgo(8), ["p"], price: 1m);
        var profiles = Build(data);
        Assert.Equal(Lifecycle.New, profiles["fresh"].Lifecycle);
        Assert.Equal(Lifecycle.New, profiles["silent"].Lifecycle);
        // Two (small) orders: no longer new; recent orders make them active.
        Assert.Equal(Lifecycle.Active, profiles["twice"].Lifecycle);
    }

    [Fact]
    public void Build_BigRecentRegularSpender_IsVip()
    {
        var p = Build(BigSpender(Population(), "vip", lastOrderDaysAgo: 3))["vip"];
        Assert.Equal((5, 5), (p.F, p.M));
        Assert.Equal(Lifecycle.Vip, p.Lifecycle);
    }

    [Fact]
    public void Build_VipOverdueOnOwnRhythm_IsAtRiskNotVip()
    {
        // Orders a week apart, last one 20 days ago: more than 2 × 7 days overdue although within 90 days.
        var p = Build(BigSpender(Population(), "vip", lastOrderDaysAgo: 20))["vip"];
        Assert.Equal(5, p.M);
        Assert.Equal(Lifecycle.AtRisk, p.Lifecycle);
    }

    [Fact]
    public void Build_OrderRecency_ActiveThenAtRiskThenLapsed()
    {
        var data = Population()
            .Customer("d89").Order("d89", DaysAgo(89), ["p"])
            .Customer("d91").Order("d91", DaysAgo(91), ["p"])
            .Customer("d180").Order("d180", DaysAgo(180), ["p"])
            .Customer("d181").Order("d181", DaysAgo(181), ["p"]);
        var profiles = Build(data);
        Assert.Equal(Lifecycle.Active, profiles["filler0"].Lifecycle);
        Assert.Equal(Lifecycle.Active, profiles["d89"].Lifecycle);
        Assert.Equal(Lifecycle.AtRisk, profiles["d91"].Lifecycle);
        Assert.Equal(Lifecycle.AtRisk, profiles["d180"].Lifecycle);
        Assert.Equal(Lifecycle.Lapsed, profiles["d181"].Lifecycle);
    }

    [Fact]
    public void Build_TwoOrdersSameDay_UsesMinimumGapForOverdue()
    {
        // Mean gap 0 is floored at 7 days: 10 days since is not overdue (≤ 14), 15 days is.
        var data = Population()
            .Customer("ten").Order("ten", DaysAgo(10), ["p"], price: 1m).Order("ten", DaysAgo(10), ["p"], price: 1m)
            .Customer("fifteen").Order("fifteen", DaysAgo(15), ["p"], price: 1m).Order("fifteen", DaysAgo(15), ["p"], price: 1m);
        var profiles = Build(data);
        Assert.Equal(Lifecycle.Active, profiles["ten"].Lifecycle);
        Assert.Equal(Lifecycle.AtRisk, profiles["fifteen"].Lifecycle);
    }

    [Fact]
    public void Build_NeverOrdered_ActiveAtRiskOrLapsedByLastActivity()
    {
        var data = Population()
            .Customer("browsing").Event("browsing", EventTypes.View, DaysAgo(10), "p")
            .Customer("drifting").Event("drifting", EventTypes.View, DaysAgo(60), "p")
            .Customer("gone").Event("gone", EventTypes.View, DaysAgo(100), "p")
            .Customer("quiet", signup: DaysAgo(200))
            .Customer("signedUp60", signup: DaysAgo(60));
        var profiles = Build(data);
        Assert.Equal(Lifecycle.Active, profiles["browsing"].Lifecycle);
        Assert.Equal(Lifecycle.AtRisk, profiles["drifting"].Lifecycle);
        Assert.Equal(Lifecycle.Lapsed, profiles["gone"].Lifecycle);
        Assert.Equal(Lifecycle.Lapsed, profiles["quiet"].Lifecycle);
        Assert.Equal(Lifecycle.AtRisk, profiles["signedUp60"].Lifecycle);
    }

    [Fact]
    public void Build_WeightedDecayedInterest_OrdersTopCategoriesStrongestFirst()
    {
        var data = new SnapshotBuilder()
            .Product("a", "Home > Kitchen").Product("b", "Garden > Tools").Product("c", "Books").Product("d", "Toys").Product("old", "Sports")
            .Customer("c1")
            .Order("c1", DaysAgo(0), ["a"])                      // 5
            .Event("c1", EventTypes.AddToCart, DaysAgo(0), "b")  // 3 + 3 = 6
            .Event("c1", EventTypes.AddToCart, DaysAgo(0), "b")
            .Event("c1", EventTypes.View, DaysAgo(0), "c")       // 4
            .Event("c1", EventTypes.View, DaysAgo(0), "c")
            .Event("c1", EventTypes.View, DaysAgo(0), "c")
            .Event("c1", EventTypes.View, DaysAgo(0), "c")
            .Event("c1", EventTypes.View, DaysAgo(0), "d")       // 1
            .Customer("c2")
            .Order("c2", DaysAgo(180), ["old"])                  // 5 × 2⁻³ = 0.625
            .Event("c2", EventTypes.View, DaysAgo(0), "d");      // 1
        var profiles = Build(data);
        Assert.Equal(["Garden > Tools", "Home > Kitchen", "Books"], profiles["c1"].TopCategories);
        Assert.Equal(["Toys", "Sports"], profiles["c2"].TopCategories);
    }

    [Fact]
    public void Build_PricePosition_BandsBudgetMidPremiumUnknown()
    {
        var data = new SnapshotBuilder();
        for (var i = 1; i <= 10; i++)
        {
            data.Product($"p{i}", "A", price: 10m * i);
        }
        data.Customer("cheap").Order("cheap", DaysAgo(5), ["p1"], price: 10m)
            .Customer("middle").Order("middle", DaysAgo(5), ["p5", "p6"], price: 55m)
            .Customer("dear").Order("dear", DaysAgo(5), ["p10"], price: 100m)
            // No purchase: the viewed products' list prices decide.
            .Customer("viewer").Event("viewer", EventTypes.View, DaysAgo(5), "p9").Event("viewer", EventTypes.View, DaysAgo(5), "p10")
            .Customer("nothing");
        var profiles = Build(data);
        Assert.Equal(PriceBand.Budget, profiles["cheap"].PriceBand);
        Assert.Equal(PriceBand.Mid, profiles["middle"].PriceBand);
        Assert.Equal(PriceBand.Premium, profiles["dear"].PriceBand);
        Assert.Equal(PriceBand.Premium, profiles["viewer"].PriceBand);
        Assert.Equal(PriceBand.Unknown, profiles["nothing"].PriceBand);
    }

    [Fact]
    public void Build_PriceAndDiscounts_SensitivityCombinesBoth()
    {
        var data = new SnapshotBuilder();
        for (var i = 1; i <= 10; i++)
        {
            data.Product($"p{i}", "A", price: 10m * i);
        }
        // p1 at 10: percentile 0.05 → price signal 0.95; one of two orders discounted → 0.5.
        data.Customer("c").Order("c", DaysAgo(5), ["p1"], price: 10m, discountCode: "X").Order("c", DaysAgo(4), ["p1"], price: 10m)
            .Customer("nothing");
        var profiles = Build(data);
        Assert.Equal((0.5 * 0.95) + (0.5 * 0.5), profiles["c"].PriceSensitivity, 9);
        Assert.Equal(0.5, profiles["nothing"].PriceSensitivity);
    }

    [Fact]
    public void Build_EventsInCustomerTimeZone_ActiveHourIsLocal()
    {
        var at = new DateTimeOffset(2026, 2, 20, 1, 0, 0, TimeSpan.Zero);
        var data = new SnapshotBuilder().Product("p", "A")
            .Customer("shanghai", timeZone: "Asia/Shanghai")
            .Customer("unknownZone", timeZone: "Mars/Olympus_Mons")
            .Customer("silent", timeZone: "Asia/Shanghai");
        foreach (var id in new[] { "shanghai", "unknownZone" })
        {
            data.Event(id, EventTypes.View, at, "p").Event(id, EventTypes.View, at.AddDays(1), "p").Event(id, EventTypes.View, at.AddHours(5), "p");
        }
        var profiles = Build(data);
        Assert.Equal(9, profiles["shanghai"].ActiveHour);
        Assert.Equal(1, profiles["unknownZone"].ActiveHour);
        Assert.Null(profiles["silent"].ActiveHour);
    }

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("America/St_Johns")]
    [InlineData("Asia/Kathmandu")]
    [InlineData("Australia/Lord_Howe")]
    public void LocalClock_CachedDayOffsetsAcrossTransitions_MatchConvertTime(string zone)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var clock = LocalClock.For(zone);
        // Every 5 minutes of 2025, in order: a wrongly cached transition day would show up right after the transition.
        for (var at = new DateTimeOffset(2025, 1, 1, 0, 2, 0, TimeSpan.Zero); at.Year == 2025; at = at.AddMinutes(5))
        {
            Assert.Equal(TimeZoneInfo.ConvertTime(at, tz).Hour, clock.HourOf(at));
        }
    }

    [Fact]
    public void Build_DataAfterAsOf_IsIgnored()
    {
        var data = new SnapshotBuilder().Product("p", "A").Product("q", "B")
            .Customer("c").Order("c", DaysAgo(200), ["p"]).Order("c", AsOf.AddDays(1), ["q"], price: 99m)
            .Event("c", EventTypes.View, AsOf.AddHours(1), "q")
            .Customer("later", signup: AsOf.AddDays(2));
        var profiles = Build(data);
        var p = profiles["c"];
        Assert.Equal(1, p.Frequency);
        Assert.Equal(10m, p.Monetary);
        Assert.Equal(Lifecycle.Lapsed, p.Lifecycle);
        Assert.Equal(["A"], p.TopCategories);
        Assert.Null(p.ActiveHour);
        Assert.False(profiles.ContainsKey("later"));
    }

    [Fact]
    public void Build_PurchaseEventsWithOrders_CountedOnceFromOrderLines()
    {
        var data = new SnapshotBuilder().Product("p", "A").Product("q", "B")
            .Customer("both").Order("both", DaysAgo(1), ["p"]).Event("both", EventTypes.Purchase, DaysAgo(1), "q")
            .Event("both", EventTypes.View, DaysAgo(1), "q").Event("both", EventTypes.View, DaysAgo(1), "q")
            .Customer("eventsOnly").Event("eventsOnly", EventTypes.Purchase, DaysAgo(1), "q").Event("eventsOnly", EventTypes.View, DaysAgo(1), "p");
        var profiles = Build(data);
        // With orders, the purchase event is not a second purchase: p (5) beats q (2 views).
        Assert.Equal(["A", "B"], profiles["both"].TopCategories);
        Assert.Equal(["B", "A"], profiles["eventsOnly"].TopCategories);
    }

    [Fact]
    public void Build_ProfilesSavedToStore_OneRowPerCustomer()
    {
        var dir = Directory.CreateTempSubdirectory("mailsmith-profile-").FullName;
        try
        {
            var profiles = Build(Population().Customer("x"));
            var store = MailsmithStore.Open(Path.Combine(dir, "p.db"));
            store.SaveProfiles(profiles.Values, AsOf, AsOf);
            using var connection = store.OpenConnection();
            using var command = store.Command(connection, "select-profiles");
            using var reader = command.ExecuteReader();
            var rows = 0;
            while (reader.Read())
            {
                rows++;
                Assert.Equal(profiles[reader.GetString(0)].Lifecycle, reader.GetString(9));
            }
            Assert.Equal(13, rows);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
