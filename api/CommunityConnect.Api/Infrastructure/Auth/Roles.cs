namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>The roles of DESIGN.md, as stored in <c>memberships.role</c> and shown in the API.</summary>
public static class Roles
{
    public const string Resident = "resident";
    public const string Owner = "owner";
    public const string PropertyStaff = "property_staff";
    public const string OwnersCommittee = "owners_committee";
    public const string ResidentsCommittee = "residents_committee";
    public const string PartySecretary = "party_secretary";
    public const string StreetAdmin = "street_admin";

    public static readonly IReadOnlyList<string> CommunityRoles =
        [Resident, Owner, PropertyStaff, OwnersCommittee, ResidentsCommittee, PartySecretary];

    public static readonly IReadOnlyList<string> All = [.. CommunityRoles, StreetAdmin];

    /// <summary>How a role is shown beside a name (e.g. on a thread posted by staff).</summary>
    public static string Label(string role) => role switch
    {
        Resident => "居民",
        Owner => "业主",
        PropertyStaff => "物业",
        OwnersCommittee => "业委会",
        ResidentsCommittee => "居委会",
        PartySecretary => "党支部",
        StreetAdmin => "街道",
        _ => role,
    };
}
