namespace Mailsmith.Track;

/// <summary>Tracking and unsubscribe links. Configuration section <c>Track</c>.</summary>
public sealed class TrackOptions
{
    /// <summary>Public base URL of the tracking server (<c>mailsmith serve</c>), without a trailing slash. Default <c>https://mail.shop.example</c>.</summary>
    public string BaseUrl { get; init; } = "https://mail.shop.example";

    /// <summary>
    /// HMAC-SHA256 key for links, base64 or any string of at least 32 characters. A secret: set it through the
    /// environment (<c>MAILSMITH__Track__SigningKey</c>), never in a file in the repository. Default none, which
    /// means <see cref="SigningKeyFile"/> is used.
    /// </summary>
    public string? SigningKey { get; init; }

    /// <summary>
    /// File holding the signing key when <see cref="SigningKey"/> is not set; created with 32 random bytes
    /// (mode 600) on first use. Default <c>&lt;database path&gt;.key</c>, beside the database.
    /// </summary>
    public string? SigningKeyFile { get; init; }

    /// <summary>
    /// Retired signing keys (same forms as <see cref="SigningKey"/>) that still verify links in mail sent before a
    /// rotation; they never sign. Secrets: set them through the environment (<c>MAILSMITH__Track__PreviousSigningKeys__0</c>, …).
    /// Default none. The key file can hold retired keys too (one per line under the signing key; <c>mailsmith keys rotate</c>).
    /// </summary>
    public IReadOnlyList<string> PreviousSigningKeys { get; init; } = [];

    /// <summary>
    /// An open or click this many seconds or less after the message was sent is a machine's (image proxies and security
    /// scanners fetch on delivery), flagged and not counted as a person's. Default 10.
    /// </summary>
    public double MachineAfterDeliverySeconds { get; init; } = 10;

    /// <summary>
    /// Case-insensitive fragments of user agents that belong to image proxies and link scanners, added to the built-in
    /// list (Google image proxy, Yahoo, Apple Mail Privacy Protection, Outlook/Exchange, Barracuda, Mimecast, Proofpoint,
    /// … — see docs/server.md). Default none.
    /// </summary>
    public IReadOnlyList<string> MachineUserAgents { get; init; } = [];

    /// <summary>
    /// One client (same IP address and user agent) opening at least this many different messages within
    /// <see cref="BurstSeconds"/>, none of which it then clicks, is a machine: those opens are flagged. Default 10.
    /// </summary>
    public int BurstMessages { get; init; } = 10;

    /// <summary>The time window of <see cref="BurstMessages"/>, in seconds either side of an open. Default 60.</summary>
    public double BurstSeconds { get; init; } = 60;

    /// <summary>An order this many days or less after a person's click (or open) is attributed to that message. Default 5.</summary>
    public double AttributionWindowDays { get; init; } = 5;

    /// <summary>Attribute orders to human opens too, not only to clicks (the last touch wins). Default false.</summary>
    public bool AttributeOpens { get; init; }

    /// <summary>Wrap product and call-to-action links in signed click-tracking redirects. Default true.</summary>
    public bool TrackClicks { get; init; } = true;
}
