using Mailsmith.Profile;
using Mailsmith.Storage;
using Mailsmith.Tests.Profile;
using static Mailsmith.Tests.Profile.SnapshotBuilder;

namespace Mailsmith.Tests.Recommend;

/// <summary>A small store with known structure: k1/k2 co-viewed, t1/t2 co-bought, b1 the best seller, g2 the best garden tool.</summary>
internal static class RecommendTestData
{
    public const string Coffee = "Kitchen > Coffee";
    public const string Tea = "Kitchen > Tea";
    public const string Garden = "Garden > Tools";
    public const string Books = "Books";

    public static SnapshotBuilder Store(bool k2InStock = true)
    {
        var d = new SnapshotBuilder();
        foreach (var (prefix, category) in new[] { ("k", Coffee), ("t", Tea), ("g", Garden), ("b", Books) })
        {
            for (var i = 1; i <= 4; i++)
            {
                d.Product($"{prefix}{i}", category, inStock: prefix != "k" || i != 2 || k2InStock);
            }
        }
        for (var s = 0; s < 6; s++)
        {
            d.Customer($"shop{s}").Order($"shop{s}", DaysAgo(10), ["b1"]);
        }
        for (var s = 0; s < 3; s++)
        {
            d.Order($"shop{s}", DaysAgo(9), ["g2"]);
        }
        d.Order("shop3", DaysAgo(9), ["g1"]);
        for (var s = 0; s < 4; s++)
        {
            d.Customer($"viewer{s}").Event($"viewer{s}", EventTypes.View, DaysAgo(5), "k1").Event($"viewer{s}", EventTypes.View, DaysAgo(5), "k2");
            d.Customer($"pair{s}").Order($"pair{s}", DaysAgo(20), ["t1", "t2"]);
        }
        return d;
    }

    public static CustomerProfile ProfileOf(string customerId, params string[] topCategories) =>
        new(customerId, null, 0, 0m, 0, 0, 0, Lifecycle.Active, topCategories, PriceBand.Unknown, null, 0, null, 0.5);
}
