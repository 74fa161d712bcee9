using Mailsmith.Deliver;
using Mailsmith.Profile;
using Mailsmith.Storage;

namespace Mailsmith.Tests.Deliver;

public sealed class SendScheduleTests
{
    private static readonly SendSchedule Schedule = new(new DeliveryOptions());
    // Wednesday 2026-12-02 12:00 UTC; Berlin is UTC+1 in December, Shanghai UTC+8.
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly SendWindow Day = new(Now, Now.AddHours(24));
    private static readonly SendWindow Week = new(Now, Now.AddDays(7));

    private static CustomerProfile Profile(int? activeHour = null, int? bestHourOfWeek = null) =>
        new("C1", null, 0, 0, 0, 0, 0, Lifecycle.New, [], PriceBand.Unknown, activeHour, 0, null, 0) { BestHourOfWeek = bestHourOfWeek };

    [Fact]
    public void Plan_ActiveHour_IsThatLocalHourInTheCustomersZone()
    {
        var (at, reason) = Schedule.Plan("Europe/Berlin", Profile(activeHour: 18), Day, Now);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero), at);
        Assert.Equal("active_hour", reason);
    }

    [Fact]
    public void Plan_BestHourOfWeekInsideTheWindow_IsThatWeekdayAndHour()
    {
        // Friday 09:00 local = hour 4 * 24 + 9 of the week; Shanghai 09:00 = 01:00 UTC.
        var (at, reason) = Schedule.Plan("Asia/Shanghai", Profile(activeHour: 20, bestHourOfWeek: (4 * 24) + 9), Week, Now);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 1, 0, 0, TimeSpan.Zero), at);
        Assert.Equal("best_hour_of_week", reason);
        // In a one-day window the weekday does not come round: the same hour on the next day.
        var (next, why) = Schedule.Plan("Asia/Shanghai", Profile(bestHourOfWeek: (4 * 24) + 9), Day, Now);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero), next);
        Assert.Equal("best_hour", why);
    }

    [Fact]
    public void Plan_HourInQuietHours_MovesToTheirEnd()
    {
        var (at, reason) = Schedule.Plan(null, Profile(activeHour: 23), Day, Now);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), at);
        Assert.Equal("active_hour+quiet_hours", reason);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero), Schedule.QuietUntil(Now.AddHours(10), null));
        Assert.Null(Schedule.QuietUntil(Now, null));
    }

    [Fact]
    public void Plan_NoProfileAndUnknownZone_DefaultHourInUtc()
    {
        var (at, reason) = Schedule.Plan("Not/AZone", null, Day, Now);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero), at);
        Assert.Equal("default_hour", reason);
    }

    [Fact]
    public void CappedUntil_ThreeInSevenDays_HeldUntilTheOldestAgesOut()
    {
        var recent = new[] { Now.AddDays(-6), Now.AddDays(-2), Now.AddDays(-1) };
        Assert.Equal(Now.AddDays(1), Schedule.CappedUntil(recent, Now));
        Assert.Null(Schedule.CappedUntil(recent[1..], Now));
        Assert.Null(Schedule.CappedUntil([Now.AddDays(-9), Now.AddDays(-2), Now.AddDays(-1)], Now));
    }
}
