using Mailsmith.Profile.Clv;

namespace Mailsmith.Tests.Profile.Clv;

public sealed class ClvPredictionTests
{
    [Fact]
    public void Fit_FewRepeatBuyers_IsATypedResultNotAnException()
    {
        var rows = Enumerable.Range(0, 200).Select(i => new ClvTransaction($"c{i}", new DateOnly(2024, 1, 1).AddDays(i % 60), 10)).ToList();
        rows.Add(new ClvTransaction("c1", new DateOnly(2024, 5, 1), 12));
        var data = ClvDataset.Create(rows, new DateOnly(2024, 6, 30));
        var fit = ClvModel.Fit(data);
        Assert.Equal(ClvFitStatus.TooFewRepeatCustomers, fit.Status);
        Assert.False(fit.CanPredict);
        Assert.Contains("only 1 of 200 customers bought again", fit.Message);
        Assert.Throws<ArgumentException>(() => new ClvPredictor(fit));
    }

    [Fact]
    public void Fit_ZeroValueRepeatPurchases_FitsPurchasesButNotSpend()
    {
        var rows = new List<ClvTransaction>();
        var random = new Random(3);
        for (var c = 0; c < 300; c++)
        {
            var day = new DateOnly(2024, 1, 1).AddDays(random.Next(60));
            rows.Add(new($"c{c}", day, 20));
            for (var k = 0; k < random.Next(4); k++)
            {
                day = day.AddDays(1 + random.Next(40));
                rows.Add(new($"c{c}", day, 0));
            }
        }
        var fit = ClvModel.Fit(ClvDataset.Create(rows, new DateOnly(2024, 9, 30)));
        Assert.Equal(ClvFitStatus.SpendNotFitted, fit.Status);
        Assert.NotNull(fit.BgNbd);
        var prediction = new ClvPredictor(fit).Predict(2, 190, 200, 0, new DateOnly(2024, 9, 30));
        Assert.Null(prediction.Clv);
        Assert.Null(prediction.ExpectedOrderValue);
        // Nobody drops out in this data, so a and b run large (homogeneous dropout): the predictions stay finite.
        Assert.InRange(prediction.ExpectedPurchases365, 0.1, 20);
        Assert.True(prediction.ExpectedPurchases30 < prediction.ExpectedPurchases90);
    }

    [Fact]
    public async Task Predictions_Sample_AreConsistent()
    {
        var data = await CdnowTests.SampleAsync();
        var fit = ClvModel.Fit(data);
        var predictor = new ClvPredictor(fit);
        var all = predictor.PredictAll(data);
        Assert.Equal(data.Count, all.Length);
        for (var i = 0; i < all.Length; i++)
        {
            var p = all[i];
            Assert.InRange(p.ProbabilityAlive, 0, 1);
            Assert.True(p.ExpectedPurchases30 <= p.ExpectedPurchases90 && p.ExpectedPurchases90 <= p.ExpectedPurchases365);
            Assert.True(p.Clv > 0 && p.ExpectedOrderValue > 0);
            if (p.ExpectedNextOrder is { } next)
            {
                Assert.True(next > data.CalibrationEnd && next <= data.CalibrationEnd.AddDays(730));
                Assert.True(p.ProbabilityAlive > 0.5);
            }
        }
        // A non-repeater's expected order value is the population mean p·v/(q−1).
        var g = fit.GammaGamma!.Parameters;
        Assert.Equal(g.P * g.V / (g.Q - 1), all[Array.IndexOf(data.Frequency, 0)].ExpectedOrderValue!.Value, 9);
        // Recent frequent buyers are more alive and worth more than those who went quiet long ago.
        var active = predictor.Predict(6, 260, 270, 30, data.CalibrationEnd);
        var quiet = predictor.Predict(6, 60, 270, 30, data.CalibrationEnd);
        Assert.True(active.ProbabilityAlive > 0.85 && quiet.ProbabilityAlive < 0.05);
        Assert.True(active.Clv > 5 * quiet.Clv);
        Assert.NotNull(active.ExpectedNextOrder);
        Assert.Null(quiet.ExpectedNextOrder);
    }

    [Fact]
    public async Task ExpectedPurchases_MatchesNumericalIntegrationOfTheModel()
    {
        // E[Y(t)|alive] by the closed form against a direct computation: for an alive customer with λ ~ Gamma(r+x, α+T),
        // purchases in (0, t] follow the BG/NBD process again (dropout after each purchase with p ~ Beta(a, b+x)).
        // Compare against a Monte Carlo simulation of that process.
        var fit = ClvModel.Fit(await CdnowTests.SampleAsync());
        var p = fit.BgNbd!.Parameters;
        var predictor = new ClvPredictor(fit);
        const int x = 3;
        const double tx = 30, t = 38, h = 52;
        var alive = predictor.ProbabilityAlive(x, tx, t);
        var expected = predictor.ExpectedPurchases(x, tx, t, h);
        var random = new Random(17);
        double total = 0;
        const int runs = 200_000;
        for (var run = 0; run < runs; run++)
        {
            if (random.NextDouble() > alive)
            {
                continue;
            }
            var lambda = Gamma(random, p.R + x) / (p.Alpha + t);
            var dropout = Beta(random, p.A, p.B + x);
            var clock = 0.0;
            while (true)
            {
                clock += -Math.Log(1 - random.NextDouble()) / lambda;
                if (clock > h)
                {
                    break;
                }
                total++;
                if (random.NextDouble() < dropout)
                {
                    break;
                }
            }
        }
        Assert.Equal(expected, total / runs, 1);
        Assert.InRange(total / runs / expected, 0.98, 1.02);
    }

    private static double Gamma(Random random, double shape)
    {
        // Marsaglia & Tsang, with the boost for shape < 1.
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
                z = Normal(random);
                v = 1 + c * z;
            }
            while (v <= 0);
            v = v * v * v;
            var u = random.NextDouble();
            if (Math.Log(u) < 0.5 * z * z + d - d * v + d * Math.Log(v))
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

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
