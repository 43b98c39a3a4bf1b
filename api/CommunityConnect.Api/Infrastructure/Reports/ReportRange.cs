namespace CommunityConnect.Api.Infrastructure.Reports;

/// <summary>The date range of a report (<c>?from=&amp;to=</c>), checked before any arithmetic on it.</summary>
public static class ReportRange
{
    public static readonly DateOnly Earliest = new(2000, 1, 1);
    public static readonly DateOnly Latest = new(2100, 12, 31);

    /// <summary>
    /// [from, to] with <paramref name="defaultDays"/> days up to <paramref name="today"/> where not given;
    /// null and <paramref name="errors"/> filled when a date is outside 2000–2100, from is after to,
    /// or they are more than 366 days apart.
    /// </summary>
    public static (DateOnly From, DateOnly To)? Parse(DateOnly? from, DateOnly? to, DateOnly today, int defaultDays, Dictionary<string, string[]> errors)
    {
        foreach (var (field, date) in new[] { ("from", from), ("to", to) })
        {
            if (date is { } d && (d < Earliest || d > Latest))
            {
                errors[field] = [$"{field} must be a date between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}."];
            }
        }
        if (errors.Count > 0)
        {
            return null;
        }
        var last = to ?? today;
        var first = from ?? last.AddDays(-(defaultDays - 1));
        if (first > last || last.DayNumber - first.DayNumber > 366)
        {
            errors["from"] = ["from must be on or before to, at most 366 days apart."];
            return null;
        }
        return (first, last);
    }
}
