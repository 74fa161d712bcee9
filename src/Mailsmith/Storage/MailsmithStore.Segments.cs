using Microsoft.Data.Sqlite;

namespace Mailsmith.Storage;

/// <summary>A saved segment: a name and the expression that selects its members (docs/segments.md).</summary>
public sealed record SegmentDefinition(string Name, string Expression, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed partial class MailsmithStore
{
    // ---- segments ----------------------------------------------------------------------------
    // Writes are internal: Mailsmith.Profile.Segments.SegmentCatalog checks an expression before it is stored.

    /// <summary>Inserts a segment, or replaces its expression and description when <paramref name="replace"/> is set.</summary>
    /// <returns>False when a segment of that name exists and <paramref name="replace"/> is not set (nothing changed).</returns>
    internal bool SaveSegment(string name, string expression, string? description, DateTimeOffset now, bool replace)
    {
        using var connection = OpenConnection();
        using var transaction = connection.BeginTransaction(deferred: false);
        var existing = GetSegment(connection, transaction, name);
        if (existing is not null && !replace)
        {
            return false;
        }
        using (var command = Command(connection, existing is null ? "insert-segment" : "update-segment", transaction))
        {
            command.Parameters.AddWithValue("$name", existing?.Name ?? name);
            command.Parameters.AddWithValue("$expression", expression);
            command.Parameters.AddWithValue("$description", DbValues.ToDb(description));
            command.Parameters.AddWithValue("$at", DbValues.ToDb(now));
            command.ExecuteNonQuery();
        }
        transaction.Commit();
        return true;
    }

    /// <summary>The segment named <paramref name="name"/> (any case), or null.</summary>
    public SegmentDefinition? GetSegment(string name)
    {
        using var connection = OpenConnection();
        return GetSegment(connection, null, name);
    }

    private SegmentDefinition? GetSegment(SqliteConnection connection, SqliteTransaction? transaction, string name)
    {
        using var command = Command(connection, "select-segment", transaction);
        command.Parameters.AddWithValue("$name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadSegment(reader) : null;
    }

    /// <summary>Every segment, by name.</summary>
    public IReadOnlyList<SegmentDefinition> ListSegments()
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "select-segments");
        using var reader = command.ExecuteReader();
        var list = new List<SegmentDefinition>();
        while (reader.Read())
        {
            list.Add(ReadSegment(reader));
        }
        return list;
    }

    /// <summary>Deletes a segment; false when there was none of that name.</summary>
    internal bool DeleteSegment(string name)
    {
        using var connection = OpenConnection();
        using var command = Command(connection, "delete-segment");
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteNonQuery() > 0;
    }

    private static SegmentDefinition ReadSegment(SqliteDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
        DbValues.Time(reader.GetInt64(3)), DbValues.Time(reader.GetInt64(4)));
}
