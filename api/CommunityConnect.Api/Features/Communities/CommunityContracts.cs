using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Communities;

public sealed record Community(long Id, string Name, string Address, long StreetId, string StreetName);

public sealed record Unit(long Id, string Number, int Floor, decimal Area);

public sealed record Building(long Id, string Number, string Name, IReadOnlyList<Unit> Units);

public sealed record MembershipRequestInput(
    [property: Required] long? UnitId,
    [property: Required, OneOf("owner", "tenant", "family")] string? Relation,
    [property: TextLength(200, Min = 0)] string? Note = null);

public sealed record MembershipRequest(
    long Id, long CommunityId, long UserId, string UserName, long UnitId, string UnitLabel, string Relation, string State,
    string? Note, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt);

public sealed record ReasonInput([property: Required, TextLength(200)] string? Reason);

public sealed record NoteInput([property: TextLength(500, Min = 0)] string? Note = null);

public sealed record StaffMember(long UserId, string DisplayName, string Role);
