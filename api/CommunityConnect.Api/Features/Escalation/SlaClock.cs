using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Jobs;
using Dapper;
using System.Data.Common;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Escalation;

/// <summary>
/// Sets a case's clocks inside the unit of work that changes the case: when it opens, when its item
/// moves, when it climbs or is transferred, and when a repair is paused and resumed.
/// <c>next_escalation_at</c> is what the sweep reads: the first-response due time until the body
/// answers, then the resolution due time; NULL when resolved, closed, paused or at the street office.
/// </summary>
/// <remarks>
/// The community's SLA policies and its street's working calendar are kept in memory per community
/// while its cache version stands (changing either bumps it, migration 0020), read on a miss from
/// what is committed; the writer thread then spends no queries on them per case.
/// </remarks>
public sealed class SlaClock(TimeProvider time, SlaStore store, CommunityVersions versions, IOptions<CacheOptions> cacheOptions) : ICaseClock
{
    private readonly CommunityCache<long, ClockPolicies> _policies = CommunityCache<long, ClockPolicies>.OfRules(versions, cacheOptions.Value);

    private sealed record ClockPolicies(WorkingCalendar Calendar, IReadOnlyList<SlaPolicy> Targets)
    {
        public (int FirstResponseMinutes, int ResolveMinutes) For(string kind, bool urgent) =>
            Targets.FirstOrDefault(p => p.Kind == kind && p.Urgent == urgent) is { } policy
                ? (policy.FirstResponseMinutes!.Value, policy.ResolveMinutes!.Value)
                : SlaDefaults.For(kind, urgent);
    }

    private Task<ClockPolicies> PoliciesAsync(ClockRow row) =>
        _policies.GetAsync(row.CommunityId, row.CommunityId, async () =>
            new ClockPolicies(await store.CalendarOfStreetAsync(row.StreetId), (await store.GetPoliciesAsync(row.CommunityId)).Policies!));

    private sealed class ClockRow
    {
        public long CommunityId { get; init; }
        public long StreetId { get; init; }
        public string Kind { get; init; } = "";
        public bool Urgent { get; init; }
        public string State { get; init; } = "";
        public string ResponsibleBody { get; init; } = "";
        public int EscalationLevel { get; init; }
        public DateTimeOffset? FirstResponseDue { get; init; }
        public DateTimeOffset? ResolveDue { get; init; }
        public DateTimeOffset? PausedAt { get; init; }
    }

    private static Task<ClockRow> ReadAsync(DbConnection connection, DbTransaction transaction, long caseId) =>
        connection.QuerySingleAsync<ClockRow>(
            """
            SELECT c.community_id AS CommunityId, co.street_id AS StreetId, c.kind AS Kind, c.urgent AS Urgent, c.state AS State,
                   c.responsible_body AS ResponsibleBody, c.escalation_level AS EscalationLevel,
                   c.first_response_due AS FirstResponseDue, c.resolve_due AS ResolveDue, c.paused_at AS PausedAt
            FROM cases c JOIN communities co ON co.id = c.community_id
            WHERE c.id = @caseId;
            """, new { caseId }, transaction);

    /// <summary>Fresh clocks for the body the case is with now (on open, climb and transfer).</summary>
    public async Task StartAsync(DbConnection connection, DbTransaction transaction, long caseId)
    {
        var row = await ReadAsync(connection, transaction, caseId);
        var now = time.GetUtcNow();
        var policies = await PoliciesAsync(row);
        var calendar = policies.Calendar;
        var (firstMinutes, resolveMinutes) = policies.For(row.Kind, row.Urgent);
        var firstDue = SlaClockMath.Due(calendar, now, firstMinutes, row.Urgent);
        var resolveDue = SlaClockMath.Due(calendar, now, resolveMinutes, row.Urgent);
        DateTimeOffset? next = row.State is CaseStateTable.Resolved or CaseStateTable.Closed || EscalationLadder.IsTop(row.ResponsibleBody)
            ? null
            : firstDue;
        await connection.ExecuteAsync(
            """
            UPDATE cases SET first_response_due = @firstDue, resolve_due = @resolveDue, next_escalation_at = @next, paused_at = NULL,
                target_first_response_at = COALESCE(target_first_response_at, @firstDue),
                target_resolve_at = COALESCE(target_resolve_at, @resolveDue)
            WHERE id = @caseId;
            """, new { caseId, firstDue, resolveDue, next }, transaction);
    }

    /// <summary>
    /// A case with a promised completion time (a meeting action's <c>due</c>): the promise is the
    /// resolution clock, and the first response is due by the policy's first-response time or the
    /// promise, whichever comes first. Call right after the case opened.
    /// </summary>
    public Task PromiseAsync(DbConnection connection, DbTransaction transaction, long caseId, DateTimeOffset resolveBy) =>
        connection.ExecuteAsync(
            """
            UPDATE cases SET
                first_response_due = CASE WHEN first_response_due < @resolveBy THEN first_response_due ELSE @resolveBy END,
                target_first_response_at = CASE WHEN first_response_due < @resolveBy THEN first_response_due ELSE @resolveBy END,
                resolve_due = @resolveBy,
                target_resolve_at = @resolveBy,
                next_escalation_at = CASE WHEN next_escalation_at IS NULL THEN NULL
                                          WHEN first_response_due < @resolveBy THEN first_response_due ELSE @resolveBy END
            WHERE id = @caseId;
            """, new { caseId, resolveBy }, transaction);

    /// <summary>Moves the clocks after an item event has moved the case (<see cref="CaseStore.RecordAsync"/>).</summary>
    public async Task OnEventAsync(DbConnection connection, DbTransaction transaction, long caseId, ItemEvent itemEvent)
    {
        var row = await ReadAsync(connection, transaction, caseId);
        switch (itemEvent)
        {
            case ItemEvent.FirstAnswer:
                // The first clock stops. A case that climbed stops climbing once the body it reached
                // answers: the bodies above the first one supervise; they do not dispatch the work.
                await SetNextAsync(connection, transaction, caseId,
                    row.EscalationLevel == 0 && row.PausedAt is null && row.State == CaseStateTable.Responded ? row.ResolveDue : null);
                break;
            case ItemEvent.Resolved or ItemEvent.Closed:
                await SetNextAsync(connection, transaction, caseId, null);
                break;
            case ItemEvent.Reopened:
            {
                // Back to the body with a new resolution clock.
                var now = time.GetUtcNow();
                var policies = await PoliciesAsync(row);
                var calendar = policies.Calendar;
                var (_, resolveMinutes) = policies.For(row.Kind, row.Urgent);
                var resolveDue = SlaClockMath.Due(calendar, now, resolveMinutes, row.Urgent);
                await connection.ExecuteAsync(
                    """
                    UPDATE cases SET resolve_due = @resolveDue, paused_at = NULL,
                        next_escalation_at = CASE WHEN @top = 1 THEN NULL ELSE @resolveDue END
                    WHERE id = @caseId;
                    """, new { caseId, resolveDue, top = EscalationLadder.IsTop(row.ResponsibleBody) }, transaction);
                break;
            }
            case ItemEvent.Created:
                await StartAsync(connection, transaction, caseId);
                break;
        }
    }

    /// <summary>
    /// A paused repair (waiting for parts) stops its resolution clock, and only that: a body the case
    /// climbed to and that has not answered keeps its first-response clock, so the body being
    /// supervised cannot switch its supervision off by pausing.
    /// </summary>
    public async Task PauseAsync(DbConnection connection, DbTransaction transaction, long caseId)
    {
        var row = await ReadAsync(connection, transaction, caseId);
        if (row.PausedAt is not null)
        {
            return;
        }
        await connection.ExecuteAsync(
            """
            UPDATE cases SET paused_at = @now,
                next_escalation_at = CASE WHEN @resolutionClockRunning = 1 THEN NULL ELSE next_escalation_at END
            WHERE id = @caseId;
            """, new { caseId, now = time.GetUtcNow(), resolutionClockRunning = ResolutionClockRuns(row) }, transaction);
    }

    /// <summary>The sweep is waiting on the resolution clock: the first body answered and the case is not resolved.</summary>
    private static bool ResolutionClockRuns(ClockRow row) =>
        row.EscalationLevel == 0 && row.State == CaseStateTable.Responded && !EscalationLadder.IsTop(row.ResponsibleBody);

    /// <summary>Resuming moves the resolution due time (and the target) by the paused working time.</summary>
    public async Task ResumeAsync(DbConnection connection, DbTransaction transaction, long caseId)
    {
        var row = await ReadAsync(connection, transaction, caseId);
        if (row.PausedAt is not { } pausedAt || row.ResolveDue is not { } resolveDue)
        {
            return;
        }
        var now = time.GetUtcNow();
        var calendar = (await PoliciesAsync(row)).Calendar;
        var shifted = SlaClockMath.Shift(calendar, resolveDue, pausedAt, now, row.Urgent);
        var delta = shifted - resolveDue;
        await connection.ExecuteAsync(
            """
            UPDATE cases SET resolve_due = @shifted, paused_at = NULL,
                target_resolve_at = target_resolve_at + @deltaMs,
                next_escalation_at = CASE WHEN @resolutionClockRunning = 1 THEN @shifted ELSE next_escalation_at END
            WHERE id = @caseId;
            """, new { caseId, shifted, deltaMs = (long)delta.TotalMilliseconds, resolutionClockRunning = ResolutionClockRuns(row) }, transaction);
    }

    private static Task SetNextAsync(DbConnection connection, DbTransaction transaction, long caseId, DateTimeOffset? next) =>
        connection.ExecuteAsync("UPDATE cases SET next_escalation_at = @next WHERE id = @caseId;", new { caseId, next }, transaction);
}
