using System.Diagnostics;
using Mailsmith.Storage;

namespace Mailsmith.Profile.Segments;

/// <summary>Figures of <c>mailsmith bench segments</c>, in milliseconds (medians over the repetitions).</summary>
public sealed record SegmentBenchmarkResult(
    int Customers,
    int Repetitions,
    double SetupMs,
    double CompileMs,
    double FirstCountMs,
    double ColumnBuildCountMs,
    double WarmCountMs,
    double WideWarmCountMs,
    double RowByRowCountMs,
    double MembersMs,
    int Members,
    int WideMembers);

/// <summary>
/// Times segment counting over a seeded synthetic population held in memory (the profiles "after they are loaded"):
/// the issue's example expression counted cold (building its columns) and warm, a wider expression, the row-at-a-time
/// predicate for comparison, members, and compiling. Every count is checked against a hand-written predicate first.
/// </summary>
public static class SegmentBenchmark
{
    public const string IssueExample = "lifecycle = 'at_risk' and clv_365 > 200 and affinity('Shoes') > 0.3";

    public const string Wide = "(lifecycle in ('at_risk', 'lapsed') or p_alive between 0.2 and 0.5) and signup_date < days_ago(90) "
        + "and not unsubscribed and (top_categories contains 'Home' or affinity('Shoes > Running') >= 0.2) and clv_365 is not null";

    private static readonly string[] s_departments = ["Shoes", "Home", "Beauty", "Sports", "Books", "Toys"];
    private static readonly string[] s_subcategories = ["Running", "Casual", "Kitchen", "Garden", "Skincare", "Outdoor"];

    /// <summary>"Now" of the synthetic population.</summary>
    public static readonly DateTimeOffset AsOf = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A seeded population: uniform lifecycle, CLV 0–600 (a fifth missing), P(alive) uniform, 3–8 category affinities
    /// at two path levels, up to 3 top categories, signups over 4 years, 10% without consent, 2% unsubscribed.
    /// </summary>
    public static SegmentPopulation Population(int customers, int seed = 17)
    {
        var random = new Random(seed);
        var products = new List<Product>();
        foreach (var d in s_departments)
        {
            foreach (var s in s_subcategories)
            {
                products.Add(new Product($"{d}-{s}", "x", null, $"{d} > {s}", "Brand", 10m, "USD", true, null, null, [], new Dictionary<string, LocalizedText>()));
            }
        }
        var rows = new SegmentRow[customers];
        for (var i = 0; i < customers; i++)
        {
            var id = $"c{i:0000000}";
            var customer = new Customer(id, $"{id}@example.test", null, null, i % 3 == 0 ? "zh-CN" : "en-US", "UTC",
                AsOf.AddDays(-random.Next(1, 1500)), null, random.Next(10) != 0, null, random.Next(50) == 0 ? AsOf.AddDays(-3) : null);
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
            rows[i] = new SegmentRow(customer, new CustomerProfile(id, frequency > 0 ? random.Next(1, 700) : null, frequency, frequency * 40m, 3, 3, 3,
                Lifecycle.All[random.Next(Lifecycle.All.Count)], top, PriceBand.Mid, random.Next(24), random.NextDouble(), frequency > 0 ? 40m : null, random.NextDouble())
            {
                Clv365 = random.Next(5) == 0 ? null : (decimal)(random.NextDouble() * 600),
                PAlive = random.NextDouble(),
                CategoryAffinity = affinity,
            });
        }
        return new SegmentPopulation(rows, SegmentContext.FromProducts(products, AsOf));
    }

    /// <summary>The two expressions written by hand, to check the compiled ones against.</summary>
    public static (int Example, int Wide) Expected(IReadOnlyList<SegmentRow> rows)
    {
        var since = DateOnly.FromDateTime(AsOf.UtcDateTime).AddDays(-90);
        var example = rows.Count(r => r.Profile.Lifecycle == Lifecycle.AtRisk && r.Profile.Clv365 > 200 && r.Profile.CategoryAffinity.GetValueOrDefault("Shoes") > 0.3);
        var wide = rows.Count(r =>
            (r.Profile.Lifecycle is Lifecycle.AtRisk or Lifecycle.Lapsed || r.Profile.PAlive is >= 0.2 and <= 0.5)
            && DateOnly.FromDateTime(r.Customer.SignupAt!.Value.UtcDateTime) < since
            && r.Customer.UnsubscribedAt is null
            && (r.Profile.TopCategories.Any(c => c.StartsWith("Home > ", StringComparison.Ordinal)) || r.Profile.CategoryAffinity.GetValueOrDefault("Shoes > Running") >= 0.2)
            && r.Profile.Clv365 is not null);
        return (example, wide);
    }

    /// <summary>Runs the measurements.</summary>
    /// <exception cref="InvalidOperationException">A compiled expression counted differently from its hand-written twin.</exception>
    public static SegmentBenchmarkResult Run(int customers, int repetitions, Action<string>? log = null)
    {
        var watch = Stopwatch.StartNew();
        var population = Population(customers);
        var setup = watch.Elapsed.TotalMilliseconds;
        log?.Invoke($"{customers:N0} profiles built in {setup / 1000:F1} s");
        var (expectExample, expectWide) = Expected(population.Rows);

        double Time(Func<int> work, int expected)
        {
            var t = Stopwatch.StartNew();
            var n = work();
            var ms = t.Elapsed.TotalMilliseconds;
            if (n != expected)
            {
                throw new InvalidOperationException($"counted {n}, expected {expected}");
            }
            return ms;
        }

        double Median(List<double> values)
        {
            values.Sort();
            return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
        }

        var example = population.Compile(IssueExample);
        var wide = population.Compile(Wide);
        var cold = new List<double>();
        var build = new List<double>();
        var warm = new List<double>();
        var wideWarm = new List<double>();
        var rowByRow = new List<double>();
        var members = new List<double>();
        var compile = new List<double>();
        for (var r = 0; r < repetitions; r++)
        {
            // A fresh population: the first count walks the rows, the second builds the columns, the third reads them.
            var fresh = new SegmentPopulation(population.Rows, population.Context);
            cold.Add(Time(() => fresh.Count(example), expectExample));
            build.Add(Time(() => fresh.Count(example), expectExample));
            warm.Add(Time(() => fresh.Count(example), expectExample));
            fresh.Count(wide);
            fresh.Count(wide);
            wideWarm.Add(Time(() => fresh.Count(wide), expectWide));
            rowByRow.Add(Time(() => CountRows(population.Rows, example.Predicate), expectExample));
            members.Add(Time(() => fresh.Members(example).Count, expectExample));
            var c = Stopwatch.StartNew();
            for (var k = 0; k < 100; k++)
            {
                _ = SegmentExpression.Compile(Wide, population.Context);
            }
            compile.Add(c.Elapsed.TotalMilliseconds / 100);
            log?.Invoke($"run {r + 1}: first {cold[^1]:F1} ms, building columns {build[^1]:F1} ms, warm {warm[^1]:F1} ms, wide {wideWarm[^1]:F1} ms, row by row {rowByRow[^1]:F1} ms");
        }
        return new SegmentBenchmarkResult(customers, repetitions, setup, Median(compile), Median(cold), Median(build), Median(warm), Median(wideWarm), Median(rowByRow), Median(members), expectExample, expectWide);
    }

    private static int CountRows(IReadOnlyList<SegmentRow> rows, Func<SegmentRow, bool> predicate)
    {
        var total = 0;
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, rows.Count, 16_384), () => 0, (range, _, local) =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                if (predicate(rows[i]))
                {
                    local++;
                }
            }
            return local;
        }, local => Interlocked.Add(ref total, local));
        return total;
    }
}
