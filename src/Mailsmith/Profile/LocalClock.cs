using System.Collections.Concurrent;

namespace Mailsmith.Profile;

/// <summary>
/// A customer's wall clock: the hour of an instant in their IANA time zone, fast enough to run on every event.
/// </summary>
/// <remarks>
/// <see cref="TimeZoneInfo.ConvertTime(DateTimeOffset, TimeZoneInfo)"/> costs about 300 ns and dominated profile building,
/// so offsets are cached per zone and UTC day: when a day starts and ends at the same offset (every day but the few
/// transition days a year) the whole day has that offset; a transition day asks the zone for each instant.
/// The caches live for the process and are shared by all threads (lock-free reads).
/// </remarks>
internal sealed class LocalClock
{
    private const int TransitionDay = int.MinValue;

    private static readonly ConcurrentDictionary<string, LocalClock> s_clocks = new(StringComparer.Ordinal);

    private readonly TimeZoneInfo _zone;
    private readonly bool _fixedUtc;
    private readonly ConcurrentDictionary<long, int> _dayOffsets = new();

    private LocalClock(TimeZoneInfo zone)
    {
        _zone = zone;
        _fixedUtc = zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime;
    }

    /// <summary>UTC.</summary>
    public static LocalClock Utc { get; } = new(TimeZoneInfo.Utc);

    /// <summary>The clock of an IANA (or Windows) zone id; UTC when the id is empty or unknown to the system.</summary>
    public static LocalClock For(string? timeZoneId)
    {
        if (string.IsNullOrWhiteSpace(timeZoneId))
        {
            return Utc;
        }
        return s_clocks.GetOrAdd(timeZoneId, static id =>
        {
            try
            {
                return new LocalClock(TimeZoneInfo.FindSystemTimeZoneById(id));
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                // An unknown zone is data noise, not a reason to fail the run: read the events in UTC.
                return Utc;
            }
        });
    }

    /// <summary>The hour 0–23 of <paramref name="at"/> on this clock.</summary>
    public int HourOf(DateTimeOffset at)
    {
        var utcTicks = at.UtcTicks;
        if (_fixedUtc)
        {
            return (int)(utcTicks / TimeSpan.TicksPerHour % 24);
        }
        var day = utcTicks / TimeSpan.TicksPerDay;
        if (!_dayOffsets.TryGetValue(day, out var minutes))
        {
            var start = new DateTimeOffset(day * TimeSpan.TicksPerDay, TimeSpan.Zero);
            var first = OffsetMinutes(start);
            var last = OffsetMinutes(start.AddTicks(TimeSpan.TicksPerDay - 1));
            minutes = first == last ? first : TransitionDay;
            _dayOffsets.TryAdd(day, minutes);
        }
        if (minutes == TransitionDay)
        {
            minutes = OffsetMinutes(at);
        }
        return (int)((utcTicks + (minutes * TimeSpan.TicksPerMinute)) / TimeSpan.TicksPerHour % 24);
    }

    /// <summary>The hour of the week 0–167 of <paramref name="at"/> on this clock, Monday 00:00–00:59 being 0.</summary>
    public int HourOfWeek(DateTimeOffset at) => HourOfWeek(at.UtcTicks);

    /// <summary>The hour of the week 0–167 of an instant given as UTC ticks, Monday 00:00–00:59 being 0.</summary>
    public int HourOfWeek(long utcTicks)
    {
        var localTicks = utcTicks + (OffsetMinutesAt(utcTicks) * TimeSpan.TicksPerMinute);
        // Tick 0 (0001-01-01) is a Monday, so whole days since then modulo 7 count from Monday.
        var day = (int)(localTicks / TimeSpan.TicksPerDay % 7);
        var hour = (int)(localTicks / TimeSpan.TicksPerHour % 24);
        return (day * 24) + hour;
    }

    private long OffsetMinutesAt(long utcTicks)
    {
        if (_fixedUtc)
        {
            return 0;
        }
        var day = utcTicks / TimeSpan.TicksPerDay;
        if (!_dayOffsets.TryGetValue(day, out var minutes))
        {
            var start = new DateTimeOffset(day * TimeSpan.TicksPerDay, TimeSpan.Zero);
            var first = OffsetMinutes(start);
            var last = OffsetMinutes(start.AddTicks(TimeSpan.TicksPerDay - 1));
            minutes = first == last ? first : TransitionDay;
            _dayOffsets.TryAdd(day, minutes);
        }
        return minutes == TransitionDay ? OffsetMinutes(new DateTimeOffset(utcTicks, TimeSpan.Zero)) : minutes;
    }

    private int OffsetMinutes(DateTimeOffset at) => (int)_zone.GetUtcOffset(at).TotalMinutes;
}
