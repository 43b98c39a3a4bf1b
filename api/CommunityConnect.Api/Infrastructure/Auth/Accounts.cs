using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>
/// Whether the user a token names still exists. A token can outlive its user (a database restored
/// from before the user joined, a removed account); authentication asks here, once per request, so
/// every route answers such a token 401 alike instead of failing later on a foreign key. The one
/// place to cache the answer when that is worth it.
/// </summary>
public sealed class Accounts(Database database)
{
    public const string Gone = "This account no longer exists.";

    public async Task<bool> ExistsAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM users WHERE id = @userId);", new { userId });
    }
}

/// <summary>The failure authentication records for a valid token whose user does not exist.</summary>
public sealed class AccountGoneException() : Exception(Accounts.Gone);
