namespace Mailsmith.Synthetic;

/// <summary>
/// What <see cref="StoreGenerator"/> builds. Immutable; the same options and seed always give byte-identical files.
/// </summary>
public sealed class GeneratorOptions
{
    /// <summary>Number of customers. Default 5,000.</summary>
    public int Customers { get; init; } = 5000;

    /// <summary>Number of products, spread evenly over the vocabulary's categories. Default 600; at least one per category.</summary>
    public int Products { get; init; } = 600;

    /// <summary>Seed for every random draw. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>The moment the history ends (treated as "now" by the data). Default <c>2026-11-01T00:00:00Z</c>; converted to UTC.</summary>
    public DateTimeOffset End { get; init; } = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Length of the simulated history before <see cref="End"/>, in months (1–36). Default 12.</summary>
    public int HistoryMonths { get; init; } = 12;
}

/// <summary>The result of <see cref="StoreGenerator.Generate"/>.</summary>
/// <param name="Directory">The directory holding the CSV files and <c>truth.json</c>.</param>
/// <param name="RowCounts">Data rows written per file, keyed by file stem: <c>customers</c>, <c>products</c>, <c>orders</c>, <c>order_lines</c>, <c>events</c>, <c>reviews</c>.</param>
/// <param name="Start">The start of the simulated history.</param>
/// <param name="End">The end of the simulated history.</param>
public sealed record GeneratedStore(string Directory, IReadOnlyDictionary<string, long> RowCounts, DateTimeOffset Start, DateTimeOffset End);
