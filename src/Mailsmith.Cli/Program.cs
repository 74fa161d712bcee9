using System.CommandLine;
using System.CommandLine.Help;
using Mailsmith.Cli;
using Mailsmith.Cli.Commands;

var parse = Program.CreateCommand().Parse(args);
var code = await parse.InvokeAsync();
// System.CommandLine reports a wrong command line with 1; Mailsmith documents 2 for it (ExitCode.Usage).
return parse.Errors.Count > 0 ? ExitCode.Usage : code;

/// <summary>The <c>mailsmith</c> command line: a thin shell over the library.</summary>
public static partial class Program
{
    /// <summary>The root command with every verb; tests parse command lines with it without running them.</summary>
    internal static Command CreateCommand()
    {
        // A named root rather than RootCommand, whose name is the assembly's ("Mailsmith.Cli"): help shows "mailsmith".
        var root = new Command("mailsmith", "Mailsmith: a store's own data in, personalized marketing email out.")
        {
            new HelpOption(),
            new VersionOption(),
            GlobalOptions.Database,
            GlobalOptions.Config,
            new DemoCommand(),
            new GenerateCommand(),
            new ImportCommand(),
            new ProfileCommand(),
            new CampaignCommand(),
            new ServeCommand(),
            new ReportCommand(),
            new KeysCommand(),
            new BenchCommand(),
            new ClvCommand(),
            new SentimentCommand(),
            new LearnCommand(),
            new SegmentCommand(),
            new SendCommand(),
            new BouncesCommand(),
            new RecsCommand(),
            new PreviewCommand(),
        };
        return root;
    }
}
