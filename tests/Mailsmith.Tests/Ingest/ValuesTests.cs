using System.Text;
using Mailsmith.Ingest;

namespace Mailsmith.Tests.Ingest;

public sealed class ValuesTests
{
    [Theory]
    [InlineData("en-US", "en-US")]
    [InlineData("zh-cn", "zh-CN")]
    [InlineData("ZH-HANT-tw", "zh-Hant-TW")]
    [InlineData("fr", "fr")]
    [InlineData("es-419", "es-419")]
    [InlineData("de-DE-1996", "de-DE-1996")]
    [InlineData("th-TH-u-nu-thai", "th-TH-u-nu-thai")]
    [InlineData("en-x-Pirate", "en-x-pirate")]
    public void NormalizeLocale_WellFormedTag_NormalizesCase(string input, string expected) =>
        Assert.Equal(expected, Values.NormalizeLocale(input));

    [Theory]
    [InlineData("en_US")]
    [InlineData("e")]
    [InlineData("english")]
    [InlineData("en-")]
    [InlineData("en-USA1")]
    [InlineData("en-u")]
    [InlineData("12-US")]
    [InlineData("")]
    public void NormalizeLocale_MalformedTag_ReturnsNull(string input) => Assert.Null(Values.NormalizeLocale(input));

    [Theory]
    [InlineData("2025-03-01", "2025-03-01T00:00:00.000Z")]
    [InlineData("2025-03-01T10:20", "2025-03-01T10:20:00.000Z")]
    [InlineData("2025-03-01T10:20:30Z", "2025-03-01T10:20:30.000Z")]
    [InlineData("2025-03-01 10:20:30.1234567", "2025-03-01T10:20:30.123Z")]
    [InlineData("2025-03-01T10:20:30+02:00", "2025-03-01T08:20:30.000Z")]
    [InlineData("2025-03-01T01:00:00-0530", "2025-03-01T06:30:00.000Z")]
    [InlineData("2025-03-01T01:00:00+09", "2025-02-28T16:00:00.000Z")]
    [InlineData("2024-02-29T23:59:59.999z", "2024-02-29T23:59:59.999Z")]
    [InlineData("1969-12-31T23:59:59.9995Z", "1969-12-31T23:59:59.999Z")]
    public void TryParseTimestamp_Iso8601_GivesUtcMilliseconds(string input, string expected)
    {
        Assert.True(Values.TryParseTimestamp(Encoding.UTF8.GetBytes(input), out var ms));
        Assert.Equal(expected, DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2025-13-01")]
    [InlineData("2023-02-29")]
    [InlineData("2025-03-01T24:00")]
    [InlineData("2025-03-01T10")]
    [InlineData("2025-03-01T10:20:30.")]
    [InlineData("2025-03-01T10:20:30+2")]
    [InlineData("2025-03-01T10:20:30 UTC")]
    [InlineData("03/01/2025")]
    [InlineData("20250301")]
    public void TryParseTimestamp_Malformed_ReturnsFalse(string input) =>
        Assert.False(Values.TryParseTimestamp(Encoding.UTF8.GetBytes(input), out _));

    [Theory]
    [InlineData(" Ana.Lopez@Example.COM ", "Ana.Lopez@example.com")]
    [InlineData("o'brien+news@mail.example.co.uk", "o'brien+news@mail.example.co.uk")]
    public void NormalizeEmail_Valid_TrimsAndLowercasesDomain(string input, string expected) =>
        Assert.Equal(expected, Values.NormalizeEmail(input));

    [Theory]
    [InlineData("plain")]
    [InlineData("@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData("a@example")]
    [InlineData("a b@example.com")]
    [InlineData("a@exa mple.com")]
    [InlineData("a..b@example.com")]
    [InlineData("a@-example.com")]
    [InlineData("a@example..com")]
    [InlineData("\"Ann\" <a@example.com>")]
    public void NormalizeEmail_Invalid_ReturnsNull(string input) => Assert.Null(Values.NormalizeEmail(input));

    [Fact]
    public void NormalizeEmail_LongerThan254_ReturnsNull() =>
        Assert.Null(Values.NormalizeEmail(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com"));

    [Theory]
    [InlineData("Europe/Paris", "Europe/Paris")]
    [InlineData("Asia/Shanghai", "Asia/Shanghai")]
    [InlineData("UTC", "UTC")]
    [InlineData("Mars/Olympus", null)]
    public void NormalizeTimeZone_KnowsIanaIds(string input, string? expected) => Assert.Equal(expected, Values.NormalizeTimeZone(input));

    [Theory]
    [InlineData("view", true)]
    [InlineData("add_to_cart", true)]
    [InlineData("step2_done", true)]
    [InlineData("AddToCart", false)]
    [InlineData("add__cart", false)]
    [InlineData("_view", false)]
    [InlineData("view_", false)]
    [InlineData("2fa", false)]
    public void IsSnakeCaseWord_ChecksShape(string input, bool expected) => Assert.Equal(expected, Values.IsSnakeCaseWord(Encoding.UTF8.GetBytes(input)));
}
