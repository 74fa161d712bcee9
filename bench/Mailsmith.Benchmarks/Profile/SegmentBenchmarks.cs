using BenchmarkDotNet.Attributes;
using Mailsmith.Profile;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;

namespace Mailsmith.Benchmarks.Profile;

/// <summary>
/// Counting segments over 1,000,000 in-memory profiles (seeded: lifecycle, CLV, P(alive), 3–8 category affinities at
/// two path levels, top categories, signup dates), and compiling an expression. The profiles are built once in the
/// setup ("after profiles are loaded"); each count walks all of them with the compiled predicate on both cores.
/// Run in-process with fixed counts: <c>--inProcess --warmupCount 3 --iterationCount 15</c> (docs/benchmarks.md).
/// </summary>
[MemoryDiagnoser]
public class SegmentBenchmarks
{
    public const string IssueExample = "lifecycle = 'at_risk' and clv_365 > 200 and affinity('Shoes') > 0.3";
    public const string Wide = "(lifecycle in ('at_risk', 'lapsed') or p_alive between 0.2 and 0.5) and signup_date < days_ago(90) "
        + "and not unsubscribed and (top_categories contains 'Home' or affinity('Shoes > Running') >= 0.2) and clv_365 is not null";

    private static readonly string[] s_departments = ["Shoes", "Home", "Beauty", "Sports", "Books", "Toys"];
    private static readonly string[] s_subcategories = ["Running", "Casual", "Kitchen", "Garden", "Skincare", "Outdoor"];
    private static readonly DateTimeOffset s_asOf = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private SegmentPopulation _population = null!;
    private SegmentExpression _example = null!;
    private SegmentExpression _wide = null!;
    private SegmentExpression _one = null!;

    public int Customers { get; set; } = 1_000_000;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        var products = new List<Product>();
        foreach (var d in s_departments)
        {
            foreach (var s in s_subcategories)
            {
                products.Add(new Product($"{d}-{s}", "x", null, $"{d} > {s}", "Brand", 10m, "USD", true, null, null, [], new Dictionary<string, LocalizedText>()));
            }
        }
        var rows = new SegmentRow[Customers];
        for (var i = 0; i < Customers; i++)
        {
            var id = $"c{i:0000000}";
            var customer = new Customer(id, $"{id}@example.test", null, null, i % 3 == 0 ? "zh-CN" : "en-US", "UTC",
                s_asOf.AddDays(-random.Next(1, 1500)), null, random.Next(10) != 0, null, random.Next(50) == 0 ? s_asOf.AddDays(-3) : null);
            var affinity = new Dictionary<string, double>(StringComparer.Ordinal);
            var top = new List<string>();
            for (var k = 3 + random.Next(6); k > 0; k--)
            {
                var d = s_departments[random.Next(s_departments.Length)];
                var path = $"{d} > {s_subcategories[random.Next(s_subcategories.Length)]}";
                var v = random.NextDouble();
                affinity[path] = Math.Max(affinity.GetValueOrDefault(path), v);
                affinity[d] = Math.Max(affinity.GetValueOrDefault(d), v);
                if (top.Count < 3 && !top.Contains(path))
                {
                    top.Add(path);
                }
            }
            var frequency = random.Next(0, 12);
            var profile = new CustomerProfile(id, frequency > 0 ? random.Next(1, 700) : null, frequency, frequency * 40m, 3, 3, 3,
                Lifecycle.All[random.Next(Lifecycle.All.Count)], top, PriceBand.Mid, random.Next(24), random.NextDouble(), frequency > 0 ? 40m : null, random.NextDouble())
            {
                Clv365 = random.Next(5) == 0 ? null : (decimal)(random.NextDouble() * 600),
                PAlive = random.NextDouble(),
                CategoryAffinity = affinity,
            };
            rows[i] = new SegmentRow(customer, profile);
        }
        _population = new SegmentPopulation(rows, SegmentContext.FromProducts(products, s_asOf));
        _example = _population.Compile(IssueExample);
        _wide = _population.Compile(Wide);
        _one = _population.Compile("lifecycle = 'vip'");

        // Check the compiled predicates against the same conditions written by hand, before anything is timed.
        var since = DateOnly.FromDateTime(s_asOf.UtcDateTime).AddDays(-90);
        var expectExample = rows.Count(r => r.Profile.Lifecycle == Lifecycle.AtRisk && r.Profile.Clv365 > 200 && r.Profile.CategoryAffinity.GetValueOrDefault("Shoes") > 0.3);
        var expectWide = rows.Count(r =>
            (r.Profile.Lifecycle is Lifecycle.AtRisk or Lifecycle.Lapsed || r.Profile.PAlive is >= 0.2 and <= 0.5)
            && DateOnly.FromDateTime(r.Customer.SignupAt!.Value.UtcDateTime) < since
            && r.Customer.UnsubscribedAt is null
            && (r.Profile.TopCategories.Any(c => c.StartsWith("Home > ", StringComparison.Ordinal)) || r.Profile.CategoryAffinity.GetValueOrDefault("Shoes > Running") >= 0.2)
            && r.Profile.Clv365 is not null);
        if (_population.Count(_example) != expectExample || _population.Count(_wide) != expectWide
            || _population.Count(_one) != rows.Count(r => r.Profile.Lifecycle == Lifecycle.Vip) || expectExample < 1000 || expectWide < 1000)
        {
            throw new InvalidOperationException($"Unexpected counts: {_population.Count(_example)} vs {expectExample}, {_population.Count(_wide)} vs {expectWide}.");
        }
    }

    [Benchmark]
    public int Segment_CountIssueExample1M() => _population.Count(_example);

    /// <summary>A fresh population each time: the count builds the three columns it reads, as a one-off CLI count does.</summary>
    [Benchmark]
    public int Segment_CountIssueExampleCold1M()
    {
        var fresh = new SegmentPopulation(_population.Rows, _population.Context);
        return fresh.Count(_example);
    }

    [Benchmark]
    public int Segment_CountWide1M() => _population.Count(_wide);

    [Benchmark]
    public int Segment_CountOneClause1M() => _population.Count(_one);

    [Benchmark]
    public int Segment_Members1M() => _population.Members(_example).Count;

    [Benchmark]
    public int Segment_Compile() => SegmentExpression.Compile(Wide, _population.Context).Fields.Count;
}
