namespace Mailsmith.Ingest;

/// <summary>What a file holds. The declaration order is the dependency order in which files are imported.</summary>
public enum ImportKind
{
    Customers,
    Products,
    Orders,
    OrderLines,
    Events,
    Reviews,
}

/// <summary>One input file: <c>.csv</c> or <c>.jsonl</c>, decided by the extension.</summary>
public sealed record ImportFile(ImportKind Kind, string Path);

/// <summary>How an import treats bad rows and defaults. Immutable; share freely.</summary>
public sealed class ImportOptions
{
    /// <summary>
    /// Load the good rows of a file that has bad ones, writing the bad ones to a rejects file.
    /// Default <c>false</c>: a file with any bad row is not loaded at all.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>Where <c>&lt;name&gt;.rejects.csv</c> files go. Default <c>null</c>: beside each input file.</summary>
    public string? RejectsDirectory { get; init; }

    /// <summary>The locale of customers whose <c>locale</c> is empty. Default <c>"en-US"</c>.</summary>
    public string DefaultLocale { get; init; } = "en-US";

    /// <summary>How many errors per file are kept in <see cref="FileImportResult.Errors"/> (all are counted). Default 50.</summary>
    public int MaxReportedErrors { get; init; } = 50;
}

/// <summary>One problem in an input file.</summary>
/// <param name="File">The input's file name.</param>
/// <param name="Line">The physical line (1-based, header = 1) where the record starts; 0 for a problem with the whole file.</param>
/// <param name="Column">The column concerned, or <c>(row)</c> for the record as a whole, <c>(file)</c> for the file.</param>
public sealed record ImportError(string File, long Line, string Column, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Column}: {Reason}";
}

/// <summary>The outcome of importing one file.</summary>
/// <param name="RowsRead">Data records read (blank lines are not records).</param>
/// <param name="RowsLoaded">Records written to the store (inserted or updated); 0 when the file was not loaded.</param>
/// <param name="RowsRejected">Distinct records with at least one error.</param>
/// <param name="Errors">The first <see cref="ImportOptions.MaxReportedErrors"/> errors in line order.</param>
/// <param name="ErrorCount">All errors found, reported or not.</param>
/// <param name="Loaded">Whether the file's transaction committed.</param>
/// <param name="RejectsPath">The rejects file written with <see cref="ImportOptions.SkipBadRows"/>, or null when none was written.</param>
/// <param name="Warnings">Problems that did not stop the import, e.g. ignored unknown columns.</param>
public sealed record FileImportResult(
    ImportKind Kind,
    string Path,
    long RowsRead,
    long RowsLoaded,
    long RowsRejected,
    IReadOnlyList<ImportError> Errors,
    long ErrorCount,
    bool Loaded,
    string? RejectsPath,
    IReadOnlyList<string> Warnings,
    TimeSpan Elapsed);

/// <summary>The outcome of one <see cref="Importer.Import"/> call, one entry per file in import order.</summary>
public sealed record ImportReport(IReadOnlyList<FileImportResult> Files)
{
    /// <summary>
    /// True when every file was loaded and either had no errors or had its bad rows written to a rejects file
    /// (<see cref="ImportOptions.SkipBadRows"/>).
    /// </summary>
    public bool Success => Files.All(f => f.Loaded && (f.ErrorCount == 0 || f.RejectsPath is not null));
}

/// <summary>Progress of the file being imported; reported every few thousand records and at the end of each file.</summary>
public sealed record ImportProgress(ImportKind Kind, string Path, long RowsRead, long BytesRead, long TotalBytes);
