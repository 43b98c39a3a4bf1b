using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.DiscussionHall;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>Where a feed page starts: the last thread of the previous page and the feed sequence at the first page.</summary>
public sealed record FeedCursor(bool Pinned, DateTimeOffset LastActivityAt, long Id, long Snapshot) : IPageCursor<FeedCursor>
{
    public IEnumerable<object> Parts => [Pinned ? 1 : 0, LastActivityAt.ToUnixTimeMilliseconds(), Id, Snapshot];

    public static FeedCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 4 && CursorPart.Flag(parts[0]) is { } pinned && CursorPart.Instant(parts[1]) is { } activity
        && CursorPart.Id(parts[2]) is { } id && CursorPart.Count(parts[3]) is { } snapshot
            ? new FeedCursor(pinned, activity, id, snapshot)
            : null;
}

/// <summary>
/// Threads, replies, supports, follows and volunteer sign-ups. Every write checks, in its unit of
/// work, 404 (not in the caller's community), then 403 (not a member: the street office reads but
/// does not post), then 409 (the thread's state forbids it now).
/// </summary>
public sealed class ThreadStore(Database database, CaseStore cases, Inbox.Inbox inbox, RecipientKeys keys, TimeProvider time) : IDueSolicitations
{
    public const int ExcerptLength = 120;
    public const int TopReplies = 3;

    private const string FeedColumns =
        """
        SELECT t.id AS Id, t.kind AS Kind, t.title AS Title, t.body AS Body, u.display_name AS AuthorName, t.author_role AS AuthorRole,
               t.reply_count AS ReplyCount, t.support_count AS SupportCount, t.pinned AS Pinned, t.locked AS Locked,
               t.last_activity_at AS LastActivityAt,
               EXISTS (SELECT 1 FROM thread_supports s WHERE s.thread_id = t.id AND s.user_id = @userId) AS SupportedByMe,
               EXISTS (SELECT 1 FROM thread_follows f WHERE f.thread_id = t.id AND f.user_id = @userId) AS FollowedByMe,
               (SELECT q.value FROM thread_feed_sequence q WHERE q.community_id = @communityId) AS Snapshot
        FROM threads t JOIN users u ON u.id = t.author_id
        WHERE t.community_id = @communityId AND t.review_state = 'published'
        """;

    private const string FeedByKind =
        """

          AND t.kind = @kind
        """;

    // Keyset on (pinned, last activity, id), newest first, as a range on the index. Later pages also
    // skip threads that moved in the feed after the first page was read (feed_seq > snapshot): a
    // thread that did not move keeps its place, so none is skipped, and one that moved shows at most
    // once. (README "Discussion hall": feed paging.)
    private const string FeedAfter =
        """

          AND (t.pinned, t.last_activity_at, t.id) < (@afterPinned, @afterActivity, @afterId)
          AND t.feed_seq <= @snapshot
        """;

    private const string FeedOrder =
        """

        ORDER BY t.pinned DESC, t.last_activity_at DESC, t.id DESC
        LIMIT @take;
        """;

    // One query per page, each served by its index without sorting (FeedTests checks the plans).
    internal const string FeedFirstSql = FeedColumns + FeedOrder;
    internal const string FeedAfterSql = FeedColumns + FeedAfter + FeedOrder;
    internal const string FeedByKindFirstSql = FeedColumns + FeedByKind + FeedOrder;
    internal const string FeedByKindAfterSql = FeedColumns + FeedByKind + FeedAfter + FeedOrder;

    private const string DetailSql =
        """
        SELECT t.id AS Id, t.community_id AS CommunityId, t.kind AS Kind, t.title AS Title, t.body AS Body, t.category AS Category,
               u.display_name AS AuthorName, t.author_role AS AuthorRole, t.author_id AS AuthorId,
               t.state AS State, t.review_state AS ReviewState, t.pinned AS Pinned, t.locked AS Locked,
               t.reply_count AS ReplyCount, t.support_count AS SupportCount,
               EXISTS (SELECT 1 FROM thread_supports s WHERE s.thread_id = t.id AND s.user_id = @userId) AS SupportedByMe,
               EXISTS (SELECT 1 FROM thread_follows f WHERE f.thread_id = t.id AND f.user_id = @userId) AS FollowedByMe,
               EXISTS (SELECT 1 FROM thread_signups g WHERE g.thread_id = t.id AND g.user_id = @userId) AS SignedUpByMe,
               t.deadline AS Deadline, t.closed_at AS ClosedAt, t.volunteer_cap AS VolunteerCap, t.signup_count AS SignupCount,
               t.case_id AS CaseId, c.responsible_body AS ResponsibleBody,
               t.decision_reason AS DecisionReason, d.display_name AS DeciderName, t.decided_role AS DecidedRole, t.decided_at AS DecidedAt,
               p.id AS ProjectId, t.created_at AS CreatedAt, t.last_activity_at AS LastActivityAt,
               t.slow_mode_seconds AS SlowModeSeconds, t.hidden_reason AS HiddenReason
        FROM threads t
        JOIN users u ON u.id = t.author_id
        LEFT JOIN cases c ON c.id = t.case_id
        LEFT JOIN users d ON d.id = t.decided_by
        LEFT JOIN projects p ON p.thread_id = t.id
        WHERE t.id = @threadId;
        """;

    private const string ReplyColumns =
        """
        SELECT r.id AS Id, r.thread_id AS ThreadId, r.reply_to AS ReplyTo, r.body AS Body, u.display_name AS AuthorName,
               r.author_role AS AuthorRole, r.support_count AS SupportCount, r.review_state AS ReviewState, r.created_at AS CreatedAt,
               EXISTS (SELECT 1 FROM reply_supports s WHERE s.reply_id = r.id AND s.user_id = @userId) AS SupportedByMe
        FROM thread_replies r JOIN users u ON u.id = r.author_id
        """;

    internal sealed class FeedRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string AuthorName { get; init; } = "";
        public string AuthorRole { get; init; } = "";
        public int ReplyCount { get; init; }
        public int SupportCount { get; init; }
        public bool Pinned { get; init; }
        public bool Locked { get; init; }
        public DateTimeOffset LastActivityAt { get; init; }
        public bool SupportedByMe { get; init; }
        public bool FollowedByMe { get; init; }
        public long? Snapshot { get; init; }

        public ThreadCard ToCard() => new(Id, Kind, Title, new PostAuthor(AuthorName, AuthorRole), ReplyCount, SupportCount,
            SupportedByMe, FollowedByMe, Pinned, Locked, LastActivityAt, UserText.Cut(Body, ExcerptLength));
    }

    private sealed class DetailRow
    {
        public int SlowModeSeconds { get; init; }
        public string? HiddenReason { get; init; }
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string? Category { get; init; }
        public string AuthorName { get; init; } = "";
        public string AuthorRole { get; init; } = "";
        public long AuthorId { get; init; }
        public string State { get; init; } = "";
        public string ReviewState { get; init; } = "";
        public bool Pinned { get; init; }
        public bool Locked { get; init; }
        public int ReplyCount { get; init; }
        public int SupportCount { get; init; }
        public bool SupportedByMe { get; init; }
        public bool FollowedByMe { get; init; }
        public bool SignedUpByMe { get; init; }
        public DateTimeOffset? Deadline { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public int? VolunteerCap { get; init; }
        public int SignupCount { get; init; }
        public long? CaseId { get; init; }
        public string? ResponsibleBody { get; init; }
        public string? DecisionReason { get; init; }
        public string? DeciderName { get; init; }
        public string? DecidedRole { get; init; }
        public DateTimeOffset? DecidedAt { get; init; }
        public long? ProjectId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset LastActivityAt { get; init; }
    }

    private sealed class ReplyRow
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

    /// <summary>What a write needs to know about a thread to decide 404, 403 and 409.</summary>
    internal sealed class ThreadState
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string State { get; init; } = "";
        public string ReviewState { get; init; } = "";
        public bool Locked { get; init; }
        public DateTimeOffset? Deadline { get; init; }
        public long AuthorId { get; init; }
        public long? CaseId { get; init; }
        public string? ResponsibleBody { get; init; }
    }

    // ---- reads ----

    /// <summary>A feed page (take + 1 rows) and the feed sequence it was read at.</summary>
    internal async Task<(IReadOnlyList<FeedRow> Rows, long Snapshot)> FeedAsync(long communityId, long userId, string? kind, FeedCursor? after, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<FeedRow>((kind is null, after is null) switch
        {
            (true, true) => FeedFirstSql,
            (true, false) => FeedAfterSql,
            (false, true) => FeedByKindFirstSql,
            (false, false) => FeedByKindAfterSql,
        }, new
        {
            communityId,
            userId,
            kind,
            afterPinned = after is null ? (long?)null : after.Pinned ? 1 : 0,
            afterActivity = after?.LastActivityAt,
            afterId = after?.Id,
            snapshot = after?.Snapshot,
            take,
        })).ToList();
        return (rows, after?.Snapshot ?? rows.FirstOrDefault()?.Snapshot ?? 0);
    }

    public async Task<ThreadDetail?> GetAsync(long threadId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await DetailAsync(connection, null, threadId, userId);
    }

    internal async Task<ThreadDetail?> DetailAsync(SqliteConnection connection, SqliteTransaction? transaction, long threadId, long userId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<DetailRow>(DetailSql, new { threadId, userId }, transaction);
        if (row is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        // A solicitation is closed from its deadline on, even before the closing job has run.
        var state = row.Kind == ThreadKinds.Solicitation && row.State == ThreadStates.Open && row.Deadline <= now ? ThreadStates.Closed : row.State;
        SolicitationSummary? summary = null;
        if (row.Kind == ThreadKinds.Solicitation && state == ThreadStates.Closed)
        {
            var participants = await connection.ExecuteScalarAsync<int>(
                "SELECT COUNT(DISTINCT author_id) FROM thread_replies WHERE thread_id = @threadId AND review_state = 'published';",
                new { threadId }, transaction);
            var top = await connection.QueryAsync<ReplyRow>(
                ReplyColumns + """

                WHERE r.thread_id = @threadId AND r.review_state = 'published'
                ORDER BY r.support_count DESC, r.id
                LIMIT @top;
                """, new { threadId, userId, top = TopReplies }, transaction);
            summary = new SolicitationSummary(row.ReplyCount, participants, row.SupportCount, top.Select(r => r.ToReply()).ToList());
        }
        var decision = row.DecidedAt is null
            ? null
            : new ProposalDecision(row.State, row.DecisionReason, new PostAuthor(row.DeciderName ?? "", row.DecidedRole ?? ""), row.DecidedAt.Value, row.ProjectId);
        var volunteer = row.Kind == ThreadKinds.Volunteer;
        return new ThreadDetail(row.Id, row.CommunityId, row.Kind, row.Title, row.Body, row.Category, new PostAuthor(row.AuthorName, row.AuthorRole),
            state, row.ReviewState, row.Pinned, row.Locked, row.ReplyCount, row.SupportCount, row.SupportedByMe, row.FollowedByMe,
            row.Deadline, row.ClosedAt ?? (state == ThreadStates.Closed ? row.Deadline : null),
            row.VolunteerCap, volunteer ? row.SignupCount : null, row.SignedUpByMe,
            row.CaseId, row.ResponsibleBody, decision, summary, row.CreatedAt, row.LastActivityAt,
            row.SlowModeSeconds, row.AuthorId == userId ? row.HiddenReason : null);
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

    // ---- writes ----

    internal static Task<ThreadState?> LoadAsync(SqliteConnection connection, SqliteTransaction transaction, long threadId) =>
        connection.QuerySingleOrDefaultAsync<ThreadState>(
            """
            SELECT t.id AS Id, t.community_id AS CommunityId, t.kind AS Kind, t.title AS Title, t.state AS State, t.review_state AS ReviewState,
                   t.locked AS Locked, t.deadline AS Deadline, t.author_id AS AuthorId, t.case_id AS CaseId, c.responsible_body AS ResponsibleBody
            FROM threads t LEFT JOIN cases c ON c.id = t.case_id
            WHERE t.id = @threadId;
            """, new { threadId }, transaction);

    /// <summary>The 404 and 403 checks every write starts with.</summary>
    internal static Failure? CheckMember(ThreadState? thread, CommunityAccess access)
    {
        if (thread is null || thread.CommunityId != access.CommunityId)
        {
            return Failure.NotFound("Thread");
        }
        return access.IsMember ? null : Failure.Forbidden("Only members of the community take part in its hall; the street office reads it.");
    }

    /// <summary>Whether the thread takes replies and supports now (409 when not).</summary>
    private Failure? CheckOpenForTalk(ThreadState thread)
    {
        if (thread.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This thread is not published.");
        }
        if (thread.Locked)
        {
            return Failure.Conflict("This thread is locked.");
        }
        if (thread.Kind == ThreadKinds.Solicitation && (thread.State == ThreadStates.Closed || thread.Deadline <= time.GetUtcNow()))
        {
            return Failure.Conflict("This solicitation has closed.", "Its deadline has passed; the summary is on the thread.");
        }
        return null;
    }

    /// <summary>Moves a thread to the top of its community's feed (new activity), under a new feed sequence value.</summary>
    internal async Task BumpAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId, long threadId)
    {
        var seq = await NextFeedSeqAsync(connection, transaction, communityId);
        await connection.ExecuteAsync(
            "UPDATE threads SET last_activity_at = @now, feed_seq = @seq WHERE id = @threadId;",
            new { threadId, seq, now = time.GetUtcNow() }, transaction);
    }

    /// <summary>
    /// Records that a thread changed its place in the feed without new activity (moderation pins,
    /// unpins, hides or restores it), so feed cursors handed out earlier skip it rather than show it twice.
    /// </summary>
    public async Task MovedInFeedAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId, long threadId)
    {
        var seq = await NextFeedSeqAsync(connection, transaction, communityId);
        await connection.ExecuteAsync("UPDATE threads SET feed_seq = @seq WHERE id = @threadId;", new { threadId, seq }, transaction);
    }

    private static Task<long> NextFeedSeqAsync(SqliteConnection connection, SqliteTransaction transaction, long communityId) =>
        connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO thread_feed_sequence (community_id, value) VALUES (@communityId, 1)
            ON CONFLICT (community_id) DO UPDATE SET value = thread_feed_sequence.value + 1
            RETURNING value;
            """, new { communityId }, transaction);

    /// <summary>Posts a thread (its author follows it); a proposal opens its case, routed by TAXONOMY.md's proposal rule.</summary>
    public async Task<Outcome<ThreadDetail>> CreateAsync(SqliteConnection connection, SqliteTransaction transaction, CommunityAccess access, NewThread input,
        string reviewState = ReviewStates.Published)
    {
        if (!access.IsMember)
        {
            return Failure.Forbidden("Only members of the community post in its hall; the street office reads it.");
        }
        var now = time.GetUtcNow();
        var seq = await NextFeedSeqAsync(connection, transaction, access.CommunityId);
        var authorRole = Roles.Label(access.DisplayRole);
        var kind = input.Kind!;
        var threadId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO threads (community_id, kind, title, body, category, author_id, author_role, deadline, volunteer_cap,
                                 review_state, created_at, last_activity_at, feed_seq)
            VALUES (@CommunityId, @kind, @title, @body, @Category, @UserId, @authorRole, @deadline, @volunteerCap, @reviewState, @now, @now, @seq)
            RETURNING id;
            """,
            new
            {
                access.CommunityId,
                kind,
                title = input.Title!.Trim(),
                body = input.Body!.Trim(),
                input.Category,
                access.UserId,
                authorRole,
                deadline = kind == ThreadKinds.Solicitation ? input.Deadline : null,
                volunteerCap = kind == ThreadKinds.Volunteer ? input.VolunteerCap : null,
                reviewState,
                now,
                seq,
            }, transaction);
        await FollowAsync(connection, transaction, threadId, access.UserId);
        // A proposal held for review becomes a case when a moderator publishes it.
        if (kind == ThreadKinds.Proposal && reviewState == ReviewStates.Published)
        {
            await OpenProposalCaseAsync(connection, transaction, threadId);
        }
        return (await DetailAsync(connection, transaction, threadId, access.UserId))!;
    }

    /// <summary>
    /// Opens a published proposal's case, routed by TAXONOMY.md's proposal rule (a property category
    /// goes to the residents' committee; funds stay with the owners' committee). Does nothing twice.
    /// </summary>
    internal async Task OpenProposalCaseAsync(SqliteConnection connection, SqliteTransaction transaction, long threadId)
    {
        var proposal = await connection.QuerySingleAsync<(long CommunityId, string Kind, string? Category, long AuthorId, string AuthorRole, long? CaseId)>(
            "SELECT community_id, kind, category, author_id, author_role, case_id FROM threads WHERE id = @threadId;", new { threadId }, transaction);
        if (proposal.Kind != ThreadKinds.Proposal || proposal.CaseId is not null)
        {
            return;
        }
        var body = Taxonomy.ForProposal(await CaseStore.RouteAsync(connection, transaction, proposal.CommunityId, proposal.Category!));
        var displayName = await DisplayNameAsync(connection, transaction, proposal.AuthorId);
        var caseId = await cases.OpenAsync(connection, transaction, new NewCase(proposal.CommunityId, ThreadKinds.Proposal, threadId, proposal.Category!,
            false, keys.ForUser(proposal.AuthorId), new Actor(proposal.AuthorId, $"{displayName}({proposal.AuthorRole})"), body));
        await connection.ExecuteAsync("UPDATE threads SET case_id = @caseId WHERE id = @threadId;", new { caseId, threadId }, transaction);
    }

    internal static Task<string> DisplayNameAsync(SqliteConnection connection, SqliteTransaction transaction, long userId) =>
        connection.ExecuteScalarAsync<string>("SELECT display_name FROM users WHERE id = @userId;", new { userId }, transaction)!;

    /// <summary>
    /// Posts a reply. A reply held for review is stored but neither counted, nor moves the thread,
    /// nor reaches followers until a moderator approves it.
    /// </summary>
    public async Task<Outcome<ThreadReply>> ReplyAsync(SqliteConnection connection, SqliteTransaction transaction, CommunityAccess access, long threadId, NewReply input,
        string reviewState = ReviewStates.Published)
    {
        var thread = await LoadAsync(connection, transaction, threadId);
        if ((CheckMember(thread, access) ?? CheckOpenForTalk(thread!)) is { } failure)
        {
            return failure;
        }
        // Slow mode, checked again here on the writer so two replies sent at once cannot both slip through.
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
    internal static async Task<TimeSpan?> SlowModeWaitAsync(SqliteConnection connection, SqliteTransaction? transaction, long threadId, long userId, DateTimeOffset now)
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
    internal async Task PublishReplyAsync(SqliteConnection connection, SqliteTransaction transaction, ThreadState thread, long replyId, long authorId, string body,
        bool notifyFollowers = true)
    {
        await connection.ExecuteAsync("UPDATE threads SET reply_count = reply_count + 1 WHERE id = @Id;", new { thread.Id }, transaction);
        await BumpAsync(connection, transaction, thread.CommunityId, thread.Id);
        if (!notifyFollowers)
        {
            return;
        }
        var followers = await FollowersAsync(connection, transaction, thread.Id);
        await inbox.NotifyUsersAsync(connection, transaction, followers.Where(id => id != authorId),
            new Notice("thread_reply", $"「{UserText.Cut(thread.Title, 20)}」有新回复", UserText.Cut(body, 60), thread.CommunityId, "thread", thread.Id));
    }

    internal static async Task<ThreadReply> GetReplyAsync(SqliteConnection connection, SqliteTransaction? transaction, long replyId, long userId) =>
        (await connection.QuerySingleAsync<ReplyRow>(ReplyColumns + "\nWHERE r.id = @replyId;", new { replyId, userId }, transaction)).ToReply();

    internal static async Task<IReadOnlyList<long>> FollowersAsync(SqliteConnection connection, SqliteTransaction transaction, long threadId) =>
        (await connection.QueryAsync<long>("SELECT user_id FROM thread_follows WHERE thread_id = @threadId;", new { threadId }, transaction)).ToList();

    private Task FollowAsync(SqliteConnection connection, SqliteTransaction transaction, long threadId, long userId) =>
        connection.ExecuteAsync(
            "INSERT INTO thread_follows (thread_id, user_id, created_at) VALUES (@threadId, @userId, @now) ON CONFLICT DO NOTHING;",
            new { threadId, userId, now = time.GetUtcNow() }, transaction);

    /// <summary>Support (+1) on or off; idempotent. The counter moves only when the row does.</summary>
    public Task<Outcome<bool>> SetThreadSupportAsync(CommunityAccess access, long threadId, bool on) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var thread = await LoadAsync(connection, transaction, threadId);
            if ((CheckMember(thread, access) ?? CheckOpenForTalk(thread!)) is { } failure)
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
            var thread = threadId is null ? null : await LoadAsync(connection, transaction, threadId.Value);
            if (thread is null)
            {
                return Failure.NotFound("Reply");
            }
            if ((CheckMember(thread, access) ?? CheckOpenForTalk(thread)) is { } failure)
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
            if (CheckMember(await LoadAsync(connection, transaction, threadId), access) is { } failure)
            {
                return failure;
            }
            if (on)
            {
                await FollowAsync(connection, transaction, threadId, access.UserId);
            }
            else
            {
                await connection.ExecuteAsync("DELETE FROM thread_follows WHERE thread_id = @threadId AND user_id = @UserId;",
                    new { threadId, access.UserId }, transaction);
            }
            return true;
        });

    /// <summary>
    /// Signs the caller up. Writes are serialised by the single writer, and the conditional UPDATE
    /// still guards the cap on its own (the CHECK constraint is the last line), so the cap holds
    /// even where writes run in parallel.
    /// </summary>
    public async Task<Outcome<VolunteerSignup>> SignUpAsync(SqliteConnection connection, SqliteTransaction transaction, CommunityAccess access, long threadId)
    {
        var thread = await LoadAsync(connection, transaction, threadId);
        if (CheckMember(thread, access) is { } failure)
        {
            return failure;
        }
        if (thread!.Kind != ThreadKinds.Volunteer)
        {
            return Failure.Conflict("Only volunteer threads take sign-ups.");
        }
        if (thread.Locked || thread.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This thread takes no sign-ups now.");
        }
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM thread_signups WHERE thread_id = @threadId AND user_id = @UserId);", new { threadId, access.UserId }, transaction))
        {
            return Failure.Conflict("You have already signed up.");
        }
        var taken = await connection.ExecuteAsync(
            "UPDATE threads SET signup_count = signup_count + 1 WHERE id = @threadId AND signup_count < volunteer_cap;", new { threadId }, transaction);
        if (taken == 0)
        {
            return Failure.Conflict("All places are taken.");
        }
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(
            "INSERT INTO thread_signups (thread_id, user_id, created_at) VALUES (@threadId, @UserId, @now);", new { threadId, access.UserId, now }, transaction);
        var counts = await connection.QuerySingleAsync<(long Count, long Cap)>(
            "SELECT signup_count, volunteer_cap FROM threads WHERE id = @threadId;", new { threadId }, transaction);
        return new VolunteerSignup(threadId, (int)counts.Count, (int)counts.Cap, now);
    }

    /// <summary>Withdraws the caller's sign-up, freeing the place; idempotent.</summary>
    public Task<Outcome<bool>> WithdrawAsync(CommunityAccess access, long threadId) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var thread = await LoadAsync(connection, transaction, threadId);
            if (CheckMember(thread, access) is { } failure)
            {
                return failure;
            }
            if (thread!.Kind != ThreadKinds.Volunteer)
            {
                return Failure.Conflict("Only volunteer threads take sign-ups.");
            }
            var removed = await connection.ExecuteAsync(
                "DELETE FROM thread_signups WHERE thread_id = @threadId AND user_id = @UserId;", new { threadId, access.UserId }, transaction);
            if (removed == 1)
            {
                await connection.ExecuteAsync("UPDATE threads SET signup_count = signup_count - 1 WHERE id = @threadId;", new { threadId }, transaction);
            }
            return true;
        });

    /// <summary>
    /// The closing job's step: closes every open solicitation whose deadline has passed and tells
    /// its followers. Reads the table each time, so a second run finds nothing left to do.
    /// </summary>
    public Task<int> CloseDueAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var due = (await connection.QueryAsync<(long Id, long CommunityId, string Title)>(
                """
                SELECT id, community_id, title FROM threads
                WHERE kind = 'solicitation' AND state = 'open' AND deadline <= @now
                ORDER BY deadline, id;
                """, new { now }, transaction)).ToList();
            foreach (var (threadId, communityId, title) in due)
            {
                await connection.ExecuteAsync(
                    "UPDATE threads SET state = 'closed', closed_at = deadline WHERE id = @threadId AND state = 'open';", new { threadId }, transaction);
                await inbox.NotifyUsersAsync(connection, transaction, await FollowersAsync(connection, transaction, threadId),
                    new Notice("solicitation_closed", $"意见征集「{UserText.Cut(title, 20)}」已结束", "征集已截止,结果汇总已公布在帖子里。", communityId, "thread", threadId));
            }
            return due.Count;
        });
}
