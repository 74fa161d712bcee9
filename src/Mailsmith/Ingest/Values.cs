using System.Globalization;
using System.Text;

namespace Mailsmith.Ingest;

/// <summary>
/// Parsers for the field formats of the import files (see docs/data-formats.md). All are culture-invariant and
/// never throw on bad input: they return false and the caller reports the field.
/// </summary>
internal static class Values
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>
    /// An ISO 8601 timestamp as milliseconds since the epoch: <c>yyyy-MM-dd</c> (midnight UTC), or
    /// <c>yyyy-MM-ddTHH:mm[:ss[.fffffff]]</c> (<c>T</c> or a space) with <c>Z</c>, <c>±HH:mm</c>, <c>±HHmm</c>, <c>±HH</c> or
    /// no offset (UTC). Digits beyond milliseconds are truncated.
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<byte> s, out long milliseconds)
    {
        milliseconds = 0;
        if (!TryParseDate(s, out var year, out var month, out var day))
        {
            return false;
        }
        long ticks = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc).Ticks;
        var i = 10;
        if (i < s.Length)
        {
            if ((s[i] != (byte)'T' && s[i] != (byte)'t' && s[i] != (byte)' ') || !TwoDigits(s, i + 1, out var hour) || hour > 23
                || i + 3 >= s.Length || s[i + 3] != (byte)':' || !TwoDigits(s, i + 4, out var minute) || minute > 59)
            {
                return false;
            }
            ticks += (hour * 60L + minute) * TimeSpan.TicksPerMinute;
            i += 6;
            if (i < s.Length && s[i] == (byte)':')
            {
                if (!TwoDigits(s, i + 1, out var second) || second > 59)
                {
                    return false;
                }
                ticks += second * TimeSpan.TicksPerSecond;
                i += 3;
                if (i < s.Length && (s[i] == (byte)'.' || s[i] == (byte)','))
                {
                    i++;
                    var digits = 0;
                    long fraction = 0;
                    while (i < s.Length && IsDigit(s[i]))
                    {
                        if (digits < 7)
                        {
                            fraction = fraction * 10 + (s[i] - '0');
                        }
                        digits++;
                        i++;
                    }
                    if (digits == 0)
                    {
                        return false;
                    }
                    for (var d = digits; d < 7; d++)
                    {
                        fraction *= 10;
                    }
                    ticks += fraction;
                }
            }
            if (i < s.Length)
            {
                var sign = s[i];
                if (sign is (byte)'Z' or (byte)'z')
                {
                    i++;
                }
                else if (sign is (byte)'+' or (byte)'-')
                {
                    if (!TwoDigits(s, i + 1, out var offsetHours) || offsetHours > 14)
                    {
                        return false;
                    }
                    i += 3;
                    var offsetMinutes = 0;
                    if (i < s.Length && s[i] == (byte)':')
                    {
                        i++;
                    }
                    if (i < s.Length)
                    {
                        if (!TwoDigits(s, i, out offsetMinutes) || offsetMinutes > 59)
                        {
                            return false;
                        }
                        i += 2;
                    }
                    var offset = (offsetHours * 60L + offsetMinutes) * TimeSpan.TicksPerMinute;
                    ticks += sign == (byte)'+' ? -offset : offset;
                }
                else
                {
                    return false;
                }
            }
            if (i != s.Length)
            {
                return false;
            }
        }
        milliseconds = Math.DivRem(ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMillisecond, out var rest) - (rest < 0 ? 1 : 0);
        return true;
    }

    /// <summary>A calendar date <c>yyyy-MM-dd</c> followed by nothing or by a time part.</summary>
    public static bool TryParseDate(ReadOnlySpan<byte> s, out int year, out int month, out int day)
    {
        year = month = day = 0;
        if (s.Length < 10 || s[4] != (byte)'-' || s[7] != (byte)'-'
            || !TwoDigits(s, 0, out var century) || !TwoDigits(s, 2, out var yy)
            || !TwoDigits(s, 5, out month) || !TwoDigits(s, 8, out day))
        {
            return false;
        }
        year = century * 100 + yy;
        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out decimal value) =>
        decimal.TryParse(s, DecimalStyle, CultureInfo.InvariantCulture, out value);

    public static bool TryParseInt(ReadOnlySpan<byte> s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary><c>true</c>/<c>false</c> (any case), <c>1</c>/<c>0</c>.</summary>
    public static bool TryParseBool(ReadOnlySpan<byte> s, out bool value)
    {
        if (s.SequenceEqual("1"u8) || Ascii.EqualsIgnoreCase(s, "true"u8))
        {
            value = true;
            return true;
        }
        value = false;
        return s.SequenceEqual("0"u8) || Ascii.EqualsIgnoreCase(s, "false"u8);
    }

    /// <summary>ISO 4217 shape: exactly three uppercase ASCII letters.</summary>
    public static bool IsCurrency(ReadOnlySpan<byte> s) =>
        s.Length == 3 && IsUpper(s[0]) && IsUpper(s[1]) && IsUpper(s[2]);

    /// <summary>A lower_snake_case word: <c>[a-z][a-z0-9]*(_[a-z0-9]+)*</c>.</summary>
    public static bool IsSnakeCaseWord(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty || s[0] is < (byte)'a' or > (byte)'z' || s[^1] == (byte)'_')
        {
            return false;
        }
        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            var ok = c is >= (byte)'a' and <= (byte)'z' || IsDigit(c) || (c == (byte)'_' && s[i - 1] != (byte)'_');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>An absolute http or https URL.</summary>
    public static bool IsWebUrl(string s) =>
        Uri.TryCreate(s, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !s.Contains(' ', StringComparison.Ordinal);

    /// <summary>
    /// Pragmatic address check: one <c>@</c>, a non-empty local part, a dotted domain of letters, digits and hyphens,
    /// no whitespace or control characters, at most 254 characters, and accepted by MimeKit (which Deliver uses).
    /// </summary>
    /// <returns>The address trimmed with its domain lower-cased, or null when invalid.</returns>
    public static string? NormalizeEmail(string raw)
    {
        var s = raw.Trim();
        var at = s.IndexOf('@', StringComparison.Ordinal);
        if (s.Length is 0 or > 254 || at <= 0 || at != s.LastIndexOf('@') || at == s.Length - 1)
        {
            return null;
        }
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return null;
            }
        }
        var domain = s[(at + 1)..].ToLowerInvariant();
        var labels = domain.Split('.');
        if (labels.Length < 2)
        {
            return null;
        }
        foreach (var label in labels)
        {
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-')
            {
                return null;
            }
            foreach (var c in label)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-'))
                {
                    return null;
                }
            }
        }
        var local = s[..at];
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }
        var address = local + "@" + domain;
        return MimeKit.MailboxAddress.TryParse(address, out var mailbox) && mailbox.Address == address ? address : null;
    }

    /// <summary>
    /// A well-formed BCP 47 tag, case-normalized: language (2–3 letters) lower, optional script (4 letters) title case,
    /// optional region (2 letters upper, or 3 digits), then variants, extensions and private use lower-cased.
    /// Underscores are not accepted. Returns null when malformed.
    /// </summary>
    public static string? NormalizeLocale(string raw)
    {
        var parts = raw.Trim().Split('-');
        if (parts.Length == 0 || parts[0].Length is < 2 or > 3 || !AllLetters(parts[0]))
        {
            return null;
        }
        var result = new StringBuilder(parts[0].ToLowerInvariant());
        var i = 1;
        if (i < parts.Length && parts[i].Length == 4 && AllLetters(parts[i]))
        {
            result.Append('-').Append(char.ToUpperInvariant(parts[i][0])).Append(parts[i][1..].ToLowerInvariant());
            i++;
        }
        if (i < parts.Length && ((parts[i].Length == 2 && AllLetters(parts[i])) || (parts[i].Length == 3 && parts[i].All(char.IsAsciiDigit))))
        {
            result.Append('-').Append(parts[i].ToUpperInvariant());
            i++;
        }
        while (i < parts.Length && IsVariant(parts[i]))
        {
            result.Append('-').Append(parts[i].ToLowerInvariant());
            i++;
        }
        while (i < parts.Length)
        {
            // An extension (singleton other than x, then 2–8 alphanumerics) or private use (x, then 1–8).
            var singleton = parts[i];
            if (singleton.Length != 1 || !char.IsAsciiLetterOrDigit(singleton[0]))
            {
                return null;
            }
            var isPrivate = singleton is "x" or "X";
            var minimum = isPrivate ? 1 : 2;
            result.Append('-').Append(char.ToLowerInvariant(singleton[0]));
            i++;
            var count = 0;
            while (i < parts.Length && parts[i].Length >= minimum && parts[i].Length <= 8 && parts[i].All(char.IsAsciiLetterOrDigit)
                   && (isPrivate || parts[i].Length > 1))
            {
                result.Append('-').Append(parts[i].ToLowerInvariant());
                i++;
                count++;
            }
            if (count == 0)
            {
                return null;
            }
        }
        return result.ToString();
    }

    private static bool IsVariant(string s) =>
        s.All(char.IsAsciiLetterOrDigit) && (s.Length is >= 5 and <= 8 || (s.Length == 4 && char.IsAsciiDigit(s[0])));

    private static bool AllLetters(string s) => s.All(char.IsAsciiLetter);

    /// <summary>
    /// The IANA id of a time zone this system knows, or null. A Windows id is accepted and stored as its IANA equivalent,
    /// so every stored zone is IANA.
    /// </summary>
    public static string? NormalizeTimeZone(string raw)
    {
        var id = raw.Trim();
        if (id.Length == 0 || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out _))
        {
            return null;
        }
        // "UTC" is both an IANA and a Windows id: only ids that are not IANA already are converted.
        return !TimeZoneInfo.TryConvertIanaIdToWindowsId(id, out _) && TimeZoneInfo.TryConvertWindowsIdToIanaId(id, out var iana) ? iana : id;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        if (at + 1 < s.Length && IsDigit(s[at]) && IsDigit(s[at + 1]))
        {
            value = (s[at] - '0') * 10 + (s[at + 1] - '0');
            return true;
        }
        value = 0;
        return false;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsUpper(byte b) => b is >= (byte)'A' and <= (byte)'Z';
}
