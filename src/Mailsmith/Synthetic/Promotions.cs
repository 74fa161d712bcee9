namespace Mailsmith.Synthetic;

/// <summary>A store-wide sale: a code worth <see cref="Percent"/> off, valid from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive), Unix seconds.</summary>
internal sealed record Promotion(string Code, int Percent, long Start, long End);

/// <summary>
/// The store's sales calendar. Discount-sensitive customers visit and buy more during these windows, which is the
/// "more purchases when discounts exist" signal a model can learn.
/// </summary>
internal static class Promotions
{
    // (month, day, days, code, percent off): a mix of US and Chinese retail moments, since the store sells to both.
    private static readonly (int Month, int Day, int Days, string Code, int Percent)[] s_calendar =
    [
        (1, 1, 3, "NEWYEAR15", 15),
        (2, 10, 5, "LOVE10", 10),
        (4, 10, 7, "SPRING15", 15),
        (6, 14, 5, "SALE618", 18),
        (7, 10, 7, "SUMMER20", 20),
        (8, 20, 7, "SCHOOL10", 10),
        (10, 1, 7, "GOLDEN15", 15),
        (11, 24, 8, "BFCM25", 25),
        (12, 15, 8, "HOLIDAY20", 20),
    ];

    /// <summary>Every sale overlapping [<paramref name="start"/>, <paramref name="end"/>), in time order.</summary>
    public static IReadOnlyList<Promotion> Between(DateTimeOffset start, DateTimeOffset end)
    {
        var result = new List<Promotion>();
        for (var year = start.Year; year <= end.Year; year++)
        {
            foreach (var (month, day, days, code, percent) in s_calendar)
            {
                var from = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
                var to = from.AddDays(days);
                if (to > start && from < end)
                {
                    result.Add(new Promotion(code, percent, from.ToUnixTimeSeconds(), to.ToUnixTimeSeconds()));
                }
            }
        }
        result.Sort((a, b) => a.Start.CompareTo(b.Start));
        return result;
    }

    /// <summary>The sale running at <paramref name="time"/>, if any.</summary>
    public static Promotion? At(IReadOnlyList<Promotion> promotions, long time)
    {
        foreach (var p in promotions)
        {
            if (time >= p.Start && time < p.End)
            {
                return p;
            }
        }
        return null;
    }
}
