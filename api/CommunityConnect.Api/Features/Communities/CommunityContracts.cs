using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Communities;

public sealed record Community(long Id, string Name, string Address, string District, long StreetId, string StreetName);

public sealed record Unit(long Id, string Number, int Floor, decimal Area);

public sealed record Building(long Id, string Number, string Name, IReadOnlyList<Unit> Units);

public sealed record MembershipRequestInput(
    [property: Required] long? UnitId,
    [property: Required, OneOf("owner", "tenant", "family")] string? Relation,
    [property: TextLength(200, Min = 0)] string? Note = null,
    [property: TextLength(OwnerKeys.MaxLength)] string? OwnerKey = null);

/// <summary>A request to live in a unit; with an ownerKey (relation owner), to be its owner holding that key of the register.</summary>
public sealed record MembershipRequest(
    long Id, long CommunityId, long UserId, string UserName, long UnitId, string UnitLabel, string Relation, string State,
    string? Note, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, string? OwnerKey = null);

public sealed record ReasonInput([property: Required, TextLength(200)] string? Reason);

public sealed record NoteInput([property: TextLength(500, Min = 0)] string? Note = null);

/// <summary>A role holder of the community: property staff (of the serving company, maybe a manager), committee members, the secretary.</summary>
public sealed record StaffMember
{
    public long UserId { get; init; }
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public bool Manager { get; init; }
    public string? PropertyCompany { get; init; }
    public DateTimeOffset Since { get; init; }
}

/// <summary>A role holder of a street: its admins, and every community's staff.</summary>
public sealed record StreetStaffMember
{
    public long Id { get; init; }
    public long UserId { get; init; }
    public string DisplayName { get; init; } = "";
    public string Role { get; init; } = "";
    public long? CommunityId { get; init; }
    public string? CommunityName { get; init; }
    public bool Manager { get; init; }
    public DateTimeOffset Since { get; init; }
}

/// <summary>One grant or removal of a role, as the append-only log keeps it.</summary>
public sealed record RoleChange(
    long Id, long? CommunityId, long UserId, string UserName, string Role, string Change, string Cause, string? Reason,
    long? InvitationId, long? ChangedBy, string? ChangedByName, DateTimeOffset ChangedAt);

public sealed record CommunityInput(
    [property: Required, TextLength(60)] string? Name,
    [property: Required, TextLength(200)] string? Address,
    [property: TextLength(60, Min = 0)] string? District = null);

public sealed record PropertyCompanyInput(
    [property: Required, TextLength(60)] string? Name,
    [property: Required, TextLength(100)] string? Contact,
    [property: TextLength(500, Min = 0)] string? Decision = null);

public sealed record PropertyCompany(
    long Id, long CommunityId, string Name, string Contact, string State, string? Decision, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>A summary of one version of the owners register; owners counts voting owners (identical owner sets are one).</summary>
public sealed record OwnersRegisterSummary(long Version, long Buildings, long Units, long Owners, decimal TotalArea, DateTimeOffset CreatedAt);

public sealed record EndMembershipInput([property: Required, TextLength(200)] string? Reason);

/// <summary>What ending a membership removed: the user's roles in the community that came with living there.</summary>
public sealed record EndedMembership(long UserId, long CommunityId, IReadOnlyList<string> Roles, string Reason);
