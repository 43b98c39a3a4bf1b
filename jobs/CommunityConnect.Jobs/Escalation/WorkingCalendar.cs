namespace CommunityConnect.Jobs.Escalation;

/// <summary>
/// A street's working-day calendar: working hours in a time zone, Monday to Friday, less public
/// holidays, plus make-up working days (调休) on weekends. Non-urgent clocks count only the minutes
/// inside it; urgent clocks count every minute (see <see cref="SlaClockMath"/>).
/// </summary>
public sealed class WorkingCalendar
{
    public WorkingCalendar(TimeZoneInfo timeZone, TimeOnly workStart, TimeOnly workEnd, IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> workdays)
    {
        if (workEnd <= workStart)
        {
            throw new ArgumentException("The working day must end after it starts.", nameof(workEnd));
        }
        TimeZone = timeZone;
        WorkStart = workStart;
        WorkEnd = workEnd;
        Holidays = holidays.ToHashSet();
        Workdays = workdays.ToHashSet();
    }

    public TimeZoneInfo TimeZone { get; }
    public TimeOnly WorkStart { get; }
    public TimeOnly WorkEnd { get; }
    public IReadOnlySet<DateOnly> Holidays { get; }
    public IReadOnlySet<DateOnly> Workdays { get; }

    /// <summary>DESIGN.md's default: 09:00–17:00 in Shanghai, Monday to Friday.</summary>
    public static WorkingCalendar ShanghaiDefault { get; } =
        new(ShanghaiTime.Zone, new TimeOnly(9, 0), new TimeOnly(17, 0), [], []);

    public int MinutesPerDay => (int)(WorkEnd - WorkStart).TotalMinutes;

    public bool IsWorkingDay(DateOnly day) =>
        Workdays.Contains(day) || (!Holidays.Contains(day) && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));

    /// <summary>How far a due time may lie: a target the calendar cannot meet sooner is due this far ahead.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(3660);

    /// <summary>
    /// The instant <paramref name="minutes"/> working minutes after <paramref name="start"/>; at most
    /// <see cref="Horizon"/> ahead (a calendar with few working minutes and a long target would
    /// otherwise put the due time decades away), so opening a case never fails on its clock.
    /// </summary>
    public DateTimeOffset AddWorkingMinutes(DateTimeOffset start, int minutes)
    {
        var local = TimeZoneInfo.ConvertTime(start, TimeZone).DateTime;
        var day = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        var remaining = minutes;
        // The horizon bounds the walk, even for a calendar full of holidays.
        for (var guard = 0; guard < Horizon.TotalDays; guard++)
        {
            if (IsWorkingDay(day))
            {
                var from = time < WorkStart ? WorkStart : time;
                if (from < WorkEnd)
                {
                    var available = (int)(WorkEnd - from).TotalMinutes;
                    if (remaining <= available)
                    {
                        return ToInstant(day, from.AddMinutes(remaining));
                    }
                    remaining -= available;
                }
            }
            day = day.AddDays(1);
            time = TimeOnly.MinValue;
        }
        return start + Horizon;
    }

    /// <summary>Working minutes between two instants (0 when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public int WorkingMinutesBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from)
        {
            return 0;
        }
        var start = TimeZoneInfo.ConvertTime(from, TimeZone).DateTime;
        var end = TimeZoneInfo.ConvertTime(to, TimeZone).DateTime;
        var total = 0.0;
        for (var day = DateOnly.FromDateTime(start); day <= DateOnly.FromDateTime(end); day = day.AddDays(1))
        {
            if (!IsWorkingDay(day))
            {
                continue;
            }
            var open = day.ToDateTime(WorkStart);
            var close = day.ToDateTime(WorkEnd);
            var a = start > open ? start : open;
            var b = end < close ? end : close;
            if (b > a)
            {
                total += (b - a).TotalMinutes;
            }
        }
        return (int)Math.Round(total);
    }

    private DateTimeOffset ToInstant(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }
}

/// <summary>Due times: urgent clocks count every minute, the others only working minutes.</summary>
public static class SlaClockMath
{
    public static DateTimeOffset Due(WorkingCalendar calendar, DateTimeOffset start, int minutes, bool urgent) =>
        urgent ? start.AddMinutes(minutes) : calendar.AddWorkingMinutes(start, minutes);

    /// <summary>How far a due time moves for a pause from <paramref name="pausedAt"/> to <paramref name="resumedAt"/>.</summary>
    public static DateTimeOffset Shift(WorkingCalendar calendar, DateTimeOffset due, DateTimeOffset pausedAt, DateTimeOffset resumedAt, bool urgent) =>
        urgent
            ? due + (resumedAt - pausedAt)
            : calendar.AddWorkingMinutes(due, calendar.WorkingMinutesBetween(pausedAt, resumedAt));
}
