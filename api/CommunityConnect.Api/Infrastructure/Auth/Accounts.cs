using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>
/// Whether the user a token names still exists. A token can outlive its user (a database restored
/// from before the user joined, a removed account); authentication asks here, once per request, so
/// every route answers such a token 401 alike instead of failing later on a foreign key. Users who
/// exist are kept in memory (checked against the installation's cache version, which a deleted user
/// bumps), so a request costs no round trip for it; one that does not exist is asked again each time.
/// </summary>
public sealed class Accounts(Database database, CommunityVersions versions, IOptions<CacheOptions> options)
{
    public const string Gone = "This account no longer exists.";

    private readonly CommunityCache<long, Account?> _known = CommunityCache<long, Account?>.OfRules(versions, options.Value);

    public async Task<bool> ExistsAsync(long userId, CancellationToken cancellationToken = default) =>
        await FindAsync(userId, cancellationToken) is not null;

    /// <summary>The user, or null when there is none with this id.</summary>
    public Task<Account?> FindAsync(long userId, CancellationToken cancellationToken = default) =>
        _known.GetAsync(CommunityVersions.Installation, userId, async () =>
        {
            await using var connection = await database.OpenReadAsync(cancellationToken);
            return await connection.QuerySingleOrDefaultAsync<Account>(
                "SELECT id AS Id, openid AS OpenId FROM users WHERE id = @userId;", new { userId });
        }, keep: account => account is not null);
}

/// <summary>A user as authentication and the content check know it: the id, and the WeChat openid (null for demo users).</summary>
public sealed record Account(long Id, string? OpenId);

/// <summary>The failure authentication records for a valid token whose user does not exist.</summary>
public sealed class AccountGoneException() : Exception(Accounts.Gone);
