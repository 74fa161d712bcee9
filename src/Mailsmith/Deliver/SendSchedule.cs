using System.Collections.Concurrent;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Deliver;

/// <summary>
/// Send-time and frequency rules: each message at its recipient's best hour in their own time zone (the profile's
/// best hour of the week when it falls inside the campaign's window, else that hour on the next day it comes round;
/// else the customer's most active hour; else <see cref="DeliveryOptions.DefaultHour"/>), never in quiet hours, and
/// at most <see cref="DeliveryOptions.FrequencyCap"/> marketing emails per <see cref="DeliveryOptions.FrequencyDays"/>.
/// </summary>
/// <remarks>Immutable and thread-safe. Unknown or missing time zones count as UTC.</remarks>
public sealed class SendSchedule(DeliveryOptions options)
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>When a message to a customer in <paramref name="timeZone"/> with <paramref name="profile"/> goes, and why then.</summary>
    /// <returns>A UTC moment at or after <paramref name="now"/> and the window's start; the reason names the rule that chose it
    /// (<c>best_hour_of_week</c>, <c>best_hour</c>, <c>active_hour</c>, <c>default_hour</c>, with <c>+quiet_hours</c> when
    /// moved out of them, or <c>window</c> when the chosen hour fell after the window's end).</returns>
    public (DateTimeOffset At, string Reason) Plan(string? timeZone, CustomerProfile? profile, SendWindow window, DateTimeOffset now)
    {
        var zone = Zone(timeZone);
        var from = now > window.Start ? now : window.Start;
        var local = TimeZoneInfo.ConvertTime(from, zone).DateTime;

        int hour;
        string reason;
        DateTime? at = null;
        if (profile?.BestHourOfWeek is { } how and >= 0 and < 168)
        {
            hour = how % 24;
            reason = "best_hour";
            // Monday 00:00 = 0; DayOfWeek counts from Sunday.
            var day = (DayOfWeek)((how / 24 + 1) % 7);
            if (!IsQuietHour(hour))
            {
                var candidate = NextWeekly(local, day, hour);
                if (ToUtc(candidate, zone) <= window.End)
                {
                    at = candidate;
                    reason = "best_hour_of_week";
                }
            }
        }
        else if (profile?.ActiveHour is { } active and >= 0 and < 24)
        {
            hour = active;
            reason = "active_hour";
        }
        else
        {
            hour = Math.Clamp(options.DefaultHour, 0, 23);
            reason = "default_hour";
        }
        if (at is null)
        {
            if (IsQuietHour(hour))
            {
                hour = Math.Clamp(options.QuietHoursEnd, 0, 23);
                reason += "+quiet_hours";
            }
            at = NextDaily(local, hour);
        }
        var utc = at.Value == local ? from : ToUtc(at.Value, zone);
        if (utc > window.End)
        {
            // The hour does not come round inside the window: the first moment that is not quiet.
            utc = QuietUntil(from, timeZone) ?? from;
            reason = "window";
        }
        return (utc, reason);
    }

    /// <summary>The end of the quiet hours <paramref name="at"/> falls in (UTC), or null when it is not in quiet hours.</summary>
    public DateTimeOffset? QuietUntil(DateTimeOffset at, string? timeZone)
    {
        var zone = Zone(timeZone);
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
        return IsQuietHour(local.Hour) ? ToUtc(NextDaily(local, Math.Clamp(options.QuietHoursEnd, 0, 23)), zone) : null;
    }

    /// <summary>Whether <paramref name="offer"/>'s last day has passed at <paramref name="at"/> in the recipient's own zone.</summary>
    public bool OfferExpired(Mailsmith.Compose.CampaignOffer? offer, DateTimeOffset at, string? timeZone) =>
        offer?.Expires is { } last && DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone(timeZone)).DateTime) > last;

    /// <summary>Whether a message now would exceed the frequency cap, and when the oldest counted message leaves the window.</summary>
    /// <param name="recent">When the customer was sent marketing email by other campaigns (any order).</param>
    public DateTimeOffset? CappedUntil(IReadOnlyList<DateTimeOffset>? recent, DateTimeOffset now)
    {
        if (options.FrequencyCap <= 0 || recent is null)
        {
            return null;
        }
        var window = TimeSpan.FromDays(options.FrequencyDays);
        var inWindow = recent.Where(t => t > now - window).Order().ToList();
        if (inWindow.Count < options.FrequencyCap)
        {
            return null;
        }
        // Free once enough of them have aged out that one more stays within the cap.
        return inWindow[inWindow.Count - options.FrequencyCap] + window;
    }

    /// <summary>Whether local hour <paramref name="hour"/> is a quiet hour.</summary>
    public bool IsQuietHour(int hour)
    {
        int start = options.QuietHoursStart, end = options.QuietHoursEnd;
        if (start == end)
        {
            return false;
        }
        return start < end ? hour >= start && hour < end : hour >= start || hour < end;
    }

    /// <summary>The time zone with that IANA (or Windows) id; UTC when unknown.</summary>
    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : Zones.GetOrAdd(id, static z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out var zone) ? zone : TimeZoneInfo.Utc);

    // The next local moment at hour:00 (now itself when already inside that hour).
    private static DateTime NextDaily(DateTime local, int hour)
    {
        if (local.Hour == hour)
        {
            return local;
        }
        var candidate = local.Date.AddHours(hour);
        return candidate > local ? candidate : candidate.AddDays(1);
    }

    private static DateTime NextWeekly(DateTime local, DayOfWeek day, int hour)
    {
        if (local.DayOfWeek == day && local.Hour == hour)
        {
            return local;
        }
        var candidate = local.Date.AddDays(((int)day - (int)local.DayOfWeek + 7) % 7).AddHours(hour);
        return candidate > local ? candidate : candidate.AddDays(7);
    }

    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A local hour skipped by a daylight-saving change: the same wall-clock time an hour later exists.
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero);
    }
}
