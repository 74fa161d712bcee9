using System.Text;
using System.Text.Json;

namespace Mailsmith.Compose;

/// <summary>
/// A JSON value from a phrase file with the line it starts on, so a bad phrase is reported as <c>file:line</c>.
/// <see cref="JsonDocument"/> keeps no positions, hence this small reader.
/// </summary>
internal sealed class PhraseJson
{
    private PhraseJson(JsonTokenType kind, int line)
    {
        Kind = kind;
        Line = line;
    }

    public JsonTokenType Kind { get; }
    public int Line { get; }
    public string? String { get; private init; }
    public double Number { get; private init; }
    public bool Bool => Kind == JsonTokenType.True;
    /// <summary>Object members in file order.</summary>
    public List<KeyValuePair<string, PhraseJson>> Members { get; } = [];
    public List<PhraseJson> Items { get; } = [];

    public bool IsObject => Kind == JsonTokenType.StartObject;
    public bool IsArray => Kind == JsonTokenType.StartArray;
    public bool IsString => Kind == JsonTokenType.String;
    public bool IsBool => Kind is JsonTokenType.True or JsonTokenType.False;

    /// <summary>Parses a whole file; comments and trailing commas are allowed because people edit these files.</summary>
    /// <exception cref="InvalidDataException">The text is not JSON; the message names <paramref name="file"/> and the line.</exception>
    public static PhraseJson Parse(byte[] utf8, string file)
    {
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }
        var span = utf8.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble))
        {
            span = span[Encoding.UTF8.Preamble.Length..];
        }
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var offset = utf8.Length - span.Length;
        try
        {
            if (!reader.Read())
            {
                throw new InvalidDataException($"{file}:1: the file is empty.");
            }
            return ReadValue(ref reader, lineStarts, offset);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}:{(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }
    }

    private static PhraseJson ReadValue(ref Utf8JsonReader reader, List<int> lineStarts, int offset)
    {
        var line = LineOf(lineStarts, (int)reader.TokenStartIndex + offset);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new PhraseJson(JsonTokenType.StartObject, line);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    node.Members.Add(new(key, ReadValue(ref reader, lineStarts, offset)));
                }
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new PhraseJson(JsonTokenType.StartArray, line);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadValue(ref reader, lineStarts, offset));
                }
                return node;
            }
            case JsonTokenType.String:
                return new PhraseJson(JsonTokenType.String, line) { String = reader.GetString() };
            case JsonTokenType.Number:
                return new PhraseJson(JsonTokenType.Number, line) { Number = reader.GetDouble() };
            default:
                return new PhraseJson(reader.TokenType, line);
        }
    }

    private static int LineOf(List<int> lineStarts, int byteOffset)
    {
        var index = lineStarts.BinarySearch(byteOffset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}
