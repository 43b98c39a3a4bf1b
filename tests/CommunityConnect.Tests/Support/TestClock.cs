using System.Diagnostics;
using System.Globalization;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// Where every test clock starts. Never the real time: a fixed instant in the code, or the instant in
/// <c>CC_TEST_NOW</c> (ISO-8601, e.g. <c>2031-06-15T12:00:00Z</c>) so that <c>tests/time-travel.sh</c>
/// can run the whole suite in another year or on a leap day. Tests that need a calendar shape
/// (a Tuesday in working hours, a fresh quarter) derive it from <see cref="Start"/>, never from today.
/// </summary>
public static class TestClock
{
    public const string Variable = "CC_TEST_NOW";

    /// <summary>The default start: a Wednesday, 10:00 in Shanghai.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 3, 4, 2, 0, 0, TimeSpan.Zero);

    public static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    /// <summary>The instant every test clock starts at, in whole milliseconds (as the database stores times).</summary>
    public static DateTimeOffset Start { get; } = ReadStart();

    private static DateTimeOffset ReadStart()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        var start = string.IsNullOrWhiteSpace(text)
            ? DefaultStart
            : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
        return DateTimeOffset.FromUnixTimeMilliseconds(start.ToUnixTimeMilliseconds());
    }

    /// <summary>The first <paramref name="day"/> at <paramref name="hour"/>:00 Shanghai time strictly after <paramref name="from"/>.</summary>
    public static DateTimeOffset NextShanghai(DayOfWeek day, int hour, DateTimeOffset from)
    {
        var local = from.ToOffset(Shanghai);
        var candidate = new DateTimeOffset(local.Year, local.Month, local.Day, hour, 0, 0, Shanghai);
        while (candidate <= from || candidate.DayOfWeek != day)
        {
            candidate = candidate.AddDays(1);
        }
        return candidate.ToUniversalTime();
    }

    /// <summary>
    /// A working Tuesday 10:00 in Shanghai in the second week of the quarter after <see cref="Start"/>, so
    /// that a test's days stay inside one quarter whatever date the suite runs on.
    /// </summary>
    public static DateTimeOffset TuesdayEarlyInNextQuarter()
    {
        var local = Start.ToOffset(Shanghai);
        var quarterStartMonth = (local.Month - 1) / 3 * 3 + 1;
        var nextQuarter = new DateTimeOffset(local.Year, quarterStartMonth, 1, 0, 0, 0, Shanghai).AddMonths(3);
        return NextShanghai(DayOfWeek.Tuesday, 10, nextQuarter.AddDays(7));
    }

    /// <summary>Polls <paramref name="probe"/> on the wall clock (never the domain clock) until it holds or the time is up.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var watch = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var value = await probe();
        while (!done(value) && watch.Elapsed < limit)
        {
            await Task.Delay(100);
            value = await probe();
        }
        return value;
    }
}
