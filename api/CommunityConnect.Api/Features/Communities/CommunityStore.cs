using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Features.Communities;

public sealed class CommunityStore(Database database, Inbox.Inbox inbox, TimeProvider time)
{
    private sealed class UnitRow
    {
        public long BuildingId { get; init; }
        public string BuildingNumber { get; init; } = "";
        public string BuildingName { get; init; } = "";
        public long? UnitId { get; init; }
        public string? UnitNumber { get; init; }
        public long? Floor { get; init; }
        public long? AreaCentiSqM { get; init; }
    }

    public async Task<Community?> GetAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.QuerySingleOrDefaultAsync<Community>(
            """
            SELECT c.id, c.name, c.address, c.street_id, s.name AS street_name
            FROM communities c JOIN streets s ON s.id = c.street_id
            WHERE c.id = @communityId;
            """, new { communityId });
    }

    public async Task<IReadOnlyList<Building>> BuildingsAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<UnitRow>(
            """
            SELECT b.id AS BuildingId, b.number AS BuildingNumber, b.name AS BuildingName,
                   u.id AS UnitId, u.number AS UnitNumber, u.floor AS Floor, u.area_centi_sq_m AS AreaCentiSqM
            FROM buildings b
            LEFT JOIN units u ON u.building_id = b.id
            WHERE b.community_id = @communityId
            ORDER BY b.id, u.floor, u.number;
            """, new { communityId });
        return rows.GroupBy(r => (r.BuildingId, r.BuildingNumber, r.BuildingName))
            .Select(g => new Building(g.Key.BuildingId, g.Key.BuildingNumber, g.Key.BuildingName,
                g.Where(r => r.UnitId is not null)
                 .Select(r => new Unit(r.UnitId!.Value, r.UnitNumber!, (int)r.Floor!.Value, r.AreaCentiSqM!.Value / 100m))
                 .ToList()))
            .ToList();
    }

    public async Task<bool> ExistsAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM communities WHERE id = @communityId);", new { communityId });
    }

    public async Task<IReadOnlyList<StaffMember>> StaffAsync(long communityId, string? role)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<StaffMember>(
            """
            SELECT DISTINCT u.id AS UserId, u.display_name AS DisplayName, m.role AS Role
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.community_id = @communityId AND m.verification = 'verified'
              AND m.role IN ('property_staff', 'owners_committee', 'residents_committee', 'party_secretary')
              AND (@role IS NULL OR m.role = @role)
            ORDER BY m.role, u.id;
            """, new { communityId, role })).ToList();
    }

    private const string RequestColumns =
        """
        r.id, r.community_id, r.user_id, usr.display_name AS user_name, r.unit_id,
        b.name || u.number || '室' AS unit_label, r.relation, r.state, r.note, r.reason, r.created_at, r.decided_at
        """;

    private const string RequestJoins =
        """
        FROM membership_requests r
        JOIN users usr ON usr.id = r.user_id
        JOIN units u ON u.id = r.unit_id
        JOIN buildings b ON b.id = u.building_id
        """;

    /// <summary>A unit of work (run it through <see cref="UnitOfWork.CreateAsync{T}"/>): files the request and tells the committee.</summary>
    public async Task<Outcome<MembershipRequest>> RequestMembershipAsync(SqliteConnection connection, SqliteTransaction transaction,
        long communityId, long userId, MembershipRequestInput input)
    {
        if (!await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM units WHERE id = @UnitId AND community_id = @communityId);",
                new { input.UnitId, communityId }, transaction))
        {
            return Failure.Invalid("unitId names no unit of this community.");
        }
        if (await connection.ExecuteScalarAsync<bool>(
                """
                SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @userId AND unit_id = @UnitId AND role = 'resident')
                    OR EXISTS (SELECT 1 FROM membership_requests WHERE user_id = @userId AND unit_id = @UnitId AND state = 'pending');
                """, new { userId, input.UnitId }, transaction))
        {
            return Failure.Conflict("You already live in this unit or have asked to join it.");
        }
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO membership_requests (community_id, user_id, unit_id, relation, note, created_at)
            VALUES (@communityId, @userId, @UnitId, @Relation, @Note, @now)
            RETURNING id;
            """, new { communityId, userId, input.UnitId, input.Relation, input.Note, now = time.GetUtcNow() }, transaction);
        await inbox.NotifyRolesAsync(connection, transaction, communityId, [Roles.ResidentsCommittee],
            new Notice("membership_requested", "新的入住认证申请", "有居民申请认证为本小区住户,请审核。", communityId, "membership_request", id));
        return (await GetRequestAsync(connection, transaction, communityId, id))!;
    }

    public async Task<IReadOnlyList<MembershipRequest>> ListRequestsAsync(long communityId, string? state, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<MembershipRequest>(
            $"""
             SELECT {RequestColumns}
             {RequestJoins}
             WHERE r.community_id = @communityId AND (@state IS NULL OR r.state = @state) AND (@afterId IS NULL OR r.id > @afterId)
             ORDER BY r.id
             LIMIT @take;
             """, new { communityId, state, afterId, take })).ToList();
    }

    /// <summary>Approves a pending request: the user becomes a verified resident of the unit and is told so.</summary>
    public Task<Outcome<MembershipRequest>> ApproveAsync(long communityId, long requestId, long deciderId, string? note) =>
        DecideAsync(communityId, requestId, deciderId, "approved", note, async (connection, transaction, request) =>
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO memberships (user_id, community_id, role, unit_id, created_at)
                VALUES (@UserId, @CommunityId, 'resident', @UnitId, @now)
                ON CONFLICT DO NOTHING;
                """, new { request.UserId, request.CommunityId, request.UnitId, now = time.GetUtcNow() }, transaction);
            await inbox.NotifyUserAsync(connection, transaction, request.UserId,
                new Notice("membership_approved", "入住认证已通过", $"您已认证为{request.UnitLabel}的住户,欢迎加入社区。", communityId, "membership_request", request.Id));
        });

    public Task<Outcome<MembershipRequest>> RejectAsync(long communityId, long requestId, long deciderId, string reason) =>
        DecideAsync(communityId, requestId, deciderId, "rejected", reason, (connection, transaction, request) =>
            inbox.NotifyUserAsync(connection, transaction, request.UserId,
                new Notice("membership_rejected", "入住认证未通过", $"原因:{reason}", communityId, "membership_request", request.Id)));

    private Task<Outcome<MembershipRequest>> DecideAsync(long communityId, long requestId, long deciderId, string state, string? reason,
        Func<SqliteConnection, SqliteTransaction, MembershipRequest, Task> then) =>
        database.WriteAsync<Outcome<MembershipRequest>>(async (connection, transaction) =>
        {
            var request = await GetRequestAsync(connection, transaction, communityId, requestId);
            if (request is null)
            {
                return Failure.NotFound("Membership request");
            }
            if (request.State != "pending")
            {
                return Failure.Conflict($"This request was already {request.State}.");
            }
            await connection.ExecuteAsync(
                """
                UPDATE membership_requests SET state = @state, reason = @reason, decided_by = @deciderId, decided_at = @now
                WHERE id = @requestId AND state = 'pending';
                """, new { state, reason, deciderId, requestId, now = time.GetUtcNow() }, transaction);
            await then(connection, transaction, request);
            return (await GetRequestAsync(connection, transaction, communityId, requestId))!;
        });

    private static Task<MembershipRequest?> GetRequestAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId, long requestId) =>
        connection.QuerySingleOrDefaultAsync<MembershipRequest>(
            $"""
             SELECT {RequestColumns}
             {RequestJoins}
             WHERE r.id = @requestId AND r.community_id = @communityId;
             """, new { communityId, requestId }, transaction);
}
