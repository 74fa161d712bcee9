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

    /// <summary>Wrap product and call-to-action links in signed click-tracking redirects. Default true.</summary>
    public bool TrackClicks { get; init; } = true;
}
