using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Moderation;

public sealed record QueueItem(
    string Kind, long Id, long? ThreadId, string? Title, string Excerpt, string Author, string ReviewState, string? HiddenBy,
    int FlagCount, IReadOnlyList<string> FlagReasons, DateTimeOffset CreatedAt);

/// <summary>Where a page of the review queue ends: the last item's time, kind and id.</summary>
public sealed record QueueCursor(DateTimeOffset CreatedAt, string Kind, long Id) : IPageCursor<QueueCursor>
{
    public IEnumerable<object> Parts => [CreatedAt.ToUnixTimeMilliseconds(), Kind, Id];

    public static QueueCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 3 && CursorPart.Instant(parts[0]) is { } at && parts[1] is "thread" or "reply" && CursorPart.Id(parts[2]) is { } id
            ? new QueueCursor(at, parts[1], id)
            : null;
}

public sealed record FlagReceipt(long Id, string TargetKind, long TargetId, string Reason, int FlagCount, bool Hidden);

/// <summary>Flags, the review queue and the moderator actions on threads and replies.</summary>
public sealed class HallModerationStore(Database database, ModerationStore moderation, ThreadStore threads, HallFeed feed, ReplyStore replies,
    Inbox.Inbox inbox, TimeProvider time)
{
    /// <summary>Flags from this many different members hide an item until a moderator reviews it.</summary>
    public const int FlagsToHide = 3;

    private sealed class PostRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public long? ThreadId { get; init; }
        public long AuthorId { get; init; }
        public string ReviewState { get; init; } = "";
        public string? HiddenBy { get; init; }
        public bool Pinned { get; init; }
        public bool Locked { get; init; }
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
    }

    private static Task<PostRow?> FindAsync(DbConnection connection, DbTransaction? transaction, string kind, long id) =>
        kind == "thread"
            ? connection.QuerySingleOrDefaultAsync<PostRow>(
                """
                SELECT id AS Id, community_id AS CommunityId, NULL AS ThreadId, author_id AS AuthorId, review_state AS ReviewState,
                       hidden_by AS HiddenBy, pinned AS Pinned, locked AS Locked, title AS Title, body AS Body
                FROM threads WHERE id = @id;
                """, new { id }, transaction)
            : connection.QuerySingleOrDefaultAsync<PostRow>(
                """
                SELECT r.id AS Id, t.community_id AS CommunityId, r.thread_id AS ThreadId, r.author_id AS AuthorId, r.review_state AS ReviewState,
                       r.hidden_by AS HiddenBy, 0 AS Pinned, 0 AS Locked, t.title AS Title, r.body AS Body
                FROM thread_replies r JOIN threads t ON t.id = r.thread_id WHERE r.id = @id;
                """, new { id }, transaction);

    /// <summary>A member flags a post once; at <see cref="FlagsToHide"/> different members it is hidden pending review.</summary>
    public async Task<Outcome<FlagReceipt>> FlagAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, string kind, long id, string reason)
    {
        var post = await FindAsync(connection, transaction, kind, id);
        if (post is null || post.CommunityId != access.CommunityId)
        {
            return Failure.NotFound(kind == "thread" ? "Thread" : "Reply");
        }
        if (!access.IsMember)
        {
            return Failure.Forbidden("Only members of the community flag posts.");
        }
        if (post.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This post is already under review.");
        }
        var flagId = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO content_flags (community_id, target_kind, target_id, user_id, reason, created_at)
            VALUES (@CommunityId, @kind, @id, @UserId, @reason, @now)
            ON CONFLICT (target_kind, target_id, user_id) DO NOTHING
            RETURNING id;
            """, new { access.CommunityId, kind, id, access.UserId, reason, now = time.GetUtcNow() }, transaction);
        if (flagId is null)
        {
            return Failure.Conflict("You have already flagged this post.");
        }
        var count = await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM content_flags WHERE target_kind = @kind AND target_id = @id;", new { kind, id }, transaction);
        var hidden = count >= FlagsToHide;
        // Only the flag that moves a published post hides it; a flag that finds it hidden already (another
        // flag or a moderator came first) neither logs nor notifies again.
        if (hidden && await SetReviewAsync(connection, transaction, kind, id, post, ReviewStates.Hidden, "flags", null))
        {
            if (kind == "thread")
            {
                await feed.MovedInFeedAsync(connection, transaction, post.CommunityId, id);
            }
            else
            {
                await connection.ExecuteAsync("UPDATE threads SET reply_count = reply_count - 1 WHERE id = @ThreadId;", post, transaction);
            }
            await moderation.LogAsync(connection, transaction, post.CommunityId, null, "系统", "hidden_by_flags", kind, id, $"{count} flags");
            await inbox.NotifyRolesAsync(connection, transaction, post.CommunityId, [Roles.PartySecretary],
                new Notice("moderation_flagged", "有内容被多人举报,已暂时隐藏", UserText.Cut(post.Title, 30), post.CommunityId, kind, id));
        }
        return new FlagReceipt(flagId.Value, kind, id, reason, count, hidden);
    }

    /// <summary>What waits for a moderator: held posts and posts hidden by flags.</summary>
    /// <summary>Oldest first; the cursor is (created at, kind, id) of the last item seen. Answers take + 1 items at most.</summary>
    public async Task<IReadOnlyList<QueueItem>> QueueAsync(long communityId, QueueCursor? after, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<QueueRow>(
            """
            SELECT * FROM (
                SELECT 'thread' AS Kind, t.id AS Id, CAST(NULL AS BIGINT) AS ThreadId, t.title AS Title, t.body AS Body, u.display_name AS Author,
                       t.review_state AS ReviewState, t.hidden_by AS HiddenBy, t.created_at AS CreatedAt
                FROM threads t JOIN users u ON u.id = t.author_id
                WHERE t.community_id = @communityId AND (t.review_state = 'pending' OR (t.review_state = 'hidden' AND t.hidden_by = 'flags'))
                UNION ALL
                SELECT 'reply', r.id, r.thread_id, t.title, r.body, u.display_name, r.review_state, r.hidden_by, r.created_at
                FROM thread_replies r JOIN threads t ON t.id = r.thread_id JOIN users u ON u.id = r.author_id
                WHERE t.community_id = @communityId AND (r.review_state = 'pending' OR (r.review_state = 'hidden' AND r.hidden_by = 'flags'))
            ) AS queue
            WHERE @afterAt IS NULL OR (CreatedAt, Kind, Id) > (@afterAt, @afterKind, @afterId)
            ORDER BY CreatedAt, Kind, Id
            LIMIT @take;
            """, new { communityId, afterAt = after?.CreatedAt, afterKind = after?.Kind, afterId = after?.Id, take })).ToList();
        var targets = rows.Select(r => $"{r.Kind}:{r.Id}").ToArray();
        var flags = (await connection.QueryAsync<(string Kind, long Id, string Reason)>(
            """
            SELECT target_kind, target_id, reason FROM content_flags
            WHERE community_id = @communityId AND target_kind || ':' || target_id IN @targets;
            """, new { communityId, targets = SqlLists.OrNone(targets, "") }))
            .ToLookup(f => (f.Kind, f.Id), f => f.Reason);
        return rows.Select(r => new QueueItem(r.Kind, r.Id, r.ThreadId, r.Title, UserText.Cut(r.Body, 120), r.Author, r.ReviewState, r.HiddenBy,
            flags[(r.Kind, r.Id)].Count(), flags[(r.Kind, r.Id)].Distinct().ToList(), r.CreatedAt)).ToList();
    }

    private sealed class QueueRow
    {
        public string Kind { get; init; } = "";
        public long Id { get; init; }
        public long? ThreadId { get; init; }
        public string? Title { get; init; }
        public string Body { get; init; } = "";
        public string Author { get; init; } = "";
        public string ReviewState { get; init; } = "";
        public string? HiddenBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    /// <summary>
    /// A moderator action on a thread or reply: approve, hide, restore (both kinds); pin, unpin,
    /// lock, unlock (threads). 404 → 403 → 409; logged with who, what, why and when.
    /// </summary>
    public Task<Outcome<bool>> ActAsync(CommunityAccess access, string actorName, string kind, long id, string action, string? reason) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var post = await FindAsync(connection, transaction, kind, id);
            if (post is null || post.CommunityId != access.CommunityId)
            {
                return Failure.NotFound(kind == "thread" ? "Thread" : "Reply");
            }
            if (!await ModerationStore.IsModeratorAsync(connection, transaction, access))
            {
                return Failure.Forbidden("Only the hall's moderators do this.");
            }
            var failure = action switch
            {
                "approve" when post.ReviewState == ReviewStates.Published => Failure.Conflict("This post is already published."),
                "approve" when post.ReviewState == ReviewStates.Hidden && post.HiddenBy == "moderator" => Failure.Conflict("A moderator hid this post: restore it instead."),
                "hide" when post.ReviewState == ReviewStates.Hidden && post.HiddenBy == "moderator" => Failure.Conflict("This post is already hidden."),
                "restore" when post.ReviewState != ReviewStates.Hidden => Failure.Conflict("Only a hidden post can be restored."),
                "pin" when post.Pinned => Failure.Conflict("This thread is already pinned."),
                "unpin" when !post.Pinned => Failure.Conflict("This thread is not pinned."),
                "lock" when post.Locked => Failure.Conflict("This thread is already locked."),
                "unlock" when !post.Locked => Failure.Conflict("This thread is not locked."),
                _ => null,
            };
            if (failure is not null)
            {
                return failure;
            }
            switch (action)
            {
                case "approve" or "restore":
                    if (!await SetReviewAsync(connection, transaction, kind, id, post, ReviewStates.Published, null, null))
                    {
                        return ChangedMeanwhile;
                    }
                    await PublishedAsync(connection, transaction, kind, post);
                    break;
                case "hide":
                    if (!await SetReviewAsync(connection, transaction, kind, id, post, ReviewStates.Hidden, "moderator", reason))
                    {
                        return ChangedMeanwhile;
                    }
                    if (kind == "reply" && post.ReviewState == ReviewStates.Published)
                    {
                        await connection.ExecuteAsync("UPDATE threads SET reply_count = reply_count - 1 WHERE id = @ThreadId;", post, transaction);
                    }
                    await inbox.NotifyUserAsync(connection, transaction, post.AuthorId,
                        new Notice("moderation_hidden", kind == "thread" ? "您的帖子已被隐藏" : "您的回复已被隐藏", $"原因:{reason}", post.CommunityId,
                            kind == "thread" ? "thread" : "reply", id));
                    break;
                case "pin" or "unpin":
                    if (await connection.ExecuteAsync("UPDATE threads SET pinned = @pinned WHERE id = @id AND pinned = @was;",
                            new { id, pinned = action == "pin", was = post.Pinned }, transaction) != 1)
                    {
                        return ChangedMeanwhile;
                    }
                    break;
                case "lock" or "unlock":
                    if (await connection.ExecuteAsync("UPDATE threads SET locked = @locked WHERE id = @id AND locked = @was;",
                            new { id, locked = action == "lock", was = post.Locked }, transaction) != 1)
                    {
                        return ChangedMeanwhile;
                    }
                    break;
            }
            if (kind == "thread" && action is "approve" or "restore" or "hide" or "pin" or "unpin")
            {
                await feed.MovedInFeedAsync(connection, transaction, post.CommunityId, id);
            }
            await moderation.LogAsync(connection, transaction, post.CommunityId, access.UserId, actorName, action, kind, id, reason);
            return true;
        });

    /// <summary>Slow mode: the seconds a member must wait between two replies in the thread (0: off).</summary>
    public Task<Outcome<bool>> SetSlowModeAsync(CommunityAccess access, string actorName, long threadId, int seconds) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var post = await FindAsync(connection, transaction, "thread", threadId);
            if (post is null || post.CommunityId != access.CommunityId)
            {
                return Failure.NotFound("Thread");
            }
            if (!await ModerationStore.IsModeratorAsync(connection, transaction, access))
            {
                return Failure.Forbidden("Only the hall's moderators set slow mode.");
            }
            await connection.ExecuteAsync("UPDATE threads SET slow_mode_seconds = @seconds WHERE id = @threadId;", new { threadId, seconds }, transaction);
            await moderation.LogAsync(connection, transaction, post.CommunityId, access.UserId, actorName, "slow_mode", "thread", threadId, $"{seconds} seconds");
            return true;
        });

    private static readonly Failure ChangedMeanwhile = Failure.Conflict("This post was changed by someone else meanwhile; read it again.");

    /// <summary>Moves the post's review state from the one it was read in (state and who hid it); false when it had moved already.</summary>
    private static async Task<bool> SetReviewAsync(DbConnection connection, DbTransaction transaction, string kind, long id, PostRow read,
        string state, string? hiddenBy, string? reason) =>
        await connection.ExecuteAsync(
            kind == "thread"
                ? """
                  UPDATE threads SET review_state = @state, hidden_by = @hiddenBy, hidden_reason = @reason
                  WHERE id = @id AND review_state = @fromState AND COALESCE(hidden_by, '') = @fromHiddenBy;
                  """
                : """
                  UPDATE thread_replies SET review_state = @state, hidden_by = @hiddenBy, hidden_reason = @reason
                  WHERE id = @id AND review_state = @fromState AND COALESCE(hidden_by, '') = @fromHiddenBy;
                  """,
            new { id, state, hiddenBy, reason, fromState = read.ReviewState, fromHiddenBy = read.HiddenBy ?? "" }, transaction) == 1;

    /// <summary>
    /// A reply that becomes public is counted (and reaches followers the first time). A moderator's
    /// decision clears the flags against the post, so members may flag it afresh.
    /// </summary>
    private async Task PublishedAsync(DbConnection connection, DbTransaction transaction, string kind, PostRow post)
    {
        await connection.ExecuteAsync("DELETE FROM content_flags WHERE target_kind = @kind AND target_id = @Id;", new { kind, post.Id }, transaction);
        if (kind == "thread")
        {
            // A proposal held at the door becomes a case now that it is public.
            await threads.OpenProposalCaseAsync(connection, transaction, post.Id);
        }
        if (kind == "reply" && post.ReviewState != ReviewStates.Published)
        {
            var thread = (await ThreadStore.LoadAsync(connection, transaction, post.ThreadId!.Value))!;
            // Followers hear of a reply once: when it first becomes public.
            await replies.PublishReplyAsync(connection, transaction, thread, post.Id, post.AuthorId, post.Body,
                notifyFollowers: post.ReviewState == ReviewStates.Pending);
        }
    }
}
