using System.Buffers;
using System.Text;

namespace Mailsmith.Ingest;

/// <summary>
/// An RFC 4180 reader over UTF-8 bytes: comma-separated, <c>"</c>-quoted fields that may hold commas, doubled quotes
/// and line breaks; records end with LF or CRLF. It tracks the physical line each record starts on, skips blank lines
/// and a leading byte order mark, and reports (rather than throws on) an unterminated quote or invalid UTF-8.
/// </summary>
/// <remarks>
/// Works on bytes, not chars: the delimiters are ASCII and never occur inside a UTF-8 multi-byte sequence, so fields are
/// cut without decoding and UTF-8 is validated once per field with a vectorized check. A quote inside an unquoted field,
/// or text after a closing quote, is kept literally, as most producers intend.
/// </remarks>
internal sealed class CsvRecordReader(Stream stream, ColumnSet columns) : RecordReader(stream, columns)
{
    private static readonly SearchValues<byte> UnquotedStops = SearchValues.Create(",\n\r"u8);
    private static readonly SearchValues<byte> QuotedStops = SearchValues.Create("\"\n"u8);

    private long _line = 1;

    public override bool HasHeader => true;

    public override bool ReadHeader()
    {
        if (EnsureBytes(3) && Buffer.AsSpan(Pos, 3).SequenceEqual("\uFEFF"u8))
        {
            Pos += 3;
        }
        if (!ParseRecord())
        {
            return false;
        }
        for (var i = 0; i < Fields.Count; i++)
        {
            Columns.Add(Encoding.UTF8.GetString(Fields[i]).Trim());
        }
        return true;
    }

    public override bool Read()
    {
        if (!ParseRecord())
        {
            return false;
        }
        CheckUtf8();
        return true;
    }

    private bool ParseRecord()
    {
        Fields.Clear();
        ClearErrors();
        // Blank lines between records are not records.
        while (true)
        {
            if (!EnsureBytes(1))
            {
                return false;
            }
            var b = Buffer[Pos];
            if (b == (byte)'\n')
            {
                Pos++;
                _line++;
            }
            else if (b == (byte)'\r' && EnsureBytes(2) && Buffer[Pos + 1] == (byte)'\n')
            {
                Pos += 2;
                _line++;
            }
            else
            {
                break;
            }
        }
        Line = _line;
        while (true)
        {
            Fields.BeginField();
            if (EnsureBytes(1) && Buffer[Pos] == (byte)'"')
            {
                Pos++;
                if (!ReadQuoted())
                {
                    AddError(ColumnName(Fields.Count), "unterminated quoted field");
                    Fields.EndField();
                    return true;
                }
            }
            switch (ReadUnquoted())
            {
                case Stop.Comma:
                    Fields.EndField();
                    continue;
                default:
                    Fields.EndField();
                    return true;
            }
        }
    }

    private enum Stop { Comma, EndOfRecord }

    /// <summary>Reads the inside of a quoted field up to and including its closing quote; false at end of file.</summary>
    private bool ReadQuoted()
    {
        while (true)
        {
            if (!EnsureBytes(1))
            {
                return false;
            }
            var span = Buffer.AsSpan(Pos, End - Pos);
            var i = span.IndexOfAny(QuotedStops);
            if (i < 0)
            {
                Fields.Append(span);
                Pos = End;
                continue;
            }
            Fields.Append(span[..i]);
            Pos += i;
            if (Buffer[Pos] == (byte)'\n')
            {
                Fields.Append((byte)'\n');
                Pos++;
                _line++;
            }
            else if (EnsureBytes(2) && Buffer[Pos + 1] == (byte)'"')
            {
                Fields.Append((byte)'"');
                Pos += 2;
            }
            else
            {
                Pos++;
                return true;
            }
        }
    }

    /// <summary>Reads unquoted bytes up to a comma (consumed), a line end (consumed) or the end of the file.</summary>
    private Stop ReadUnquoted()
    {
        while (true)
        {
            if (!EnsureBytes(1))
            {
                return Stop.EndOfRecord;
            }
            var span = Buffer.AsSpan(Pos, End - Pos);
            var i = span.IndexOfAny(UnquotedStops);
            if (i < 0)
            {
                Fields.Append(span);
                Pos = End;
                continue;
            }
            Fields.Append(span[..i]);
            Pos += i;
            switch (Buffer[Pos])
            {
                case (byte)',':
                    Pos++;
                    return Stop.Comma;
                case (byte)'\n':
                    Pos++;
                    _line++;
                    return Stop.EndOfRecord;
                default:
                    if (EnsureBytes(2) && Buffer[Pos + 1] == (byte)'\n')
                    {
                        Pos += 2;
                        _line++;
                        return Stop.EndOfRecord;
                    }
                    // A lone CR is data, not a line end.
                    Fields.Append((byte)'\r');
                    Pos++;
                    break;
            }
        }
    }

}
