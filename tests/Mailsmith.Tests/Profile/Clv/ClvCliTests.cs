using System.Text.Json;
using Mailsmith.Cli;
using Mailsmith.Profile.Clv;

namespace Mailsmith.Tests.Profile.Clv;

/// <summary><c>mailsmith clv fit</c> through the real command line: output shape, files written, errors.</summary>
[Collection("Console")]
public sealed class ClvCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mailsmith-clv-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("clv fit --transactions ../shared/data/cdnow/CDNOW_sample.txt --format cdnow")]
    [InlineData("clv fit --transactions t.csv --calibration-end 2024-06-30 --holdout-end 2024-12-31 --json --chart c.png --predictions p.csv --time-unit-days 1")]
    [InlineData("clv fit --transactions t.csv --no-chart")]
    [InlineData("sentiment eval --file ../shared/data/uci-sentiment-amazon/amazon_cells_labelled.txt --text-column 0 --label-column 1 --json")]
    [InlineData("sentiment eval --file reviews.csv --text-column review --label-column label --separator , --locale zh-CN")]
    [InlineData("sentiment score \"not bad\" 不错")]
    public void Parse_ReadmeCommandLines_HaveNoErrors(string line) => Assert.Empty(Program.CreateCommand().Parse(line).Errors);

    [Theory]
    [InlineData("clv fit")]
    [InlineData("clv fit --transactions t.csv --format excel")]
    [InlineData("sentiment eval --file f.csv --text-column 0")]
    public void Parse_BadCommandLines_AreErrors(string line) => Assert.NotEmpty(Program.CreateCommand().Parse(line).Errors);

    [Fact]
    public async Task FitJson_CdnowSample_HasExactlyTheDocumentedKeysAndWritesTheChart()
    {
        var chart = Path.Combine(_dir, "out", "holdout.png");
        var (code, stdout, _) = await RunAsync("clv", "fit", "--transactions", SharedData.File("cdnow", "CDNOW_sample.txt"), "--format", "cdnow",
            "--calibration-end", "1997-09-30", "--json", "--chart", chart);
        Assert.Equal(ExitCode.Success, code);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(["bgnbd", "gamma_gamma", "holdout"], Keys(root));
        Assert.Equal(["r", "alpha", "a", "b", "loglik"], Keys(root.GetProperty("bgnbd")));
        Assert.Equal(["p", "q", "v"], Keys(root.GetProperty("gamma_gamma")));
        var holdout = root.GetProperty("holdout");
        Assert.Equal(["predicted", "actual", "by_frequency"], Keys(holdout));
        Assert.Equal(0.2426, root.GetProperty("bgnbd").GetProperty("r").GetDouble(), 4);
        Assert.Equal(-9582.43, root.GetProperty("bgnbd").GetProperty("loglik").GetDouble(), 2);
        Assert.Equal(1882, holdout.GetProperty("actual").GetInt32());
        var groups = holdout.GetProperty("by_frequency").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], groups.Select(g => g.GetProperty("x").GetInt32()));
        Assert.All(groups, g => Assert.Equal(["x", "predicted", "actual"], Keys(g)));
        // A real PNG, not an empty file.
        var bytes = await File.ReadAllBytesAsync(chart);
        Assert.True(bytes.Length > 10_000);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
    }

    [Fact]
    public async Task Fit_DefaultCalibrationEnd_IsHalfwayAndMatchesThePaper()
    {
        var predictions = Path.Combine(_dir, "p.csv");
        var (code, stdout, _) = await RunAsync("clv", "fit", "--transactions", SharedData.File("cdnow", "CDNOW_sample.txt"), "--format", "cdnow",
            "--no-chart", "--predictions", predictions);
        Assert.Equal(ExitCode.Success, code);
        Assert.Contains("calibration: 1997-01-01 .. 1997-09-30; holdout: 1997-10-01 .. 1998-06-30 (273 days)", stdout);
        Assert.Contains("-9582.43", stdout);
        var lines = await File.ReadAllLinesAsync(predictions);
        Assert.Equal(2358, lines.Length);
        Assert.StartsWith("customer_id,frequency,recency_days,age_days,p_alive,", lines[0]);
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "clv-holdout.png.tmp")));
    }

    [Fact]
    public async Task FitCsv_BadRows_NameFileLineAndField()
    {
        var file = Path.Combine(_dir, "tx.csv");
        await File.WriteAllTextAsync(file, "\uFEFFcustomer_id,date,amount\nc1,2024-01-03,10.5\nc2,2024-13-01,4\nc3,2024-02-01,abc\n\"c,4\",2024-02-01,-3\n");
        var (code, _, stderr) = await RunAsync("clv", "fit", "--transactions", file, "--no-chart");
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains($"{file}:3: date: '2024-13-01' is not a date", stderr);
        Assert.Contains($"{file}:4: amount: 'abc' is not a number", stderr);
        Assert.Contains($"{file}:5: amount: -3 is negative", stderr);
    }

    [Fact]
    public async Task FitCsv_MissingColumn_IsReportedOnTheHeaderLine()
    {
        var file = Path.Combine(_dir, "tx.csv");
        await File.WriteAllTextAsync(file, "customer,date,amount\nc1,2024-01-03,10.5\n");
        var (code, _, stderr) = await RunAsync("clv", "fit", "--transactions", file, "--no-chart");
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains($"{file}:1: header: missing column customer_id", stderr);
    }

    [Fact]
    public async Task FitCsv_TooFewRepeatBuyers_ExplainsAndFails()
    {
        var file = Path.Combine(_dir, "tx.csv");
        await File.WriteAllLinesAsync(file, ["customer_id,date,amount", .. Enumerable.Range(0, 50).Select(i => $"c{i},2024-01-{1 + i % 28:00},9.99"), "c1,2024-03-01,5"]);
        var (code, _, stderr) = await RunAsync("clv", "fit", "--transactions", file, "--calibration-end", "2024-03-31", "--no-chart", "--json");
        Assert.Equal(ExitCode.BadData, code);
        Assert.Contains("cannot fit: only 1 of 50 customers bought again", stderr);
    }

    [Fact]
    public async Task FitCsv_QuotedFieldsAndTimestamps_AreRead()
    {
        var file = Path.Combine(_dir, "tx.csv");
        await File.WriteAllTextAsync(file, "amount,\"customer_id\",date,note\n10,\"a,1\",2024-01-03T10:00:00+08:00,\"x\"\"y\"\n");
        var rows = await ClvTransactionReader.ReadAsync(file, ClvFileFormat.Csv);
        Assert.Equal([new ClvTransaction("a,1", new DateOnly(2024, 1, 3), 10)], rows);
    }

    [Fact]
    public async Task Fit_HoldoutBeforeCalibration_IsAUsageError()
    {
        var (code, _, stderr) = await RunAsync("clv", "fit", "--transactions", SharedData.File("cdnow", "CDNOW_sample.txt"), "--format", "cdnow",
            "--calibration-end", "1997-09-30", "--holdout-end", "1997-06-30", "--no-chart");
        Assert.Equal(ExitCode.Usage, code);
        Assert.Contains("must be after the calibration end", stderr);
    }

    private static List<string> Keys(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name)];

    internal static async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var parse = Program.CreateCommand().Parse(args);
            var code = parse.Errors.Count > 0 ? ExitCode.Usage : await parse.InvokeAsync();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
