using BenchmarkDotNet.Attributes;
using Mailsmith.Profile.Clv;

namespace Mailsmith.Benchmarks.Profile;

/// <summary>
/// CLV on the CDNOW sample (parse, summarize, fit) and at store scale: fitting and predicting 1,000,000 customers
/// simulated from the BG/NBD process itself (seeded), as the profile stage will.
/// </summary>
[MemoryDiagnoser]
public class ClvBenchmarks
{
    private static readonly DateOnly CalibrationEnd = new(1997, 9, 30);
    private string _sample = null!;
    private List<ClvTransaction> _rows = null!;
    private ClvDataset _data = null!;
    private ClvDataset _million = null!;
    private ClvFitResult _millionFit = null!;

    [GlobalSetup]
    public void Setup()
    {
        _sample = SharedDataFile("cdnow", "CDNOW_sample.txt");
        _rows = ClvTransactionReader.ReadAsync(_sample, ClvFileFormat.Cdnow).GetAwaiter().GetResult();
        _data = ClvDataset.Create(_rows, CalibrationEnd);
        // Check the output before timing: the published parameters.
        var fit = ClvModel.Fit(_data);
        if (Math.Abs(fit.BgNbd!.LogLikelihood + 9582.43) > 0.01 || Math.Abs(fit.GammaGamma!.Parameters.P - 6.25) > 0.005)
        {
            throw new InvalidOperationException("CDNOW fit does not reproduce the published values.");
        }
        _million = ClvDataset.Create(Simulate(1_000_000, new BgNbdParameters(0.25, 4.4, 0.8, 2.4), 365, seed: 7), new DateOnly(2025, 12, 31));
        _millionFit = ClvModel.Fit(_million);
        if (_millionFit.Status != ClvFitStatus.Fitted || Math.Abs(_millionFit.BgNbd!.Parameters.R - 0.25) > 0.02)
        {
            throw new InvalidOperationException($"simulated fit: {_millionFit.Message} {_millionFit.BgNbd?.Parameters}");
        }
    }

    [Benchmark]
    public int Clv_ParseCdnowSample() => ClvTransactionReader.ReadAsync(_sample, ClvFileFormat.Cdnow).GetAwaiter().GetResult().Count;

    [Benchmark]
    public int Clv_SummarizeCdnowSample() => ClvDataset.Create(_rows, CalibrationEnd).Count;

    /// <summary>The target (under 0.2 s): BG/NBD + Gamma-Gamma on the 2,357 CDNOW customers.</summary>
    [Benchmark]
    public double Clv_FitCdnowSample() => ClvModel.Fit(_data).BgNbd!.LogLikelihood;

    [Benchmark]
    public double Clv_FitMillion() => ClvModel.Fit(_million).BgNbd!.LogLikelihood;

    /// <summary>Every prediction (P(alive), 30/90/365-day purchases, order value, 12-month CLV, next order) for 1,000,000 customers.</summary>
    [Benchmark]
    public int Clv_PredictMillion() => new ClvPredictor(_millionFit).PredictAll(_million).Length;

    /// <summary>Customers whose first purchase is spread over a year before <c>2025-01-01</c>, then purchases by the BG/NBD process until 2025-12-31.</summary>
    public static List<ClvTransaction> Simulate(int customers, BgNbdParameters p, int cohortDays, int seed)
    {
        var random = new Random(seed);
        var rows = new List<ClvTransaction>(customers * 3);
        var end = new DateOnly(2025, 12, 31);
        for (var c = 0; c < customers; c++)
        {
            var id = c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var first = new DateOnly(2025, 1, 1).AddDays(random.Next(cohortDays) - cohortDays);
            // Gamma-Gamma spend: ν ~ Gamma(q = 3.7, rate v = 15) per customer, each transaction ~ Gamma(p = 6.25, rate ν).
            var nu = Gamma(random, 3.7) / 15;
            rows.Add(new ClvTransaction(id, first, Gamma(random, 6.25) / nu));
            var lambda = Gamma(random, p.R) / p.Alpha / 7;
            var dropout = Beta(random, p.A, p.B);
            var day = (double)first.DayNumber;
            while (true)
            {
                day += -Math.Log(1 - random.NextDouble()) / lambda;
                if (day > end.DayNumber)
                {
                    break;
                }
                rows.Add(new ClvTransaction(id, DateOnly.FromDayNumber((int)day), Gamma(random, 6.25) / nu));
                if (random.NextDouble() < dropout)
                {
                    break;
                }
            }
        }
        return rows;
    }

    private static double Gamma(Random random, double shape)
    {
        if (shape < 1)
        {
            return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        }
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double z, v;
            do
            {
                z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                v = 1 + c * z;
            }
            while (v <= 0);
            v = v * v * v;
            if (Math.Log(random.NextDouble()) < 0.5 * z * z + d - d * v + d * Math.Log(v))
            {
                return d * v;
            }
        }
    }

    private static double Beta(Random random, double a, double b)
    {
        var x = Gamma(random, a);
        return x / (x + Gamma(random, b));
    }

    private static string SharedDataFile(params string[] parts)
    {
        var root = Environment.GetEnvironmentVariable("MAILSMITH_SHARED_DATA");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); root is null && dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mailsmith.slnx")))
            {
                root = Path.Combine(dir.FullName, "..", "shared", "data");
            }
        }
        var path = Path.Combine([root ?? "", .. parts]);
        return File.Exists(path) ? path : throw new FileNotFoundException($"shared dataset missing: {path} (set MAILSMITH_SHARED_DATA)");
    }
}
