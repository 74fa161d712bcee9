using System.Globalization;

namespace Mailsmith.Learn.Simulation;

/// <summary>One recorded multi-arm test: per arm, impressions and clicks (a row group of the replay CSV).</summary>
public sealed record RecordedTest(string TestId, IReadOnlyList<ArmCounts> Arms)
{
    public long Impressions => Arms.Sum(a => a.Trials);

    /// <summary>Every arm's clicks over impressions pooled: the A/A truth.</summary>
    public double PooledRate => (double)Arms.Sum(a => a.Successes) / Math.Max(1, Impressions);
}

/// <summary>How <c>learn replay</c> replays recorded tests.</summary>
public sealed class ReplayOptions
{
    /// <summary>Recipients per replayed test. Default null: the test's own total impressions.</summary>
    public long? Horizon { get; init; }

    /// <summary>Replays of each test per policy (different random draws). Default 1.</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>Seed of every draw. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>A/A: every arm at the test's pooled rate. Default false.</summary>
    public bool AllEqual { get; init; }
}

/// <summary>
/// Replays recorded multi-arm click tests with Bernoulli arms at their observed rates: each policy allocates the
/// test's horizon in batches through <see cref="BatchedExperiment"/>, as it would a campaign.
/// </summary>
/// <remarks>
/// Regret is expected clicks lost against always sending the arm with the highest observed rate (ties: any of
/// them counts as best). Tests run in parallel; each (test, repeat, policy) has its own seeded random stream, so
/// results do not depend on thread timing.
/// </remarks>
public sealed class ClickTestReplay(ReplayOptions options, LearnOptions learn)
{
    /// <summary>Reads a CSV with the header <c>test_id,arm,impressions,clicks</c> (columns in any order, more allowed).</summary>
    /// <exception cref="FormatException">A missing column or a bad value, naming the file, line and field.</exception>
    public static async Task<IReadOnlyList<RecordedTest>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found", path);
        }
        var lines = await File.ReadAllLinesAsync(path, cancellationToken);
        if (lines.Length == 0)
        {
            throw new FormatException($"{path}: empty file (expected the header test_id,arm,impressions,clicks)");
        }
        var header = CsvLine.Split(lines[0]).Select(h => h.Trim().ToLowerInvariant()).ToList();
        int Column(string name) => header.IndexOf(name) is var i and >= 0 ? i
            : throw new FormatException($"{path}:1: missing column '{name}' (expected test_id,arm,impressions,clicks)");
        var (test, arm, impressions, clicks) = (Column("test_id"), Column("arm"), Column("impressions"), Column("clicks"));
        var tests = new Dictionary<string, List<ArmCounts>>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var l = 1; l < lines.Length; l++)
        {
            if (string.IsNullOrWhiteSpace(lines[l]))
            {
                continue;
            }
            var fields = CsvLine.Split(lines[l]);
            string Field(int index, string name) => index < fields.Count ? fields[index].Trim()
                : throw new FormatException($"{path}:{l + 1}: {name}: missing value");
            long Count(int index, string name) => long.TryParse(Field(index, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
                : throw new FormatException($"{path}:{l + 1}: {name}: '{Field(index, name)}' is not a non-negative integer");
            var id = Field(test, "test_id");
            var n = Count(impressions, "impressions");
            var c = Count(clicks, "clicks");
            if (c > n)
            {
                throw new FormatException($"{path}:{l + 1}: clicks: {c} clicks exceed {n} impressions");
            }
            if (!tests.TryGetValue(id, out var arms))
            {
                tests[id] = arms = [];
                order.Add(id);
            }
            arms.Add(new ArmCounts(Field(arm, "arm"), n, c));
        }
        return order.Select(id => new RecordedTest(id, tests[id])).Where(t => t.Arms.Count >= 2 && t.Impressions > 0).ToList();
    }

    /// <summary>Replays every test with two arms or more under each policy.</summary>
    public IReadOnlyDictionary<string, PolicyScore> Run(IReadOnlyList<RecordedTest> tests, IReadOnlyList<string> policies, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var scores = policies.ToDictionary(p => p, _ => new ScoreAccumulator());
        var done = 0;
        Parallel.For(0, tests.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount }, t =>
        {
            var test = tests[t];
            var rates = test.Arms.Select(a => options.AllEqual ? test.PooledRate : a.Rate).ToArray();
            var best = rates.Max();
            foreach (var key in policies)
            {
                double regret = 0, pickedBest = 0, declared = 0;
                for (var r = 0; r < options.Repeats; r++)
                {
                    var outcome = ReplayOnce(test, rates, key, new Random(Seeds.Mix(options.Seed, (long)t * 1000 + r, key)));
                    regret += outcome.Regret;
                    pickedBest += rates[outcome.Choice] >= best ? 1 : 0;
                    declared += outcome.Declared ? 1 : 0;
                }
                // One test counts once: its repeats are averaged into fractional hits.
                scores[key].Add(regret / options.Repeats, pickedBest / options.Repeats, declared / options.Repeats);
            }
            progress?.Report(Interlocked.Increment(ref done));
        });
        return scores.ToDictionary(kv => kv.Key, kv => kv.Value.Score());
    }

    private (double Regret, int Choice, bool Declared) ReplayOnce(RecordedTest test, double[] rates, string key, Random random)
    {
        var horizon = options.Horizon ?? test.Impressions;
        var batch = Math.Max(1, (long)Math.Round(horizon * learn.BatchShare));
        var best = rates.Max();
        var experiment = new BatchedExperiment(test.Arms.Select(a => a.Name).ToList(), _ => Policies.Create(key, learn, random),
            new Dictionary<string, long> { [BatchedExperiment.Everyone] = horizon }, horizon);
        double regret = 0;
        for (long start = 0; start < horizon; start += batch)
        {
            experiment.BeginBatch();
            var end = Math.Min(horizon, start + batch);
            for (var i = start; i < end; i++)
            {
                var arm = experiment.Assign(BatchedExperiment.Everyone, random.NextDouble()).Arm;
                experiment.RecordSent(BatchedExperiment.Everyone, arm);
                regret += best - rates[arm];
                if (random.NextDouble() < rates[arm])
                {
                    experiment.RecordResponse(BatchedExperiment.Everyone, arm);
                }
            }
        }
        var conclusion = experiment.Policy(BatchedExperiment.Everyone).Conclude(experiment.State(BatchedExperiment.Everyone));
        return (regret, conclusion.Choice, conclusion.WinnerDeclared);
    }
}

/// <summary>RFC 4180 splitting of one line (quoted fields, doubled quotes); enough for the small files of learn.</summary>
internal static class CsvLine
{
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        fields.Add(field.ToString());
        return fields;
    }
}
