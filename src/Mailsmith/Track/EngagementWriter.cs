using System.Text;
using System.Text.RegularExpressions;
using Mailsmith.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mailsmith.Track;

/// <summary>
/// Inserts the opens and clicks of a group commit through SQLite's own statement API: the <c>track-insert-engagement</c>
/// query of track.sql with its <c>SELECT … FROM sends</c> repeated for up to <see cref="RowsPerStatement"/> events
/// (joined by <c>UNION ALL</c>), prepared once per row count, values bound by position.
/// </summary>
/// <remarks>
/// Why not <see cref="SqliteCommand"/> (the lesson of <c>Storage/ProfileWriter.cs</c>): it binds every parameter by name on
/// every execution, SQLite looks each name up by a linear scan, and each execution opens the table's and every
/// index's cursor again. Here the positions are looked up once per prepared statement, and one execution inserts up to
/// 32 rows. <c>UNION ALL</c> rather than a <c>VALUES</c> list joined to <c>sends</c>: SQLite materializes a multi-row
/// <c>VALUES</c> into a temporary b-tree, while the compound select is read as a co-routine. The caller owns the
/// transaction; one writer per connection, not thread-safe.
/// </remarks>
internal sealed partial class EngagementWriter : IDisposable
{
    /// <summary>Rows per statement (SQLite allows 500 terms in a compound select).</summary>
    public const int RowsPerStatement = 32;

    // The per-event parameters of the query, in the order Bind fills them; $quick_ms is shared by every row.
    private static readonly string[] Names = ["type", "at", "url", "user_agent", "machine_reason", "event_key", "client", "send_id", "campaign_id", "customer_id"];

    private readonly sqlite3 _db;
    private readonly string _head;
    private readonly string _term;
    private readonly long _quickMs;
    private readonly Statement?[] _statements = new Statement?[RowsPerStatement + 1];

    public EngagementWriter(SqliteConnection connection, string insertSql, long quickMs)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        var sql = insertSql.Trim().TrimEnd(';');
        var select = sql.IndexOf("SELECT", StringComparison.Ordinal);
        if (select < 0)
        {
            throw new InvalidOperationException("track-insert-engagement must be INSERT … SELECT … FROM sends");
        }
        _head = sql[..select];
        _term = sql[select..];
        _quickMs = quickMs;
        var names = Parameter().Matches(_term).Select(m => m.Value[1..]).Where(n => n != "quick_ms").Distinct().Order(StringComparer.Ordinal);
        if (!names.SequenceEqual(Names.Order(StringComparer.Ordinal)))
        {
            throw new InvalidOperationException($"track-insert-engagement binds {string.Join(", ", names)}; the writer binds {string.Join(", ", Names)} and quick_ms");
        }
    }

    [GeneratedRegex(@"\$[a-z_0-9]+")]
    private static partial Regex Parameter();

    /// <summary>
    /// Inserts <paramref name="events"/> (opens and clicks only). <paramref name="replay"/> stores each event's key, so
    /// that a spool replayed twice inserts nothing the second time.
    /// </summary>
    /// <exception cref="SqliteException">SQLite refused a statement; the caller's transaction must roll back.</exception>
    public void Insert(IReadOnlyList<TrackingEvent> events, bool replay)
    {
        for (var start = 0; start < events.Count; start += RowsPerStatement)
        {
            var rows = Math.Min(RowsPerStatement, events.Count - start);
            var statement = _statements[rows] ??= Prepare(rows);
            for (var row = 0; row < rows; row++)
            {
                Bind(statement, row, events[start + row], replay);
            }
            var rc = raw.sqlite3_step(statement.Handle);
            raw.sqlite3_reset(statement.Handle);
            if (rc != raw.SQLITE_DONE)
            {
                Throw(rc);
            }
        }
    }

    private Statement Prepare(int rows)
    {
        var text = new StringBuilder(_head, _head.Length + rows * (_term.Length + 16));
        for (var k = 0; k < rows; k++)
        {
            text.Append(k == 0 ? "" : "\nUNION ALL\n").Append(Parameter().Replace(_term, m => m.Value == "$quick_ms" ? m.Value : $"{m.Value}_{k}"));
        }
        var rc = raw.sqlite3_prepare_v2(_db, text.ToString(), out var handle);
        if (rc != raw.SQLITE_OK)
        {
            handle.Dispose();
            Throw(rc);
        }
        var positions = new int[rows * Names.Length];
        for (var k = 0; k < rows; k++)
        {
            for (var j = 0; j < Names.Length; j++)
            {
                positions[k * Names.Length + j] = raw.sqlite3_bind_parameter_index(handle, $"${Names[j]}_{k}");
            }
        }
        var quick = raw.sqlite3_bind_parameter_index(handle, "$quick_ms");
        if (quick == 0 || positions.Contains(0))
        {
            handle.Dispose();
            throw new InvalidOperationException("track-insert-engagement: a parameter of the writer is missing from the repeated statement");
        }
        raw.sqlite3_bind_int64(handle, quick, _quickMs);
        return new Statement(handle, positions);
    }

    /// <summary>Binds one event at row <paramref name="row"/>, in the order of <see cref="Names"/>.</summary>
    private static void Bind(Statement statement, int row, TrackingEvent e, bool replay)
    {
        var s = statement.Handle;
        var p = statement.Positions.AsSpan(row * Names.Length, Names.Length);
        raw.sqlite3_bind_text(s, p[0], e.Kind == TrackingEventKind.Open ? "open"u8 : "click"u8);
        raw.sqlite3_bind_int64(s, p[1], DbValues.ToDb(e.At));
        Text(s, p[2], e.Url);
        Text(s, p[3], e.UserAgent);
        Text(s, p[4], e.MachineReason);
        if (replay)
        {
            raw.sqlite3_bind_blob(s, p[5], e.Key.ToByteArray(bigEndian: true));
        }
        else
        {
            raw.sqlite3_bind_null(s, p[5]);
        }
        Text(s, p[6], e.Client);
        raw.sqlite3_bind_int64(s, p[7], e.SendId);
        Text(s, p[8], e.CampaignId);
        Text(s, p[9], e.CustomerId);
    }

    private static void Text(sqlite3_stmt s, int i, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(s, i);
        }
        else
        {
            // UTF-16 straight from the string: SQLite converts it to the database's UTF-8, with no managed copy.
            raw.sqlite3_bind_text16(s, i, value.AsSpan());
        }
    }

    private void Throw(int rc) =>
        throw new SqliteException($"SQLite error {rc} storing tracking events: {raw.sqlite3_errmsg(_db).utf8_to_string()}", rc);

    public void Dispose()
    {
        foreach (var statement in _statements)
        {
            statement?.Handle.Dispose();
        }
        Array.Clear(_statements);
    }

    private sealed record Statement(sqlite3_stmt Handle, int[] Positions);
}
