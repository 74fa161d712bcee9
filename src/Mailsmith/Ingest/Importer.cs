using Mailsmith.Storage;

namespace Mailsmith.Ingest;

/// <summary>
/// Imports a store's data files (customers, products, orders, order lines, events, reviews) into a <see cref="MailsmithStore"/>.
/// </summary>
/// <remarks>
/// <para>Each file is validated, streamed into a TEMP staging table, checked set-based against the store (references, which
/// include rows committed by earlier files of the same call), and then upserted in one transaction, all or nothing:
/// a file with any bad row changes nothing, unless <see cref="ImportOptions.SkipBadRows"/> is set, in which case the good rows
/// are loaded and the bad ones written to <c>&lt;name&gt;.rejects.csv</c>.</para>
/// <para>Re-importing a file changes nothing: rows are upserted by id, or by natural key where there is none. Memory stays
/// flat whatever the file size: only the current record and fixed buffers are held; duplicate checks use the database.</para>
/// <para>The formats are described in <c>docs/data-formats.md</c>. Thread-safety: one <see cref="Import"/> call at a time per
/// instance; the store itself may be shared.</para>
/// </remarks>
public sealed class Importer
{
    private readonly MailsmithStore _store;
    private readonly ImportOptions _options;

    /// <exception cref="ArgumentException"><see cref="ImportOptions.DefaultLocale"/> is not a well-formed BCP 47 tag,
    /// or <see cref="ImportOptions.MaxReportedErrors"/> is negative.</exception>
    public Importer(MailsmithStore store, ImportOptions options)
    {
        if (Values.NormalizeLocale(options.DefaultLocale) is null)
        {
            throw new ArgumentException($"The default locale '{options.DefaultLocale}' is not a well-formed BCP 47 tag.", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxReportedErrors);
        _store = store;
        _options = options;
    }

    /// <summary>
    /// Imports <paramref name="files"/> in dependency order (customers, products, orders, order lines, events, reviews),
    /// whatever order they are given in; files of the same kind keep their given order.
    /// </summary>
    /// <returns>One result per file, in the order imported. A missing file or an unsupported extension is reported in its
    /// result (line 0, column <c>(file)</c>), not thrown.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; the file being imported is rolled back, earlier files stay loaded.</exception>
    public ImportReport Import(IReadOnlyList<ImportFile> files, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        var results = new List<FileImportResult>(files.Count);
        foreach (var file in files.OrderBy(f => f.Kind))
        {
            ct.ThrowIfCancellationRequested();
            results.Add(new FileImport(_store, _options, file, progress, ct).Run());
        }
        return new ImportReport(results);
    }
}
