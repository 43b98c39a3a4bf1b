using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Features.Inbox;

/// <summary>A notice for someone's inbox; <see cref="ItemKind"/>/<see cref="ItemId"/> say what it is about.</summary>
public sealed record Notice(string Kind, string Title, string Body, long? CommunityId = null, string? ItemKind = null, long? ItemId = null);

/// <summary>
/// Writes inbox notices inside the caller's unit of work, so a notice exists exactly when the event
/// it reports does. Recipients are stored as keyed hashes (see <see cref="RecipientKeys"/>).
/// </summary>
public sealed class Inbox(RecipientKeys keys, TimeProvider time)
{
    public Task NotifyUserAsync(SqliteConnection connection, SqliteTransaction transaction, long userId, Notice notice) =>
        NotifyKeysAsync(connection, transaction, [keys.ForUser(userId)], notice);

    public Task NotifyUsersAsync(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<long> userIds, Notice notice) =>
        NotifyKeysAsync(connection, transaction, userIds.Distinct().Select(keys.ForUser), notice);

    /// <summary>Everyone holding one of <paramref name="roles"/> in the community.</summary>
    public async Task NotifyRolesAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId, IEnumerable<string> roles, Notice notice, long? exceptUserId = null)
    {
        var userIds = await connection.QueryAsync<long>(
            """
            SELECT DISTINCT user_id FROM memberships
            WHERE community_id = @communityId AND role IN @roles AND verification = 'verified';
            """, new { communityId, roles = roles.ToArray() }, transaction);
        await NotifyUsersAsync(connection, transaction, userIds.Where(id => id != exceptUserId), notice);
    }

    /// <summary>For recipients known only by their keyed hash (an anonymous author).</summary>
    public async Task NotifyKeysAsync(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<string> recipientKeys, Notice notice)
    {
        var now = time.GetUtcNow();
        foreach (var recipientKey in recipientKeys)
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO notifications (recipient_key, community_id, kind, title, body, item_kind, item_id, created_at)
                VALUES (@recipientKey, @CommunityId, @Kind, @Title, @Body, @ItemKind, @ItemId, @now);
                """,
                new { recipientKey, notice.CommunityId, notice.Kind, notice.Title, notice.Body, notice.ItemKind, notice.ItemId, now },
                transaction);
        }
    }
}
