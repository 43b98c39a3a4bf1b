using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Infrastructure.Anonymity;

/// <summary>
/// Builds the keyrings (<see cref="AnonymousKeyrings"/>, migration 0019) for anonymous items registered
/// before them: for each user, the register's pseudonyms recomputed with the keys
/// (<see cref="AnonymousAuthors.RecomputeMine"/>) say which items are theirs; those not yet in their keyring
/// are added. O(users × items) HMACs, once. A keyring that already holds all of them is left as it is,
/// so a second run changes nothing.
/// </summary>
public sealed class KeyringMigration(AnonymousAuthors authors, AnonymousKeyrings keyrings) : IDataMigration
{
    public string Version => "0019_anonymous_keyrings_data";

    public async Task<int> RunAsync(DbConnection connection, DbTransaction transaction)
    {
        var register = (await connection.QueryAsync<(string Pseudonym, string Nonce)>(
            "SELECT pseudonym, nonce FROM anonymous_items ORDER BY item_kind, item_id;", transaction: transaction))
            .Select(r => new AnonymousAuthor(r.Pseudonym, r.Nonce)).ToList();
        if (register.Count == 0)
        {
            return 0;
        }
        var changed = 0;
        foreach (var userId in await connection.QueryAsync<long>("SELECT id FROM users ORDER BY id;", transaction: transaction))
        {
            var mine = authors.RecomputeMine(userId, register);
            if (mine.Count > 0 && await keyrings.AddAsync(connection, transaction, userId, mine))
            {
                changed++;
            }
        }
        return changed;
    }
}
