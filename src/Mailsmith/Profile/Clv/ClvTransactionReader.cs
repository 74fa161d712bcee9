using System.Globalization;
using System.Text;
using Mailsmith.Ingest;

namespace Mailsmith.Profile.Clv;

/// <summary>The transaction file formats <c>mailsmith clv fit</c> reads.</summary>
public enum ClvFileFormat
{
    /// <summary>
    /// The CDNOW files: whitespace-separated, either the 1/10 sample (5 columns, no header: master id, sample id,
    /// YYYYMMDD, CDs, dollars; the customer is the sample id) or the master file (4 columns with a header line:
    /// customer id, YYYYMMDD, CDs, dollars).
    /// </summary>
    Cdnow,

    /// <summary>RFC 4180 CSV with a header naming <c>customer_id</c>, <c>date</c> and <c>amount</c> (any order, other columns ignored).</summary>
    Csv,
}

/// <summary>Reads purchase transactions from a file, rejecting bad rows with the file, line and field.</summary>
public static class ClvTransactionReader
{
    /// <summary>At most this many bad rows are listed in the exception message (then a count).</summary>
    private const int MaxListedErrors = 20;

    /// <summary>Reads every transaction of <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ClvDataException">One or more rows are malformed; the message lists them as <c>file:line: field: reason</c>.</exception>
    public static async Task<List<ClvTransaction>> ReadAsync(string path, ClvFileFormat format, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        return format switch
        {
            ClvFileFormat.Cdnow => await ReadCdnowAsync(path, cancellationToken),
            _ => await Task.Run(() => ReadCsv(path, cancellationToken), cancellationToken),
        };
    }

    private static async Task<List<ClvTransaction>> ReadCdnowAsync(string path, CancellationToken cancellationToken)
    {
        var result = new List<ClvTransaction>();
        var errors = new Errors(path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var lineNumber = 0;
        int? columns = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }
            // The master file starts with a header line; the sample has none.
            if (columns is null && !parts[0].All(char.IsAsciiDigit))
            {
                if (parts.Length != 4)
                {
                    errors.Add(lineNumber, "header", $"expected the master file's 4 column names, found {parts.Length}");
                }
                columns = 4;
                continue;
            }
            columns ??= parts.Length;
            if (columns is not (4 or 5))
            {
                errors.Add(lineNumber, "columns", $"expected 4 columns (CDNOW master) or 5 (CDNOW sample), found {parts.Length}");
                break;
            }
            if (parts.Length != columns)
            {
                errors.Add(lineNumber, "columns", $"expected {columns} columns like the first row, found {parts.Length}");
                continue;
            }
            var id = columns == 5 ? parts[1] : parts[0];
            var dateField = parts[columns.Value - 3];
            var amountField = parts[columns.Value - 1];
            var dateOk = DateOnly.TryParseExact(dateField, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
            var amountOk = double.TryParse(amountField, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount);
            if (!dateOk)
            {
                errors.Add(lineNumber, "date", $"'{dateField}' is not a date YYYYMMDD");
            }
            if (!amountOk)
            {
                errors.Add(lineNumber, "dollar_value", $"'{amountField}' is not a number");
            }
            if (dateOk && amountOk)
            {
                result.Add(new ClvTransaction(id, date, amount));
            }
        }
        errors.ThrowIfAny();
        return result;
    }

    private static List<ClvTransaction> ReadCsv(string path, CancellationToken cancellationToken)
    {
        var result = new List<ClvTransaction>();
        var errors = new Errors(path);
        using var csv = new CsvRecordReader(File.OpenRead(path), new ColumnSet());
        if (!csv.ReadHeader())
        {
            throw new ClvDataException($"{path}: the file is empty; expected a header line customer_id,date,amount");
        }
        var idColumn = csv.Columns.Find("customer_id"u8);
        var dateColumn = csv.Columns.Find("date"u8);
        var amountColumn = csv.Columns.Find("amount"u8);
        var missing = new[] { (idColumn, "customer_id"), (dateColumn, "date"), (amountColumn, "amount") }.Where(c => c.Item1 < 0).Select(c => c.Item2).ToList();
        if (missing.Count > 0)
        {
            throw new ClvDataException($"{path}:1: header: missing column {string.Join(", ", missing)} (found: {string.Join(",", csv.Columns.Names)})");
        }
        while (csv.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var line = (int)csv.Line;
            if (csv.Errors.Count > 0)
            {
                foreach (var (column, reason) in csv.Errors)
                {
                    errors.Add(line, column, reason);
                }
                continue;
            }
            if (csv.Fields.Count != csv.Columns.Count)
            {
                errors.Add(line, "(row)", $"{csv.Fields.Count} fields, the header has {csv.Columns.Count}");
                continue;
            }
            var id = Encoding.UTF8.GetString(csv.Fields[idColumn]).Trim();
            var dateText = Encoding.UTF8.GetString(csv.Fields[dateColumn]).Trim();
            var amountText = Encoding.UTF8.GetString(csv.Fields[amountColumn]).Trim();
            var ok = true;
            if (id.Length == 0)
            {
                errors.Add(line, "customer_id", "empty");
                ok = false;
            }
            if (!TryParseDate(dateText, out var date))
            {
                errors.Add(line, "date", $"'{dateText}' is not a date (YYYY-MM-DD, YYYYMMDD or an ISO 8601 timestamp)");
                ok = false;
            }
            if (!double.TryParse(amountText, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || !double.IsFinite(amount))
            {
                errors.Add(line, "amount", $"'{amountText}' is not a number");
                ok = false;
            }
            else if (amount < 0)
            {
                errors.Add(line, "amount", $"{amountText} is negative (returns are not purchases)");
                ok = false;
            }
            if (ok)
            {
                result.Add(new ClvTransaction(id, date, amount));
            }
        }
        errors.ThrowIfAny();
        return result;
    }

    /// <summary>A calendar day from YYYY-MM-DD, YYYYMMDD or an ISO 8601 timestamp (the day as written, in its own offset).</summary>
    public static bool TryParseDate(string text, out DateOnly date)
    {
        if (DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyyMMdd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp) && text.Length >= 10 && char.IsAsciiDigit(text[0]))
        {
            date = DateOnly.FromDateTime(stamp.DateTime);
            return true;
        }
        date = default;
        return false;
    }

    private sealed class Errors(string path)
    {
        private readonly List<string> _lines = [];
        private int _count;

        public void Add(int line, string field, string reason)
        {
            _count++;
            if (_lines.Count < MaxListedErrors)
            {
                _lines.Add($"{path}:{line}: {field}: {reason}");
            }
        }

        public void ThrowIfAny()
        {
            if (_count == 0)
            {
                return;
            }
            var more = _count > _lines.Count ? $"{Environment.NewLine}… and {_count - _lines.Count:N0} more ({_count:N0} bad rows in all)" : "";
            throw new ClvDataException(string.Join(Environment.NewLine, _lines) + more);
        }
    }
}

/// <summary>Transaction data that cannot be used; the message names the file, line and field of each problem.</summary>
public sealed class ClvDataException(string message) : Exception(message);
