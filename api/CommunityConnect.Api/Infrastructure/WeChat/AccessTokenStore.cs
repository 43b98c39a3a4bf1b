using System.Data.Common;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.WeChat;

/// <summary>The shared row of one app's access token (migration 0021), as a node read it.</summary>
public sealed record StoredAccessToken(
    long Generation, string? SealedToken, DateTimeOffset? FetchedAt, DateTimeOffset? ExpiresAt, string? LeaseHolder, DateTimeOffset? LeaseUntil)
{
    public bool HasToken => SealedToken is not null && FetchedAt is not null && ExpiresAt is not null;

    /// <summary>Whether another node holds the lease at <paramref name="now"/> (it is fetching, or died less than a lease ago).</summary>
    public bool IsLeased(DateTimeOffset now) => LeaseUntil is { } until && until > now;
}

/// <summary>
/// The SQL of <c>wechat_access_tokens</c>. Every change names the state it expects (the generation it
/// read, a free lease, its own lease) and answers whether the row was in it, so two nodes never both
/// fetch, and a node never drops or overwrites a token that another node stored meanwhile. Reads go
/// through the engine-neutral <see cref="DbDataSource"/>, writes through <see cref="Database.WriteAsync{T}"/>.
/// </summary>
public sealed class AccessTokenStore(Database database, DbDataSource dataSource)
{
    public async Task<StoredAccessToken?> ReadAsync(string appId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredAccessToken>(new CommandDefinition(Sql.Read, new { appId }, cancellationToken: cancellationToken));
    }

    /// <summary>The app's row, empty, unless it is there already (the first node of an installation, or of a new app id).</summary>
    public Task EnsureRowAsync(string appId) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(Sql.EnsureRow, new { appId }, transaction));

    /// <summary>
    /// Takes the lease to fetch a token, from the state the node read: the same generation and no live
    /// lease (none, or one whose holder let it run out). False when another node was first.
    /// </summary>
    public async Task<bool> TakeLeaseAsync(string appId, long generation, string holder, DateTimeOffset now, DateTimeOffset until) =>
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            Sql.TakeLease, new { appId, generation, holder, now, until }, transaction)) == 1;

    /// <summary>
    /// Stores a fetched token and gives the lease back, only while <paramref name="holder"/> still holds it
    /// (a holder whose lease ran out and was taken over stores nothing). The new generation, or null.
    /// </summary>
    public Task<long?> StoreAsync(string appId, string holder, string sealedToken, DateTimeOffset fetchedAt, DateTimeOffset expiresAt) =>
        database.WriteAsync((connection, transaction) => connection.QuerySingleOrDefaultAsync<long?>(
            Sql.Store, new { appId, holder, sealedToken, fetchedAt, expiresAt }, transaction));

    /// <summary>Gives the lease back without a token (the fetch failed), so the next node need not wait for it to run out.</summary>
    public async Task<bool> ReleaseLeaseAsync(string appId, string holder) =>
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(Sql.ReleaseLease, new { appId, holder }, transaction)) == 1;

    /// <summary>
    /// Drops the token WeChat rejected, only if the row still holds that one (its generation): a newer
    /// token another node stored after it is kept. False when the row had moved on.
    /// </summary>
    public async Task<bool> DropRejectedAsync(string appId, long generation) =>
        await database.WriteAsync((connection, transaction) => connection.ExecuteAsync(Sql.DropRejected, new { appId, generation }, transaction)) == 1;

    /// <summary>The statements, in the dialect both engines speak (a test runs them on PostgreSQL).</summary>
    internal static class Sql
    {
        public const string Read =
            """
            SELECT generation, sealed_token, fetched_at, expires_at, lease_holder, lease_until
            FROM wechat_access_tokens WHERE app_id = @appId;
            """;

        public const string EnsureRow =
            "INSERT INTO wechat_access_tokens (app_id, generation) VALUES (@appId, 0) ON CONFLICT (app_id) DO NOTHING;";

        public const string TakeLease =
            """
            UPDATE wechat_access_tokens SET lease_holder = @holder, lease_until = @until
            WHERE app_id = @appId AND generation = @generation AND (lease_until IS NULL OR lease_until <= @now);
            """;

        public const string Store =
            """
            UPDATE wechat_access_tokens
            SET sealed_token = @sealedToken, fetched_at = @fetchedAt, expires_at = @expiresAt, generation = generation + 1,
                lease_holder = NULL, lease_until = NULL
            WHERE app_id = @appId AND lease_holder = @holder
            RETURNING generation;
            """;

        public const string ReleaseLease =
            "UPDATE wechat_access_tokens SET lease_holder = NULL, lease_until = NULL WHERE app_id = @appId AND lease_holder = @holder;";

        public const string DropRejected =
            """
            UPDATE wechat_access_tokens SET sealed_token = NULL, fetched_at = NULL, expires_at = NULL, generation = generation + 1
            WHERE app_id = @appId AND generation = @generation AND sealed_token IS NOT NULL;
            """;
    }
}
