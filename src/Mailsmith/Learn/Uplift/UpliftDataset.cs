using System.Globalization;
using Mailsmith.Learn.Simulation;

namespace Mailsmith.Learn.Uplift;

/// <summary>A randomized experiment as a feature matrix: per row a treatment flag, a binary outcome and features.</summary>
/// <remarks>
/// Numeric columns (every non-empty value parses as an invariant-culture number) stay numbers, with empty as missing
/// (NaN, which LightGBM handles); any other column is categorical and one-hot encoded by the levels of the rows
/// given to <see cref="FeatureEncoder"/>.
/// </remarks>
public sealed class UpliftDataset
{
    public required IReadOnlyList<string> FeatureNames { get; init; }
    public required IReadOnlyList<bool> IsCategorical { get; init; }

    /// <summary>Raw feature values per row (numbers as text are parsed by the encoder).</summary>
    public required IReadOnlyList<string[]> Rows { get; init; }
    public required bool[] Treatment { get; init; }
    public required bool[] Outcome { get; init; }

    /// <summary>Rows dropped because the treatment column held neither the treatment nor the control value.</summary>
    public int Dropped { get; init; }

    /// <summary>True when the outcome column was not 0/1 and was read as "greater than zero".</summary>
    public bool OutcomeBinarized { get; init; }

    public int Count => Rows.Count;

    /// <summary>
    /// Reads a CSV with a header. <paramref name="treatmentColumn"/> = <paramref name="treatment"/> marks treated rows,
    /// = <paramref name="control"/> control rows; other rows are dropped. <paramref name="outcome"/> is 0/1 (or a
    /// number, then &gt; 0 counts as a response); <paramref name="exclude"/> columns are ignored; the rest are features.
    /// </summary>
    /// <exception cref="FormatException">A missing column, a ragged row or a bad outcome, naming the file, line and field.</exception>
    public static async Task<UpliftDataset> ReadCsvAsync(string path, string treatmentColumn, string treatment, string control, string outcome,
        IReadOnlyCollection<string>? exclude = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        using var reader = new StreamReader(path);
        var headerLine = await reader.ReadLineAsync(cancellationToken) ?? throw new FormatException($"{path}: empty file");
        var header = CsvLine.Split(headerLine).Select(h => h.Trim()).ToList();
        int Column(string name, string option) => header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i
            : throw new FormatException($"{path}:1: {option} '{name}' is not a column (columns: {string.Join(", ", header)})");
        var t = Column(treatmentColumn, "--treatment-column");
        var y = Column(outcome, "--outcome");
        var excluded = new HashSet<int> { t, y };
        foreach (var e in exclude ?? [])
        {
            excluded.Add(Column(e, "--exclude"));
        }
        var features = Enumerable.Range(0, header.Count).Where(i => !excluded.Contains(i)).ToList();
        var rows = new List<string[]>();
        var treated = new List<bool>();
        var outcomes = new List<double>();
        var dropped = 0;
        var line = 1;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            var fields = CsvLine.Split(text);
            if (fields.Count != header.Count)
            {
                throw new FormatException($"{path}:{line}: {fields.Count} fields where the header has {header.Count}");
            }
            var group = fields[t].Trim();
            if (group != treatment && group != control)
            {
                dropped++;
                continue;
            }
            if (!double.TryParse(fields[y], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
            {
                throw new FormatException($"{path}:{line}: {header[y]}: '{fields[y]}' is not a number");
            }
            treated.Add(group == treatment);
            outcomes.Add(value);
            rows.Add(features.Select(i => fields[i].Trim()).ToArray());
        }
        if (!treated.Contains(true) || !treated.Contains(false))
        {
            throw new FormatException($"{path}: need rows of both '{treatment}' and '{control}' in column {header[t]} (found {treated.Count(x => x)} treated, {treated.Count(x => !x)} control)");
        }
        var categorical = features.Select((_, f) => rows.Any(r => r[f].Length > 0 && !double.TryParse(r[f], NumberStyles.Float, CultureInfo.InvariantCulture, out double _))).ToList();
        var binary = outcomes.All(v => v is 0 or 1);
        return new UpliftDataset
        {
            FeatureNames = features.Select(i => header[i]).ToList(),
            IsCategorical = categorical,
            Rows = rows,
            Treatment = [.. treated],
            Outcome = outcomes.Select(v => v > 0).ToArray(),
            Dropped = dropped,
            OutcomeBinarized = !binary,
        };
    }

    /// <summary>A random split stratified by (treatment, outcome): <paramref name="trainShare"/> of each stratum to train.</summary>
    public (int[] Train, int[] Test) Split(double trainShare, int seed)
    {
        if (trainShare is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(trainShare), trainShare, "--split must be between 0 and 1");
        }
        var random = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var stratum in Enumerable.Range(0, Count).GroupBy(i => (Treatment[i], Outcome[i])).OrderBy(g => g.Key))
        {
            var rows = stratum.ToArray();
            random.Shuffle(rows);
            var cut = (int)Math.Round(rows.Length * trainShare);
            train.AddRange(rows[..cut]);
            test.AddRange(rows[cut..]);
        }
        train.Sort();
        test.Sort();
        return ([.. train], [.. test]);
    }
}

/// <summary>Turns raw rows into float vectors: numbers as they are, categories one-hot by the levels seen in training.</summary>
public sealed class FeatureEncoder
{
    private readonly IReadOnlyList<bool> _categorical;
    private readonly List<Dictionary<string, int>?> _levels = [];
    private readonly int[] _offsets;

    public FeatureEncoder(UpliftDataset data, IEnumerable<int> trainRows)
    {
        _categorical = data.IsCategorical;
        var train = trainRows.ToList();
        _offsets = new int[data.FeatureNames.Count];
        var width = 0;
        var names = new List<string>();
        for (var f = 0; f < data.FeatureNames.Count; f++)
        {
            _offsets[f] = width;
            if (_categorical[f])
            {
                var levels = train.Select(r => data.Rows[r][f]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
                    .Select((v, i) => (v, i)).ToDictionary(x => x.v, x => x.i, StringComparer.Ordinal);
                _levels.Add(levels);
                width += levels.Count;
                names.AddRange(levels.Keys.Select(l => $"{data.FeatureNames[f]}={l}"));
            }
            else
            {
                _levels.Add(null);
                width++;
                names.Add(data.FeatureNames[f]);
            }
        }
        Width = width;
        Names = names;
    }

    /// <summary>Length of an encoded vector.</summary>
    public int Width { get; }

    /// <summary>Name of each vector slot (<c>column</c> or <c>column=level</c>).</summary>
    public IReadOnlyList<string> Names { get; }

    public float[] Encode(string[] row)
    {
        var vector = new float[Width];
        for (var f = 0; f < row.Length; f++)
        {
            if (_levels[f] is { } levels)
            {
                // A level never seen in training has no slot: all zeros, like scikit-learn's handle_unknown='ignore'.
                if (levels.TryGetValue(row[f], out var slot))
                {
                    vector[_offsets[f] + slot] = 1;
                }
            }
            else
            {
                vector[_offsets[f]] = row[f].Length == 0 ? float.NaN : float.Parse(row[f], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }
        return vector;
    }
}
