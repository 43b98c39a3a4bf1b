using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// Replies: the list of a thread, posting one (slow mode, held for review), and what happens when
/// one becomes public (counted, the thread moves up, followers are told).
/// </summary>
public sealed class ReplyStore(Database database, HallFeed feed, Inbox.Inbox inbox, TimeProvider time)
{
    internal const string ReplyColumns =
        """
        SELECT r.id AS Id, r.thread_id AS ThreadId, r.reply_to AS ReplyTo, r.body AS Body, u.display_name AS AuthorName,
               r.author_role AS AuthorRole, r.support_count AS SupportCount, r.review_state AS ReviewState, r.created_at AS CreatedAt,
               EXISTS (SELECT 1 FROM reply_supports s WHERE s.reply_id = r.id AND s.user_id = @userId) AS SupportedByMe
        FROM thread_replies r JOIN users u ON u.id = r.author_id
        """;

    internal sealed class ReplyRow
    {
        public long Id { get; init; }
        public long ThreadId { get; init; }
        public long? ReplyTo { get; init; }
        public string Body { get; init; } = "";
        public string AuthorName { get; init; } = "";
        public string AuthorRole { get; init; } = "";
        public int SupportCount { get; init; }
        public string ReviewState { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public bool SupportedByMe { get; init; }

        public ThreadReply ToReply() => new(Id, ThreadId, ReplyTo, Body, new PostAuthor(AuthorName, AuthorRole), SupportCount, SupportedByMe, ReviewState, CreatedAt);
    }

    /// <summary>Replies, oldest first (take + 1 rows).</summary>
    public async Task<IReadOnlyList<ThreadReply>> RepliesAsync(long threadId, long userId, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<ReplyRow>(
            ReplyColumns + """

            WHERE r.thread_id = @threadId AND (r.review_state = 'published' OR r.author_id = @userId) AND (@afterId IS NULL OR r.id > @afterId)
            ORDER BY r.id
            LIMIT @take;
            """, new { threadId, userId, afterId, take });
        return rows.Select(r => r.ToReply()).ToList();
    }

    /// <summary>
    /// Posts a reply. A reply held for review is stored but neither counted, nor moves the thread,
    /// nor reaches followers until a moderator approves it.
    /// </summary>
    public async Task<Outcome<ThreadReply>> ReplyAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, long threadId, NewReply input,
        string reviewState = ReviewStates.Published)
    {
        var thread = await ThreadStore.LoadAsync(connection, transaction, threadId);
        if ((ThreadStore.CheckMember(thread, access) ?? ThreadStore.CheckOpenForTalk(thread!, time.GetUtcNow())) is { } failure)
        {
            return failure;
        }
        // Slow mode, checked again here in the unit of work so two replies sent at once cannot both slip through.
        // On PostgreSQL units run side by side: this no-op UPDATE takes the thread row's lock first (only in slow
        // mode), so the second reply waits for the first to commit and its check then sees it. SQLite's one
        // writer orders them anyway.
        await connection.ExecuteAsync(
            "UPDATE threads SET slow_mode_seconds = slow_mode_seconds WHERE id = @threadId AND slow_mode_seconds > 0;", new { threadId }, transaction);
        if (await SlowModeWaitAsync(connection, transaction, threadId, access.UserId, time.GetUtcNow()) is { } wait)
        {
            return Failure.TooSoon("This thread is in slow mode: wait before replying again.", wait);
        }
        if (input.ReplyTo is { } replyTo &&
            await connection.ExecuteScalarAsync<long?>("SELECT thread_id FROM thread_replies WHERE id = @replyTo;", new { replyTo }, transaction) != threadId)
        {
            return Failure.Invalid("replyTo must be a reply of this thread.");
        }
        var body = input.Body!.Trim();
        var replyId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO thread_replies (thread_id, reply_to, author_id, author_role, body, review_state, created_at)
            VALUES (@threadId, @ReplyTo, @UserId, @authorRole, @body, @reviewState, @now)
            RETURNING id;
            """, new { threadId, input.ReplyTo, access.UserId, authorRole = Roles.Label(access.DisplayRole), body, reviewState, now = time.GetUtcNow() }, transaction);
        if (reviewState == ReviewStates.Published)
        {
            await PublishReplyAsync(connection, transaction, thread!, replyId, access.UserId, body);
        }
        return await GetReplyAsync(connection, transaction, replyId, access.UserId);
    }

    /// <summary>How long the member must still wait before replying again in a thread in slow mode (null: may reply now).</summary>
    public async Task<TimeSpan?> SlowModeWaitAsync(long threadId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await SlowModeWaitAsync(connection, null, threadId, userId, time.GetUtcNow());
    }

    /// <summary>The same wait inside a unit of work (checked again on the writer).</summary>
    internal static async Task<TimeSpan?> SlowModeWaitAsync(DbConnection connection, DbTransaction? transaction, long threadId, long userId, DateTimeOffset now)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(long Seconds, long? LastAt)>(
            """
            SELECT t.slow_mode_seconds,
                   (SELECT MAX(r.created_at) FROM thread_replies r WHERE r.thread_id = t.id AND r.author_id = @userId)
            FROM threads t WHERE t.id = @threadId;
            """, new { threadId, userId }, transaction);
        if (row.Seconds <= 0 || row.LastAt is null)
        {
            return null;
        }
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(row.LastAt.Value).AddSeconds(row.Seconds) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>A reply becomes public: counted, the thread moves up, followers are told.</summary>
    internal async Task PublishReplyAsync(DbConnection connection, DbTransaction transaction, ThreadStore.ThreadState thread, long replyId, long authorId, string body,
        bool notifyFollowers = true)
    {
        await connection.ExecuteAsync("UPDATE threads SET reply_count = reply_count + 1 WHERE id = @Id;", new { thread.Id }, transaction);
        await feed.BumpAsync(connection, transaction, thread.CommunityId, thread.Id);
        if (!notifyFollowers)
        {
            return;
        }
        var followers = await ThreadStore.FollowersAsync(connection, transaction, thread.Id);
        await inbox.NotifyUsersAsync(connection, transaction, followers.Where(id => id != authorId),
            new Notice("thread_reply", $"「{UserText.Cut(thread.Title, 20)}」有新回复", UserText.Cut(body, 60), thread.CommunityId, "thread", thread.Id));
    }

    internal static async Task<ThreadReply> GetReplyAsync(DbConnection connection, DbTransaction? transaction, long replyId, long userId) =>
        (await connection.QuerySingleAsync<ReplyRow>(ReplyColumns + "\nWHERE r.id = @replyId;", new { replyId, userId }, transaction)).ToReply();
}
