namespace Mailsmith.Track;

/// <summary>
/// Tells requests made by machines — mail providers' image proxies, security scanners that fetch every image and
/// follow every link, and plain bots — from a person's, by user agent, at the moment of the request. Two more rules
/// run where the data is: a request within <see cref="TrackOptions.MachineAfterDeliverySeconds"/> of delivery
/// (in the insert itself), and one client opening many messages at once without clicking
/// (<see cref="TrackOptions.BurstMessages"/>, applied before a report).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class MachineDetector
{
    /// <summary>
    /// Built-in user-agent fragments (case-insensitive). Image proxies: Google (Gmail), Yahoo. Scanners and gateways:
    /// Barracuda, Mimecast, Proofpoint, Symantec/MessageLabs, Trend Micro, Sophos, Cisco IronPort, Forcepoint, FireEye.
    /// Generic clients that no mail reader uses.
    /// </summary>
    public static readonly IReadOnlyList<string> BuiltInUserAgents =
    [
        "GoogleImageProxy", "ggpht.com", "YahooMailProxy", "Yahoo Mail Proxy",
        "Barracuda", "Mimecast", "Proofpoint", "Symantec", "MessageLabs", "Trend Micro", "TrendMicro", "Sophos",
        "IronPort", "Forcepoint", "FireEye", "SafeLinks", "Microsoft Exchange Server", "Exchange Online Protection",
        "bot", "crawler", "spider", "HeadlessChrome", "PhantomJS", "curl/", "Wget/", "python-requests", "python-urllib",
        "aiohttp", "Go-http-client", "okhttp", "Java/", "libwww-perl", "Apache-HttpClient", "node-fetch", "axios/",
        "facebookexternalhit", "Slackbot", "Discordbot",
    ];

    private const int CacheLimit = 4096;
    private readonly string[] _fragments;
    // User agents repeat endlessly (a few hundred cover nearly all readers): the fragment scan runs once per agent.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _verdicts = new(StringComparer.Ordinal);

    public MachineDetector(TrackOptions options)
    {
        _fragments = [.. BuiltInUserAgents, .. options.MachineUserAgents.Where(f => !string.IsNullOrWhiteSpace(f))];
    }

    /// <summary>Why a request with this user agent and method is a machine's, or null when it may be a person's.</summary>
    /// <remarks>
    /// Apple Mail Privacy Protection fetches images through proxies that send the bare user agent <c>Mozilla/5.0</c>
    /// (no platform, no engine), which no browser or mail client sends; it is matched exactly. A missing user agent is
    /// a machine's too. HEAD requests come from link checkers, never from a reader following a link.
    /// </remarks>
    public string? Reason(string? userAgent, string method)
    {
        if (HttpMethods.IsHead(method))
        {
            return "head_request";
        }
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "no_user_agent";
        }
        if (_verdicts.TryGetValue(userAgent, out var cached))
        {
            return cached.Length == 0 ? null : cached;
        }
        var verdict = Classify(userAgent.Trim());
        if (_verdicts.Count < CacheLimit)
        {
            _verdicts.TryAdd(userAgent, verdict ?? "");
        }
        return verdict;
    }

    private string? Classify(string ua)
    {
        if (ua.Equals("Mozilla/5.0", StringComparison.OrdinalIgnoreCase))
        {
            return "apple_mpp";
        }
        foreach (var fragment in _fragments)
        {
            if (ua.Contains(fragment, StringComparison.OrdinalIgnoreCase))
            {
                return "user_agent";
            }
        }
        return null;
    }

    private static class HttpMethods
    {
        public static bool IsHead(string method) => method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
    }
}
