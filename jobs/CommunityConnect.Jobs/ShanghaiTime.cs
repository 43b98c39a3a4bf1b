namespace CommunityConnect.Jobs;

/// <summary>
/// Shanghai's clock, written once for the api and the jobs: China Standard Time, UTC+8 all year
/// (no daylight saving since 1991). The product counts its dates, weeks, quarters and working days
/// in it; every instant it stores stays UTC.
/// </summary>
public static class ShanghaiTime
{
    public const string ZoneId = "Asia/Shanghai";

    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// <summary>Asia/Shanghai from the system's zone data; a fixed UTC+8 zone of the same id where the data is missing.</summary>
    public static TimeZoneInfo Zone { get; } = FindZone();

    /// <summary>The Shanghai calendar date of an instant.</summary>
    public static DateOnly DateOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(Offset).DateTime);

    /// <summary>Today in Shanghai.</summary>
    public static DateOnly Today(TimeProvider time) => DateOf(time.GetUtcNow());

    /// <summary>Midnight at the start of a Shanghai date.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Offset);

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ZoneId);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.CreateCustomTimeZone(ZoneId, Offset, "China Standard Time", "China Standard Time");
        }
    }
}
