using System.Text;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// The field and function tables of docs/segments.md, rendered from the registry. A test compares them with the doc,
/// so a field added to <see cref="SegmentFields"/> without documentation fails the build's tests.
/// </summary>
public static class SegmentDocs
{
    public const string FieldsBegin = "<!-- segment-fields:begin (generated: mailsmith segment fields --markdown) -->";
    public const string FieldsEnd = "<!-- segment-fields:end -->";

    /// <summary>Markdown tables of every field and every function.</summary>
    public static string Markdown()
    {
        var s = new StringBuilder();
        s.Append("| field | type | from | description |\n|---|---|---|---|\n");
        foreach (var f in SegmentFields.All)
        {
            var values = f.Values is { } v ? " One of: " + string.Join(", ", v.Select(x => $"`{x}`")) + "." : "";
            s.Append($"| `{f.Name}` | {SegmentBinder.Describe(f.Type)} | {f.Source} | {Escape(f.Description)}{values} |\n");
        }
        s.Append("\n| function | returns | description |\n|---|---|---|\n");
        foreach (var f in SegmentFields.Functions)
        {
            s.Append($"| `{f.Signature}` | {SegmentBinder.Describe(f.Returns)} | {Escape(f.Description)} |\n");
        }
        return s.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
