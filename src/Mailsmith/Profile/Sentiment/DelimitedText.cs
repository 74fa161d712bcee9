using System.Text;

namespace Mailsmith.Profile.Sentiment;

/// <summary>
/// Reads a small delimited text file into records: RFC 4180 quoting (a field that starts with <c>"</c> may hold the
/// separator, doubled quotes and line breaks), LF or CRLF line ends, UTF-8 with or without a byte order mark. A quote
/// that does not start a field is kept as text, so TSV files with quotes inside sentences read as written.
/// </summary>
internal static class DelimitedText
{
    /// <summary>Each record with the 1-based line it starts on. Blank lines are skipped.</summary>
    public static List<(int Line, List<string> Fields)> Parse(string text, char separator)
    {
        var records = new List<(int, List<string>)>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var recordLine = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var atFieldStart = true;
        var any = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (atFieldStart && c == '"')
            {
                // A quoted field: up to the closing quote; "" is one quote.
                i++;
                while (i < text.Length)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (text[i] == '\n')
                    {
                        line++;
                    }
                    field.Append(text[i]);
                    i++;
                }
                atFieldStart = false;
                any = true;
                continue;
            }
            if (c == separator)
            {
                fields.Add(field.ToString());
                field.Clear();
                atFieldStart = true;
                any = true;
                i++;
                continue;
            }
            if (c is '\n' or '\r')
            {
                if (any || field.Length > 0)
                {
                    fields.Add(field.ToString());
                    records.Add((recordLine, fields));
                    fields = [];
                    field.Clear();
                }
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }
                i++;
                line++;
                recordLine = line;
                atFieldStart = true;
                any = false;
                continue;
            }
            field.Append(c);
            atFieldStart = false;
            any = true;
            i++;
        }
        if (any || field.Length > 0)
        {
            fields.Add(field.ToString());
            records.Add((recordLine, fields));
        }
        return records;
    }
}
