using System.Collections.Concurrent;
using System.Globalization;

namespace Mailsmith.Compose;

/// <summary>
/// Prices in the reader's number format with an unambiguous symbol for the product's currency:
/// en-US <c>$49.99</c>, zh-CN <c>US$49.99</c> and <c>¥299.00</c>, fr-FR <c>49,99 €</c>. Thread-safe; formats are cached.
/// </summary>
internal sealed class MoneyFormatter
{
    // Symbols for a currency that is not the reader's own: "$" alone would mean the reader's dollar or yuan.
    private static readonly Dictionary<string, string> ForeignSymbols = new(StringComparer.OrdinalIgnoreCase)
    {
        ["USD"] = "US$", ["CNY"] = "CN¥", ["JPY"] = "JP¥", ["EUR"] = "€", ["GBP"] = "£", ["CAD"] = "CA$", ["AUD"] = "A$",
        ["NZD"] = "NZ$", ["HKD"] = "HK$", ["TWD"] = "NT$", ["SGD"] = "S$", ["MXN"] = "MX$", ["BRL"] = "R$", ["KRW"] = "₩",
        ["INR"] = "₹", ["ILS"] = "₪", ["VND"] = "₫", ["PHP"] = "₱", ["THB"] = "฿", ["RUB"] = "₽", ["TRY"] = "₺", ["UAH"] = "₴",
    };

    // ISO 4217 minor units where they are not 2.
    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.OrdinalIgnoreCase)
    {
        ["JPY"] = 0, ["KRW"] = 0, ["VND"] = 0, ["CLP"] = 0, ["ISK"] = 0, ["UGX"] = 0, ["PYG"] = 0, ["XOF"] = 0, ["XAF"] = 0,
        ["BHD"] = 3, ["KWD"] = 3, ["JOD"] = 3, ["OMR"] = 3, ["TND"] = 3, ["IQD"] = 3, ["LYD"] = 3,
    };

    private static readonly string[] CurrencyFormats = [.. Enumerable.Range(0, 29).Select(d => "C" + d.ToString(CultureInfo.InvariantCulture))];

    private readonly ConcurrentDictionary<(string Culture, string Currency), (NumberFormatInfo Format, int Digits, bool Spaced)> _formats = new();
    private readonly ConcurrentDictionary<string, CultureInfo?> _cultures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The culture named by a customer's locale, or null when the name is not a culture .NET knows.</summary>
    public CultureInfo? CultureFor(string locale) => _cultures.GetOrAdd(locale, static name =>
    {
        try
        {
            return CultureInfo.GetCultureInfo(name.Replace('_', '-'), predefinedOnly: true);
        }
        catch (CultureNotFoundException)
        {
            return null;
        }
    });

    /// <summary>
    /// Formats <paramref name="amount"/> of <paramref name="currency"/> for <paramref name="culture"/>. Shows the currency's minor
    /// units, or more digits when the amount has them: a price is never rounded in an email.
    /// </summary>
    public string Format(decimal amount, string currency, CultureInfo culture)
    {
        var (format, digits, spaced) = _formats.GetOrAdd((culture.Name, currency), static (key, c) => Build(c, key.Currency), culture);
        if (amount.Scale > digits && amount != Math.Round(amount, digits))
        {
            digits = Math.Min(28, (int)amount.Scale);
        }
        var text = amount.ToString(CurrencyFormats[digits], format);
        // .NET writes the space between number and symbol ("49,99 €") as a plain space; a price must not wrap mid-way.
        return spaced ? text.Replace(' ', '\u00A0') : text;
    }

    private static (NumberFormatInfo, int, bool) Build(CultureInfo culture, string currency)
    {
        var format = (NumberFormatInfo)culture.NumberFormat.Clone();
        string? own = null;
        if (!culture.IsNeutralCulture && culture.Name.Length > 0)
        {
            try
            {
                own = new RegionInfo(culture.Name).ISOCurrencySymbol;
            }
            catch (ArgumentException)
            {
                own = null;
            }
        }
        if (!string.Equals(own, currency, StringComparison.OrdinalIgnoreCase))
        {
            var symbol = ForeignSymbols.TryGetValue(currency, out var known) ? known : currency.ToUpperInvariant();
            format.CurrencySymbol = symbol;
            // A letter code glued to the number ("CHF49.99") is hard to read; put a space between them.
            if (symbol.All(char.IsAsciiLetter))
            {
                format.CurrencyPositivePattern = format.CurrencyPositivePattern switch { 0 => 2, 1 => 3, var p => p };
                format.CurrencyNegativePattern = format.CurrencyNegativePattern switch { 1 => 9, 5 => 8, var p => p };
            }
        }
        var spaced = format.CurrencyPositivePattern is 2 or 3 || format.CurrencyNegativePattern is 8 or 9 or 10 or 11 or 12 or 13 or 14 or 15;
        return (NumberFormatInfo.ReadOnly(format), MinorUnits.TryGetValue(currency, out var digits) ? digits : 2, spaced);
    }
}
