using System.Diagnostics;
using System.Text;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Ingest;

/// <summary>
/// One file's import: stream → validate → stage (phase 1, temp tables only, so other writers are not blocked),
/// then check → upsert or roll back (phase 2, one IMMEDIATE transaction on the store). Used once.
/// </summary>
internal sealed class FileImport(MailsmithStore store, ImportOptions options, ImportFile file, IProgress<ImportProgress>? progress, CancellationToken ct)
{
    private const int ProgressEvery = 16_384;
    private const string FileColumn = "(file)";
    private const string RowColumn = "(row)";

    private readonly string _name = Path.GetFileName(file.Path);
    private long _totalBytes;

    public FileImportResult Run()
    {
        var clock = Stopwatch.StartNew();
        var extension = Path.GetExtension(file.Path).ToLowerInvariant();
        if (extension is not (".csv" or ".jsonl"))
        {
            return FileFailure($"unsupported file extension '{extension}' (expected .csv or .jsonl)", clock);
        }
        if (!File.Exists(file.Path))
        {
            return FileFailure("file not found", clock);
        }

        var columns = new ColumnSet();
        var mapper = CreateMapper();
        columns.Added = mapper.Classify;
        _totalBytes = new FileInfo(file.Path).Length;
        using var reader = OpenReader(file.Path, extension, columns);
        using var connection = store.OpenConnection();
        // Staging goes to a temp file, not memory, so a large file keeps memory flat; SQLite's own cache bounds the rest.
        MailsmithStore.Execute(connection, "PRAGMA temp_store = FILE;");
        var warnings = new List<string>();
        try
        {
            var (rowsRead, fatal) = Stage(connection, reader, mapper, columns);
            ct.ThrowIfCancellationRequested();
            if (!fatal && rowsRead == 0)
            {
                warnings.Add($"{_name}: no data rows");
            }
            if (mapper.UnknownColumns.Count > 0)
            {
                warnings.Insert(0, $"{_name}: unknown columns ignored: {string.Join(", ", mapper.UnknownColumns)}");
            }
            if (!reader.HasHeader && mapper.DuplicateColumns.Count > 0)
            {
                warnings.Add($"{_name}: keys differing only in case ignored: {string.Join(", ", mapper.DuplicateColumns)}");
            }

            var (loaded, errors, rejectedRows, reported) = CheckAndLoad(connection, mapper, fatal);
            var rejectsPath = loaded && errors > 0 ? WriteRejects(connection, extension, columns) : null;
            progress?.Report(new ImportProgress(file.Kind, file.Path, rowsRead, _totalBytes, _totalBytes));
            return new FileImportResult(file.Kind, file.Path, rowsRead, loaded ? rowsRead - rejectedRows : 0, fatal ? 0 : rejectedRows,
                reported, errors, loaded, rejectsPath, warnings, clock.Elapsed);
        }
        finally
        {
            mapper.Dispose();
            Cleanup(connection, mapper.Key);
        }
    }

    /// <summary>
    /// Phase 1: reads the header and every record into the staging tables, recording field errors. Only temp tables are
    /// written, so the store stays open to other writers however long the file takes.
    /// </summary>
    /// <returns>Records read, and whether the header makes the file unusable.</returns>
    private (long RowsRead, bool Fatal) Stage(SqliteConnection connection, RecordReader reader, RowMapper mapper, ColumnSet columns)
    {
        using var staging = connection.BeginTransaction(deferred: true);
        using (var create = store.Command(connection, "import-rejects-create", staging))
        {
            create.ExecuteNonQuery();
        }
        mapper.Prepare(store, connection, staging);
        using var reject = store.Command(connection, "import-reject", staging);
        var rejectLine = reject.Parameters.Add("$line", SqliteType.Integer);
        var rejectColumn = reject.Parameters.Add("$column", SqliteType.Text);
        var rejectReason = reject.Parameters.Add("$reason", SqliteType.Text);
        void Reject(long line, string column, string reason)
        {
            rejectLine.Value = line;
            rejectColumn.Value = column;
            rejectReason.Value = reason;
            reject.ExecuteNonQuery();
        }

        var fatal = false;
        if (!reader.ReadHeader())
        {
            Reject(1, FileColumn, "empty file: no header row");
            fatal = true;
        }
        else if (reader.HasHeader)
        {
            foreach (var missing in mapper.MissingRequiredColumns())
            {
                Reject(1, missing, "missing required column");
                fatal = true;
            }
            foreach (var duplicate in mapper.DuplicateColumns)
            {
                Reject(1, duplicate, "duplicate column");
                fatal = true;
            }
        }
        var rows = fatal ? 0 : StreamRows(reader, mapper, columns, Reject);
        staging.Commit();
        return (rows, fatal);
    }

    /// <summary>
    /// Phase 2, in one IMMEDIATE transaction: the set-based reference checks, then the upsert when the file is clean
    /// (or bad rows are skipped), else a rollback that leaves the store exactly as it was.
    /// </summary>
    private (bool Loaded, long Errors, long RejectedRows, List<ImportError> Reported) CheckAndLoad(SqliteConnection connection, RowMapper mapper, bool fatal)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        if (!fatal)
        {
            foreach (var check in mapper.CheckQueries)
            {
                using var command = store.Command(connection, check, transaction);
                command.ExecuteNonQuery();
            }
        }
        // Read the errors before a rollback would take the reference errors with it.
        var (errors, rejectedRows) = Summary(connection, transaction);
        var reported = FirstErrors(connection, transaction);
        var loaded = !fatal && (errors == 0 || options.SkipBadRows);
        if (!loaded)
        {
            transaction.Rollback();
            return (false, errors, rejectedRows, reported);
        }
        if (errors > 0)
        {
            using var drop = store.Command(connection, $"import-{mapper.Key}-drop-rejected", transaction);
            drop.ExecuteNonQuery();
        }
        using (var upsert = store.Command(connection, $"import-{mapper.Key}-upsert", transaction))
        {
            upsert.ExecuteNonQuery();
        }
        ct.ThrowIfCancellationRequested();
        transaction.Commit();
        return (true, errors, rejectedRows, reported);
    }

    private long StreamRows(RecordReader reader, RowMapper mapper, ColumnSet columns, Action<long, string, string> reject)
    {
        var row = new RowContext(columns);
        var headerCount = columns.Count;
        long rows = 0;
        while (reader.Read())
        {
            rows++;
            if ((rows & 4095) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }
            if (progress is not null && rows % ProgressEvery == 0)
            {
                progress.Report(new ImportProgress(file.Kind, file.Path, rows, reader.BytesRead, _totalBytes));
            }
            if (reader.Errors.Count > 0)
            {
                foreach (var (column, reason) in reader.Errors)
                {
                    reject(reader.Line, column, reason);
                }
                continue;
            }
            if (reader.HasHeader && reader.Fields.Count != headerCount)
            {
                reject(reader.Line, RowColumn, $"expected {headerCount} fields, found {reader.Fields.Count}");
                continue;
            }
            row.Reset(reader.Fields, reader.Line);
            mapper.MapAndStage(row);
            foreach (var (column, reason) in row.Errors)
            {
                reject(row.Line, column, reason);
            }
        }
        return rows;
    }

    private (long Errors, long RejectedRows) Summary(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = store.Command(connection, "import-rejects-summary", transaction);
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private List<ImportError> FirstErrors(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = store.Command(connection, "import-rejects-first", transaction);
        command.Parameters.AddWithValue("$limit", options.MaxReportedErrors);
        using var reader = command.ExecuteReader();
        var list = new List<ImportError>();
        while (reader.Read())
        {
            list.Add(new ImportError(_name, reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }
        return list;
    }

    /// <summary>
    /// Writes every rejected record, with its original columns plus <c>_line</c>, <c>_column</c>, <c>_reason</c>, by reading
    /// the input a second time alongside the rejected line numbers: no record is kept in memory between the passes.
    /// </summary>
    private string WriteRejects(SqliteConnection connection, string extension, ColumnSet firstPassColumns)
    {
        var directory = options.RejectsDirectory ?? Path.GetDirectoryName(Path.GetFullPath(file.Path))!;
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Path.GetFileNameWithoutExtension(file.Path) + ".rejects.csv");
        // A CSV header is re-read into fresh columns; JSON Lines keys map onto the columns the first pass discovered.
        var columns = extension == ".csv" ? new ColumnSet() : firstPassColumns;
        columns.Added = null;
        using var input = OpenReader(file.Path, extension, columns);
        input.ReadHeader();
        using var output = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        output.NewLine = "\n";
        var header = columns.Names.Concat(["_line", "_column", "_reason"]).ToList();
        var width = columns.Count;
        WriteCsvLine(output, header);
        using var command = store.Command(connection, "import-rejects-by-line");
        using var rejects = command.ExecuteReader();
        var values = new List<string>(width + 3);
        var hasRecord = input.Read();
        while (rejects.Read())
        {
            var line = rejects.GetInt64(0);
            while (hasRecord && input.Line < line)
            {
                hasRecord = input.Read();
            }
            values.Clear();
            for (var i = 0; i < width; i++)
            {
                values.Add(hasRecord && input.Line == line ? Encoding.UTF8.GetString(input.Fields[i]) : "");
            }
            values.Add(line.ToString(System.Globalization.CultureInfo.InvariantCulture));
            values.Add(rejects.GetString(1));
            values.Add(rejects.GetString(2));
            WriteCsvLine(output, values);
        }
        return path;
    }

    private static void WriteCsvLine(TextWriter output, List<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                output.Write(',');
            }
            var value = values[i];
            if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' ')))
            {
                output.Write('"');
                output.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
                output.Write('"');
            }
            else
            {
                output.Write(value);
            }
        }
        output.Write('\n');
    }

    private void Cleanup(SqliteConnection connection, string key)
    {
        // The connection goes back to the pool: leave no staging tables and the store's usual temp store behind.
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }
        using (var drop = store.Command(connection, $"import-{key}-drop"))
        {
            drop.ExecuteNonQuery();
        }
        using (var drop = store.Command(connection, "import-rejects-drop"))
        {
            drop.ExecuteNonQuery();
        }
        MailsmithStore.Execute(connection, "PRAGMA temp_store = MEMORY;");
    }

    private RowMapper CreateMapper() => file.Kind switch
    {
        ImportKind.Customers => new CustomerRows(options.DefaultLocale),
        ImportKind.Products => new ProductRows(),
        ImportKind.Orders => new OrderRows(),
        ImportKind.OrderLines => new OrderLineRows(),
        ImportKind.Events => new EventRows(),
        ImportKind.Reviews => new ReviewRows(),
        _ => throw new ArgumentOutOfRangeException(nameof(file), file.Kind, "Unknown import kind."),
    };

    private static RecordReader OpenReader(string path, string extension, ColumnSet columns)
    {
        // Our readers buffer themselves; the FileStream's own buffer would only add a copy.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return extension == ".csv" ? new CsvRecordReader(stream, columns) : new JsonLinesRecordReader(stream, columns);
    }

    private FileImportResult FileFailure(string reason, Stopwatch clock) =>
        new(file.Kind, file.Path, 0, 0, 0, [new ImportError(_name, 0, FileColumn, reason)], 1, false, null, [], clock.Elapsed);
}
