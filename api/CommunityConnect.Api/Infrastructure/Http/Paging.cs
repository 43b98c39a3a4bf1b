using System.Text;

namespace CommunityConnect.Api.Infrastructure.Http;

/// <summary>A page of a list: <c>{ items, next }</c>, where <c>next</c> is the cursor of the following page or null.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>Cursor paging (<c>?after=CURSOR&amp;limit=N</c>, default 20, at most 100).</summary>
public static class Paging
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Checks <paramref name="limit"/>; fills <paramref name="errors"/> when it is out of range.</summary>
    public static int Limit(int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is null)
        {
            return DefaultLimit;
        }
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
        return Math.Clamp(limit.Value, 1, MaxLimit);
    }

    /// <summary>An opaque cursor made of the values that order the list.</summary>
    public static string Encode(params object[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The parts of a cursor, or null (and an error) when it was not made here.</summary>
    public static string[]? Decode(string? cursor, int parts, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|');
            if (decoded.Length == parts)
            {
                return decoded;
            }
        }
        catch (FormatException)
        {
        }
        errors["after"] = ["after is not a cursor this list gave out."];
        return null;
    }

    /// <summary>Decodes a cursor made of one id.</summary>
    public static long? DecodeId(string? cursor, Dictionary<string, string[]> errors)
    {
        var parts = Decode(cursor, 1, errors);
        if (parts is null)
        {
            return null;
        }
        if (long.TryParse(parts[0], out var id))
        {
            return id;
        }
        errors["after"] = ["after is not a cursor this list gave out."];
        return null;
    }

    /// <summary>Cuts the one-extra row fetched to learn whether another page follows.</summary>
    public static Page<T> Cut<T>(IReadOnlyList<T> rows, int limit, Func<T, string> cursorOf) =>
        rows.Count > limit
            ? new Page<T>(rows.Take(limit).ToList(), cursorOf(rows[limit - 1]))
            : new Page<T>(rows, null);
}

/// <summary>Checks that request validation attributes cannot express.</summary>
public static class RequestChecks
{
    /// <summary>A list in a request body may not hold null items (<c>{"routes":[null]}</c>); names the first one.</summary>
    public static bool NoNullItems<T>(IReadOnlyList<T?>? items, string field, Dictionary<string, string[]> errors) where T : class
    {
        var index = items is null ? -1 : items.ToList().FindIndex(item => item is null);
        if (index < 0)
        {
            return true;
        }
        errors[$"{field}[{index}]"] = [$"{field} may not contain null."];
        return false;
    }
}

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
