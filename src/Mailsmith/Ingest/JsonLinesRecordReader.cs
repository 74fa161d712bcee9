using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mailsmith.Ingest;

/// <summary>
/// Reads JSON Lines: one JSON object per physical line, keys as column names. Strings are unescaped; numbers keep their
/// exact source text (so a price never passes through a binary float); booleans become <c>true</c>/<c>false</c>;
/// <c>null</c> is the same as an absent key. Blank lines are skipped.
/// </summary>
internal sealed class JsonLinesRecordReader(Stream stream, ColumnSet columns) : RecordReader(stream, columns)
{
    private long _nextLine = 1;

    public override bool HasHeader => false;

    public override bool ReadHeader()
    {
        if (EnsureBytes(3) && Buffer.AsSpan(Pos, 3).SequenceEqual("\uFEFF"u8))
        {
            Pos += 3;
        }
        return true;
    }

    public override bool Read()
    {
        while (NextLine(out var start, out var length))
        {
            var line = Buffer.AsSpan(start, length);
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            Parse(line);
            return true;
        }
        return false;
    }

    private void Parse(ReadOnlySpan<byte> line)
    {
        Fields.Clear();
        ClearErrors();
        var validUtf8 = Utf8.IsValid(line);
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                AddError("(row)", "expected a JSON object");
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var column = ColumnOf(ref reader);
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        var target = Fields.Reserve(reader.ValueSpan.Length);
                        Fields.Commit(column, reader.CopyString(target));
                        break;
                    case JsonTokenType.String:
                        if (!Utf8.IsValid(reader.ValueSpan))
                        {
                            AddError(Columns[column], "invalid UTF-8");
                        }
                        Fields.Set(column, reader.ValueSpan);
                        break;
                    case JsonTokenType.Number:
                        Fields.Set(column, reader.ValueSpan);
                        break;
                    case JsonTokenType.True:
                        Fields.Set(column, "true"u8);
                        break;
                    case JsonTokenType.False:
                        Fields.Set(column, "false"u8);
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        AddError(Columns[column], "expected a string, number or boolean");
                        reader.Skip();
                        break;
                }
            }
            // Reading past the object makes the reader reject trailing content on the line.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e) when (validUtf8)
        {
            // The reader's message ends with its own position ("LineNumber: 0 | BytePositionInLine: 15."); say it plainly.
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            AddError("(row)", $"invalid JSON at byte {e.BytePositionInLine + 1}: {(cut > 0 ? message[..cut] : message)}");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            AddError("(row)", "invalid UTF-8");
        }
        if (!validUtf8 && Errors.Count == 0)
        {
            AddError("(row)", "invalid UTF-8");
        }
    }

    private int ColumnOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            var index = Columns.Find(reader.ValueSpan);
            return index >= 0 ? index : Columns.Add(Encoding.UTF8.GetString(reader.ValueSpan));
        }
        var name = reader.GetString()!;
        var found = Columns.Find(Encoding.UTF8.GetBytes(name));
        return found >= 0 ? found : Columns.Add(name);
    }

    /// <summary>The next physical line without its line end; its line number becomes <see cref="RecordReader.Line"/>.</summary>
    private bool NextLine(out int start, out int length)
    {
        var scanned = 0;
        while (true)
        {
            var newline = Buffer.AsSpan(Pos + scanned, End - Pos - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                start = Pos;
                length = scanned + newline;
                Pos += length + 1;
                break;
            }
            scanned = End - Pos;
            if (!EnsureBytes(scanned + 1))
            {
                if (scanned == 0)
                {
                    start = length = 0;
                    return false;
                }
                start = Pos;
                length = scanned;
                Pos = End;
                break;
            }
        }
        if (length > 0 && Buffer[start + length - 1] == (byte)'\r')
        {
            length--;
        }
        Line = _nextLine++;
        return true;
    }

}
