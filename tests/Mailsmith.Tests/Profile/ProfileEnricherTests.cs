using Mailsmith.Profile;
using Mailsmith.Storage;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Profile;

public sealed class ProfileEnricherTests
{
    private static ProfileRun Run(StoreSnapshot snapshot, ProfileEngagement? engagement = null, ProfileOptions? options = null) =>
        new ProfileEnricher(options ?? ProfileOptions.Default).Run(snapshot, engagement ?? ProfileEngagement.Empty, AsOf);

    [Fact]
    public void Run_TinyStore_LeavesClvEmptyWithAWarningInsteadOfFailing()
    {
        var snapshot = new SnapshotBuilder()
            .Customer("a").Customer("b").Customer("c")
            .Product("p1", "Home > Kitchen")
            .Order("a", DaysAgo(10), ["p1"]).Order("a", DaysAgo(5), ["p1"]).Order("b", DaysAgo(3), ["p1"])
            .Build();
        var run = Run(snapshot);
        Assert.All(run.Profiles.Values, p => Assert.Null(p.PAlive));
        Assert.All(run.Profiles.Values, p => Assert.Null(p.Clv365));
        Assert.Contains(run.Summary.Warnings, w => w.StartsWith("clv:", StringComparison.Ordinal));
        Assert.Contains(run.Summary.Warnings, w => w.StartsWith("clusters:", StringComparison.Ordinal));
        Assert.Equal("TooFewRepeatCustomers", run.Summary.Clv.Status);
        // The rest is still filled.
        Assert.Equal(1.0, run.Profiles["a"].Affinity("Home"), 3);
        Assert.Equal(1.0, run.Profiles["a"].Affinity("Home > Kitchen"), 3);
        Assert.Null(run.Profiles["c"].RfmSegment);
    }

    [Fact]
    public void Run_EmptyStore_GivesNoProfilesAndNoError()
    {
        var run = Run(new SnapshotBuilder().Build());
        Assert.Empty(run.Profiles);
        Assert.Equal(168, run.Summary.PopulationHourOfWeek.Length);
        Assert.Equal(1.0, run.Summary.PopulationHourOfWeek.Sum(), 9);
    }

    [Fact]
    public void Enrich_CallersBaseProfiles_AreLeftUnchangedAndTheResultMatchesRun()
    {
        // Run fills its own base records in place; Enrich is given the caller's, which must not change.
        var snapshot = new SnapshotBuilder()
            .Customer("a").Customer("b")
            .Product("shoe", "Sports > Shoes")
            .Order("a", DaysAgo(3), ["shoe"]).Order("b", DaysAgo(20), ["shoe"]).Event("b", EventTypes.View, DaysAgo(2), "shoe")
            .Build();
        var baseProfiles = new ProfileBuilder(ProfileOptions.Default).Build(snapshot, AsOf);
        var enriched = new ProfileEnricher(ProfileOptions.Default).Enrich(snapshot, ProfileEngagement.Empty, AsOf, baseProfiles).Profiles;
        var run = Run(snapshot).Profiles;
        foreach (var id in new[] { "a", "b" })
        {
            Assert.Empty(baseProfiles[id].CategoryAffinity);
            Assert.Null(baseProfiles[id].BestHourOfWeek);
            Assert.Null(baseProfiles[id].SendTimeCounts);
            Assert.NotSame(baseProfiles[id], enriched[id]);
            Assert.Equal(1.0, enriched[id].Affinity("Sports"), 3);
            Assert.NotNull(enriched[id].BestHourOfWeek);
            Assert.Equal(run[id].BestHourOfWeek, enriched[id].BestHourOfWeek);
            Assert.Equal(run[id].BestHourConfidence, enriched[id].BestHourConfidence);
            Assert.Equal(run[id].RfmSegment, enriched[id].RfmSegment);
            Assert.Equal(baseProfiles[id].Monetary, enriched[id].Monetary);
        }
    }

    [Fact]
    public void CategoryAffinity_CoversEveryLevelAndSharesSumToOnePerLevel()
    {
        var snapshot = new SnapshotBuilder()
            .Customer("a")
            .Product("shoe", "Sports > Shoes > Running").Product("ball", "Sports > Balls").Product("pan", "Kitchen > Pans")
            .Order("a", DaysAgo(1), ["shoe", "ball"]).Event("a", EventTypes.View, DaysAgo(1), "pan")
            .Build();
        var p = Run(snapshot).Profiles["a"];
        // Purchase weight 5 each, view 1: Sports = 10/11.
        Assert.Equal(10.0 / 11, p.Affinity("Sports"), 1e-3);
        Assert.Equal(5.0 / 11, p.Affinity("Sports > Shoes"), 1e-3);
        Assert.Equal(5.0 / 11, p.Affinity("Sports > Shoes > Running"), 1e-3);
        Assert.Equal(1.0 / 11, p.Affinity("Kitchen"), 1e-3);
        Assert.Equal(1.0, p.CategoryAffinity.Where(kv => !kv.Key.Contains('>', StringComparison.Ordinal)).Sum(kv => kv.Value), 1e-3);
        Assert.Equal(0, p.Affinity("Toys"));
    }

    [Fact]
    public void DiscountSensitivity_IsHalfAtTheBaseRateAndShrinksFewOrders()
    {
        var b = new SnapshotBuilder().Product("p", "Home");
        // 40 customers: 10 always use a code (4 orders each), 30 never do (4 orders each): base rate 0.25.
        for (var i = 0; i < 40; i++)
        {
            var id = $"c{i:00}";
            b.Customer(id);
            for (var k = 0; k < 4; k++)
            {
                b.Order(id, DaysAgo(10 + (k * 20) + i), ["p"], discountCode: i < 10 ? "SAVE" : null);
            }
        }
        b.Customer("once").Order("once", DaysAgo(2), ["p"], discountCode: "SAVE");
        var run = Run(b.Build());
        var baseRate = 41.0 / 161;
        Assert.Equal(baseRate, run.Summary.DiscountBaseRate, 9);
        var always = run.Profiles["c00"];
        var never = run.Profiles["c20"];
        var once = run.Profiles["once"];
        // shrunk = (d + k·base)/(n + k); sensitivity = shrunk/(shrunk + base).
        var shrunkAlways = (4 + (5 * baseRate)) / 9;
        Assert.Equal(shrunkAlways, always.ShrunkDiscountShare!.Value, 9);
        Assert.Equal(shrunkAlways / (shrunkAlways + baseRate), always.DiscountSensitivity!.Value, 9);
        Assert.True(never.DiscountSensitivity < 0.5);
        // One discounted order is less evidence than four.
        Assert.True(once.DiscountSensitivity < always.DiscountSensitivity);
        Assert.True(once.DiscountSensitivity > 0.5);
    }

    [Fact]
    public void SendTime_LocalHourOfWeek_AndMoreDataMeansMoreConfidence()
    {
        // 2026-03-02 is a Monday; 01:30 UTC is 09:30 in Shanghai (UTC+8): hour of week 9.
        var monday = new DateTimeOffset(2026, 3, 2, 1, 30, 0, TimeSpan.Zero);
        var b = new SnapshotBuilder().Product("p", "Home")
            .Customer("few", timeZone: "Asia/Shanghai").Customer("many", timeZone: "Asia/Shanghai").Customer("none");
        b.Event("few", EventTypes.View, monday.AddDays(-7), "p");
        for (var w = 1; w <= 20; w++)
        {
            b.Event("many", EventTypes.View, monday.AddDays(-7 * w), "p");
        }
        var run = Run(b.Build());
        var few = run.Profiles["few"];
        var many = run.Profiles["many"];
        Assert.Equal(9, many.BestHourOfWeek);
        Assert.True(many.BestHourConfidence > few.BestHourConfidence);
        Assert.InRange(many.BestHourConfidence!.Value, 0.5, 1);
        Assert.Null(run.Profiles["none"].BestHourOfWeek);
        Assert.Equal([(byte)9], many.SendTimeCounts!.Hours);
        Assert.Equal(20f, many.SendTimeCounts.Weights[0]);
    }

    [Fact]
    public void SendTime_OpensAndClicksFromEngagementCount()
    {
        var b = new SnapshotBuilder().Customer("a").Product("p", "Home");
        var engagement = new ProfileEngagement(new Dictionary<string, EngagementTouches>
        {
            // Tuesday 20:00 UTC = hour 24 + 20.
            ["a"] = new([new DateTimeOffset(2026, 2, 24, 20, 5, 0, TimeSpan.Zero).UtcTicks], [new DateTimeOffset(2026, 2, 17, 20, 15, 0, TimeSpan.Zero).UtcTicks]),
        });
        var p = Run(b.Build(), engagement).Profiles["a"];
        Assert.Equal(44, p.BestHourOfWeek);
        Assert.Equal(2 + 3, p.SendTimeCounts!.Total, 6);
    }

    [Fact]
    public void Posterior_SumsToOneAndIsThePriorWithoutData()
    {
        var prior = Enumerable.Range(0, 168).Select(h => h == 100 ? 0.5 : 0.5 / 167).ToArray();
        var empty = SendTime.Posterior(null, prior, 10);
        Assert.Equal(prior, empty);
        var (hour, confidence) = SendTime.Best(null, prior, 10);
        Assert.Equal((100, 0.0), (hour, confidence));
        var histogram = new SendTimeHistogram([3, 7], [4f, 6f]);
        var theta = SendTime.Posterior(histogram, prior, 10);
        Assert.Equal(1.0, theta.Sum(), 9);
        Assert.Equal((6 + (10 * prior[7])) / 20, theta[7], 9);
        Assert.Equal(histogram.Hours, SendTimeHistogram.FromBytes(histogram.ToBytes()).Hours);
        Assert.Equal(histogram.Weights, SendTimeHistogram.FromBytes(histogram.ToBytes()).Weights);
        Assert.Throws<FormatException>(() => SendTimeHistogram.FromBytes([1, 2, 3]));
        Assert.Throws<FormatException>(() => SendTimeHistogram.FromBytes([200, 0, 0, 128, 63]));
    }

    [Fact]
    public void HourOfWeek_FollowsDaylightSaving()
    {
        var ny = LocalClock.For("America/New_York");
        // Sunday 2026-03-08 is the spring-forward day: 12:00 UTC is 08:00 EDT (UTC−4); a week earlier it was 07:00 EST.
        Assert.Equal((6 * 24) + 8, ny.HourOfWeek(new DateTimeOffset(2026, 3, 8, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal((6 * 24) + 7, ny.HourOfWeek(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)));
        Assert.Equal(0, LocalClock.Utc.HourOfWeek(new DateTimeOffset(2026, 3, 2, 0, 30, 0, TimeSpan.Zero)));
        Assert.Equal(167, LocalClock.Utc.HourOfWeek(new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData(5, 5, 5, 9, RfmSegments.Champions)]
    [InlineData(1, 5, 4, 9, RfmSegments.CantLoseThem)]
    [InlineData(2, 3, 3, 4, RfmSegments.AtRisk)]
    [InlineData(3, 4, 3, 5, RfmSegments.Loyal)]
    [InlineData(5, 1, 2, 1, RfmSegments.New)]
    [InlineData(4, 2, 3, 2, RfmSegments.PotentialLoyalist)]
    [InlineData(3, 1, 1, 1, RfmSegments.Promising)]
    [InlineData(3, 2, 2, 2, RfmSegments.NeedAttention)]
    [InlineData(3, 1, 2, 2, RfmSegments.AboutToSleep)]
    [InlineData(2, 2, 2, 2, RfmSegments.AboutToSleep)]
    [InlineData(2, 1, 1, 1, RfmSegments.Hibernating)]
    [InlineData(1, 2, 2, 2, RfmSegments.Hibernating)]
    [InlineData(1, 1, 1, 1, RfmSegments.Lost)]
    public void RfmGroups_FollowTheDocumentedRules(int r, int f, int m, int orders, string expected) =>
        Assert.Equal(expected, RfmSegments.Classify(r, f, m, orders));

    [Fact]
    public void RfmGroups_EveryScoreCombinationHasAGroup_AndNoOrdersHasNone()
    {
        for (var r = 1; r <= 5; r++)
        {
            for (var f = 1; f <= 5; f++)
            {
                for (var m = 1; m <= 5; m++)
                {
                    Assert.Contains(RfmSegments.Classify(r, f, m, 1)!, RfmSegments.All);
                    Assert.Contains(RfmSegments.Classify(r, f, m, 3)!, RfmSegments.All);
                }
            }
        }
        Assert.Null(RfmSegments.Classify(0, 0, 0, 0));
    }

    [Theory]
    [InlineData("en-US", new[] { "质量很好", "非常喜欢" }, "zh-CN")]
    [InlineData("en-US", new[] { "质量很好" }, "en-US")]
    [InlineData("zh-CN", new[] { "great shoes", "love it", "好" }, "en-US")]
    [InlineData("ja-JP", new[] { "品質", "最高" }, "ja-JP")]
    [InlineData("fr-FR", new[] { "très bien", "parfait" }, "fr-FR")]
    [InlineData("en-US", new[] { "とても良い", "すごい" }, "ja-JP")]
    public void PreferredLanguage_TextsInAnotherScriptOverrideTheLocale(string locale, string[] texts, string expected)
    {
        var counts = new ProfileEnricher.ScriptCounts();
        foreach (var t in texts)
        {
            counts.Add(t);
        }
        Assert.Equal(expected, ProfileEnricher.PreferredLanguage(locale, counts, 2));
    }

    [Fact]
    public void Clusters_TwoSeparatedGroups_PicksTwoAndDescribesThem()
    {
        var random = new Random(4);
        const int dimension = 3;
        var features = new float[400 * dimension];
        for (var i = 0; i < 400; i++)
        {
            var high = i % 2 == 0;
            features[(i * dimension) + 0] = (float)((high ? 10 : 0) + random.NextDouble());
            features[(i * dimension) + 1] = (float)random.NextDouble();
            features[(i * dimension) + 2] = (float)((high ? 0 : 5) + random.NextDouble());
        }
        var names = new List<ClusterFeature> { new("a", "high a", "low a"), new("b", "high b", "low b"), new("share:Toys", "like Toys", null) };
        var result = BehaviourClusters.Run(features, dimension, names, new ProfileOptions { ClusterMaxK = 5 })!;
        Assert.Equal(2, result.K);
        Assert.True(result.Silhouettes[2] > result.Silhouettes[3]);
        Assert.Equal([200, 200], result.Clusters.Select(c => c.Customers));
        Assert.Contains(result.Clusters, c => c.Label.StartsWith("high a", StringComparison.Ordinal));
        Assert.Contains(result.Clusters, c => c.Label.Contains("like Toys", StringComparison.Ordinal));
        // Every even row together, every odd row together.
        Assert.All(Enumerable.Range(0, 400), i => Assert.Equal(result.Assignment[i % 2], result.Assignment[i]));
    }
}
