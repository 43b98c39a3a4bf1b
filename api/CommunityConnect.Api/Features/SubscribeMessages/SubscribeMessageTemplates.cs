using System.Globalization;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.SubscribeMessages;

/// <summary>
/// One subscribe-message template of the mini-app (configured under <c>WeChat:Templates:{key}</c>):
/// its WeChat template id, the page it opens, the notice kinds it carries (a trailing * matches a
/// prefix), and which notice value fills each of its fields (<c>thing1 → title</c>).
/// </summary>
public sealed class SubscribeTemplate
{
    public string TemplateId { get; set; } = "";
    public string? Page { get; set; }
    public List<string> NoticeKinds { get; set; } = [];
    public Dictionary<string, string> Fields { get; set; } = new();

    public bool Carries(string kind) => NoticeKinds.Any(pattern =>
        pattern.EndsWith('*') ? kind.StartsWith(pattern[..^1], StringComparison.Ordinal) : kind == pattern);
}

public sealed class SubscribeMessageOptions
{
    public const string Section = "WeChat:Templates";

    public Dictionary<string, SubscribeTemplate> Templates { get; set; } = new();

    /// <summary>The configured template for a notice kind (one with a template id), or none.</summary>
    public (string Key, SubscribeTemplate Template)? For(string kind) =>
        Templates.Where(t => !string.IsNullOrWhiteSpace(t.Value.TemplateId) && t.Value.Carries(kind))
            .Select(t => ((string, SubscribeTemplate)?)(t.Key, t.Value))
            .FirstOrDefault();
}

/// <summary>
/// WeChat's limits on template values, by the field's type (the letters of its key): thing ≤ 20
/// characters, phrase ≤ 5, character_string ≤ 32, name ≤ 10, number ≤ 32, time and date in WeChat's
/// format. Values are cut by text elements, never in the middle of a character or an emoji.
/// </summary>
public static class TemplateValues
{
    public static string TypeOf(string field) => field.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');

    public static int? LimitOf(string type) => type switch
    {
        "thing" => 20,
        "phrase" => 5,
        "character_string" => 32,
        "name" => 10,
        "number" => 32,
        "letter" => 32,
        "symbol" => 5,
        "car_number" => 8,
        _ => null,
    };

    /// <summary>The value of one field for a notice, cut to the field's limit.</summary>
    public static string Value(string field, string source, Notice notice, DateTimeOffset at)
    {
        var type = TypeOf(field);
        if (type is "time" or "date")
        {
            var local = TimeZoneInfo.ConvertTime(at, Jobs.ShanghaiTime.Zone);
            return local.ToString(type == "time" ? "yyyy年M月d日 HH:mm" : "yyyy年M月d日", CultureInfo.InvariantCulture);
        }
        var raw = source switch
        {
            "title" => notice.Title,
            "body" => notice.Body,
            "kind" => notice.Kind,
            "itemId" => notice.ItemId?.ToString(CultureInfo.InvariantCulture) ?? "",
            _ => source.StartsWith('=') ? source[1..] : "",
        };
        raw = raw.Trim();
        return LimitOf(type) is { } limit ? UserText.Cut(raw, limit) : raw;
    }
}
