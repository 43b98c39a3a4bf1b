using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Identity;

public sealed class IdentityStore(Database database, TimeProvider time)
{
    private sealed record UserRow(long Id, string DisplayName, string? Phone);

    /// <summary>The user with this openid, created on first login (keeping the unionid when WeChat sends one).</summary>
    public Task<long> FindOrCreateByOpenIdAsync(string openId, string? unionId) =>
        database.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO users (openid, unionid, display_name, created_at)
                VALUES (@openId, @unionId, '微信用户', @now)
                ON CONFLICT (openid) DO UPDATE SET unionid = COALESCE(excluded.unionid, users.unionid)
                RETURNING id;
                """, new { openId, unionId, now = time.GetUtcNow() }, transaction));

    public async Task<long?> FindByHandleAsync(string handle)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT id FROM users WHERE handle = @handle;", new { handle });
    }

    /// <summary>Creates a demo user with one verified role; fails on a place that does not exist.</summary>
    public Task<Outcome<long>> CreateDevUserAsync(DevLoginRequest request) =>
        database.WriteAsync<Outcome<long>>(async (connection, transaction) =>
        {
            var role = request.Role ?? Roles.Resident;
            var now = time.GetUtcNow();
            var existing = await connection.ExecuteScalarAsync<long?>(
                "SELECT id FROM users WHERE handle = @Handle;", request, transaction);
            if (existing is { } id)
            {
                return id; // created meanwhile by a parallel login
            }
            if (role == Roles.StreetAdmin)
            {
                var streetId = request.StreetId ?? await connection.ExecuteScalarAsync<long?>(
                    "SELECT street_id FROM communities WHERE id = @CommunityId;", request, transaction);
                if (streetId is null || !await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM streets WHERE id = @streetId);", new { streetId }, transaction))
                {
                    return Failure.Invalid("A street admin needs an existing streetId (or communityId).");
                }
                var userId = await InsertUserAsync(connection, transaction, request, now);
                await connection.ExecuteAsync(
                    "INSERT INTO memberships (user_id, street_id, role, created_at) VALUES (@userId, @streetId, 'street_admin', @now);",
                    new { userId, streetId, now }, transaction);
                return userId;
            }
            if (request.CommunityId is null)
            {
                return await InsertUserAsync(connection, transaction, request, now);
            }
            if (!await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM communities WHERE id = @CommunityId);", request, transaction))
            {
                return Failure.Invalid("communityId names no community.");
            }
            if (request.OwnerKey is { } key)
            {
                return await CreateDevOwnerAsync(connection, transaction, request, OwnerKeys.Normalize(key), now);
            }
            if (request.UnitId is not null && !await connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM units WHERE id = @UnitId AND community_id = @CommunityId);", request, transaction))
            {
                return Failure.Invalid("unitId names no unit of that community.");
            }
            if (role is Roles.Resident or Roles.Owner && request.UnitId is null)
            {
                return Failure.Invalid("A resident or owner needs a unitId.");
            }
            var newId = await InsertUserAsync(connection, transaction, request, now);
            // Property staff work for the company serving the community (when it has one).
            var companyId = role == Roles.PropertyStaff
                ? (await CommunityAdminStore.ServingCompanyAsync(connection, transaction, request.CommunityId.Value))?.Id
                : null;
            await connection.ExecuteAsync(
                """
                INSERT INTO memberships (user_id, community_id, role, unit_id, property_company_id, created_at)
                VALUES (@newId, @CommunityId, @role, @UnitId, @companyId, @now);
                """, new { newId, request.CommunityId, role, request.UnitId, companyId, now }, transaction);
            if (role == Roles.Owner)
            {
                // An owner lives there too.
                await connection.ExecuteAsync(
                    "INSERT INTO memberships (user_id, community_id, role, unit_id, created_at) VALUES (@newId, @CommunityId, 'resident', @UnitId, @now);",
                    new { newId, request.CommunityId, request.UnitId, now }, transaction);
            }
            return newId;
        });

    /// <summary>A demo owner holding one key of the current register, living in the key's first unit.</summary>
    private static async Task<Outcome<long>> CreateDevOwnerAsync(DbConnection connection, DbTransaction transaction,
        DevLoginRequest request, string ownerKey, DateTimeOffset now)
    {
        var units = await OwnersRegisterStore.UnitsOfKeyAsync(connection, transaction, request.CommunityId!.Value, ownerKey);
        if (units.Count == 0)
        {
            return Failure.Invalid("ownerKey is not on the community's current owners register.");
        }
        var userId = await InsertUserAsync(connection, transaction, request, now);
        await connection.ExecuteAsync(
            """
            INSERT INTO memberships (user_id, community_id, role, unit_id, created_at) VALUES (@userId, @CommunityId, 'resident', @unitId, @now);
            INSERT INTO memberships (user_id, community_id, role, unit_id, owner_key, created_at) VALUES (@userId, @CommunityId, 'owner', @unitId, @ownerKey, @now);
            """, new { userId, request.CommunityId, unitId = units[0], ownerKey, now }, transaction);
        return userId;
    }

    private static Task<long> InsertUserAsync(DbConnection connection, DbTransaction transaction, DevLoginRequest request, DateTimeOffset now) =>
        connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO users (handle, display_name, created_at) VALUES (@Handle, @name, @now) RETURNING id;
            """, new { request.Handle, name = request.DisplayName ?? request.Handle, now }, transaction);

    public async Task<Me?> GetMeAsync(long userId, long unreadCount)
    {
        await using var connection = await database.OpenReadAsync();
        var user = await connection.QuerySingleOrDefaultAsync<UserRow>(
            "SELECT id, display_name, phone FROM users WHERE id = @userId;", new { userId });
        if (user is null)
        {
            return null;
        }
        var memberships = await connection.QueryAsync<(long? CommunityId, long StreetId, string Role, long? UnitId)>(
            """
            SELECT m.community_id, COALESCE(m.street_id, c.street_id), m.role, m.unit_id
            FROM memberships m
            LEFT JOIN communities c ON c.id = m.community_id
            WHERE m.user_id = @userId AND m.verification = 'verified'
            ORDER BY m.id;
            """, new { userId });
        return new Me(user.Id, user.DisplayName, user.Phone, unreadCount,
            memberships.Select(m => new Membership(m.CommunityId, m.StreetId, m.Role, m.UnitId)).ToList());
    }
}
