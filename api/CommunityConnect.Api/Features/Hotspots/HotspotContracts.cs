using System.ComponentModel.DataAnnotations;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>
/// When the radar raises a hotspot: distinct residents reporting one category in one place reach
/// shortWindowResidents within shortWindowHours, or longWindowResidents within longWindowDays.
/// </summary>
public sealed record HotspotSettings(
    [property: Required, Range(1, 72)] int? ShortWindowHours,
    [property: Required, Range(2, 100)] int? ShortWindowResidents,
    [property: Required, Range(1, 30)] int? LongWindowDays,
    [property: Required, Range(2, 100)] int? LongWindowResidents)
{
    /// <summary>The defaults of issue 14: 3 residents in 24 hours, 5 in 7 days.</summary>
    public static HotspotSettings Default { get; } = new(24, 3, 7, 5);
}

/// <summary>One item of a hotspot, without its author: its kind (repair, opinion, thread), id, an excerpt and when it was reported.</summary>
public sealed record HotspotItem(string Kind, long Id, string Excerpt, bool Anonymous, DateTimeOffset ReportedAt);

/// <summary>A hotspot in a list.</summary>
/// <param name="Place">The building ("3号楼") or "公共区域" (a shared place of no building).</param>
/// <param name="Reached">The window whose threshold it reached: short (24 hours by default) or long (7 days).</param>
/// <param name="ResidentCount">Distinct residents among its items (all anonymous reports count as one).</param>
public sealed record HotspotCard(
    long Id, long CommunityId, string Category, long? BuildingId, string Place, string Reached, int ResidentCount, int ItemCount,
    long CaseId, string ResponsibleBody, string State, DateTimeOffset RaisedAt, DateTimeOffset LastItemAt);

/// <summary>A hotspot with its items.</summary>
public sealed record Hotspot(
    long Id, long CommunityId, string Category, long? BuildingId, string Place, string Reached, int ResidentCount, int ItemCount,
    long CaseId, string ResponsibleBody, string State, DateTimeOffset RaisedAt, DateTimeOffset LastItemAt, IReadOnlyList<HotspotItem> Items);

/// <summary>Labels of TAXONOMY.md's categories, for notices.</summary>
public static class CategoryLabels
{
    private static readonly IReadOnlyDictionary<string, string> Labels = new Dictionary<string, string>
    {
        ["water"] = "水管漏水",
        ["electric"] = "电路照明",
        ["elevator"] = "电梯",
        ["gas"] = "燃气",
        ["access"] = "门禁",
        ["public_facility"] = "公共设施",
        ["sanitation"] = "环境卫生",
        ["greenery"] = "绿化",
        ["parking"] = "停车",
        ["security"] = "安全",
        ["property_service"] = "物业服务",
        ["funds"] = "维修资金",
        ["neighbor"] = "邻里",
        ["pets"] = "宠物",
        ["community_life"] = "社区生活",
        ["other"] = "其他",
    };

    public static string Of(string category) => Labels.GetValueOrDefault(category, category);
}
