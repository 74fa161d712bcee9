using System.Globalization;
using System.Text;

namespace Mailsmith.Profile.Segments;

/// <summary>Segment members as rows of field values: the CSV export and the samples <c>segment show</c> prints.</summary>
public static class SegmentExport
{
    /// <summary>The fields every export and sample carries, after <c>customer_id</c> and <c>email</c>.</summary>
    public static IReadOnlyList<string> KeyFields { get; } =
        ["first_name", "locale", "lifecycle", "rfm_segment", "recency_days", "frequency", "monetary", "clv_365", "p_alive", "top_category"];

    /// <summary><c>customer_id</c>, <c>email</c>, the key fields, then any other field <paramref name="expression"/> reads.</summary>
    public static IReadOnlyList<SegmentField> Columns(SegmentExpression? expression)
    {
        var names = new List<string> { "customer_id", "email" };
        names.AddRange(KeyFields);
        var columns = names.Select(n => SegmentFields.Find(n)!).ToList();
        foreach (var f in expression?.Fields ?? [])
        {
            if (!columns.Contains(f))
            {
                columns.Add(f);
            }
        }
        return columns;
    }

    /// <summary>A value as written in exports: invariant numbers, ISO dates, lists joined with <c>|</c>, empty for missing.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("0.######", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IReadOnlyList<string> list => string.Join('|', list),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>
    /// Writes <paramref name="members"/> as CSV (RFC 4180, UTF-8, header row) to <paramref name="path"/>. The file is written
    /// beside the target and moved into place, so a failed export never leaves a half-written file under that name.
    /// </summary>
    /// <returns>The number of data rows written.</returns>
    public static async Task<int> WriteCsvAsync(string path, IReadOnlyList<SegmentRow> members, IReadOnlyList<SegmentField> columns, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            await using (var writer = new StreamWriter(temp, false, new UTF8Encoding(false)))
            {
                await writer.WriteLineAsync(string.Join(',', columns.Select(c => Quote(c.Name))).AsMemory(), cancellationToken);
                var line = new StringBuilder();
                foreach (var row in members)
                {
                    line.Clear();
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (i > 0)
                        {
                            line.Append(',');
                        }
                        line.Append(Quote(Format(columns[i].ValueOf(row))));
                    }
                    await writer.WriteLineAsync(line, cancellationToken);
                }
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        return members.Count;
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
