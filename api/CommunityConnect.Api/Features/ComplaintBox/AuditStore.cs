using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using static CommunityConnect.Api.Features.ComplaintBox.OpinionQueries;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>Unsealing an anonymous author (the party secretary, with a reason) and the audit log that records every unsealing.</summary>
public sealed class AuditStore(Database database, AuthorSeal seal, TimeProvider time)
{
    /// <summary>
    /// Opens the seal of an anonymous opinion for the party secretary, writing the audit row (who,
    /// what, why) in the same transaction: no unsealing without its record.
    /// </summary>
    public Task<Outcome<UnsealedAuthor>> UnsealAsync(long opinionId, OpinionViewer viewer, string reason) =>
        database.WriteAsync<Outcome<UnsealedAuthor>>(async (connection, transaction) =>
        {
            if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
            {
                return Failure.NotFound("Opinion");
            }
            if (!viewer.Access.Has(Roles.PartySecretary))
            {
                return Failure.Forbidden("Only the party secretary may unseal an anonymous author.");
            }
            var sealedAuthor = await SealedAuthorAsync(connection, transaction, opinionId);
            if (!seen.Row.Anonymous || sealedAuthor is null)
            {
                return Failure.Conflict("This opinion is not anonymous: its author is shown on it.");
            }
            var auditId = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO audit_log (community_id, action, actor_id, actor_label, item_kind, item_id, reason, at)
                VALUES (@CommunityId, 'unseal_opinion_author', @UserId, @actorLabel, 'opinion', @opinionId, @reason, @now)
                RETURNING id;
                """,
                new { seen.Row.CommunityId, viewer.UserId, actorLabel = viewer.DisplayName, opinionId, reason, now = time.GetUtcNow() },
                transaction);
            var authorId = seal.Unseal(sealedAuthor, opinionId);
            var displayName = await connection.ExecuteScalarAsync<string>(
                "SELECT display_name FROM users WHERE id = @authorId;", new { authorId }, transaction);
            return new UnsealedAuthor(opinionId, new UnsealedUser(authorId, displayName ?? ""), auditId);
        });

    /// <summary>
    /// The sealed author of an opinion (null: not anonymous) on any connection, SQLite's or PostgreSQL's: the
    /// one read <see cref="UnsealAsync"/> opens with <see cref="AuthorSeal.Unseal"/> (the move to PostgreSQL is checked with it).
    /// </summary>
    internal static Task<string?> SealedAuthorAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, long opinionId) =>
        connection.ExecuteScalarAsync<string?>("SELECT sealed_author FROM opinions WHERE id = @opinionId;", new { opinionId }, transaction);

    /// <summary>The community's audit log, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(long communityId, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<AuditEntry>(
            """
            SELECT id AS Id, action AS Action, actor_id AS ActorId, actor_label AS Actor, item_kind AS ItemKind, item_id AS ItemId, reason AS Reason, at AS At
            FROM audit_log
            WHERE community_id = @communityId AND (@beforeId IS NULL OR id < @beforeId)
            ORDER BY id DESC
            LIMIT @take;
            """, new { communityId, beforeId, take })).ToList();
    }
}
