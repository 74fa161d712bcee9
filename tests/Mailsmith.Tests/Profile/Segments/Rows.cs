using Mailsmith.Profile;
using Mailsmith.Profile.Segments;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Profile.Segments;

/// <summary>Small hand-made customers and profiles for the segment language tests.</summary>
internal static class Rows
{
    public static readonly DateTimeOffset AsOf = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static SegmentContext Context { get; } = SegmentContext.FromProducts(
    [
        Product("P1", "Shoes > Running > Trail", "Stridewell"),
        Product("P2", "Shoes > Casual", "Kinsei"),
        Product("P3", "Home > Kitchen > Knives", "Lumiere Lab"),
    ], AsOf);

    public static Product Product(string id, string category, string brand) =>
        new(id, id, null, category, brand, 10m, "USD", true, null, null, [], new Dictionary<string, LocalizedText>());

    public static Customer CustomerOf(string id = "C1", string locale = "en-US", bool consent = true, DateTimeOffset? signup = null, string? firstName = "Ada") =>
        new(id, $"{id.ToLowerInvariant()}@Example.com", firstName, null, locale, "Europe/Berlin", signup ?? AsOf.AddDays(-100), null, consent, null);

    public static CustomerProfile ProfileOf(string id = "C1", string lifecycle = Lifecycle.Active, double? recency = 10, int frequency = 3, decimal monetary = 250m,
        params string[] topCategories) =>
        new(id, recency, frequency, monetary, 4, 3, 5, lifecycle, topCategories, PriceBand.Mid, 20, 0.25, frequency > 0 ? monetary / frequency : null, 0.4);

    public static SegmentRow Row(CustomerProfile? profile = null, Customer? customer = null) =>
        new(customer ?? CustomerOf(profile?.CustomerId ?? "C1"), profile ?? ProfileOf());

    public static bool Eval(string expression, SegmentRow row) => SegmentExpression.Compile(expression, Context).Matches(row);
}
