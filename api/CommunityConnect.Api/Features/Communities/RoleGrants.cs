using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>
/// Who may grant (invite to) and remove which role: the one definition that invitations, the staff
/// removal and the role-change log's readers ask. Residents and owners are not granted here: they
/// join through membership requests.
/// </summary>
public static class RoleGrants
{
    /// <summary>The community roles given by invitation and listed as staff.</summary>
    public static readonly IReadOnlyList<string> StaffRoles =
        [Roles.PropertyStaff, Roles.OwnersCommittee, Roles.ResidentsCommittee, Roles.PartySecretary];

    /// <summary>Every role an invitation may carry.</summary>
    public static readonly IReadOnlyList<string> InvitableRoles = [.. StaffRoles, Roles.StreetAdmin];

    /// <summary>
    /// Whether a caller with <paramref name="access"/> to a community may grant or remove <paramref name="role"/>
    /// in it: street admins every staff role; the party secretary the committees; a manager of the
    /// serving property company that company's staff.
    /// </summary>
    public static bool MayGrant(CommunityAccess access, string role, bool isPropertyManager) => role switch
    {
        Roles.PartySecretary => access.IsStreetAdmin,
        Roles.OwnersCommittee or Roles.ResidentsCommittee => access.IsStreetAdmin || access.Has(Roles.PartySecretary),
        Roles.PropertyStaff => access.IsStreetAdmin || (isPropertyManager && access.Has(Roles.PropertyStaff)),
        _ => false,
    };

    /// <summary>Whether the caller may read the community's role-change log.</summary>
    public static bool MayReadLog(CommunityAccess access) => access.IsStreetAdmin || access.Has(Roles.PartySecretary);
}
