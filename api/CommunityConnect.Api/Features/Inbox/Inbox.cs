using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Inbox;

/// <summary>A notice for someone's inbox; <see cref="ItemKind"/>/<see cref="ItemId"/> say what it is about.</summary>
public sealed record Notice(string Kind, string Title, string Body, long? CommunityId = null, string? ItemKind = null, long? ItemId = null);

/// <summary>
/// Something else a notice to a known user sets off in the same unit of work (a WeChat message in
/// the outbox). Never called for recipients known only by their keyed hash: an anonymous author
/// gets inbox notices only.
/// </summary>
public interface INoticeMirror
{
    Task MirrorAsync(DbConnection connection, DbTransaction transaction, long userId, long notificationId, Notice notice);
}

/// <summary>
/// Writes inbox notices inside the caller's unit of work, so a notice exists exactly when the event
/// it reports does. Recipients are stored as keyed hashes (see <see cref="RecipientKeys"/>).
/// </summary>
public sealed class Inbox(RecipientKeys keys, TimeProvider time, IEnumerable<INoticeMirror> mirrors)
{
    private readonly IReadOnlyList<INoticeMirror> _mirrors = mirrors.ToList();

    public Task NotifyUserAsync(DbConnection connection, DbTransaction transaction, long userId, Notice notice) =>
        NotifyUsersAsync(connection, transaction, [userId], notice);

    public async Task NotifyUsersAsync(DbConnection connection, DbTransaction transaction, IEnumerable<long> userIds, Notice notice)
    {
        foreach (var userId in userIds.Distinct())
        {
            var notificationId = await InsertAsync(connection, transaction, keys.ForUser(userId), notice);
            foreach (var mirror in _mirrors)
            {
                await mirror.MirrorAsync(connection, transaction, userId, notificationId, notice);
            }
        }
    }

    /// <summary>Everyone holding one of <paramref name="roles"/> in the community.</summary>
    public async Task NotifyRolesAsync(DbConnection connection, DbTransaction transaction, long communityId, IEnumerable<string> roles, Notice notice, long? exceptUserId = null)
    {
        var userIds = await connection.QueryAsync<long>(
            """
            SELECT DISTINCT user_id FROM memberships
            WHERE community_id = @communityId AND role IN @roles AND verification = 'verified';
            """, new { communityId, roles = SqlLists.OrNone(roles, "") }, transaction);
        await NotifyUsersAsync(connection, transaction, userIds.Where(id => id != exceptUserId), notice);
    }

    /// <summary>For recipients known only by their keyed hash (an anonymous author): the inbox only, never WeChat.</summary>
    public async Task NotifyKeysAsync(DbConnection connection, DbTransaction transaction, IEnumerable<string> recipientKeys, Notice notice)
    {
        foreach (var recipientKey in recipientKeys.Distinct())
        {
            await InsertAsync(connection, transaction, recipientKey, notice);
        }
    }

    private Task<long> InsertAsync(DbConnection connection, DbTransaction transaction, string recipientKey, Notice notice) =>
        connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO notifications (recipient_key, community_id, kind, title, body, item_kind, item_id, created_at)
            VALUES (@recipientKey, @CommunityId, @Kind, @Title, @Body, @ItemKind, @ItemId, @now)
            RETURNING id;
            """,
            new { recipientKey, notice.CommunityId, notice.Kind, notice.Title, notice.Body, notice.ItemKind, notice.ItemId, now = time.GetUtcNow() },
            transaction);
}
