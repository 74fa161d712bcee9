using BenchmarkDotNet.Attributes;
using Mailsmith.Benchmarks.Recommend;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Benchmarks.Profile;

/// <summary>
/// Profile building at two sizes: the Recommend benchmarks' store (5,000 customers × ~50 events) and a large one
/// (100,000 customers × ~30 events, about 3 million events). Kept beside the Recommend benchmarks that share its data.
/// </summary>
[MemoryDiagnoser]
public class ProfileBenchmarks
{
    private StoreSnapshot _snapshot = null!;

    [Params(5_000, 100_000)]
    public int Customers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = SyntheticInteractions.Create(Customers, eventsPerCustomer: Customers > 10_000 ? 30 : 50, items: 600, categories: 40, seed: 7);
        var profiles = new ProfileBuilder(ProfileOptions.Default).Build(_snapshot, SyntheticInteractions.AsOf);
        // Check the output before timing: one profile each, and the synthetic tastes show up as top categories.
        if (profiles.Count != Customers || profiles.Values.Count(p => p.TopCategories.Count > 0) < Customers * 9 / 10)
        {
            throw new InvalidOperationException("Unexpected profiles.");
        }
    }

    [Benchmark]
    public int Profile_Build() => new ProfileBuilder(ProfileOptions.Default).Build(_snapshot, SyntheticInteractions.AsOf).Count;
}
