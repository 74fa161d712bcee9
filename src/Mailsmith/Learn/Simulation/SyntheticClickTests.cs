using System.Globalization;
using System.Text;

namespace Mailsmith.Learn.Simulation;

/// <summary>
/// Headline click tests shaped like the Upworthy Research Archive, for trying <c>learn replay</c> without the
/// archive: 2–8 arms per test (most 3–5), click rates around 1.5% (log-normal across tests), arms differing by a
/// log-normal factor of about 20%, a few thousand impressions per arm, clicks drawn binomially.
/// </summary>
/// <remarks>The real archive is what the replay targets are measured on; these only exercise the same code.</remarks>
public static class SyntheticClickTests
{
    public static IReadOnlyList<RecordedTest> Generate(int tests, int seed)
    {
        var random = new Random(seed);
        var list = new List<RecordedTest>(tests);
        int[] armChoices = [2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 7, 8];
        for (var t = 0; t < tests; t++)
        {
            var k = armChoices[random.Next(armChoices.Length)];
            var baseRate = 0.015 * Math.Exp(0.4 * Distributions.StandardNormal(random));
            var perArm = (long)Math.Round(3000 * Math.Exp(0.5 * Distributions.StandardNormal(random)));
            var arms = new List<ArmCounts>(k);
            for (var a = 0; a < k; a++)
            {
                var rate = Math.Min(0.5, baseRate * Math.Exp(0.2 * Distributions.StandardNormal(random)));
                var impressions = Math.Max(200, (long)Math.Round(perArm * (0.9 + 0.2 * random.NextDouble())));
                var clicks = Binomial(random, impressions, rate);
                arms.Add(new ArmCounts($"p{a + 1}", impressions, clicks));
            }
            list.Add(new RecordedTest($"t{t + 1:00000}", arms));
        }
        return list;
    }

    /// <summary>Writes tests as the replay CSV <c>test_id,arm,impressions,clicks</c>.</summary>
    public static async Task WriteCsvAsync(IReadOnlyList<RecordedTest> tests, string path, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder("test_id,arm,impressions,clicks\n");
        foreach (var test in tests)
        {
            foreach (var arm in test.Arms)
            {
                text.Append(CultureInfo.InvariantCulture, $"{test.TestId},{arm.Name},{arm.Trials},{arm.Successes}\n");
            }
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
    }

    private static long Binomial(Random random, long n, double p)
    {
        // Normal approximation when both tails are well populated; exact counting otherwise (small n·p).
        if (n * p > 30 && n * (1 - p) > 30)
        {
            return Math.Clamp((long)Math.Round(n * p + Math.Sqrt(n * p * (1 - p)) * Distributions.StandardNormal(random)), 0, n);
        }
        long k = 0;
        for (long i = 0; i < n; i++)
        {
            k += random.NextDouble() < p ? 1 : 0;
        }
        return k;
    }
}
