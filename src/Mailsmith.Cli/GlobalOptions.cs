using System.CommandLine;
using Mailsmith.Pipeline;
using Mailsmith.Storage;

namespace Mailsmith.Cli;

/// <summary>Options every verb understands, and the shared way to turn them into settings and a store.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Database = new("--db")
    {
        Description = "Database file (default: $MAILSMITH_DB, else ./mailsmith.db)",
        Recursive = true,
    };

    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Configuration file (default: $MAILSMITH_CONFIG, else ./mailsmith.json when present)",
        Recursive = true,
    };

    public static MailsmithSettings Settings(ParseResult parse) =>
        MailsmithSettings.Load(parse.GetValue(Config), parse.GetValue(Database));

    public static MailsmithStore Store(MailsmithSettings settings) => MailsmithStore.Open(settings.DatabasePath);
}
