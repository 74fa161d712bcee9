using System.Reflection;
using System.Text;

namespace Mailsmith.Storage;

/// <summary>
/// The named SQL queries of one dialect, read from the embedded <c>Queries/*.sql</c> files at start.
/// A query begins with a line <c>-- name: query-name</c> and runs to the next such line.
/// </summary>
/// <remarks>
/// Immutable and shared. Asking for a name that does not exist throws at once, so a typo fails at boot, not mid-send.
/// A PostgreSQL dialect is a sibling folder with the same names.
/// </remarks>
public sealed class SqlCatalog
{
    private readonly Dictionary<string, string> _queries;

    private SqlCatalog(Dictionary<string, string> queries, IReadOnlyList<(int Version, string Name, string Sql)> migrations)
    {
        _queries = queries;
        Migrations = migrations;
    }

    /// <summary>The SQLite dialect, loaded once.</summary>
    public static SqlCatalog Sqlite { get; } = Load("Sqlite");

    /// <summary>Versioned migrations in order.</summary>
    public IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; }

    /// <summary>The SQL text of a named query.</summary>
    /// <exception cref="KeyNotFoundException">No query has that name.</exception>
    public string this[string name] =>
        _queries.TryGetValue(name, out var sql) ? sql : throw new KeyNotFoundException($"No SQL query named '{name}'.");

    /// <summary>All query names, for tests and diagnostics.</summary>
    public IEnumerable<string> Names => _queries.Keys;

    private static SqlCatalog Load(string dialect)
    {
        var assembly = typeof(SqlCatalog).Assembly;
        var prefix = $"Mailsmith.Storage.{dialect}.";
        var queries = new Dictionary<string, string>(StringComparer.Ordinal);
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var relative = resource[prefix.Length..].Replace('\\', '/');
            var text = ReadResource(assembly, resource);
            if (relative.StartsWith("Migrations/", StringComparison.Ordinal))
            {
                var file = Path.GetFileNameWithoutExtension(relative);
                var underscore = file.IndexOf('_', StringComparison.Ordinal);
                var version = int.Parse(file[..underscore], System.Globalization.CultureInfo.InvariantCulture);
                migrations.Add((version, file[(underscore + 1)..], text));
            }
            else
            {
                ParseQueries(relative, text, queries);
            }
        }
        return new SqlCatalog(queries, migrations.OrderBy(m => m.Item1).ToList());
    }

    internal static void ParseQueries(string file, string text, Dictionary<string, string> into)
    {
        string? name = null;
        var body = new StringBuilder();
        void Flush()
        {
            if (name is null)
            {
                return;
            }
            var sql = body.ToString().Trim();
            if (!into.TryAdd(name, sql))
            {
                throw new InvalidOperationException($"{file}: duplicate query name '{name}'.");
            }
        }
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.StartsWith("-- name:", StringComparison.Ordinal))
            {
                Flush();
                name = trimmed["-- name:".Length..].Trim();
                body.Clear();
            }
            else if (name is not null && !trimmed.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                body.Append(trimmed).Append('\n');
            }
        }
        Flush();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
