using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.DiscussionHall;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// The routing job's work: each published discussion thread not yet read is analysed once and, when
/// actionable (a repair, a complaint, a question), routed to the body of the community's routing
/// table with one inbox notice; an urgent one opens its case at once. The analysis runs off the
/// writer thread; each thread's write is its own unit of work, guarded by "not read yet", and the
/// units of one batch are handed to the writer together, so they share its commits.
/// </summary>
public sealed class ThreadRoutingJobStore(Database database, IHallTopicReader reader, CaseStore cases, Inbox.Inbox inbox, RecipientKeys keys,
    TimeProvider time, ILogger<ThreadRoutingJobStore> logger) : IHallThreadRouting
{
    /// <summary>How long a run waits for the analyser to finish loading before it leaves the work to the next run.</summary>
    public static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(30);

    private sealed class PendingThread
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public long AuthorId { get; init; }
    }

    public async Task<int> RoutePendingAsync(int max, CancellationToken cancellationToken)
    {
        if (!await IsReadyAsync(cancellationToken))
        {
            return 0;
        }
        List<PendingThread> pending;
        await using (var connection = await database.OpenReadAsync(cancellationToken))
        {
            pending = (await connection.QueryAsync<PendingThread>(
                """
                SELECT id AS Id, community_id AS CommunityId, title AS Title, body AS Body, author_id AS AuthorId
                FROM threads
                WHERE kind = 'discussion' AND routing_analysed_at IS NULL AND review_state = 'published'
                ORDER BY id
                LIMIT @max;
                """, new { max })).ToList();
        }
        var units = new List<Task<bool>>(pending.Count);
        foreach (var thread in pending)
        {
            var reading = reader.TryRead(HallTopics.TextOf(thread.Title, thread.Body));
            if (reading is null)
            {
                break;
            }
            units.Add(database.WriteAsync((connection, transaction) => RouteAsync(connection, transaction, thread, reading)));
        }
        var routed = await Task.WhenAll(units);
        return routed.Length;
    }

    private async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await reader.WhenReady.WaitAsync(ReadyWait, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            logger.LogInformation("The analyser is still loading; the hall's routing waits for the next run.");
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "The analyser failed to load; hall threads are not routed.");
            return false;
        }
    }

    private async Task<bool> RouteAsync(DbConnection connection, DbTransaction transaction, PendingThread thread, HallTopicReading reading)
    {
        var now = time.GetUtcNow();
        // The guard: a thread is read once (a second run, or a run at the same time, finds it read).
        var marked = await connection.ExecuteAsync(
            """
            UPDATE threads SET routing_analysed_at = @now
            WHERE id = @Id AND kind = 'discussion' AND routing_analysed_at IS NULL AND review_state = 'published';
            """, new { now, thread.Id }, transaction);
        if (marked != 1)
        {
            return false;
        }
        var body = await cases.RouteAsync(thread.CommunityId, reading.Category);
        var actionable = RoutingStates.IsActionable(reading.Intent);
        var urgent = actionable && reading.Urgent;
        string? state = !actionable ? null : urgent ? RoutingStates.TakenUp : RoutingStates.Routed;
        await connection.ExecuteAsync(
            """
            INSERT INTO thread_routings (thread_id, community_id, intent, category, responsible_body, urgent, building, state, analysed_at, updated_at)
            VALUES (@Id, @CommunityId, @Intent, @Category, @body, @urgent, @Building, @state, @now, @now);
            """, new { thread.Id, thread.CommunityId, reading.Intent, reading.Category, body, urgent, reading.Building, state, now }, transaction);
        if (!actionable)
        {
            return true;
        }
        var title = HallTopics.Cut(thread.Title);
        if (urgent)
        {
            // A danger now does not wait for a take-up: the case opens with the urgent clocks.
            var caseId = await cases.OpenAsync(connection, transaction, new NewCase(thread.CommunityId, "thread", thread.Id, reading.Category, true,
                keys.ForUser(thread.AuthorId), Actor.System, body), notifyBody: false);
            if (await connection.ExecuteAsync("UPDATE threads SET case_id = @caseId WHERE id = @Id AND case_id IS NULL;", new { caseId, thread.Id }, transaction) != 1)
            {
                throw new InvalidOperationException($"Thread {thread.Id} got a case under the unit of work.");
            }
            await cases.NotifyBodyAsync(connection, transaction, thread.CommunityId, body,
                new Notice("thread_routed", $"紧急:议事厅话题已立案,请{Bodies.Label(body)}立即处置", title, thread.CommunityId, "thread", thread.Id),
                thread.AuthorId);
            await inbox.NotifyUserAsync(connection, transaction, thread.AuthorId,
                new Notice("thread_taken_up", $"您的话题已紧急立案,{Bodies.Label(body)}将立即处置", title, thread.CommunityId, "thread", thread.Id));
            return true;
        }
        await cases.NotifyBodyAsync(connection, transaction, thread.CommunityId, body,
            new Notice("thread_routed", $"议事厅有话题涉及{Bodies.Label(body)}", $"「{title}」:请受理为工单,或说明不予受理的原因。",
                thread.CommunityId, "thread", thread.Id),
            thread.AuthorId);
        return true;
    }
}
