using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>A member's support (+1) of threads and replies, and follows of threads; each idempotent.</summary>
public sealed class ReactionStore(Database database, TimeProvider time)
{
    /// <summary>Support (+1) on or off; idempotent. The counter moves only when the row does.</summary>
    public Task<Outcome<bool>> SetThreadSupportAsync(CommunityAccess access, long threadId, bool on) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var thread = await ThreadStore.LoadAsync(connection, transaction, threadId);
            if ((ThreadStore.CheckMember(thread, access) ?? ThreadStore.CheckOpenForTalk(thread!, time.GetUtcNow())) is { } failure)
            {
                return failure;
            }
            var changed = on
                ? await connection.ExecuteAsync(
                    "INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES (@threadId, @UserId, @now) ON CONFLICT DO NOTHING;",
                    new { threadId, access.UserId, now = time.GetUtcNow() }, transaction)
                : await connection.ExecuteAsync(
                    "DELETE FROM thread_supports WHERE thread_id = @threadId AND user_id = @UserId;", new { threadId, access.UserId }, transaction);
            if (changed == 1)
            {
                await connection.ExecuteAsync("UPDATE threads SET support_count = support_count + @delta WHERE id = @threadId;",
                    new { threadId, delta = on ? 1 : -1 }, transaction);
            }
            return true;
        });

    public Task<Outcome<bool>> SetReplySupportAsync(CommunityAccess access, long replyId, bool on) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var threadId = await connection.ExecuteScalarAsync<long?>(
                "SELECT thread_id FROM thread_replies WHERE id = @replyId AND review_state = 'published';", new { replyId }, transaction);
            var thread = threadId is null ? null : await ThreadStore.LoadAsync(connection, transaction, threadId.Value);
            if (thread is null)
            {
                return Failure.NotFound("Reply");
            }
            if ((ThreadStore.CheckMember(thread, access) ?? ThreadStore.CheckOpenForTalk(thread, time.GetUtcNow())) is { } failure)
            {
                return failure;
            }
            var changed = on
                ? await connection.ExecuteAsync(
                    "INSERT INTO reply_supports (reply_id, user_id, created_at) VALUES (@replyId, @UserId, @now) ON CONFLICT DO NOTHING;",
                    new { replyId, access.UserId, now = time.GetUtcNow() }, transaction)
                : await connection.ExecuteAsync(
                    "DELETE FROM reply_supports WHERE reply_id = @replyId AND user_id = @UserId;", new { replyId, access.UserId }, transaction);
            if (changed == 1)
            {
                await connection.ExecuteAsync("UPDATE thread_replies SET support_count = support_count + @delta WHERE id = @replyId;",
                    new { replyId, delta = on ? 1 : -1 }, transaction);
            }
            return true;
        });

    /// <summary>Follow on or off; idempotent. Followers get an inbox notice on each new reply and on a proposal's decision.</summary>
    public Task<Outcome<bool>> SetFollowAsync(CommunityAccess access, long threadId, bool on) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            if (ThreadStore.CheckMember(await ThreadStore.LoadAsync(connection, transaction, threadId), access) is { } failure)
            {
                return failure;
            }
            if (on)
            {
                await ThreadStore.FollowAsync(connection, transaction, threadId, access.UserId, time.GetUtcNow());
            }
            else
            {
                await connection.ExecuteAsync("DELETE FROM thread_follows WHERE thread_id = @threadId AND user_id = @UserId;",
                    new { threadId, access.UserId }, transaction);
            }
            return true;
        });
}
