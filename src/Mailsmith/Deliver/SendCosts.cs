using System.Runtime.InteropServices;

namespace Mailsmith.Deliver;

/// <summary>The parts of a send run whose CPU time <see cref="SendCosts"/> measures.</summary>
public enum SendStage
{
    /// <summary>Planning the campaign's messages (one outbox row per recipient) and giving each its delivery time.</summary>
    Plan,
    /// <summary>Reading a page of due messages and the lists of who is never mailed.</summary>
    Page,
    /// <summary>Picking each recipient's products.</summary>
    Recommend,
    /// <summary>Writing the copy, the copy checks and rendering the Liquid layouts (<c>CampaignRunner.ComposeMessage</c>).</summary>
    Compose,
    /// <summary>Building the MIME message and writing it to bytes.</summary>
    Mime,
    /// <summary>The DKIM signature.</summary>
    Dkim,
    /// <summary>Committing outbox state changes (claims and outcomes) to SQLite.</summary>
    Outbox,
}

/// <summary>
/// CPU time per stage of a send run, read from each thread's own CPU clock (<c>CLOCK_THREAD_CPUTIME_ID</c>) around
/// synchronous code, so other processes on a busy machine do not inflate it. The SMTP conversation is asynchronous
/// (it hops threads) and is measured as the rest: the process's CPU time minus the stages.
/// </summary>
/// <remarks>Thread-safe. On a platform without a per-thread clock (not Linux) every stage reads 0.</remarks>
public sealed class SendCosts
{
    private readonly long[] _nanoseconds = new long[Enum.GetValues<SendStage>().Length];

    /// <summary>Starts timing <paramref name="stage"/> on this thread; dispose the scope on the same thread, before any await.</summary>
    public Scope Measure(SendStage stage) => new(this, stage, ThreadCpuNanoseconds());

    /// <summary>CPU seconds spent in <paramref name="stage"/> so far, on all threads.</summary>
    public double Seconds(SendStage stage) => Interlocked.Read(ref _nanoseconds[(int)stage]) / 1e9;

    /// <summary>Every stage's CPU seconds so far.</summary>
    public IReadOnlyDictionary<SendStage, double> Snapshot() => Enum.GetValues<SendStage>().ToDictionary(s => s, Seconds);

    /// <summary>One timed stretch of a thread's work.</summary>
    public readonly struct Scope(SendCosts costs, SendStage stage, long start) : IDisposable
    {
        public void Dispose() => Interlocked.Add(ref costs._nanoseconds[(int)stage], ThreadCpuNanoseconds() - start);
    }

    /// <summary>This thread's CPU time in nanoseconds (0 where the platform has no per-thread clock).</summary>
    public static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }
        const int ClockThreadCpuTimeId = 3;
        return clock_gettime(ClockThreadCpuTimeId, out var t) == 0 ? (t.Seconds * 1_000_000_000L) + t.Nanoseconds : 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code enabled for the library; one blittable call does not warrant it.
    private static extern int clock_gettime(int clockId, out TimeSpec time);
#pragma warning restore SYSLIB1054
}
