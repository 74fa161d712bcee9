using Mailsmith.Profile.Clv;

namespace Mailsmith.Tests.Profile.Clv;

/// <summary>Properties of the likelihoods and special functions that any correct implementation has.</summary>
public sealed class ClvLikelihoodTests
{
    [Fact]
    public async Task BgNbdGradient_RandomPoints_MatchesFiniteDifferences()
    {
        var data = await CdnowTests.SampleAsync();
        var likelihood = new BgNbdLikelihood(data, 7);
        var random = new Random(11);
        for (var trial = 0; trial < 25; trial++)
        {
            var theta = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 6 - 3).ToArray();
            var gradient = new double[4];
            likelihood.LogLikelihood(Bg(theta), gradient);
            for (var k = 0; k < 4; k++)
            {
                var numeric = CentralDifference(t => likelihood.LogLikelihood(Bg(t), []), theta, k);
                Assert.True(Math.Abs(gradient[k] - numeric) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
                    $"trial {trial}, ∂/∂θ{k} at [{string.Join(", ", theta)}]: analytic {gradient[k]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public async Task GammaGammaGradient_RandomPoints_MatchesFiniteDifferences()
    {
        var likelihood = new GammaGammaLikelihood(await CdnowTests.SampleAsync());
        var random = new Random(12);
        for (var trial = 0; trial < 25; trial++)
        {
            var theta = Enumerable.Range(0, 3).Select(_ => random.NextDouble() * 6 - 2).ToArray();
            var gradient = new double[3];
            likelihood.LogLikelihood(Gg(theta), gradient);
            for (var k = 0; k < 3; k++)
            {
                var numeric = CentralDifference(t => likelihood.LogLikelihood(Gg(t), []), theta, k);
                Assert.True(Math.Abs(gradient[k] - numeric) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
                    $"trial {trial}, ∂/∂θ{k} at [{string.Join(", ", theta)}]: analytic {gradient[k]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public async Task Fit_ShuffledCustomers_GivesTheSameParameters()
    {
        var path = SharedData.File("cdnow", "CDNOW_sample.txt");
        var rows = await ClvTransactionReader.ReadAsync(path, ClvFileFormat.Cdnow);
        var end = new DateOnly(1997, 9, 30);
        var original = ClvModel.Fit(ClvDataset.Create(rows, end));
        var shuffled = rows.ToArray();
        new Random(5).Shuffle(shuffled);
        var again = ClvModel.Fit(ClvDataset.Create(shuffled, end));
        Assert.Equal(original.BgNbd!.Parameters, again.BgNbd!.Parameters);
        Assert.Equal(original.BgNbd.LogLikelihood, again.BgNbd.LogLikelihood);
        Assert.Equal(original.GammaGamma!.Parameters, again.GammaGamma!.Parameters);
    }

    [Fact]
    public void LogLikelihood_SingleCustomer_MatchesTheClosedForm()
    {
        // One customer, x = 2, t_x = 10, T = 20 weeks (days ×7), written out from FHL (2005) eq. 6 without logs.
        var data = ClvDataset.Create([new("c", new DateOnly(2020, 1, 1), 5), new("c", new DateOnly(2020, 2, 5), 5), new("c", new DateOnly(2020, 3, 11), 5)], new DateOnly(2020, 5, 20));
        Assert.Equal((2, 70, 140), (data.Frequency[0], data.RecencyDays[0], data.AgeDays[0]));
        double r = 0.5, alpha = 3, a = 0.8, b = 2.5, x = 2, tx = 10, t = 20;
        static double G(double v) => Math.Exp(SpecialFunctions.LogGamma(v));
        static double Beta(double p, double q) => G(p) * G(q) / G(p + q);
        var common = G(r + x) * Math.Pow(alpha, r) / G(r);
        var expected = Beta(a, b + x) / Beta(a, b) * common / Math.Pow(alpha + t, r + x)
                       + Beta(a + 1, b + x - 1) / Beta(a, b) * common / Math.Pow(alpha + tx, r + x);
        var ll = new BgNbdLikelihood(data, 7).LogLikelihood(new BgNbdParameters(r, alpha, a, b), []);
        Assert.Equal(Math.Log(expected), ll, 10);
    }

    [Theory]
    [InlineData(0.5, 0.57236494292470008)]
    [InlineData(1, 0)]
    [InlineData(10, 12.801827480081469)]
    [InlineData(0.001, 6.9071788853838536)]
    [InlineData(1000, 5905.2204232091808)]
    public void LogGamma_KnownValues(double x, double expected) => Assert.Equal(expected, SpecialFunctions.LogGamma(x), 1e-13 * Math.Max(1, Math.Abs(expected)));

    [Theory]
    [InlineData(1, -0.57721566490153286)]
    [InlineData(0.5, -1.9635100260214235)]
    [InlineData(10, 2.2517525890667211)]
    [InlineData(0.01, -100.56088545786867)]
    public void Digamma_KnownValues(double x, double expected) => Assert.Equal(expected, SpecialFunctions.Digamma(x), 11);

    [Fact]
    public void Hyp2F1_KnownClosedForms()
    {
        // ₂F₁(1, 1; 2; z) = −ln(1−z)/z; ₂F₁(a, b; b; z) = (1−z)^(−a).
        Assert.Equal(-Math.Log(1 - 0.7) / 0.7, SpecialFunctions.Hyp2F1(1, 1, 2, 0.7), 12);
        Assert.Equal(Math.Pow(1 - 0.4, -1.7), SpecialFunctions.Hyp2F1(1.7, 3.2, 3.2, 0.4), 12);
    }

    private static BgNbdParameters Bg(double[] t) => new(Math.Exp(t[0]), Math.Exp(t[1]), Math.Exp(t[2]), Math.Exp(t[3]));

    private static GammaGammaParameters Gg(double[] t) => new(Math.Exp(t[0]), Math.Exp(t[1]), Math.Exp(t[2]));

    private static double CentralDifference(Func<double[], double> f, double[] theta, int k)
    {
        const double h = 1e-5;
        var up = (double[])theta.Clone();
        var down = (double[])theta.Clone();
        up[k] += h;
        down[k] -= h;
        return (f(up) - f(down)) / (2 * h);
    }
}
