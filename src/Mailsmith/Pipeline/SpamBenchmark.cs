using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mailsmith.Deliver;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Pipeline;

/// <summary>What <see cref="SpamBenchmark"/> samples and scores.</summary>
public sealed class SpamBenchmarkOptions
{
    /// <summary>Customers in the generated store the demo pipeline runs on. Default 400.</summary>
    public int Customers { get; init; } = 400;

    /// <summary>Generator and campaign seed. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Customer locales sampled; null: every locale in the store. Default null.</summary>
    public IReadOnlyList<string>? Locales { get; init; }

    /// <summary>
    /// True: one stratum per campaign type × locale × lifecycle; false: one per campaign type × locale, the lifecycle
    /// rotating from stratum to stratum so every lifecycle appears. Default true.
    /// </summary>
    public bool EveryLifecycle { get; init; } = true;

    /// <summary>Emails per stratum (the lowest customer ids in it, so a run is reproducible). Default 1.</summary>
    public int PerStratum { get; init; } = 1;

    /// <summary>spamd worker processes (messages scored at once). Default 2.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Where the demo run is written; null: a temporary folder removed afterwards. Default null.</summary>
    public string? OutputDirectory { get; init; }
}

/// <summary>One sampled email and its SpamAssassin score.</summary>
public sealed record SpamSampleScore(string CampaignType, string Locale, string Lifecycle, string CustomerId, double Score, IReadOnlyList<SpamRule> Rules);

/// <summary>The scores of a stratified sample.</summary>
public sealed record SpamBenchmarkResult(
    IReadOnlyList<SpamSampleScore> Emails, double Average, double Median, double Max, int Customers, int Seed, double Seconds)
{
    /// <summary>Rules that added or removed points (0.0 informational rules left out), with how many emails hit each.</summary>
    public IReadOnlyList<(string Rule, double Points, int Emails)> RulesHit() =>
        Emails.SelectMany(e => e.Rules).Where(r => r.Points != 0).GroupBy(r => r.Name, StringComparer.Ordinal)
            .Select(g => (g.Key, g.First().Points, g.Count())).OrderByDescending(r => r.Item3).ThenBy(r => r.Key, StringComparer.Ordinal).ToList();
}

/// <summary>
/// Scores generated email with the real SpamAssassin: runs the demo pipeline (generate → import → profile → recommend →
/// compose → MIME → pickup folder, <see cref="DemoRunner"/>) on a small store, takes a stratified sample of the
/// messages as written to the outbox (campaign type × customer locale × lifecycle), and scores each with
/// <c>spamd -L</c> / <c>spamc</c>. Targets (issue 5): average below 2.0, none above 4.0. Figures: docs/benchmarks.md.
/// </summary>
public static class SpamBenchmark
{
    public static async Task<SpamBenchmarkResult> RunAsync(
        SpamBenchmarkOptions options, MailsmithSettings settings, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var root = options.OutputDirectory ?? Path.Combine(Path.GetTempPath(), "mailsmith-spam-" + Guid.NewGuid().ToString("N"));
        try
        {
            log?.Invoke($"running the demo pipeline on {options.Customers:N0} customers in {root}");
            var demo = await new DemoRunner(new DemoOptions { OutputDirectory = root, Customers = options.Customers, Seed = options.Seed, PreviewSamples = 0 }, settings)
                .RunAsync(null, cancellationToken);
            var sample = Sample(options, demo, Path.Combine(root, "emails"));
            log?.Invoke($"{sample.Count} emails sampled; starting spamd");
            await using var spam = await SpamAssassin.StartAsync(options.Workers, cancellationToken);
            var scores = new SpamSampleScore[sample.Count];
            var done = 0;
            await Parallel.ForAsync(0, sample.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Workers), CancellationToken = cancellationToken }, async (i, ct) =>
            {
                var (type, locale, lifecycle, customer, path) = sample[i];
                var verdict = await spam.ScoreAsync(await File.ReadAllBytesAsync(path, ct), ct);
                scores[i] = new SpamSampleScore(type, locale, lifecycle, customer, verdict.Score, verdict.Rules);
                if (Interlocked.Increment(ref done) % 10 == 0)
                {
                    log?.Invoke($"scored {done}/{sample.Count}");
                }
            });
            var sorted = scores.Select(s => s.Score).Order().ToArray();
            var median = sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            return new SpamBenchmarkResult(
                scores, sorted.Length == 0 ? 0 : Math.Round(sorted.Average(), 3), median, sorted.Length == 0 ? 0 : sorted[^1],
                options.Customers, options.Seed, Math.Round(watch.Elapsed.TotalSeconds, 1));
        }
        finally
        {
            if (options.OutputDirectory is null && Directory.Exists(root))
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(root, recursive: true);
            }
        }
    }

    private static List<(string Type, string Locale, string Lifecycle, string CustomerId, string Path)> Sample(
        SpamBenchmarkOptions options, DemoSummary demo, string emailsDirectory)
    {
        var store = MailsmithStore.Open(demo.Database);
        var profiles = store.LoadProfiles();
        var customers = store.LoadCustomers().ToDictionary(c => c.CustomerId, StringComparer.Ordinal);
        var locales = options.Locales ?? customers.Values.Select(c => c.Locale).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var sample = new List<(string, string, string, string, string)>();
        var stratum = 0;
        foreach (var campaign in demo.Campaigns)
        {
            var folder = Path.Combine(emailsDirectory, campaign.Id);
            // Every message of the campaign that reached the outbox, by customer id (file name), lowest first.
            var sent = Directory.Exists(folder)
                ? Directory.EnumerateFiles(folder, "*.eml").Select(p => (Id: Path.GetFileNameWithoutExtension(p), Path: p))
                    .Where(m => customers.ContainsKey(m.Id) && profiles.ContainsKey(m.Id)).OrderBy(m => m.Id, StringComparer.Ordinal).ToList()
                : [];
            foreach (var locale in locales)
            {
                var inLocale = sent.Where(m => string.Equals(customers[m.Id].Locale, locale, StringComparison.OrdinalIgnoreCase)).ToList();
                if (inLocale.Count == 0)
                {
                    continue;
                }
                if (options.EveryLifecycle)
                {
                    foreach (var lifecycle in Lifecycle.All)
                    {
                        foreach (var m in inLocale.Where(m => profiles[m.Id].Lifecycle == lifecycle).Take(options.PerStratum))
                        {
                            sample.Add((campaign.Type, locale, lifecycle, m.Id, m.Path));
                        }
                    }
                    continue;
                }
                // One stratum per type × locale: prefer the next lifecycle in turn, else the nearest one this audience has.
                for (var k = 0; k < Lifecycle.All.Count; k++)
                {
                    var lifecycle = Lifecycle.All[(stratum + k) % Lifecycle.All.Count];
                    var picked = inLocale.Where(m => profiles[m.Id].Lifecycle == lifecycle).Take(options.PerStratum).ToList();
                    if (picked.Count > 0)
                    {
                        sample.AddRange(picked.Select(m => (campaign.Type, locale, lifecycle, m.Id, m.Path)));
                        break;
                    }
                }
                stratum++;
            }
        }
        return sample;
    }

    /// <summary>The figures as a docs/benchmarks.md section: summary line, rules hit, and one row per email.</summary>
    public static string Markdown(SpamBenchmarkResult result, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append(inv, $"`{command}`: {result.Emails.Count} emails (demo pipeline on {result.Customers:N0} customers, seed {result.Seed}), ")
          .Append(inv, $"SpamAssassin 4 `spamd -L`: average **{result.Average:0.00}**, median {result.Median:0.0}, max **{result.Max:0.0}** ")
          .Append(inv, $"(targets: average < 2.0, none > 4.0); {result.Seconds:0} s.\n\n");
        md.Append("| rule | points | emails |\n|---|---:|---:|\n");
        foreach (var (rule, points, emails) in result.RulesHit())
        {
            md.Append(inv, $"| {rule} | {points:0.0##} | {emails} |\n");
        }
        md.Append("\n| campaign type | locale | lifecycle | customer | score | rules with points |\n|---|---|---|---|---:|---|\n");
        foreach (var e in result.Emails)
        {
            var rules = string.Join(", ", e.Rules.Where(r => r.Points != 0).Select(r => $"{r.Name} {r.Points.ToString("0.0##", inv)}"));
            md.Append(inv, $"| {e.CampaignType} | {e.Locale} | {e.Lifecycle} | {e.CustomerId} | {e.Score:0.0} | {(rules.Length == 0 ? "—" : rules)} |\n");
        }
        return md.ToString();
    }
}
