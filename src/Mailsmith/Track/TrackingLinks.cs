using System.Globalization;

namespace Mailsmith.Track;

/// <summary>What a signed link token identifies: one message of one campaign to one customer.</summary>
public sealed record MessageRef(long SendId, string CampaignId, string CustomerId, string Variant);

/// <summary>
/// Builds the signed URLs an email carries (unsubscribe, click redirect, open pixel) and reads them back.
/// </summary>
/// <remarks>
/// Paths: <c>/u/{token}</c> one-click unsubscribe (GET shows a page, POST unsubscribes, RFC 8058),
/// <c>/c/{token}</c> click redirect (the destination is inside the signed token: no open redirect),
/// <c>/o/{token}.gif</c> open pixel, <c>/p/{token}</c> preference centre, <c>/v/{token}</c> view in browser.
/// <c>mailsmith serve</c> answers them (docs/server.md); the token format is fixed so that emails already sent stay
/// valid. Immutable and thread-safe.
/// </remarks>
public sealed class TrackingLinks(TrackOptions options, LinkSigner signer)
{
    private readonly string _base = options.BaseUrl.TrimEnd('/');

    /// <summary>The token of a message: send id, campaign, customer and variant.</summary>
    public string MessageToken(MessageRef message) =>
        signer.Sign(string.Join('\u001f', message.SendId.ToString(CultureInfo.InvariantCulture), message.CampaignId, message.CustomerId, message.Variant));

    /// <summary>The one-click unsubscribe URL of a message.</summary>
    public string Unsubscribe(MessageRef message) => $"{_base}/u/{MessageToken(message)}";

    /// <summary>The preference-centre URL of a message (topics, pause for 30 days).</summary>
    public string Preferences(MessageRef message) => $"{_base}/p/{MessageToken(message)}";

    /// <summary>The "view in browser" URL of a message.</summary>
    public string View(MessageRef message) => $"{_base}/v/{MessageToken(message)}";

    /// <summary>The open-pixel URL of a message.</summary>
    public string OpenPixel(MessageRef message) => $"{_base}/o/{MessageToken(message)}.gif";

    /// <summary>A signed click redirect to <paramref name="destination"/> (http or https only), or the destination itself when click tracking is off.</summary>
    public string Click(MessageRef message, string destination)
    {
        if (!options.TrackClicks)
        {
            return destination;
        }
        if (!Uri.TryCreate(destination, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"Only absolute http(s) URLs can be tracked: '{destination}'.", nameof(destination));
        }
        var token = signer.Sign(string.Join('\u001f', message.SendId.ToString(CultureInfo.InvariantCulture), message.CampaignId, message.CustomerId, message.Variant, destination));
        return $"{_base}/c/{token}";
    }

    /// <summary>Reads a message token (unsubscribe or open); false when forged or malformed.</summary>
    public bool TryReadMessage(string token, out MessageRef message)
    {
        message = default!;
        if (!signer.TryVerify(token, out var payload))
        {
            return false;
        }
        var parts = payload.Split('\u001f');
        if (parts.Length != 4 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sendId))
        {
            return false;
        }
        message = new MessageRef(sendId, parts[1], parts[2], parts[3]);
        return true;
    }

    /// <summary>Reads a click token; false when forged or malformed. The destination comes only from the signed payload.</summary>
    public bool TryReadClick(string token, out MessageRef message, out string destination)
    {
        message = default!;
        destination = "";
        if (!signer.TryVerify(token, out var payload))
        {
            return false;
        }
        var parts = payload.Split('\u001f');
        if (parts.Length != 5 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sendId))
        {
            return false;
        }
        message = new MessageRef(sendId, parts[1], parts[2], parts[3]);
        destination = parts[4];
        return true;
    }
}
