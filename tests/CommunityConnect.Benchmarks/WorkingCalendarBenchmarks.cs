using BenchmarkDotNet.Attributes;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Escalation;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// The SLA clock's calendar walk: a working day (480 min) and a working week and a half (3360 min),
/// started on a Friday afternoon before a week of holidays with make-up weekend workdays, so the
/// walk crosses a weekend, the holidays and the 调休 days (the longest walk a due time normally takes).
/// </summary>
[MemoryDiagnoser]
public class WorkingCalendarBenchmarks
{
    private static readonly TimeZoneInfo Shanghai = ShanghaiTime.Zone;

    private readonly WorkingCalendar _calendar = new(
        Shanghai, new TimeOnly(9, 0), new TimeOnly(17, 0),
        holidays: Enumerable.Range(1, 7).Select(day => new DateOnly(2026, 10, day)),
        workdays: [new DateOnly(2026, 9, 27), new DateOnly(2026, 10, 10)]);

    // Friday 25 September 2026, 15:00 in Shanghai.
    private readonly DateTimeOffset _start = new(2026, 9, 25, 15, 0, 0, TimeSpan.FromHours(8));
    private DateTimeOffset _end;

    [Params(480, 3360)]
    public int Minutes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _end = _calendar.AddWorkingMinutes(_start, Minutes);
        if (_calendar.WorkingMinutesBetween(_start, _end) != Minutes)
        {
            throw new InvalidOperationException("The calendar does not round-trip; the benchmark would measure the wrong thing.");
        }
    }

    [Benchmark]
    public DateTimeOffset AddWorkingMinutes() => _calendar.AddWorkingMinutes(_start, Minutes);

    [Benchmark]
    public int WorkingMinutesBetween() => _calendar.WorkingMinutesBetween(_start, _end);
}
