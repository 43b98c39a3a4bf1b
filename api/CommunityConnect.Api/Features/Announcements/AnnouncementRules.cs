using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.Announcements;

/// <summary>The announcement rules written once, in SQL, for every query that needs them.</summary>
public static class AnnouncementRules
{
    /// <summary>
    /// Who sees an announcement (alias <c>a</c>) of their community: everyone for audience 'all';
    /// for 'buildings', the residents and owners of units in those buildings, and everyone who acts for
    /// the whole community (staff, committees, the secretary, the street admin): <c>@wholeCommunity = 1</c>.
    /// </summary>
    public const string Visible =
        """
        (a.audience = 'all' OR @wholeCommunity = 1
         OR EXISTS (SELECT 1 FROM announcement_buildings ab JOIN units vu ON vu.building_id = ab.building_id
                    WHERE ab.announcement_id = a.id AND vu.id IN @unitIds))
        """;

    /// <summary>
    /// The households an announcement (alias <c>a</c>) reaches, one row per (announcement, unit,
    /// member): a household is a unit of the audience with at least one verified resident or owner,
    /// so an owner and a tenant of one unit are one household. Group by <c>a.id, u.id</c> and take
    /// <see cref="HouseholdRead"/> / <see cref="HouseholdAcknowledged"/>.
    /// </summary>
    public const string HouseholdsFrom =
        $"""
        FROM announcements a
        JOIN units u ON u.community_id = a.community_id
        JOIN memberships m ON m.unit_id = u.id AND {Households.HouseholdMember}
        LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = m.user_id
        WHERE {InAudience}
        """;

    /// <summary>A unit (alias <c>u</c>) is in the audience of an announcement (alias <c>a</c>).</summary>
    public const string InAudience =
        "(a.audience = 'all' OR u.building_id IN (SELECT ab.building_id FROM announcement_buildings ab WHERE ab.announcement_id = a.id))";

    /// <summary>
    /// The same households seen from the reads, for counting over many announcements at once: one row
    /// per (announcement, member who read it) whose unit is a household of the audience. Count
    /// <c>DISTINCT u.id</c> for the households that read, and with <c>r.acknowledged_at IS NOT NULL</c>
    /// for those that acknowledged.
    /// </summary>
    public const string HouseholdReadsFrom =
        $"""
        FROM announcement_reads r
        JOIN announcements a ON a.id = r.announcement_id
        JOIN memberships m ON m.user_id = r.user_id AND m.community_id = a.community_id AND {Households.HouseholdMember}
        JOIN units u ON u.id = m.unit_id
        WHERE {InAudience}
        """;

    /// <summary>1 when any member of the household read it.</summary>
    public const string HouseholdRead = "MAX(CASE WHEN r.user_id IS NOT NULL THEN 1 ELSE 0 END)";

    /// <summary>1 when any member of the household acknowledged it.</summary>
    public const string HouseholdAcknowledged = "MAX(CASE WHEN r.acknowledged_at IS NOT NULL THEN 1 ELSE 0 END)";

    /// <summary>Whether the caller sees every announcement of the community (anyone but a plain resident or owner).</summary>
    public static bool WholeCommunity(CommunityAccess access) => access.Roles.Any(role => role is not (Roles.Resident or Roles.Owner));
}
