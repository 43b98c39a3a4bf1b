using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// A thread: posting it (a proposal opens its case), reading it, and what every write on a thread
/// starts with: 404 (not in the caller's community), then 403 (not a member: the street office
/// reads but does not post), then 409 (the thread's state forbids it now).
/// </summary>
public sealed class ThreadStore(Database database, CaseStore cases, RecipientKeys keys, TimeProvider time)
{
    public const int TopReplies = 3;

    internal const string DetailSql =
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
               t.slow_mode_seconds AS SlowModeSeconds, t.hidden_reason AS HiddenReason,
               r.category AS RoutingCategory, r.responsible_body AS RoutingBody, r.urgent AS RoutingUrgent, r.state AS RoutingState,
               r.reason AS RoutingReason
        FROM threads t
        JOIN users u ON u.id = t.author_id
        LEFT JOIN cases c ON c.id = t.case_id
        LEFT JOIN thread_routings r ON r.thread_id = t.id
        LEFT JOIN users d ON d.id = t.decided_by
        LEFT JOIN projects p ON p.thread_id = t.id
        WHERE t.id = @threadId;
        """;

    private sealed class DetailRow
    {
        public int SlowModeSeconds { get; init; }
        public string? HiddenReason { get; init; }
        public string? RoutingCategory { get; init; }
        public string? RoutingBody { get; init; }
        public bool RoutingUrgent { get; init; }
        public string? RoutingState { get; init; }
        public string? RoutingReason { get; init; }
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

    public async Task<ThreadDetail?> GetAsync(long threadId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await DetailAsync(connection, null, threadId, userId);
    }

    internal async Task<ThreadDetail?> DetailAsync(DbConnection connection, DbTransaction? transaction, long threadId, long userId)
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
            var top = await connection.QueryAsync<ReplyStore.ReplyRow>(
                ReplyStore.ReplyColumns + """

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
            row.SlowModeSeconds, row.AuthorId == userId ? row.HiddenReason : null,
            row.RoutingState is null ? null : new ThreadRouting(row.RoutingCategory!, row.RoutingBody!, row.RoutingUrgent, row.RoutingState, row.RoutingReason));
    }

    // ---- what every write starts with ----

    internal static Task<ThreadState?> LoadAsync(DbConnection connection, DbTransaction transaction, long threadId) =>
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
    internal static Failure? CheckOpenForTalk(ThreadState thread, DateTimeOffset now)
    {
        if (thread.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This thread is not published.");
        }
        if (thread.Locked)
        {
            return Failure.Conflict("This thread is locked.");
        }
        if (thread.Kind == ThreadKinds.Solicitation && (thread.State == ThreadStates.Closed || thread.Deadline <= now))
        {
            return Failure.Conflict("This solicitation has closed.", "Its deadline has passed; the summary is on the thread.");
        }
        return null;
    }

    // ---- posting ----

    /// <summary>Posts a thread (its author follows it); a proposal opens its case, routed by TAXONOMY.md's proposal rule.</summary>
    public async Task<Outcome<ThreadDetail>> CreateAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, NewThread input,
        string reviewState = ReviewStates.Published)
    {
        if (!access.IsMember)
        {
            return Failure.Forbidden("Only members of the community post in its hall; the street office reads it.");
        }
        var now = time.GetUtcNow();
        var seq = await HallFeed.NextSequenceAsync(connection, transaction, access.CommunityId);
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
        await FollowAsync(connection, transaction, threadId, access.UserId, now);
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
    internal async Task OpenProposalCaseAsync(DbConnection connection, DbTransaction transaction, long threadId)
    {
        var proposal = await connection.QuerySingleAsync<(long CommunityId, string Kind, string? Category, long AuthorId, string AuthorRole, long? CaseId)>(
            "SELECT community_id, kind, category, author_id, author_role, case_id FROM threads WHERE id = @threadId;", new { threadId }, transaction);
        if (proposal.Kind != ThreadKinds.Proposal || proposal.CaseId is not null)
        {
            return;
        }
        var body = Taxonomy.ForProposal(await cases.RouteAsync(proposal.CommunityId, proposal.Category!));
        var displayName = await DisplayNameAsync(connection, transaction, proposal.AuthorId);
        var caseId = await cases.OpenAsync(connection, transaction, new NewCase(proposal.CommunityId, ThreadKinds.Proposal, threadId, proposal.Category!,
            false, keys.ForUser(proposal.AuthorId), new Actor(proposal.AuthorId, $"{displayName}({proposal.AuthorRole})"), body));
        // cases' UNIQUE (kind, item_id) already settles two openings at once; the link names the state it expects all the same.
        if (await connection.ExecuteAsync("UPDATE threads SET case_id = @caseId WHERE id = @threadId AND case_id IS NULL;", new { caseId, threadId }, transaction) != 1)
        {
            throw new InvalidOperationException($"Thread {threadId} got a case under the unit of work.");
        }
    }

    internal static Task<string> DisplayNameAsync(DbConnection connection, DbTransaction transaction, long userId) =>
        connection.ExecuteScalarAsync<string>("SELECT display_name FROM users WHERE id = @userId;", new { userId }, transaction)!;

    internal static async Task<IReadOnlyList<long>> FollowersAsync(DbConnection connection, DbTransaction transaction, long threadId) =>
        (await connection.QueryAsync<long>("SELECT user_id FROM thread_follows WHERE thread_id = @threadId;", new { threadId }, transaction)).ToList();

    /// <summary>The member follows the thread (once).</summary>
    internal static Task FollowAsync(DbConnection connection, DbTransaction transaction, long threadId, long userId, DateTimeOffset now) =>
        connection.ExecuteAsync(
            "INSERT INTO thread_follows (thread_id, user_id, created_at) VALUES (@threadId, @userId, @now) ON CONFLICT DO NOTHING;",
            new { threadId, userId, now }, transaction);
}
