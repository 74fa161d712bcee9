using System.Text;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;

namespace Mailsmith.Ingest;

/// <summary>A column of an import file's schema.</summary>
internal sealed record ColumnSpec(string Name, bool Required = false, bool Trim = true);

/// <summary>The record being mapped: its fields, its start line and the errors found so far.</summary>
internal sealed class RowContext(ColumnSet columns)
{
    private readonly List<(string Column, string Reason)> _errors = [];

    public ColumnSet Columns { get; } = columns;

    public RecordFields Fields { get; private set; } = null!;

    public long Line { get; private set; }

    public IReadOnlyList<(string Column, string Reason)> Errors => _errors;

    public bool HasErrors => _errors.Count > 0;

    public void Reset(RecordFields fields, long line)
    {
        Fields = fields;
        Line = line;
        _errors.Clear();
    }

    public void Error(string column, string reason) => _errors.Add((column, reason));
}

/// <summary>
/// Validates one kind of record and stages it in a TEMP table of the import connection. One subclass per
/// <see cref="ImportKind"/>; the named SQL of each lives in <c>import.sql</c> under <c>import-&lt;key&gt;-…</c>.
/// </summary>
/// <remarks>
/// Lifetime: one instance per file import. Staging parameters are created once and rebound per row.
/// A subclass reads fields through the typed helpers, which report missing and malformed values, and sets the staging
/// parameter of each column with <see cref="Set"/>; the base stages the row when it has no errors and reports a
/// duplicate key (the staging table's unique key) with the line of its first occurrence.
/// </remarks>
internal abstract class RowMapper
{
    private readonly ColumnSpec[] _specs;
    private readonly int[] _index;
    private readonly int[] _keyColumns;
    private SqliteCommand? _stage;
    private SqliteCommand? _firstLine;
    private SqliteParameter[] _parameters = [];
    private SqliteParameter? _line;

    protected RowMapper(ImportKind kind, string key, ColumnSpec[] specs, int[] keyColumns, string[] checkQueries)
    {
        Kind = kind;
        Key = key;
        _specs = specs;
        _index = new int[specs.Length];
        Array.Fill(_index, -1);
        _keyColumns = keyColumns;
        CheckQueries = checkQueries;
    }

    public ImportKind Kind { get; }

    /// <summary>The name used in query names and rejects files: <c>customers</c>, <c>order_lines</c>, …</summary>
    public string Key { get; }

    /// <summary>Named queries that add reference errors to <c>temp.import_rejects</c>, run after staging.</summary>
    public IReadOnlyList<string> CheckQueries { get; }

    public List<string> UnknownColumns { get; } = [];

    public List<string> DuplicateColumns { get; } = [];

    protected RowContext Row { get; private set; } = null!;

    /// <summary>Required columns the header lacks.</summary>
    public IEnumerable<string> MissingRequiredColumns()
    {
        for (var i = 0; i < _specs.Length; i++)
        {
            if (_specs[i].Required && _index[i] < 0)
            {
                yield return _specs[i].Name;
            }
        }
    }

    /// <summary>Assigns a file column to a schema column, an extra (e.g. localized) column, or the unknown list.</summary>
    public void Classify(int index, string name)
    {
        for (var i = 0; i < _specs.Length; i++)
        {
            if (_specs[i].Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (_index[i] < 0)
                {
                    _index[i] = index;
                }
                else
                {
                    DuplicateColumns.Add(name);
                }
                return;
            }
        }
        if (!ClassifyExtra(index, name))
        {
            UnknownColumns.Add(name.Length == 0 ? "(unnamed)" : name);
        }
    }

    protected virtual bool ClassifyExtra(int index, string name) => false;

    /// <summary>Creates the staging tables (dropping leftovers) and prepares the staging commands.</summary>
    public virtual void Prepare(MailsmithStore store, SqliteConnection connection, SqliteTransaction transaction)
    {
        using (var create = store.Command(connection, $"import-{Key}-create", transaction))
        {
            create.ExecuteNonQuery();
        }
        _stage = store.Command(connection, $"import-{Key}-stage", transaction);
        _line = _stage.Parameters.Add("$line", SqliteType.Integer);
        _parameters = new SqliteParameter[_specs.Length];
        for (var i = 0; i < _specs.Length; i++)
        {
            _parameters[i] = _stage.Parameters.AddWithValue("$" + _specs[i].Name, DBNull.Value);
        }
        if (_keyColumns.Length > 0)
        {
            _firstLine = store.Command(connection, $"import-{Key}-first-line", transaction);
            foreach (var k in _keyColumns)
            {
                _firstLine.Parameters.AddWithValue("$" + _specs[k].Name, DBNull.Value);
            }
        }
    }

    /// <summary>Validates the record; stages it when it has no errors. Errors go to <paramref name="row"/>.</summary>
    public void MapAndStage(RowContext row)
    {
        Row = row;
        foreach (var p in _parameters)
        {
            p.Value = DBNull.Value;
        }
        Map();
        if (row.HasErrors)
        {
            return;
        }
        _line!.Value = row.Line;
        if (_stage!.ExecuteNonQuery() == 0)
        {
            ReportDuplicate();
            return;
        }
        AfterStaged(row.Line);
    }

    /// <summary>Reads and validates the fields, calling <see cref="Set"/> for each staged column.</summary>
    protected abstract void Map();

    /// <summary>Stages rows that depend on the main row (e.g. localized product texts).</summary>
    protected virtual void AfterStaged(long line)
    {
    }

    public virtual void Dispose()
    {
        _stage?.Dispose();
        _firstLine?.Dispose();
    }

    private void ReportDuplicate()
    {
        var description = new StringBuilder("duplicate ");
        for (var i = 0; i < _keyColumns.Length; i++)
        {
            var k = _keyColumns[i];
            _firstLine!.Parameters[i].Value = _parameters[k].Value;
            description.Append(i == 0 ? "" : ", ").Append(_specs[k].Name).Append(" '").Append(_parameters[k].Value).Append('\'');
        }
        var first = _firstLine!.ExecuteScalar();
        description.Append(" (first on line ").Append(first).Append(')');
        Row.Error(ColumnName(_keyColumns[0]), description.ToString());
    }

    // ---- typed field helpers --------------------------------------------------------------------

    protected void Set(int spec, object? value) => _parameters[spec].Value = value ?? DBNull.Value;

    /// <summary>The column's name as the file spells it, or the schema name when the file lacks it.</summary>
    protected string ColumnName(int spec) => _index[spec] >= 0 ? Row.Columns[_index[spec]] : _specs[spec].Name;

    /// <summary>The field's bytes (trimmed unless the column keeps whitespace); empty when absent.</summary>
    protected ReadOnlySpan<byte> Raw(int spec)
    {
        var bytes = Row.Fields[_index[spec]];
        return _specs[spec].Trim ? bytes.Trim(" \t\r\n"u8) : bytes;
    }

    /// <summary>The raw value of a present field, or false (reporting a missing required value).</summary>
    protected bool TryRaw(int spec, out ReadOnlySpan<byte> value)
    {
        value = Raw(spec);
        if (!value.IsEmpty)
        {
            return true;
        }
        if (_specs[spec].Required)
        {
            Row.Error(ColumnName(spec), "missing required value");
        }
        return false;
    }

    protected string? Text(int spec) => TryRaw(spec, out var raw) ? Encoding.UTF8.GetString(raw) : null;

    protected long? Timestamp(int spec)
    {
        if (!TryRaw(spec, out var raw))
        {
            return null;
        }
        if (Values.TryParseTimestamp(raw, out var ms))
        {
            return ms;
        }
        Row.Error(ColumnName(spec), $"unparseable timestamp '{Encoding.UTF8.GetString(raw)}' (expected ISO 8601)");
        return null;
    }

    /// <summary>A decimal; <paramref name="nonNegative"/> rejects values below zero.</summary>
    protected decimal? Decimal(int spec, bool nonNegative)
    {
        if (!TryRaw(spec, out var raw))
        {
            return null;
        }
        if (!Values.TryParseDecimal(raw, out var value))
        {
            Row.Error(ColumnName(spec), $"unparseable number '{Encoding.UTF8.GetString(raw)}'");
            return null;
        }
        if (nonNegative && value < 0)
        {
            Row.Error(ColumnName(spec), $"negative {_specs[spec].Name} {Encoding.UTF8.GetString(raw)}");
            return null;
        }
        return value;
    }

    protected int? Int(int spec, int min, int max)
    {
        if (!TryRaw(spec, out var raw))
        {
            return null;
        }
        if (!Values.TryParseInt(raw, out var value))
        {
            Row.Error(ColumnName(spec), $"unparseable integer '{Encoding.UTF8.GetString(raw)}'");
            return null;
        }
        if (value < min || value > max)
        {
            Row.Error(ColumnName(spec), max == int.MaxValue
                ? $"{_specs[spec].Name} must be at least {min}, got {value}"
                : $"{_specs[spec].Name} must be from {min} to {max}, got {value}");
            return null;
        }
        return value;
    }

    protected bool Bool(int spec, bool fallback)
    {
        if (!TryRaw(spec, out var raw))
        {
            return fallback;
        }
        if (Values.TryParseBool(raw, out var value))
        {
            return value;
        }
        Row.Error(ColumnName(spec), $"expected true, false, 1 or 0, got '{Encoding.UTF8.GetString(raw)}'");
        return fallback;
    }

    protected string? CurrencyCode(int spec)
    {
        if (!TryRaw(spec, out var raw))
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(raw);
        if (Values.IsCurrency(raw))
        {
            return text;
        }
        Row.Error(ColumnName(spec), $"currency must be three uppercase letters (ISO 4217), got '{text}'");
        return null;
    }

    protected string? WebUrl(int spec)
    {
        var text = Text(spec);
        if (text is null || Values.IsWebUrl(text))
        {
            return text;
        }
        Row.Error(ColumnName(spec), $"not an absolute http or https URL: '{text}'");
        return null;
    }
}
