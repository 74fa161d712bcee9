namespace Mailsmith.Track;

/// <summary>What a tracking request records.</summary>
public enum TrackingEventKind
{
    /// <summary>The open pixel was fetched.</summary>
    Open,
    /// <summary>A tracked link was followed.</summary>
    Click,
    /// <summary>The reader unsubscribed (confirm button or RFC 8058 one-click POST).</summary>
    Unsubscribe,
    /// <summary>The reader saved the preference centre (muted campaign types, pause).</summary>
    Preferences,
}

/// <summary>
/// One event received by the tracking server, before it is stored. <see cref="Key"/> is given on receipt and makes
/// storing idempotent: a batch replayed from the spool never stores an event twice.
/// </summary>
/// <param name="Client">A keyed fingerprint of the client's IP address (<see cref="LinkSigner.Fingerprint"/>), never the address.</param>
/// <param name="MachineReason">Why the request is already known to be a machine's (user agent, HEAD request), or null.</param>
/// <param name="MutedTypes">For <see cref="TrackingEventKind.Preferences"/>: the campaign types the reader muted.</param>
/// <param name="PausedUntil">For <see cref="TrackingEventKind.Preferences"/>: no marketing mail before this moment.</param>
public sealed record TrackingEvent(
    TrackingEventKind Kind,
    long SendId,
    string CampaignId,
    string CustomerId,
    DateTimeOffset At,
    Guid Key,
    string? Url = null,
    string? UserAgent = null,
    string? Client = null,
    string? MachineReason = null,
    IReadOnlyList<string>? MutedTypes = null,
    DateTimeOffset? PausedUntil = null)
{
    /// <summary>An event of <paramref name="message"/> with a fresh time-ordered key.</summary>
    public static TrackingEvent For(TrackingEventKind kind, MessageRef message, DateTimeOffset at) =>
        new(kind, message.SendId, message.CampaignId, message.CustomerId, at, Guid.CreateVersion7(at));
}

/// <summary>What became of a tracking event.</summary>
public enum RecordOutcome
{
    /// <summary>Committed to the database.</summary>
    Recorded,
    /// <summary>The database could not take it; written to the local spool (flushed to disk), retried later.</summary>
    Spooled,
    /// <summary>Neither the database nor the spool could take it (logged).</summary>
    Lost,
}
