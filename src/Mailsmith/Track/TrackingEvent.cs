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
        new(kind, message.SendId, message.CampaignId, message.CustomerId, at, EventKeys.New(at));
}

/// <summary>Keys of received events: unique, time-ordered (UUID version 7 layout), and cheap enough for every request.</summary>
/// <remarks>
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/> draws 10 random bytes from the OS on every call (a system call per
/// tracking request); these keys draw 8 random bytes once per process and count: the 48-bit millisecond time, then
/// 32 random bits of this process, then a 42-bit counter. Two processes collide only within the same millisecond and
/// with the same 32 random bits. The key only has to be unique; it is stored for events replayed from the spool.
/// </remarks>
public static class EventKeys
{
    private static readonly uint ProcessBits = BitConverter.ToUInt32(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
    private static long _counter = BitConverter.ToInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) & 0x3FF_FFFF_FFFF;

    /// <summary>A fresh key for an event received at <paramref name="at"/>.</summary>
    public static Guid New(DateTimeOffset at)
    {
        var ms = (ulong)at.ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF;
        var counter = (ulong)Interlocked.Increment(ref _counter) & 0x3FF_FFFF_FFFF;
        Span<byte> b = stackalloc byte[16];
        // 48-bit time | version 7 + 12 bits | variant 10 + 62 bits: 32 process bits, then the 42-bit counter.
        // The 74 random-or-counter bits: the top 12 of the process bits go in rand_a, the rest in rand_b.
        var rand = ((ulong)ProcessBits << 42) | counter;
        var high = (ms << 16) | 0x7000UL | ((ulong)(ProcessBits >> 20) & 0xFFF);
        var low = 0x8000_0000_0000_0000UL | (rand & 0x3FFF_FFFF_FFFF_FFFF);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b, high);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(b[8..], low);
        return new Guid(b, bigEndian: true);
    }
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
