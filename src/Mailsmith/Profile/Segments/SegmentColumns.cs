using System.Collections.Concurrent;

namespace Mailsmith.Profile.Segments;

/// <summary>
/// A population's field values as columns (one array per field, by row index), built the first time an expression
/// reads the field and kept. Counting then reads contiguous arrays instead of chasing each row's customer and profile
/// objects, which is what bounds the row-at-a-time predicate on a large population.
/// </summary>
/// <remarks>Thread-safe: a column is built once (<see cref="Lazy{T}"/>) and never changes.</remarks>
internal sealed class SegmentColumns(IReadOnlyList<SegmentRow> rows) : ISegmentAccessors<int>
{
    private readonly ConcurrentDictionary<string, Lazy<object>> _columns = new(StringComparer.Ordinal);

    private TColumn Column<TColumn>(string key, Func<TColumn> build) where TColumn : class =>
        (TColumn)_columns.GetOrAdd(key, _ => new Lazy<object>(() => build(), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    private TValue[] Fill<TValue>(Func<SegmentRow, TValue> get)
    {
        var column = new TValue[rows.Count];
        Parallel.For(0, (rows.Count + Chunk - 1) / Chunk, c =>
        {
            var end = Math.Min(rows.Count, (c + 1) * Chunk);
            for (var i = c * Chunk; i < end; i++)
            {
                column[i] = get(rows[i]);
            }
        });
        return column;
    }

    private const int Chunk = 16_384;

    public Func<int, double> Number(SegmentField field)
    {
        var column = Column($"n:{field.Name}", () => Fill(field.Number!));
        return i => column[i];
    }

    public Func<int, string?> Text(SegmentField field)
    {
        var column = Column($"t:{field.Name}", () => Fill(field.Text!));
        return i => column[i];
    }

    public Func<int, bool?> Boolean(SegmentField field)
    {
        var column = Column($"b:{field.Name}", () => Fill(field.Boolean!));
        return i => column[i];
    }

    public Func<int, IReadOnlyList<string>> List(SegmentField field)
    {
        var column = Column($"l:{field.Name}", () => Fill(field.List!));
        return i => column[i];
    }

    public Func<int, double> Affinity(BoundAffinity affinity)
    {
        var keys = affinity.Keys.ToArray();
        var brand = affinity.Brand;
        var column = Column($"a:{brand}:{string.Join('\u0001', keys)}", () => Fill(row => SegmentCompiler.Lookup(brand ? row.Profile.BrandAffinity : row.Profile.CategoryAffinity, keys)));
        return i => column[i];
    }

    public Func<int, bool?> Bought(BoundBought bought)
    {
        var column = Column($"bought:{bought.Key}", () => Fill(row => SegmentCompiler.Bought(row, bought)));
        return i => column[i];
    }
}
