using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Identity;

public sealed record WeChatLoginRequest([property: Required, StringLength(128, MinimumLength = 1)] string Code);

/// <summary>
/// Demo login by handle. With <c>communityId</c> (or <c>streetId</c> for a street admin), a handle
/// that does not exist yet is first created with that verified role; with <c>communityId</c> and <c>ownerKey</c>
/// alone, as a verified resident and owner holding that key of the community's owners register.
/// </summary>
public sealed record DevLoginRequest(
    [property: Required, RegularExpression("^[A-Za-z0-9_.-]{1,40}$", ErrorMessage = "handle must be 1 to 40 letters, digits, '_', '.' or '-'.")] string Handle,
    long? CommunityId = null,
    long? StreetId = null,
    [property: OneOf(Roles.Resident, Roles.Owner, Roles.PropertyStaff, Roles.OwnersCommittee, Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin)] string? Role = Roles.Resident,
    long? UnitId = null,
    [property: TextLength(30)] string? DisplayName = null,
    [property: TextLength(64)] string? OwnerKey = null);

public sealed record Membership(long? CommunityId, long StreetId, string Role, long? UnitId);

public sealed record UserSummary(long Id, string DisplayName);

public sealed record LoginResponse(string Token, Me User);

public sealed record Me(long Id, string DisplayName, string? Phone, long UnreadCount, IReadOnlyList<Membership> Memberships);
