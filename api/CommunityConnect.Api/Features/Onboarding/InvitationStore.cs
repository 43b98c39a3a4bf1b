using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Onboarding;

/// <summary>Invitations: issued for a role in a scope, redeemed once, revoked while unused.</summary>
public sealed class InvitationStore(Database database, RoleChangeLog log, Inbox.Inbox inbox, TimeProvider time)
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    private const string Columns =
        "id, role, street_id, community_id, note, manager, state, created_at, expires_at, redeemed_at";

    /// <summary>What an invitation is checked against when it is redeemed or revoked.</summary>
    private sealed record Row
    {
        public long Id { get; init; }
        public string Role { get; init; } = "";
        public long StreetId { get; init; }
        public long? CommunityId { get; init; }
        public long? PropertyCompanyId { get; init; }
        public bool Manager { get; init; }
        public string State { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
        public long? CreatedBy { get; init; }
    }

    public async Task<Invitation?> GetAsync(long invitationId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.QuerySingleOrDefaultAsync<Invitation>(
            $"SELECT {Columns} FROM invitations WHERE id = @invitationId;", new { invitationId });
    }

    /// <summary>The streets the user administers.</summary>
    public async Task<IReadOnlyList<long>> AdministeredStreetsAsync(long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<long>(
            "SELECT street_id FROM memberships WHERE user_id = @userId AND role = 'street_admin' AND verification = 'verified' ORDER BY street_id;",
            new { userId })).ToList();
    }

    public async Task<long?> CreatorOfAsync(long invitationId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT created_by FROM invitations WHERE id = @invitationId;", new { invitationId });
    }

    /// <summary>
    /// Issues an invitation (its code's hash is all that is kept). A property-staff invitation is for the
    /// company serving the community now: 409 when it has none.
    /// </summary>
    public Task<Outcome<Invitation>> CreateAsync(long streetId, long? communityId, InvitationInput input, string codeHash, long? createdBy) =>
        database.WriteAsync((connection, transaction) => CreateAsync(connection, transaction, streetId, communityId, input, codeHash, createdBy));

    public async Task<Outcome<Invitation>> CreateAsync(DbConnection connection, DbTransaction transaction,
        long streetId, long? communityId, InvitationInput input, string codeHash, long? createdBy)
    {
        long? companyId = null;
        if (input.Role == Roles.PropertyStaff)
        {
            companyId = (await CommunityAdminStore.ServingCompanyAsync(connection, transaction, communityId!.Value))?.Id;
            if (companyId is null)
            {
                return Failure.Conflict("The community has no property company yet: the street office sets one first (PUT …/property-company).");
            }
        }
        var now = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO invitations (code_hash, role, street_id, community_id, property_company_id, manager, note, created_by, created_at, expires_at)
            VALUES (@codeHash, @Role, @streetId, @communityId, @companyId, @manager, @Note, @createdBy, @now, @expiresAt)
            RETURNING id;
            """, new
            {
                codeHash, input.Role, streetId, communityId, companyId, manager = input.Manager == true, input.Note, createdBy, now,
                expiresAt = now + (input.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : DefaultLifetime),
            }, transaction);
        return (await connection.QuerySingleAsync<Invitation>($"SELECT {Columns} FROM invitations WHERE id = @id;", new { id }, transaction));
    }

    /// <summary>
    /// Redeems a code: 404 when no invitation has it; 409 when it was used, revoked or has expired, or the
    /// property company it was issued for no longer serves. The role is granted and logged in the same unit of work.
    /// </summary>
    public Task<Outcome<Invitation>> RedeemAsync(long userId, string codeHash) =>
        database.WriteAsync<Outcome<Invitation>>(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var invitation = await connection.QuerySingleOrDefaultAsync<Row>(
                """
                SELECT id, role, street_id, community_id, property_company_id, manager, state, expires_at, created_by
                FROM invitations WHERE code_hash = @codeHash;
                """, new { codeHash }, transaction);
            if (invitation is null)
            {
                return Failure.NotFound("Invitation");
            }
            if (invitation.State != "open")
            {
                return Failure.Conflict($"This invitation was already {invitation.State}.");
            }
            if (invitation.ExpiresAt <= now)
            {
                return Failure.Conflict("This invitation has expired; ask for a new one.");
            }
            if (invitation.PropertyCompanyId is { } companyId && !await connection.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM property_companies WHERE id = @companyId AND state = 'serving');", new { companyId }, transaction))
            {
                return Failure.Conflict("The property company this invitation was for no longer serves the community.");
            }
            if (await connection.ExecuteAsync(
                    "UPDATE invitations SET state = 'redeemed', redeemed_by = @userId, redeemed_at = @now WHERE id = @Id AND state = 'open';",
                    new { userId, now, invitation.Id }, transaction) != 1)
            {
                return Failure.Conflict("This invitation was used meanwhile.");
            }
            await GrantAsync(connection, transaction, userId, invitation, now);
            await log.RecordAsync(connection, transaction, new RoleChangeRecord(invitation.StreetId, invitation.CommunityId, userId, invitation.Role,
                "granted", RoleChangeCauses.Invitation, InvitationId: invitation.Id, ChangedBy: invitation.CreatedBy));
            if (invitation.CreatedBy is { } inviter)
            {
                await inbox.NotifyUserAsync(connection, transaction, inviter, new Notice("invitation_redeemed", "邀请已接受",
                    $"您发出的{Roles.Label(invitation.Role)}邀请已被接受。", invitation.CommunityId, "invitation", invitation.Id));
            }
            return (await connection.QuerySingleAsync<Invitation>($"SELECT {Columns} FROM invitations WHERE id = @Id;", invitation, transaction));
        });

    private static async Task GrantAsync(DbConnection connection, DbTransaction transaction, long userId, Row invitation, DateTimeOffset now)
    {
        if (invitation.Role == Roles.StreetAdmin)
        {
            await connection.ExecuteAsync(
                "INSERT INTO memberships (user_id, street_id, role, created_at) VALUES (@userId, @StreetId, 'street_admin', @now) ON CONFLICT DO NOTHING;",
                new { userId, invitation.StreetId, now }, transaction);
            return;
        }
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO memberships (user_id, community_id, role, property_company_id, manager, created_at)
            VALUES (@userId, @CommunityId, @Role, @PropertyCompanyId, @Manager, @now)
            ON CONFLICT DO NOTHING;
            """, new { userId, invitation.CommunityId, invitation.Role, invitation.PropertyCompanyId, invitation.Manager, now }, transaction);
        if (inserted == 0)
        {
            // Already held (say, staff re-invited as a manager): the invitation's terms apply.
            await connection.ExecuteAsync(
                """
                UPDATE memberships SET property_company_id = @PropertyCompanyId, manager = @Manager, verification = 'verified'
                WHERE user_id = @userId AND community_id = @CommunityId AND role = @Role AND unit_id IS NULL;
                """, new { userId, invitation.CommunityId, invitation.Role, invitation.PropertyCompanyId, invitation.Manager }, transaction);
        }
    }

    /// <summary>Revokes an unused invitation; 409 when it was already redeemed or revoked.</summary>
    public Task<Outcome<bool>> RevokeAsync(long invitationId, long userId) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var revoked = await connection.ExecuteAsync(
                "UPDATE invitations SET state = 'revoked', revoked_by = @userId, revoked_at = @now WHERE id = @invitationId AND state = 'open';",
                new { invitationId, userId, now = time.GetUtcNow() }, transaction);
            return revoked == 1 ? true : Failure.Conflict("Only an unused invitation can be revoked.");
        });

    /// <summary>The street of that name, created when it is new (the admin command's bootstrap).</summary>
    public static async Task<(long Id, bool Created)> FindOrCreateStreetAsync(DbConnection connection, DbTransaction transaction, string name)
    {
        if (await connection.ExecuteScalarAsync<long?>("SELECT id FROM streets WHERE name = @name ORDER BY id LIMIT 1;", new { name }, transaction) is { } id)
        {
            return (id, false);
        }
        return (await connection.ExecuteScalarAsync<long>("INSERT INTO streets (name) VALUES (@name) RETURNING id;", new { name }, transaction), true);
    }
}
