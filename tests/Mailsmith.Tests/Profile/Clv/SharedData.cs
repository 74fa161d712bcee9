namespace Mailsmith.Tests.Profile.Clv;

/// <summary>
/// The team's shared datasets: <c>$MAILSMITH_SHARED_DATA</c>, else <c>../shared/data</c> beside the folder holding
/// Mailsmith.slnx (found by walking up from the test assembly). A missing dataset fails the test with a clear message.
/// </summary>
public static class SharedData
{
    public static string File(params string[] parts)
    {
        var root = Root();
        var path = Path.Combine([root, .. parts]);
        if (!System.IO.File.Exists(path))
        {
            Assert.Fail($"shared dataset missing: {path} (set MAILSMITH_SHARED_DATA to the folder holding cdnow/, uci-sentiment-amazon/, …)");
        }
        return path;
    }

    private static string Root()
    {
        if (Environment.GetEnvironmentVariable("MAILSMITH_SHARED_DATA") is { Length: > 0 } env)
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Mailsmith.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
            }
        }
        Assert.Fail($"no Mailsmith.slnx above {AppContext.BaseDirectory}; set MAILSMITH_SHARED_DATA");
        return "";
    }
}
