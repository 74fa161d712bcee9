using System.Buffers;
using System.Globalization;
using System.Text;

namespace Mailsmith.Synthetic;

/// <summary>
/// A streaming RFC 4180 writer: UTF-8 without BOM, <c>\n</c> row ends, a field is quoted only when it holds a comma,
/// a quote, CR or LF. Numbers and timestamps are written in the invariant culture without intermediate strings.
/// </summary>
internal sealed class CsvOutput : IDisposable
{
    private static readonly SearchValues<char> s_needsQuote = SearchValues.Create(",\"\r\n");
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly StreamWriter _writer;
    private bool _rowStarted;

    public CsvOutput(string path, params ReadOnlySpan<string> header)
    {
        _writer = new StreamWriter(path, append: false, s_utf8, bufferSize: 1 << 16) { NewLine = "\n" };
        foreach (var name in header)
        {
            Field(name);
        }
        EndRow();
    }

    /// <summary>Data rows written so far (the header is not counted).</summary>
    public long Rows { get; private set; } = -1;

    public void Field(string? value) => Field(value.AsSpan());

    public void Field(ReadOnlySpan<char> value)
    {
        Separate();
        if (value.IndexOfAny(s_needsQuote) < 0)
        {
            _writer.Write(value);
            return;
        }
        _writer.Write('"');
        foreach (var c in value)
        {
            if (c == '"')
            {
                _writer.Write('"');
            }
            _writer.Write(c);
        }
        _writer.Write('"');
    }

    public void Field(long value)
    {
        Span<char> buffer = stackalloc char[24];
        value.TryFormat(buffer, out var written, default, CultureInfo.InvariantCulture);
        Field(buffer[..written]);
    }

    /// <summary>Writes money with exactly two decimals.</summary>
    public void Money(decimal value)
    {
        Span<char> buffer = stackalloc char[40];
        value.TryFormat(buffer, out var written, "0.00", CultureInfo.InvariantCulture);
        Field(buffer[..written]);
    }

    public void Field(bool value) => Field(value ? "true" : "false");

    /// <summary>Writes Unix seconds as <c>yyyy-MM-ddTHH:mm:ssZ</c>.</summary>
    public void Timestamp(long unixSeconds)
    {
        Span<char> buffer = stackalloc char[24];
        DateTime.UnixEpoch.AddSeconds(unixSeconds).TryFormat(buffer, out var written, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Field(buffer[..written]);
    }

    public void Empty() => Separate();

    public void EndRow()
    {
        _writer.Write('\n');
        _rowStarted = false;
        Rows++;
    }

    public void Dispose() => _writer.Dispose();

    private void Separate()
    {
        if (_rowStarted)
        {
            _writer.Write(',');
        }
        _rowStarted = true;
    }
}
