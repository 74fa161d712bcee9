using System.Globalization;
using Mailsmith.Compose;

namespace Mailsmith.Tests.Compose;

public class MoneyFormatterTests
{
    [Theory]
    [InlineData("en-US", "49.99", "USD", "$49.99")]
    [InlineData("en-US", "1234.5", "USD", "$1,234.50")]
    [InlineData("en-US", "299", "CNY", "CN¥299.00")]
    [InlineData("zh-CN", "49.99", "USD", "US$49.99")]
    [InlineData("zh-CN", "299.00", "CNY", "¥299.00")]
    [InlineData("ja-JP", "1200", "JPY", "￥1,200")]
    [InlineData("en-US", "1200", "JPY", "JP¥1,200")]
    [InlineData("en-US", "49.995", "USD", "$49.995")]
    [InlineData("en-US", "49.990", "USD", "$49.99")]
    [InlineData("de-DE", "1234.5", "EUR", "1.234,50\u00A0€")]
    [InlineData("en-US", "10", "CHF", "CHF\u00A010.00")]
    public void Format_AmountCurrencyCulture_ReaderFormatExactDecimals(string culture, string amount, string currency, string expected)
    {
        var money = new MoneyFormatter();

        var text = money.Format(decimal.Parse(amount, CultureInfo.InvariantCulture), currency, CultureInfo.GetCultureInfo(culture));

        Assert.Equal(expected, text);
    }

    [Fact]
    public void CultureFor_UnknownLocale_Null()
    {
        Assert.Null(new MoneyFormatter().CultureFor("xx-NOPE"));
        Assert.Equal("fr-FR", new MoneyFormatter().CultureFor("fr_FR")!.Name);
    }
}
