using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>What caused a grant or a removal, as the log stores it.</summary>
public static class RoleChangeCauses
{
    public const string Invitation = "invitation";
    public const string Removal = "removal";
    public const string MembershipRequest = "membership_request";
    public const string MembershipEnded = "membership_ended";
    public const string CompanyReplaced = "company_replaced";
    public const string AdminCommand = "admin_command";
    public const string DevLogin = "dev_login";
}

public sealed record RoleChangeRecord(
    long StreetId, long? CommunityId, long UserId, string Role, string Change, string Cause,
    string? Reason = null, long? InvitationId = null, long? ChangedBy = null);

/// <summary>
/// The append-only log of every grant and removal of a role (kept apart from the complaint box's
/// unseal audit): written in the same unit of work as the change itself, never updated.
/// </summary>
public sealed class RoleChangeLog(Database database, TimeProvider time)
{
    public Task RecordAsync(DbConnection connection, DbTransaction transaction, RoleChangeRecord change) =>
        connection.ExecuteAsync(
            """
            INSERT INTO role_changes (street_id, community_id, user_id, role, change, cause, reason, invitation_id, changed_by, changed_at)
            VALUES (@StreetId, @CommunityId, @UserId, @Role, @Change, @Cause, @Reason, @InvitationId, @ChangedBy, @now);
            """,
            new { change.StreetId, change.CommunityId, change.UserId, change.Role, change.Change, change.Cause, change.Reason,
                change.InvitationId, change.ChangedBy, now = time.GetUtcNow() }, transaction);

    /// <summary>The community's log, oldest first.</summary>
    public async Task<IReadOnlyList<RoleChange>> ListAsync(long communityId, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<RoleChange>(
            """
            SELECT r.id, r.community_id, r.user_id, u.display_name AS user_name, r.role, r.change, r.cause, r.reason,
                   r.invitation_id, r.changed_by, b.display_name AS changed_by_name, r.changed_at
            FROM role_changes r
            JOIN users u ON u.id = r.user_id
            LEFT JOIN users b ON b.id = r.changed_by
            WHERE r.community_id = @communityId AND (@afterId IS NULL OR r.id > @afterId)
            ORDER BY r.id
            LIMIT @take;
            """, new { communityId, afterId, take })).ToList();
    }
}
