using System.Globalization;
using System.Text;

namespace Mailsmith.Learn.Uplift;

/// <summary>
/// A data set shaped like Kevin Hillstrom's MineThatData e-mail experiment (64,000 customers; a third each got a
/// men's e-mail, a women's e-mail or none), with the same columns and value sets, marginals near the published
/// ones (visit 10.6% / 18.3% / 15.1%, conversion 0.57% / 1.25% / 0.88% for none / men's / women's) and effects
/// that differ by who the customer is (the men's e-mail works best on men's buyers, recency and channel matter).
/// For developing and testing <c>learn uplift eval</c>; the real data set is what its target is measured on.
/// </summary>
public static class HillstromGenerator
{
    public static readonly string[] Columns = ["recency", "history_segment", "history", "mens", "womens", "zip_code", "newbie", "channel", "segment", "visit", "conversion", "spend"];

    /// <summary>Writes <paramref name="rows"/> rows to <paramref name="path"/> as CSV.</summary>
    public static async Task WriteCsvAsync(string path, int rows = 64_000, int seed = 42, CancellationToken cancellationToken = default)
    {
        var random = new Random(seed);
        var text = new StringBuilder(string.Join(',', Columns)).Append('\n');
        string[] segments = ["Mens E-Mail", "Womens E-Mail", "No E-Mail"];
        for (var i = 0; i < rows; i++)
        {
            var recency = Recency(random);
            var history = Math.Round(Math.Min(3345.93, 29.99 + Math.Exp(4.6 + 0.95 * Normal(random))), 2);
            var (mens, womens) = random.NextDouble() switch { < 0.45 => (1, 0), < 0.90 => (0, 1), _ => (1, 1) };
            var zip = random.NextDouble() switch { < 0.45 => "Surburban", < 0.85 => "Urban", _ => "Rural" };
            var newbie = random.NextDouble() < 0.5 ? 1 : 0;
            var channel = random.NextDouble() switch { < 0.44 => "Web", < 0.88 => "Phone", _ => "Multichannel" };
            var segment = segments[random.Next(3)];

            // Control visit propensity: recent, high-spending, multichannel, rural customers visit more; newbies less.
            var logit = -2.05 - 0.06 * (recency - 5.8) + 0.25 * Math.Log(history / 240) - 0.25 * (newbie - 0.5)
                        + (channel == "Multichannel" ? 0.2 : 0) + (zip == "Rural" ? 0.35 : 0) + (womens == 1 ? 0.1 : 0);
            var pControl = 1 / (1 + Math.Exp(-logit));
            // Effects in probability points, by who the e-mail speaks to; recent customers and non-newbies respond more.
            var effect = segment switch
            {
                "Mens E-Mail" => (mens == 1 ? 0.105 : 0.035) + 0.006 * (6 - recency) + (newbie == 1 ? -0.015 : 0.015) + (channel == "Phone" ? -0.01 : 0.01),
                "Womens E-Mail" => (womens == 1 ? 0.065 : 0.012) + 0.004 * (6 - recency) + (newbie == 1 ? -0.012 : 0.012) + (zip == "Rural" ? 0.02 : 0),
                _ => 0,
            };
            var pVisit = Math.Clamp(pControl + effect, 0.005, 0.95);
            var visit = random.NextDouble() < pVisit ? 1 : 0;
            var pConvert = segment == "No E-Mail" ? 0.054 : segment == "Mens E-Mail" ? 0.068 : 0.058;
            var conversion = visit == 1 && random.NextDouble() < pConvert * (history > 500 ? 1.3 : 1) ? 1 : 0;
            var spend = conversion == 1 ? Math.Round(Math.Min(499, 30 + Math.Exp(4.2 + 0.6 * Normal(random))), 2) : 0;
            text.Append(CultureInfo.InvariantCulture,
                $"{recency},{Quote(HistorySegment(history))},{history:0.00},{mens},{womens},{zip},{newbie},{channel},{segment},{visit},{conversion},{spend:0.##}\n");
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken);
    }

    private static int Recency(Random random)
    {
        // Hillstrom's recency (months since last purchase, 1–12) is heavy at 1–2 and again at 9–10.
        double[] weights = [0.14, 0.12, 0.09, 0.08, 0.07, 0.07, 0.06, 0.06, 0.09, 0.10, 0.06, 0.06];
        var u = random.NextDouble();
        for (var m = 0; m < weights.Length; m++)
        {
            if (u < weights[m])
            {
                return m + 1;
            }
            u -= weights[m];
        }
        return 12;
    }

    private static string HistorySegment(double history) => history switch
    {
        < 100 => "1) $0 - $100",
        < 200 => "2) $100 - $200",
        < 350 => "3) $200 - $350",
        < 500 => "4) $350 - $500",
        < 750 => "5) $500 - $750",
        < 1000 => "6) $750 - $1,000",
        _ => "7) $1,000 +",
    };

    // "6) $750 - $1,000" holds a comma; the original file quotes it too.
    private static string Quote(string field) => field.Contains(',', StringComparison.Ordinal) ? $"\"{field}\"" : field;

    private static double Normal(Random random) => Distributions.StandardNormal(random);
}
