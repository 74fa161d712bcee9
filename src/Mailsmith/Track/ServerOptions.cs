namespace Mailsmith.Track;

/// <summary>The tracking server (<c>mailsmith serve</c>). Configuration section <c>Server</c>.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the server listens (semicolon-separated URLs); <c>--urls</c> overrides it. Default <c>http://127.0.0.1:5080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Keys accepted by the JSON API as <c>Authorization: Bearer &lt;key&gt;</c> (or as the password of Basic
    /// authentication, for webhook senders that cannot set a header). Secrets: set them through the environment,
    /// <c>MAILSMITH__Server__ApiKeys__0</c>, …. Default none, which turns the API off (every call gets 401).
    /// </summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];

    /// <summary>The largest request body accepted, in bytes; larger ones get 413. Default 1048576 (1 MiB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 1_048_576;

    /// <summary>At most this many tracking events share one transaction (group commit). Default 1024.</summary>
    public int CommitBatchSize { get; init; } = 1024;

    /// <summary>
    /// How long the event writer waits for a locked database before it writes the batch to the local spool instead
    /// (the reader is answered either way), in whole seconds (the SQLite driver retries a busy database in seconds).
    /// Default 1.
    /// </summary>
    public int CommitTimeoutSeconds { get; init; } = 1;

    /// <summary>
    /// Flush each group commit to disk (SQLite <c>synchronous = FULL</c>), so that an answered event survives a power
    /// cut or a kernel crash too. Without it (the default) an answered event is committed to the write-ahead log and
    /// survives any crash or kill of the server process, but a power cut can lose the last moments before a
    /// checkpoint. An fsync costs ~6 ms on the disks measured here, which caps the rate at about
    /// connections / 6 ms (docs/benchmarks.md). Default false.
    /// </summary>
    public bool DurableCommits { get; init; }

    /// <summary>The folder of the local spool for events that could not be committed. Default <c>&lt;database&gt;.spool</c> beside the database.</summary>
    public string? SpoolDirectory { get; init; }

    /// <summary>How often spooled events are retried, in seconds. Default 5.</summary>
    public double SpoolRetrySeconds { get; init; } = 5;

    /// <summary>How long the preference centre's "pause" lasts, in days. Default 30.</summary>
    public int PauseDays { get; init; } = 30;
}
