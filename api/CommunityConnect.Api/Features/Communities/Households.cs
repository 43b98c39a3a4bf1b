namespace CommunityConnect.Api.Features.Communities;

/// <summary>
/// A household (户) is a unit with at least one verified resident or owner: an owner and a tenant of
/// one unit are one household. Announcement receipts and survey response rates count households.
/// </summary>
public static class Households
{
    /// <summary>A membership (alias <c>m</c>) that makes its unit a household.</summary>
    public const string HouseholdMember = "m.verification = 'verified' AND m.role IN ('resident', 'owner') AND m.unit_id IS NOT NULL";

    /// <summary>The number of households of <c>@communityId</c>.</summary>
    public const string CountSql =
        $"SELECT COUNT(DISTINCT m.unit_id) FROM memberships m WHERE m.community_id = @communityId AND {HouseholdMember};";
}
