using System.CommandLine;
using Mailsmith.Cli;
using Mailsmith.Cli.Commands;

return await Program.CreateCommand().Parse(args).InvokeAsync();

/// <summary>The <c>mailsmith</c> command line: a thin shell over the library.</summary>
public static partial class Program
{
    /// <summary>The root command with every verb; tests parse command lines with it without running them.</summary>
    internal static RootCommand CreateCommand()
    {
        var root = new RootCommand("Mailsmith: a store's own data in, personalized marketing email out.")
        {
            GlobalOptions.Database,
            GlobalOptions.Config,
            new DemoCommand(),
            new GenerateCommand(),
            new ImportCommand(),
            new ProfileCommand(),
            new CampaignCommand(),
        };
        return root;
    }
}
