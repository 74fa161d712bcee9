using System.Globalization;

namespace Mailsmith.Storage;

/// <summary>Conversions between record values and their stored form (ms since epoch, invariant decimals).</summary>
public static class DbValues
{
    public static long ToDb(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static object ToDb(DateTimeOffset? value) => value is { } v ? v.ToUnixTimeMilliseconds() : DBNull.Value;

    public static object ToDb(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : DBNull.Value;

    public static string ToDb(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static object ToDb(string? value) => value is null ? DBNull.Value : value;

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static decimal Money(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
