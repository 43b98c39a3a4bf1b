using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>Who holds which role: the community's and the street's lists, removing a role, ending a membership.</summary>
public sealed class StaffStore(Database database, RoleChangeLog log, Inbox.Inbox inbox)
{
    /// <summary>Property staff count only while their company serves the community (a replaced company's staff are gone).</summary>
    public async Task<IReadOnlyList<StaffMember>> CommunityStaffAsync(long communityId, string? role)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<StaffMember>(
            """
            SELECT u.id AS user_id, u.display_name, m.role, MAX(m.manager) AS manager, p.name AS property_company, MIN(m.created_at) AS since
            FROM memberships m
            JOIN users u ON u.id = m.user_id
            LEFT JOIN property_companies p ON p.id = m.property_company_id
            WHERE m.community_id = @communityId AND m.verification = 'verified'
              AND m.role IN ('property_staff', 'owners_committee', 'residents_committee', 'party_secretary')
              AND (@role IS NULL OR m.role = @role)
            GROUP BY u.id, u.display_name, m.role, p.name
            ORDER BY m.role, u.id;
            """, new { communityId, role })).ToList();
    }

    /// <summary>The street's admins and every community's staff, by membership, paged.</summary>
    public async Task<IReadOnlyList<StreetStaffMember>> StreetStaffAsync(long streetId, string? role, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<StreetStaffMember>(
            """
            SELECT m.id, u.id AS user_id, u.display_name, m.role, m.community_id, c.name AS community_name, m.manager, m.created_at AS since
            FROM memberships m
            JOIN users u ON u.id = m.user_id
            LEFT JOIN communities c ON c.id = m.community_id
            WHERE m.verification = 'verified'
              AND ((m.role = 'street_admin' AND m.street_id = @streetId)
                OR (m.role IN ('property_staff', 'owners_committee', 'residents_committee', 'party_secretary') AND c.street_id = @streetId))
              AND (@role IS NULL OR m.role = @role)
              AND (@afterId IS NULL OR m.id > @afterId)
            ORDER BY m.id
            LIMIT @take;
            """, new { streetId, role, afterId, take })).ToList();
    }

    /// <summary>Whether the user manages the staff of the company serving the community.</summary>
    public async Task<bool> IsPropertyManagerAsync(long communityId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<bool>(
            """
            SELECT EXISTS (
                SELECT 1 FROM memberships m JOIN property_companies p ON p.id = m.property_company_id AND p.state = 'serving'
                WHERE m.community_id = @communityId AND m.user_id = @userId AND m.role = 'property_staff' AND m.manager = 1
                  AND m.verification = 'verified');
            """, new { communityId, userId });
    }

    /// <summary>Removes a staff role of the community and logs it; 404 when the user does not hold it.</summary>
    public Task<Outcome<bool>> RemoveAsync(CommunityAccess access, long userId, string role) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var removed = await connection.ExecuteAsync(
                "DELETE FROM memberships WHERE community_id = @CommunityId AND user_id = @userId AND role = @role;",
                new { access.CommunityId, userId, role }, transaction);
            if (removed == 0)
            {
                return Failure.NotFound("Role holder");
            }
            await log.RecordAsync(connection, transaction, new RoleChangeRecord(
                access.StreetId, access.CommunityId, userId, role, "removed", RoleChangeCauses.Removal, ChangedBy: access.UserId));
            await inbox.NotifyUserAsync(connection, transaction, userId,
                new Notice("role_removed", "角色已撤销", $"您在本小区的{Roles.Label(role)}角色已被撤销。", access.CommunityId, null, null));
            return true;
        });

    /// <summary>
    /// Ends the user's membership of the community: the roles that came with living there (resident,
    /// owner) go, and with them access, unless the user also holds a staff role (removed on its own
    /// route). What the user wrote stays theirs.
    /// </summary>
    public Task<Outcome<EndedMembership>> EndMembershipAsync(CommunityAccess access, long userId, string reason) =>
        database.WriteAsync<Outcome<EndedMembership>>(async (connection, transaction) =>
        {
            var roles = (await connection.QueryAsync<string>(
                """
                DELETE FROM memberships WHERE community_id = @CommunityId AND user_id = @userId AND role IN ('resident', 'owner')
                RETURNING role;
                """, new { access.CommunityId, userId }, transaction)).Distinct().Order().ToList();
            if (roles.Count == 0)
            {
                return Failure.NotFound("Member");
            }
            foreach (var role in roles)
            {
                await log.RecordAsync(connection, transaction, new RoleChangeRecord(
                    access.StreetId, access.CommunityId, userId, role, "removed", RoleChangeCauses.MembershipEnded, reason, ChangedBy: access.UserId));
            }
            await inbox.NotifyUserAsync(connection, transaction, userId,
                new Notice("membership_ended", "住户身份已结束", $"您在本小区的住户身份已结束。原因:{reason}", access.CommunityId, null, null));
            return new EndedMembership(userId, access.CommunityId, roles, reason);
        });
}
