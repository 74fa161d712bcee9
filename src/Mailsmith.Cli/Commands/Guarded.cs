using Mailsmith.Pipeline;

namespace Mailsmith.Cli.Commands;

/// <summary>Maps the library's exceptions to exit codes and one clear line on stderr, the same for every verb.</summary>
internal static class Guarded
{
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (ConfigurationException e)
        {
            Ui.Error(e.Message);
            return ExitCode.Configuration;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or KeyNotFoundException)
        {
            Ui.Error(e.Message);
            return ExitCode.NotFound;
        }
        catch (ArgumentException e)
        {
            // The parameter name is for programmers; the message already says which option is wrong.
            Ui.Error(e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal));
            return ExitCode.Usage;
        }
        catch (FormatException e)
        {
            Ui.Error(e.Message);
            return ExitCode.Usage;
        }
        catch (OperationCanceledException)
        {
            Ui.Error("cancelled");
            return ExitCode.Failed;
        }
        catch (Exception e)
        {
            Ui.Error($"{e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("MAILSMITH_DEBUG") is "1" or "true")
            {
                Console.Error.WriteLine(e);
            }
            return ExitCode.Failed;
        }
    }
}
