using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Infrastructure.Http;

/// <summary>A page of a list: <c>{ items, next }</c>, where <c>next</c> is the cursor of the following page or null.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// The paging of every list, bound with <c>[AsParameters]</c>: <c>?after=CURSOR&amp;limit=N</c>
/// (default 20, 1 to 100). <see cref="Read{TCursor}"/> checks both and decodes the cursor into the
/// list's own position (<see cref="IPageCursor{TSelf}"/>), so a forged cursor is a 400 naming
/// <c>after</c> before anything reads it; <see cref="Fetch"/> rows are read and <see cref="Cut{T, TCursor}"/>
/// keeps the page and makes the next cursor.
/// </summary>
public sealed class PageRequest
{
    [FromQuery(Name = "after")]
    [Description("The `next` cursor of the previous page; leave it out for the first page.")]
    public string? After { get; init; }

    [FromQuery(Name = "limit")]
    [Description("Items per page, 1 to 100.")]
    [DefaultValue(DefaultLimit)]
    public int? Limit { get; init; }

    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Longer than any cursor a list gives out: not decoded at all.</summary>
    private const int MaxCursorLength = 256;

    /// <summary>The page size.</summary>
    public int Take => Math.Clamp(Limit ?? DefaultLimit, 1, MaxLimit);

    /// <summary>The rows to read: one more than the page, to learn whether another page follows.</summary>
    public int Fetch => Take + 1;

    /// <summary>
    /// Checks <c>limit</c> and decodes <c>after</c> into a position of the list; answers the errors
    /// (empty when both are good), to which the handler adds its own before answering 400.
    /// </summary>
    public Dictionary<string, string[]> Read<TCursor>(out TCursor? after) where TCursor : class, IPageCursor<TCursor>
    {
        var errors = new Dictionary<string, string[]>();
        if (Limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
        after = null;
        if (After is not null)
        {
            after = Decode(After) is { } parts ? TCursor.FromParts(parts) : null;
            if (after is null)
            {
                errors["after"] = ["after is not a cursor this list gave out."];
            }
        }
        return errors;
    }

    /// <summary>Cuts the one extra row read; the next cursor is the position of the last item shown.</summary>
    public Page<T> Cut<T, TCursor>(IReadOnlyList<T> rows, Func<T, TCursor> positionOf) where TCursor : class, IPageCursor<TCursor> =>
        rows.Count > Take
            ? new Page<T>(rows.Take(Take).ToList(), Encode(positionOf(rows[Take - 1])))
            : new Page<T>(rows, null);

    /// <summary>An opaque cursor: the position's parts, joined by <c>|</c>, in unpadded URL-safe base64.</summary>
    public static string Encode<TCursor>(TCursor position) where TCursor : class, IPageCursor<TCursor> =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', position.Parts.Select(part => Convert.ToString(part, CultureInfo.InvariantCulture)))))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The parts of a cursor, or null when it is not one this api makes (not base64, not UTF-8, empty, too long).</summary>
    private static string[]? Decode(string cursor)
    {
        if (cursor.Length is 0 or > MaxCursorLength)
        {
            return null;
        }
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var length))
        {
            return null;
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, length).Split('|');
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>
/// A position in one list, the values that order it, as an <c>after</c> cursor carries it.
/// <see cref="FromParts"/> is where a list decides which values it can have: anything else (a
/// wrong number of parts, a negative id, a time no clock shows, a sort of another list) is null,
/// and the request a 400, never a query or a conversion that throws.
/// </summary>
public interface IPageCursor<TSelf> where TSelf : class, IPageCursor<TSelf>
{
    /// <summary>The values, in the order <see cref="FromParts"/> reads them.</summary>
    IEnumerable<object> Parts { get; }

    /// <summary>The position the parts name, or null when they name none this list could have given out.</summary>
    static abstract TSelf? FromParts(IReadOnlyList<string> parts);
}

/// <summary>The position of a list ordered by id alone (after it, or before it for newest-first lists).</summary>
public sealed record IdCursor(long Id) : IPageCursor<IdCursor>
{
    public IEnumerable<object> Parts => [Id];

    public static IdCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 1 && CursorPart.Id(parts[0]) is { } id ? new IdCursor(id) : null;
}

/// <summary>The values a cursor part may hold: plain digits (no sign, no spaces, no other scripts' digits) in range.</summary>
public static class CursorPart
{
    private static readonly long LatestMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static long? Number(string text) =>
        text.Length is > 0 and <= 19 && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>A row id: 1 or more.</summary>
    public static long? Id(string text) => Number(text) is { } id && id >= 1 ? id : null;

    /// <summary>A count or a sequence value: 0 or more.</summary>
    public static long? Count(string text) => Number(text);

    /// <summary>An instant stored as Unix milliseconds, from 1970 to the last one <see cref="DateTimeOffset"/> holds.</summary>
    public static DateTimeOffset? Instant(string text) =>
        Number(text) is { } ms && ms <= LatestMilliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary>0 or 1.</summary>
    public static bool? Flag(string text) => text switch { "0" => false, "1" => true, _ => null };
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
