using System.Text.Json;
using Mailsmith.Ingest;
using Mailsmith.Profile;
using Mailsmith.Profile.Report;
using Mailsmith.Storage;
using Mailsmith.Synthetic;
using Xunit.Abstractions;

namespace Mailsmith.Tests.Profile;

/// <summary>
/// End to end on a generated store: the profiles recover the hidden preferences written to truth.json
/// (rates reported in docs/profiles.md, "How well it recovers the truth").
/// </summary>
public sealed class GeneratedStoreProfileTests(GeneratedStoreProfileTests.Fixture store, ITestOutputHelper output) : IClassFixture<GeneratedStoreProfileTests.Fixture>
{
    /// <summary>One generated and imported store, profiled once, shared by the checks; deleted afterwards.</summary>
    public sealed class Fixture : IDisposable
    {
        public Fixture()
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("mailsmith-profile-e2e-").FullName;
            Generated = new StoreGenerator(new GeneratorOptions { Customers = 2000, Seed = 21 }).Generate(Path.Combine(Directory, "data"));
            Store = MailsmithStore.Open(Path.Combine(Directory, "store.db"));
            var files = StoreGenerator.FileStems
                .Select(stem => new ImportFile(Enum.Parse<ImportKind>(stem.Replace("_", "", StringComparison.Ordinal), ignoreCase: true), Path.Combine(Generated.Directory, stem + ".csv")))
                .ToList();
            if (!new Importer(Store, new ImportOptions()).Import(files).Success)
            {
                throw new InvalidOperationException("the generated store did not import");
            }
            AsOf = Store.LatestActivity()!.Value;
            Result = ProfileStage.Run(Store, ProfileOptions.Default, AsOf, AsOf);
            Truth = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Generated.Directory, "truth.json")));
        }

        public string Directory { get; }
        public GeneratedStore Generated { get; }
        public MailsmithStore Store { get; }
        public DateTimeOffset AsOf { get; }
        public ProfileStageResult Result { get; }
        public JsonDocument Truth { get; }

        public IEnumerable<JsonElement> TruthCustomers => Truth.RootElement.GetProperty("customers").EnumerateArray();

        public void Dispose()
        {
            Truth.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(Directory, true);
        }
    }

    [Fact]
    public void TopAffinity_MatchesTheHiddenFavouriteCategory_ForMostCustomers()
    {
        int matched = 0, compared = 0, topLevelMatched = 0;
        foreach (var c in store.TruthCustomers)
        {
            var profile = store.Result.Profiles[c.GetProperty("customer_id").GetString()!];
            var favourite = c.GetProperty("category_affinity").EnumerateObject().First().Name;
            // The leaf level: keys equal to a full catalog path (they contain every '>' the favourite has).
            var depth = favourite.Count(ch => ch == '>');
            var top = profile.CategoryAffinity is AffinityDictionary map ? map.Strongest(k => k.Count(ch => ch == '>') == depth) : null;
            if (top is null)
            {
                continue;
            }
            compared++;
            matched += top == favourite ? 1 : 0;
            topLevelMatched += profile.CategoryAffinity.Where(kv => !kv.Key.Contains('>', StringComparison.Ordinal)).MaxBy(kv => kv.Value).Key == favourite.Split('>')[0].Trim() ? 1 : 0;
            // Every level is there: the favourite's top level carries at least the favourite's own affinity.
            Assert.True(profile.Affinity(favourite.Split('>')[0].Trim()) >= profile.Affinity(favourite) - 1e-6);
        }
        var rate = (double)matched / compared;
        output.WriteLine($"top leaf affinity = hidden favourite: {matched}/{compared} = {rate:P1}; top level: {(double)topLevelMatched / compared:P1}");
        Assert.True(compared >= 1800, $"only {compared} customers with affinities");
        Assert.True(rate >= 0.75, $"top affinity matched the hidden favourite for {rate:P1} of customers");
    }

    [Fact]
    public void DiscountSensitivity_RanksLikeTheHiddenOne()
    {
        var pairs = store.TruthCustomers
            .Select(c => (Truth: c.GetProperty("discount_sensitivity").GetDouble(), Profile: store.Result.Profiles[c.GetProperty("customer_id").GetString()!]))
            .Where(p => p.Profile.Frequency >= 3 && p.Profile.DiscountSensitivity is not null)
            .ToList();
        var rho = Spearman(pairs.Select(p => p.Truth).ToArray(), pairs.Select(p => p.Profile.DiscountSensitivity!.Value).ToArray());
        output.WriteLine($"Spearman(hidden discount sensitivity, DiscountSensitivity) = {rho:F3} over {pairs.Count} customers with ≥ 3 orders");
        Assert.True(rho > 0.3, $"rho {rho:F3}");
    }

    [Fact]
    public void BestHour_IsNearTheHiddenActiveHour_ForMostCustomers()
    {
        int near = 0, compared = 0;
        foreach (var c in store.TruthCustomers)
        {
            var profile = store.Result.Profiles[c.GetProperty("customer_id").GetString()!];
            if (profile.BestHourOfWeek is not { } how)
            {
                continue;
            }
            compared++;
            var diff = Math.Abs((how % 24) - c.GetProperty("active_hour").GetInt32());
            near += Math.Min(diff, 24 - diff) <= 2 ? 1 : 0;
        }
        var rate = (double)near / compared;
        output.WriteLine($"best hour of day within 2 h of the hidden active hour: {near}/{compared} = {rate:P1}");
        Assert.True(rate >= 0.5, $"{rate:P1}");
    }

    [Fact]
    public void PAlive_IsLowerForChurnedCustomers()
    {
        var byFate = store.TruthCustomers
            .Select(c => (Fate: c.GetProperty("fate").GetString()!, Profile: store.Result.Profiles[c.GetProperty("customer_id").GetString()!]))
            .Where(p => p.Profile.PAlive is not null)
            .GroupBy(p => p.Fate)
            .ToDictionary(g => g.Key, g => g.Average(p => p.Profile.PAlive!.Value));
        output.WriteLine(string.Join(", ", byFate.Select(kv => $"{kv.Key}: mean P(alive) {kv.Value:F3}")));
        Assert.True(byFate["churned"] < byFate["active"] - 0.1, string.Join(", ", byFate));
        Assert.Equal("Fitted", store.Result.Summary.Clv.Status);
    }

    [Fact]
    public void EveryBuyer_HasAGroupAndCustomersHaveClusters()
    {
        foreach (var p in store.Result.Profiles.Values)
        {
            Assert.Equal(p.Frequency > 0, p.RfmSegment is not null);
            Assert.NotNull(p.Cluster);
            Assert.Contains(p.RfmSegment ?? RfmSegments.Lost, RfmSegments.All);
        }
        Assert.InRange(store.Result.Summary.ClusterK!.Value, 2, 8);
        Assert.All(store.Result.Summary.Clusters, c => Assert.False(string.IsNullOrWhiteSpace(c.Label)));
        Assert.Equal(store.Result.Profiles.Count, store.Result.Summary.Clusters.Sum(c => c.Customers));
    }

    [Fact]
    public void StoredProfiles_LoadBackEqual()
    {
        var loaded = store.Store.LoadProfiles();
        Assert.Equal(store.Result.Profiles.Count, loaded.Count);
        foreach (var (id, p) in store.Result.Profiles)
        {
            var q = loaded[id];
            Assert.Equal(p.RfmSegment, q.RfmSegment);
            Assert.Equal(p.Cluster, q.Cluster);
            Assert.Equal(p.PAlive, q.PAlive);
            Assert.Equal(p.ExpectedPurchases90, q.ExpectedPurchases90);
            Assert.Equal(p.Clv365, q.Clv365);
            Assert.Equal(p.ExpectedOrderValue, q.ExpectedOrderValue);
            Assert.Equal(p.NextOrderDate, q.NextOrderDate);
            Assert.Equal(p.DiscountSensitivity, q.DiscountSensitivity);
            Assert.Equal(p.ReviewSentiment, q.ReviewSentiment);
            Assert.Equal(p.PreferredLanguage, q.PreferredLanguage);
            Assert.Equal(p.BestHourOfWeek, q.BestHourOfWeek);
            Assert.Equal(p.BestHourConfidence, q.BestHourConfidence);
            Assert.Equal(p.CategoryAffinity.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, Math.Round(kv.Value, 4))),
                q.CategoryAffinity.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, Math.Round(kv.Value, 4))));
            Assert.Equal(p.BrandAffinity.Count, q.BrandAffinity.Count);
            Assert.Equal(p.SendTimeCounts?.Hours, q.SendTimeCounts?.Hours);
            Assert.Equal(p.SendTimeCounts?.Weights, q.SendTimeCounts?.Weights);
        }
        Assert.NotEmpty(store.Store.LoadProductSentiment());
    }

    [Fact]
    public void SecondRun_OnUnchangedStore_ReusesTheStoredProfiles()
    {
        var again = ProfileStage.Run(store.Store, ProfileOptions.Default, store.AsOf, store.AsOf);
        Assert.True(again.UpToDate);
        Assert.Equal(store.Result.Profiles.Count, again.Profiles.Count);
        var changedOptions = ProfileStage.Fingerprint(store.Store, store.AsOf, new ProfileOptions { ClvMonths = 6 });
        Assert.NotEqual(ProfileStage.Fingerprint(store.Store, store.AsOf, ProfileOptions.Default), changedOptions);
    }

    [Fact]
    public async Task Report_WritesHtmlAndCharts()
    {
        var dir = Path.Combine(store.Directory, "report");
        var report = await ProfileReport.WriteAsync(store.Store, ProfileOptions.Default, dir);
        var html = await File.ReadAllTextAsync(report.IndexPath);
        Assert.Contains("Champions", html, StringComparison.Ordinal);
        Assert.Contains("客户画像", html, StringComparison.Ordinal);
        Assert.Equal(6, report.Charts.Count);
        foreach (var chart in report.Charts)
        {
            var bytes = await File.ReadAllBytesAsync(chart);
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
            Assert.Contains(Path.GetFileName(chart), html, StringComparison.Ordinal);
        }
        Assert.True(Mailsmith.Reporting.ChartStyle.SupportsCjk);
        var calibration = report.Calibration!;
        output.WriteLine($"holdout {calibration.HoldoutDays} d: purchases predicted {calibration.Purchases.Predicted:F0} vs actual {calibration.Purchases.Actual}; spend predicted {calibration.PredictedSpend:F0} vs actual {calibration.ActualSpend:F0}");
        Assert.InRange(calibration.Purchases.Predicted / calibration.Purchases.Actual, 0.6, 1.6);
        // Deciles of predicted spend rank actual spend: the top decile spends more than the bottom one.
        Assert.True(calibration.SpendDeciles[^1].ActualSpend > calibration.SpendDeciles[0].ActualSpend * 2);
    }

    private static double Spearman(double[] x, double[] y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mx = rx.Average(), my = ry.Average(), sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            sxy += (rx[i] - mx) * (ry[i] - my);
            sxx += (rx[i] - mx) * (rx[i] - mx);
            syy += (ry[i] - my) * (ry[i] - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(double[] v)
    {
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (var i = 0; i < order.Length;)
        {
            var j = i;
            while (j + 1 < order.Length && v[order[j + 1]] == v[order[i]])
            {
                j++;
            }
            for (var k = i; k <= j; k++)
            {
                ranks[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return ranks;
    }
}
