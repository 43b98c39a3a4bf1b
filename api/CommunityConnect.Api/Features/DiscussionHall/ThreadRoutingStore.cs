using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// What people do with a routed thread: its body takes it up as a case or dismisses it with a
/// reason; a moderator corrects its label (kept for the analyser's next training). Each checks 404,
/// then 403, then 409, and moves the routing by a guarded UPDATE that names the state it expects.
/// </summary>
public sealed class ThreadRoutingStore(Database database, ThreadStore threads, CaseStore cases, Inbox.Inbox inbox, RecipientKeys keys, TimeProvider time)
{
    private sealed class RoutedThread
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Title { get; init; } = "";
        public long AuthorId { get; init; }
        public bool Analysed { get; init; }
        public string? Intent { get; init; }
        public string? Category { get; init; }
        public string? ResponsibleBody { get; init; }
        public bool Urgent { get; init; }
        public string? State { get; init; }
    }

    private static Task<RoutedThread?> LoadAsync(DbConnection connection, DbTransaction transaction, long threadId) =>
        connection.QuerySingleOrDefaultAsync<RoutedThread>(
            """
            SELECT t.id AS Id, t.community_id AS CommunityId, t.title AS Title, t.author_id AS AuthorId,
                   r.thread_id IS NOT NULL AS Analysed, r.intent AS Intent, r.category AS Category, r.responsible_body AS ResponsibleBody,
                   COALESCE(r.urgent, 0) AS Urgent, r.state AS State
            FROM threads t LEFT JOIN thread_routings r ON r.thread_id = t.id
            WHERE t.id = @threadId;
            """, new { threadId }, transaction);

    /// <summary>404 (not the caller's community), then 403 (the caller acts for none of the three bodies, or not for this thread's).</summary>
    private static Failure? CheckBodyMember(RoutedThread? thread, CommunityAccess access)
    {
        if (thread is null || thread.CommunityId != access.CommunityId)
        {
            return Failure.NotFound("Thread");
        }
        if (!Bodies.FirstBodies.Any(body => access.Has(Bodies.RoleOf(body))))
        {
            return Failure.Forbidden("Only the property company and the committees take up or dismiss a routed thread.");
        }
        if (thread.ResponsibleBody is { } body && thread.State is not null && !access.Has(Bodies.RoleOf(body)))
        {
            return Failure.Forbidden($"This thread is routed to {Bodies.Label(body)}; only its members take it up or dismiss it.");
        }
        return null;
    }

    private static Failure NotRouted(RoutedThread thread) => thread.State switch
    {
        null => Failure.Conflict(thread.Analysed ? "This thread asks no body to act; it is not routed." : "This thread has not been routed yet."),
        RoutingStates.TakenUp => Failure.Conflict("This thread is already a case."),
        _ => Failure.Conflict("This thread's routing was dismissed."),
    };

    /// <summary>A member of the body takes the thread up: its case opens with its clocks and becomes the thread's case.</summary>
    public async Task<Outcome<ThreadDetail>> TakeUpAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        long threadId, string displayName)
    {
        var thread = await LoadAsync(connection, transaction, threadId);
        if (CheckBodyMember(thread, access) is { } failure)
        {
            return failure;
        }
        var now = time.GetUtcNow();
        var moved = await connection.ExecuteAsync(
            """
            UPDATE thread_routings SET state = 'taken_up', decided_by = @UserId, decided_at = @now, updated_at = @now
            WHERE thread_id = @threadId AND state IN @Decidable;
            """, new { threadId, access.UserId, now, RoutingStates.Decidable }, transaction);
        if (moved != 1)
        {
            return NotRouted(thread!);
        }
        var body = thread!.ResponsibleBody!;
        var actor = new Actor(access.UserId, $"{displayName}({Bodies.Label(body)})");
        var caseId = await cases.OpenAsync(connection, transaction,
            new NewCase(thread.CommunityId, "thread", threadId, thread.Category!, thread.Urgent, keys.ForUser(thread.AuthorId), actor, body),
            notifyBody: false);
        var linked = await connection.ExecuteAsync(
            "UPDATE threads SET case_id = @caseId WHERE id = @threadId AND case_id IS NULL;", new { caseId, threadId }, transaction);
        if (linked != 1)
        {
            return Failure.Conflict("This thread is already a case.");
        }
        await inbox.NotifyUserAsync(connection, transaction, thread.AuthorId,
            new Notice("thread_taken_up", $"{Bodies.Label(body)}已受理您的话题", HallTopics.Cut(thread.Title), thread.CommunityId, "case", caseId));
        return (await threads.DetailAsync(connection, transaction, threadId, access.UserId))!;
    }

    /// <summary>A member of the body dismisses the routing with a reason, which the thread keeps and its author is told.</summary>
    public Task<Outcome<ThreadDetail>> DismissAsync(CommunityAccess access, long threadId, string reason) =>
        database.WriteAsync<Outcome<ThreadDetail>>(async (connection, transaction) =>
        {
            var thread = await LoadAsync(connection, transaction, threadId);
            if (CheckBodyMember(thread, access) is { } failure)
            {
                return failure;
            }
            var now = time.GetUtcNow();
            var moved = await connection.ExecuteAsync(
                """
                UPDATE thread_routings SET state = 'dismissed', reason = @reason, decided_by = @UserId, decided_at = @now, updated_at = @now
                WHERE thread_id = @threadId AND state IN @Decidable;
                """, new { threadId, reason, access.UserId, now, RoutingStates.Decidable }, transaction);
            if (moved != 1)
            {
                return NotRouted(thread!);
            }
            await inbox.NotifyUserAsync(connection, transaction, thread!.AuthorId,
                new Notice("thread_routing_dismissed", $"{Bodies.Label(thread.ResponsibleBody!)}未受理您的话题", HallTopics.Cut($"原因:{reason}"),
                    thread.CommunityId, "thread", threadId));
            return (await threads.DetailAsync(connection, transaction, threadId, access.UserId))!;
        });

    /// <summary>
    /// A moderator sets the thread's category and body: the thread is routed (again) to that body, which
    /// is told when it is new to it, and the correction is kept for the analyser's next training.
    /// </summary>
    public Task<Outcome<ThreadDetail>> CorrectAsync(CommunityAccess access, bool moderates, long threadId, string category, string body) =>
        database.WriteAsync<Outcome<ThreadDetail>>(async (connection, transaction) =>
        {
            var thread = await LoadAsync(connection, transaction, threadId);
            if (thread is null || thread.CommunityId != access.CommunityId)
            {
                return Failure.NotFound("Thread");
            }
            if (!moderates)
            {
                return Failure.Forbidden("Only the hall's moderators correct a thread's routing.");
            }
            if (!thread.Analysed)
            {
                return Failure.Conflict("This thread has not been read by the routing job yet.");
            }
            var now = time.GetUtcNow();
            var moved = await connection.ExecuteAsync(
                """
                UPDATE thread_routings SET category = @category, responsible_body = @body, state = 'routed',
                    reason = NULL, decided_by = NULL, decided_at = NULL, updated_at = @now
                WHERE thread_id = @threadId AND (state IS NULL OR state IN @Correctable);
                """, new { threadId, category, body, now, RoutingStates.Correctable }, transaction);
            if (moved != 1)
            {
                return Failure.Conflict("This thread is already a case: transfer the case instead.");
            }
            await connection.ExecuteAsync(
                """
                INSERT INTO thread_routing_corrections (thread_id, community_id, intent, from_category, from_body, category, responsible_body,
                                                        corrected_by, corrected_at)
                VALUES (@threadId, @CommunityId, @Intent, @Category, @ResponsibleBody, @category, @body, @UserId, @now);
                """, new { threadId, thread.CommunityId, thread.Intent, thread.Category, thread.ResponsibleBody, category, body, access.UserId, now },
                transaction);
            if (thread.State != RoutingStates.Routed || thread.ResponsibleBody != body)
            {
                await cases.NotifyBodyAsync(connection, transaction, thread.CommunityId, body,
                    new Notice("thread_routed", $"议事厅有话题涉及{Bodies.Label(body)}", $"「{HallTopics.Cut(thread.Title)}」:请受理为工单,或说明不予受理的原因。",
                        thread.CommunityId, "thread", threadId),
                    thread.AuthorId);
            }
            return (await threads.DetailAsync(connection, transaction, threadId, access.UserId))!;
        });
}
