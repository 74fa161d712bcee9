using BenchmarkDotNet.Attributes;
using Mailsmith.Compose;
using Mailsmith.Profile;
using Mailsmith.Recommend;
using Mailsmith.Storage;

namespace Mailsmith.Benchmarks.Recommend;

/// <summary>
/// Item-item fit and per-customer recommendation on 5,000 customers × ~50 events over 600 items (seeded).
/// <c>Recommend_For</c> reports the time of one customer's list (6 products, campaign <c>recommendations</c>).
/// </summary>
[MemoryDiagnoser]
public class RecommendBenchmarks
{
    private const int CustomersPerInvoke = 500;

    private StoreSnapshot _snapshot = null!;
    private RecommendationService _service = null!;
    private Customer[] _customers = null!;
    private CustomerProfile[] _profiles = null!;

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = SyntheticInteractions.Create(customers: 5_000, eventsPerCustomer: 50, items: 600, categories: 40, seed: 42);
        var profiles = new ProfileBuilder(ProfileOptions.Default).Build(_snapshot, SyntheticInteractions.AsOf);
        _service = new RecommendationService(RecommendOptions.Default);
        _service.Fit(_snapshot, SyntheticInteractions.AsOf);
        _customers = [.. _snapshot.Customers.Take(CustomersPerInvoke)];
        _profiles = [.. _customers.Select(c => profiles[c.CustomerId])];

        // Check the output before timing anything: full lists, mostly personal, never out of stock.
        var personal = 0;
        foreach (var (customer, profile) in _customers.Zip(_profiles))
        {
            var list = _service.For(CampaignTypes.Recommendations, customer, profile, 6);
            if (list.Count != 6 || list.Any(r => !_snapshot.ProductsById[r.ProductId].InStock))
            {
                throw new InvalidOperationException($"Bad list for {customer.CustomerId}.");
            }
            personal += list[0].Reason.Kind is ReasonKind.Viewed or ReasonKind.BoughtWith ? 1 : 0;
        }
        if (personal < CustomersPerInvoke * 9 / 10)
        {
            throw new InvalidOperationException($"Only {personal} of {CustomersPerInvoke} lists start with an item-item pick.");
        }
    }

    [Benchmark]
    public int Recommend_ItemItemFit()
    {
        var recommender = new ItemItemRecommender(RecommendOptions.Default);
        recommender.Fit(_snapshot, SyntheticInteractions.AsOf);
        return recommender.Recommend(_customers[0].CustomerId, 6, _ => true).Count;
    }

    [Benchmark(OperationsPerInvoke = CustomersPerInvoke)]
    public int Recommend_For()
    {
        var total = 0;
        for (var i = 0; i < _customers.Length; i++)
        {
            total += _service.For(CampaignTypes.Recommendations, _customers[i], _profiles[i], 6).Count;
        }
        return total;
    }
}
