using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>
/// Moves anonymous opinions of the old form (issue 12), whose rows carried the author's named key
/// (<c>RecipientKeys.ForUser</c>), to the new one: the opinion, its case, its author's notices and the
/// author's own "me too" on it now carry a pseudonym of the opinion alone, registered in
/// <c>anonymous_items</c> and added to the author's keyring. The author is found with the keys: the seal (<c>sealed_author</c>), else the
/// named key recomputed for each user. An opinion already registered is left alone, so a second run
/// changes nothing. Idempotency records are left as they are: they are keyed by a hash of (user,
/// Idempotency-Key), never the named key, and expire within 24 hours.
/// </summary>
public sealed class SealingMigration(AuthorSeal seal, RecipientKeys keys, AnonymousAuthors anonymousAuthors) : IDataMigration
{
    public string Version => "0014_sealing_data";

    /// <summary>The notices the old code sent to an anonymous author about the opinion or its case (to bodies: other kinds, or "一件…").</summary>
    private const string AuthorNotice =
        "(kind IN ('opinion_answered', 'opinion_closed', 'case_response') OR (kind = 'case_escalated' AND title LIKE '您的%'))";

    public async Task<int> RunAsync(DbConnection connection, DbTransaction transaction)
    {
        var oldForm = (await connection.QueryAsync<(long Id, long? CaseId, string AuthorKey, string? SealedAuthor)>(
            """
            SELECT o.id, o.case_id, o.author_key, o.sealed_author FROM opinions o
            WHERE o.anonymous = 1
              AND NOT EXISTS (SELECT 1 FROM anonymous_items a WHERE a.item_kind = @item AND a.item_id = o.id)
            ORDER BY o.id;
            """, new { item = OpinionStore.OpinionItem }, transaction)).ToList();
        if (oldForm.Count == 0)
        {
            return 0;
        }
        Dictionary<string, long>? usersByKey = null;
        var changed = 0;
        foreach (var opinion in oldForm)
        {
            long? userId = opinion.SealedAuthor is { } sealedAuthor ? seal.Unseal(sealedAuthor, opinion.Id) : null;
            if (userId is null)
            {
                usersByKey ??= (await connection.QueryAsync<long>("SELECT id FROM users;", transaction: transaction)).ToDictionary(keys.ForUser);
                userId = usersByKey.TryGetValue(opinion.AuthorKey, out var found) ? found : null;
            }
            if (userId is not { } authorId)
            {
                continue; // no way back to an author: nothing of theirs to move
            }
            var author = anonymousAuthors.NewAuthor(authorId);
            var oldKeys = new[] { opinion.AuthorKey, keys.ForUser(authorId) };
            var parameters = new { opinion.Id, opinion.CaseId, pseudonym = author.Pseudonym, oldKeys };
            changed += await connection.ExecuteAsync("UPDATE opinions SET author_key = @pseudonym WHERE id = @Id AND author_key IN @oldKeys;", parameters, transaction);
            await anonymousAuthors.RegisterAsync(connection, transaction, authorId, author, OpinionStore.OpinionItem, opinion.Id);
            changed += await connection.ExecuteAsync("UPDATE cases SET author_key = @pseudonym WHERE id = @CaseId AND author_key IN @oldKeys;", parameters, transaction);
            changed += await connection.ExecuteAsync(
                $"""
                 UPDATE notifications SET recipient_key = @pseudonym
                 WHERE recipient_key IN @oldKeys AND {AuthorNotice}
                   AND ((item_kind = 'opinion' AND item_id = @Id) OR (item_kind = 'case' AND item_id = @CaseId));
                 """, parameters, transaction);
            changed += await connection.ExecuteAsync(
                "UPDATE opinion_agreements SET user_key = @pseudonym WHERE opinion_id = @Id AND user_key IN @oldKeys;", parameters, transaction);
        }
        return changed;
    }
}
