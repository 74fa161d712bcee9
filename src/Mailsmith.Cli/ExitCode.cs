namespace Mailsmith.Cli;

/// <summary>Process exit codes of <c>mailsmith</c> (documented in the README).</summary>
internal static class ExitCode
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;
    /// <summary>An unexpected failure (a bug or an I/O error); the message says what.</summary>
    public const int Failed = 1;
    /// <summary>The command line was wrong (unknown option, missing argument, bad value).</summary>
    public const int Usage = 2;
    /// <summary>The configuration file or an environment override is missing, malformed or unknown.</summary>
    public const int Configuration = 3;
    /// <summary>Input data was rejected (import found bad rows; nothing of that file was stored).</summary>
    public const int BadData = 4;
    /// <summary>A named thing (campaign, file) does not exist.</summary>
    public const int NotFound = 5;
}
