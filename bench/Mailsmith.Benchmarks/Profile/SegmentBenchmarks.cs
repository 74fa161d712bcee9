using BenchmarkDotNet.Attributes;
using Mailsmith.Profile;
using Mailsmith.Profile.Segments;

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
    private SegmentPopulation _population = null!;
    private SegmentExpression _example = null!;
    private SegmentExpression _wide = null!;
    private SegmentExpression _one = null!;

    [GlobalSetup]
    public void Setup()
    {
        _population = SegmentBenchmark.Population(1_000_000);
        _example = _population.Compile(SegmentBenchmark.IssueExample);
        _wide = _population.Compile(SegmentBenchmark.Wide);
        _one = _population.Compile("lifecycle = 'vip'");
        // Check the compiled predicates against the same conditions written by hand, before anything is timed.
        var (example, wide) = SegmentBenchmark.Expected(_population.Rows);
        if (_population.Count(_example) != example || _population.Count(_wide) != wide
            || _population.Count(_one) != _population.Rows.Count(r => r.Profile.Lifecycle == Lifecycle.Vip) || example < 1000 || wide < 1000)
        {
            throw new InvalidOperationException("Unexpected counts.");
        }
    }

    [Benchmark]
    public int Segment_CountIssueExample1M() => _population.Count(_example);

    /// <summary>A fresh population each time: a first count walks the rows, as a one-off CLI count does.</summary>
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
    public int Segment_Compile() => SegmentExpression.Compile(SegmentBenchmark.Wide, _population.Context).Fields.Count;
}
