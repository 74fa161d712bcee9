using Mailsmith.Pipeline;
using Spectre.Console;

namespace Mailsmith.Cli;

/// <summary>
/// Console output: a Spectre.Console progress display on a terminal, plain progress lines when output is redirected
/// (CI, pipes), and errors on stderr.
/// </summary>
internal static class Ui
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> while showing its progress.</summary>
    public static async Task<T> WithProgressAsync<T>(Func<IProgress<PipelineProgress>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(new PlainProgress());
        }
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                ProgressTask? last = null;
                var progress = new SynchronousProgress<PipelineProgress>(p =>
                {
                    var key = p.Stage == "compose" ? $"compose {p.Message}" : p.Stage;
                    if (!tasks.TryGetValue(key, out var task))
                    {
                        if (last is not null && !last.IsFinished)
                        {
                            last.Value = last.MaxValue;
                        }
                        task = ctx.AddTask(Markup.Escape($"{p.Stage}: {p.Message}"), maxValue: p.Total > 0 ? p.Total : 1);
                        task.IsIndeterminate = p.Total <= 0;
                        tasks[key] = task;
                        last = task;
                    }
                    task.Description = Markup.Escape($"{p.Stage}: {p.Message}");
                    if (p.Total > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = p.Total;
                        task.Value = Math.Min(p.Done, p.Total);
                    }
                });
                result = await work(progress);
                foreach (var task in tasks.Values)
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                }
            });
        return result;
    }

    public static void Error(string message) => Console.Error.WriteLine($"error: {message}");


    /// <summary>One line per stage change and per ~10% of a long step, so CI logs show progress without flooding.</summary>
    private sealed class PlainProgress : IProgress<PipelineProgress>
    {
        private readonly Lock _gate = new();
        private string _last = "";
        private long _lastDecile = -1;

        public void Report(PipelineProgress p)
        {
            lock (_gate)
            {
                var key = $"{p.Stage}|{p.Message}";
                var decile = p.Total > 0 ? p.Done * 10 / p.Total : -1;
                if (key == _last && decile == _lastDecile)
                {
                    return;
                }
                _last = key;
                _lastDecile = decile;
                var share = p.Total > 0 ? $" {p.Done * 100 / p.Total,3}%" : "";
                Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {p.Stage,-9}{share} {p.Message}");
            }
        }
    }
}
