using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Communities;

public sealed class CommunityStore(Database database, Inbox.Inbox inbox, RoleChangeLog log, TimeProvider time)
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
            SELECT c.id, c.name, c.address, c.district, c.street_id, s.name AS street_name
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

    private const string RequestColumns =
        """
        r.id, r.community_id, r.user_id, usr.display_name AS user_name, r.unit_id,
        b.name || u.number || '室' AS unit_label, r.relation, r.state, r.note, r.reason, r.created_at, r.decided_at, r.owner_key
        """;

    private const string RequestJoins =
        """
        FROM membership_requests r
        JOIN users usr ON usr.id = r.user_id
        JOIN units u ON u.id = r.unit_id
        JOIN buildings b ON b.id = u.building_id
        """;

    /// <summary>A unit of work (run it through <see cref="UnitOfWork.CreateAsync{T}"/>): files the request and tells the committee.</summary>
    public async Task<Outcome<MembershipRequest>> RequestMembershipAsync(DbConnection connection, DbTransaction transaction,
        long communityId, long userId, MembershipRequestInput input)
    {
        if (!await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM units WHERE id = @UnitId AND community_id = @communityId);",
                new { input.UnitId, communityId }, transaction))
        {
            return Failure.Invalid("unitId names no unit of this community.");
        }
        var ownerKey = input.OwnerKey is { } given && OwnerKeys.Normalize(given) is { Length: > 0 } normalized ? normalized : null;
        if (ownerKey is not null && input.Relation != "owner")
        {
            return Failure.Invalid("An ownerKey comes only with relation owner.");
        }
        if (ownerKey is not null && !(await OwnersRegisterStore.UnitsOfKeyAsync(connection, transaction, communityId, ownerKey)).Contains(input.UnitId!.Value))
        {
            return Failure.Invalid("The community's owners register does not list this ownerKey on that unit.");
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
            INSERT INTO membership_requests (community_id, user_id, unit_id, relation, note, owner_key, created_at)
            VALUES (@communityId, @userId, @UnitId, @Relation, @Note, @ownerKey, @now)
            RETURNING id;
            """, new { communityId, userId, input.UnitId, input.Relation, input.Note, ownerKey, now = time.GetUtcNow() }, transaction);
        await inbox.NotifyRolesAsync(connection, transaction, communityId,
            ownerKey is null ? [Roles.ResidentsCommittee] : [Roles.ResidentsCommittee, Roles.OwnersCommittee],
            new Notice("membership_requested", "新的入住认证申请", "有居民申请认证为本小区住户,请审核。", communityId, "membership_request", id));
        return (await GetRequestAsync(connection, transaction, communityId, id))!;
    }

    /// <summary>Requests of the community; <paramref name="ownerRequestsOnly"/> keeps those with an ownerKey (the owners' committee's).</summary>
    public async Task<IReadOnlyList<MembershipRequest>> ListRequestsAsync(long communityId, string? state, bool ownerRequestsOnly, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<MembershipRequest>(
            $"""
             SELECT {RequestColumns}
             {RequestJoins}
             WHERE r.community_id = @communityId AND (@state IS NULL OR r.state = @state) AND (@afterId IS NULL OR r.id > @afterId)
               AND (@ownerRequestsOnly = 0 OR r.owner_key IS NOT NULL)
             ORDER BY r.id
             LIMIT @take;
             """, new { communityId, state, ownerRequestsOnly, afterId, take })).ToList();
    }

    /// <summary>
    /// Whose request it is: one with an ownerKey the owners' committee's (it makes an owner), any other the
    /// residents' committee's; the party secretary and the street admin decide both.
    /// </summary>
    public static bool MayDecide(CommunityAccess access, MembershipRequest request) =>
        access.HasAny(Roles.PartySecretary, Roles.StreetAdmin)
        || access.Has(request.OwnerKey is null ? Roles.ResidentsCommittee : Roles.OwnersCommittee);

    /// <summary>
    /// Approves a pending request: the user becomes a verified resident of the unit (and, with an ownerKey,
    /// an owner holding that key), the grant is logged and the user told so.
    /// </summary>
    public Task<Outcome<MembershipRequest>> ApproveAsync(CommunityAccess access, long requestId, string? note) =>
        DecideAsync(access, requestId, "approved", note, async (connection, transaction, request) =>
        {
            var roles = request.OwnerKey is null ? new[] { Roles.Resident } : [Roles.Resident, Roles.Owner];
            foreach (var role in roles)
            {
                var granted = await connection.ExecuteAsync(
                    """
                    INSERT INTO memberships (user_id, community_id, role, unit_id, owner_key, created_at)
                    VALUES (@UserId, @CommunityId, @role, @UnitId, @ownerKey, @now)
                    ON CONFLICT DO NOTHING;
                    """, new { request.UserId, request.CommunityId, role, request.UnitId, ownerKey = role == Roles.Owner ? request.OwnerKey : null,
                        now = time.GetUtcNow() }, transaction);
                if (granted == 1)
                {
                    await log.RecordAsync(connection, transaction, new RoleChangeRecord(access.StreetId, access.CommunityId, request.UserId, role,
                        "granted", RoleChangeCauses.MembershipRequest, ChangedBy: access.UserId));
                }
            }
            await inbox.NotifyUserAsync(connection, transaction, request.UserId,
                new Notice("membership_approved", "入住认证已通过", $"您已认证为{request.UnitLabel}的{(request.OwnerKey is null ? "住户" : "业主")},欢迎加入社区。",
                    access.CommunityId, "membership_request", request.Id));
        });

    public Task<Outcome<MembershipRequest>> RejectAsync(CommunityAccess access, long requestId, string reason) =>
        DecideAsync(access, requestId, "rejected", reason, (connection, transaction, request) =>
            inbox.NotifyUserAsync(connection, transaction, request.UserId,
                new Notice("membership_rejected", "入住认证未通过", $"原因:{reason}", access.CommunityId, "membership_request", request.Id)));

    private Task<Outcome<MembershipRequest>> DecideAsync(CommunityAccess access, long requestId, string state, string? reason,
        Func<DbConnection, DbTransaction, MembershipRequest, Task> then) =>
        database.WriteAsync<Outcome<MembershipRequest>>(async (connection, transaction) =>
        {
            var (communityId, deciderId) = (access.CommunityId, access.UserId);
            var request = await GetRequestAsync(connection, transaction, communityId, requestId);
            if (request is null)
            {
                return Failure.NotFound("Membership request");
            }
            if (!MayDecide(access, request))
            {
                return Failure.Forbidden(request.OwnerKey is null
                    ? "Only the residents' committee decides this request."
                    : "A request to be an owner is the owners' committee's to decide.");
            }
            if (request.State != "pending")
            {
                return Failure.Conflict($"This request was already {request.State}.");
            }
            if (await connection.ExecuteAsync(
                    """
                    UPDATE membership_requests SET state = @state, reason = @reason, decided_by = @deciderId, decided_at = @now
                    WHERE id = @requestId AND state = 'pending';
                    """, new { state, reason, deciderId, requestId, now = time.GetUtcNow() }, transaction) != 1)
            {
                return Failure.Conflict("This request was decided meanwhile.");
            }
            await then(connection, transaction, request);
            return (await GetRequestAsync(connection, transaction, communityId, requestId))!;
        });

    private static Task<MembershipRequest?> GetRequestAsync(DbConnection connection, DbTransaction transaction, long communityId, long requestId) =>
        connection.QuerySingleOrDefaultAsync<MembershipRequest>(
            $"""
             SELECT {RequestColumns}
             {RequestJoins}
             WHERE r.id = @requestId AND r.community_id = @communityId;
             """, new { communityId, requestId }, transaction);
}
