using System.Text.Json;
using Mailsmith.Storage;

namespace Mailsmith.Ingest;

/// <summary>The outcome of importing one API request body.</summary>
/// <param name="Errors">Problems as import reports them, with <c>File</c> = <c>request</c> and <c>Line</c> = the record's number (1-based).</param>
public sealed record RequestImportResult(ImportKind Kind, long Received, long Loaded, bool Stored, IReadOnlyList<ImportError> Errors, long ErrorCount);

/// <summary>
/// Imports records posted to the JSON API (<c>POST /api/{kind}</c>) through exactly the import path of files: the same
/// row mappers validate them, the same staged, all-or-nothing transaction stores them, and errors come back in the same
/// <c>file:line: column: reason</c> form. A body is a JSON object, a JSON array of objects, or JSON Lines.
/// </summary>
/// <remarks>
/// The body is written as a JSON Lines file in a private temporary folder and handed to <see cref="Importer"/>, so no
/// second validator exists to drift from the first; request bodies are small (the server caps them), so the extra
/// write is cheap. Thread-safe: each call has its own file and connection.
/// </remarks>
public sealed class RequestImport(MailsmithStore store, ImportOptions options)
{
    /// <summary>The URL names of the kinds: <c>customers</c>, <c>products</c>, <c>orders</c>, <c>order_lines</c>, <c>events</c>, <c>reviews</c>.</summary>
    public static bool TryParseKind(string name, out ImportKind kind)
    {
        switch (name.Replace('-', '_').ToLowerInvariant())
        {
            case "customers": kind = ImportKind.Customers; return true;
            case "products": kind = ImportKind.Products; return true;
            case "orders": kind = ImportKind.Orders; return true;
            case "order_lines": kind = ImportKind.OrderLines; return true;
            case "events": kind = ImportKind.Events; return true;
            case "reviews": kind = ImportKind.Reviews; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Validates and stores the records of <paramref name="body"/>, all or nothing.</summary>
    /// <exception cref="FormatException">The body is neither a JSON array of objects, an object, nor JSON Lines.</exception>
    public async Task<RequestImportResult> ImportAsync(ImportKind kind, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("mailsmith-api-").FullName;
        var path = Path.Combine(directory, "request.jsonl");
        try
        {
            await File.WriteAllBytesAsync(path, ToJsonLines(body.Span), cancellationToken);
            // Import with the file's all-or-nothing rule whatever the configuration says: a client gets 422 and resends.
            var importer = new Importer(store, new ImportOptions { DefaultLocale = options.DefaultLocale, MaxReportedErrors = options.MaxReportedErrors });
            var report = await Task.Run(() => importer.Import([new ImportFile(kind, path)], null, cancellationToken), cancellationToken);
            var file = report.Files[0];
            var errors = file.Errors.Select(e => e with { File = "request" }).ToList();
            return new RequestImportResult(kind, file.RowsRead, file.RowsLoaded, file.Loaded && file.ErrorCount == 0, errors, file.ErrorCount);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>One compact JSON object per line, so that line N is record N.</summary>
    internal static byte[] ToJsonLines(ReadOnlySpan<byte> body)
    {
        var trimmed = body.Trim(" \t\r\n"u8);
        if (trimmed.StartsWith("\uFEFF"u8))
        {
            trimmed = trimmed[3..];
        }
        if (trimmed.IsEmpty)
        {
            throw new FormatException("request body: empty (expected a JSON object, an array of objects, or JSON Lines)");
        }
        if (trimmed[0] == (byte)'{' && trimmed.IndexOf((byte)'\n') < 0)
        {
            return [.. trimmed, (byte)'\n'];
        }
        JsonDocument? document = null;
        if (trimmed[0] is (byte)'[' or (byte)'{')
        {
            try
            {
                document = JsonDocument.Parse(trimmed.ToArray());
            }
            catch (JsonException e) when (trimmed[0] == (byte)'[')
            {
                throw new FormatException($"request body: not a JSON array: {e.Message}", e);
            }
            catch (JsonException)
            {
                // Several objects, one per line: JSON Lines, validated line by line by the importer.
                return trimmed.ToArray();
            }
        }
        if (document is null)
        {
            throw new FormatException("request body: expected a JSON object, an array of objects, or JSON Lines");
        }
        using (document)
        {
            var output = new MemoryStream();
            var items = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
            foreach (var item in items)
            {
                using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false }))
                {
                    item.WriteTo(writer);
                }
                output.WriteByte((byte)'\n');
            }
            return output.ToArray();
        }
    }
}
