using Mailsmith.Pipeline;

namespace Mailsmith.Tests.Pipeline;

/// <summary>The plumbing of <c>mailsmith bench send</c> on a small store; timings are not asserted (they go in docs/benchmarks.md).</summary>
public sealed class SendBenchmarkTests
{
    [Fact]
    public async Task RunAsync_SendsEveryMessageToItsSinkAndAccountsForTheCpu()
    {
        var settings = MailsmithSettings.Load(null, Path.Combine(Path.GetTempPath(), "unused.db"));
        var result = await SendBenchmark.RunAsync(new SendBenchmarkOptions { Customers = 60, Runs = 2, SmtpSourceMessages = 0, Concurrency = 4 }, settings);

        Assert.Equal(2, result.Runs.Count);
        Assert.True(result.Messages > 0);
        // Every run starts from a fresh copy: the same messages go out each time, none left over from the run before.
        Assert.All(result.Runs, r => Assert.Equal(result.Messages, r.Sent));
        Assert.InRange(result.AverageMessageBytes, 2_000, 200_000);
        Assert.All(result.Runs, r =>
        {
            Assert.True(r.StageCpuMsPerMessage["compose"] > 0);
            Assert.Equal(0, r.StageCpuMsPerMessage["dkim"]);
            Assert.True(r.CpuMsPerMessage >= r.StageCpuMsPerMessage.Where(s => !s.Key.StartsWith("gc_", StringComparison.Ordinal) && s.Key != "other").Sum(s => s.Value) - 0.01);
        });
        Assert.Null(result.SmtpSourceMessagesPerSecond);
    }
}
