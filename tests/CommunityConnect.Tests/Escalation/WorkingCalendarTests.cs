using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Escalation;

namespace CommunityConnect.Tests.Escalation;

public sealed class WorkingCalendarTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    // Friday 2026-11-27; the Monday after (11-30) is a holiday; Saturday 12-05 is a make-up working day.
    private static readonly WorkingCalendar Calendar = new(
        ShanghaiTime.Zone, new TimeOnly(9, 0), new TimeOnly(17, 0),
        [new DateOnly(2026, 11, 30)], [new DateOnly(2026, 12, 5)]);

    private static DateTimeOffset At(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, Shanghai);

    [Fact]
    public void AFridayAfternoonCaseSkipsTheWeekendAndTheHoliday()
    {
        // 30 minutes on Friday, none on the weekend or the holiday Monday, 450 on Tuesday.
        Assert.Equal(At(12, 1, 16, 30), Calendar.AddWorkingMinutes(At(11, 27, 16, 30), 480));
    }

    [Fact]
    public void AMakeUpSaturdayCountsAsAWorkingDay()
    {
        // 30 (Fri) + 480 × 4 (Tue–Fri) = 1950; the make-up Saturday gives the last 450.
        Assert.Equal(At(12, 5, 16, 30), Calendar.AddWorkingMinutes(At(11, 27, 16, 30), 2400));
    }

    [Fact]
    public void ACaseOpenedAtNightStartsCountingNextMorning()
    {
        Assert.Equal(At(11, 26, 10, 0), Calendar.AddWorkingMinutes(At(11, 25, 22, 0), 60));
        Assert.Equal(At(11, 26, 17, 0), Calendar.AddWorkingMinutes(At(11, 26, 3, 0), 480));
    }

    [Fact]
    public void UrgentClocksCountEveryMinute()
    {
        Assert.Equal(At(11, 28, 1, 0), SlaClockMath.Due(Calendar, At(11, 27, 21, 0), 240, urgent: true));
    }

    [Fact]
    public void WorkingMinutesBetweenSkipNightsWeekendsAndHolidays()
    {
        Assert.Equal(120, Calendar.WorkingMinutesBetween(At(11, 27, 16, 0), At(12, 1, 10, 0)));
        Assert.Equal(0, Calendar.WorkingMinutesBetween(At(11, 28, 10, 0), At(11, 29, 18, 0)));
    }

    [Fact]
    public void APauseMovesTheDueTimeByThePausedWorkingTime()
    {
        var due = At(11, 26, 15, 0);
        // Paused Wednesday 16:00, resumed Thursday 10:00: 60 + 60 working minutes.
        var shifted = SlaClockMath.Shift(Calendar, due, At(11, 25, 16, 0), At(11, 26, 10, 0), urgent: false);
        Assert.Equal(At(11, 26, 17, 0), shifted);
        // The same pause on an urgent case moves it by the full 18 hours.
        Assert.Equal(due.AddHours(18), SlaClockMath.Shift(Calendar, due, At(11, 25, 16, 0), At(11, 26, 10, 0), urgent: true));
    }

    [Fact]
    public void ATargetTheCalendarCannotMeetSoonIsDueAtTheHorizonInsteadOfFailing()
    {
        var oneHourADay = new WorkingCalendar(ShanghaiTime.Zone, new TimeOnly(9, 0), new TimeOnly(10, 0), [], []);
        var start = At(11, 27, 9, 0);
        Assert.Equal(start + WorkingCalendar.Horizon, oneHourADay.AddWorkingMinutes(start, 525_600));
        Assert.Equal(At(11, 30, 10, 0), oneHourADay.AddWorkingMinutes(start, 120));
    }

    [Theory]
    [InlineData("property", "owners_committee")]
    [InlineData("owners_committee", "residents_committee")]
    [InlineData("residents_committee", "party_secretary")]
    [InlineData("party_secretary", "street_admin")]
    [InlineData("street_admin", null)]
    public void TheLadderClimbsOneRungAtATime(string from, string? to) => Assert.Equal(to, EscalationLadder.Next(from));
}
