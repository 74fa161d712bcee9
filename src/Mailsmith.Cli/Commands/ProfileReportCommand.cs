using System.CommandLine;
using Mailsmith.Profile.Report;

namespace Mailsmith.Cli.Commands;

/// <summary><c>mailsmith profile report</c>: the profiles as an HTML page with PNG charts.</summary>
internal sealed class ProfileReportCommand : Command
{
    public Option<string> Out { get; } = new("--out") { Description = "The folder for index.html and the PNG charts (default out/profile-report)", DefaultValueFactory = _ => Path.Combine("out", "profile-report") };

    public ProfileReportCommand() : base("report", "Write an HTML page with PNG charts of the stored profiles: segments, CLV, P(alive) vs recency, CLV calibration, send-hour heatmap")
    {
        Add(Out);
        SetAction((parse, ct) => Guarded.RunAsync(async () =>
        {
            var settings = GlobalOptions.Settings(parse);
            var store = GlobalOptions.Store(settings);
            var written = await ProfileReport.WriteAsync(store, settings.Profile, parse.GetValue(Out)!, ct);
            Console.WriteLine(written.IndexPath);
            return ExitCode.Success;
        }));
    }
}
