using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Escalation;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Escalation;

/// <summary>Climbing the ladder: the sweep's due cases, one guarded step at a time, and manual escalation.</summary>
public sealed class EscalationStore(Database database, CaseStore cases, SlaClock clock, Inbox.Inbox inbox, TimeProvider time) : ICaseEscalations
{
    private sealed class StepRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string ResponsibleBody { get; init; } = "";
        public int EscalationLevel { get; init; }
        public string State { get; init; } = "";
        public string AuthorKey { get; init; } = "";
        public DateTimeOffset? FirstResponseDue { get; init; }
        public DateTimeOffset? NextEscalationAt { get; init; }
        public bool ManuallyEscalated { get; init; }
    }

    public async Task<IReadOnlyList<DueCase>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        // Served by ix_cases_next_escalation: the cost grows with the due cases, not with all cases.
        return (await connection.QueryAsync<(long CaseId, long Level)>(
            """
            SELECT id, escalation_level FROM cases
            WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= @now
            ORDER BY next_escalation_at
            LIMIT @max;
            """, new { now, max })).Select(due => new DueCase(due.CaseId, (int)due.Level)).ToList();
    }

    public Task<bool> EscalateAsync(long caseId, int fromLevel, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var row = await FindAsync(connection, transaction, caseId);
            var now = time.GetUtcNow();
            if (row is null || row.EscalationLevel != fromLevel || row.NextEscalationAt is not { } due || due > now)
            {
                return false; // another run already climbed it, or it is no longer due
            }
            var missed = row.State == CaseStateTable.Open ? "响应" : "办结";
            return await ClimbAsync(connection, transaction, row, Actor.System, $"超时未{missed}", manual: false);
        });

    /// <summary>
    /// The author escalates once the first-response clock has passed (once per case). 404 for who
    /// cannot see it, 403 for anyone but the author, 409 before the clock has passed, after a first
    /// manual escalation, at the street office, or once resolved.
    /// </summary>
    public Task<Outcome<bool>> EscalateByAuthorAsync(long caseId, CommunityAccess access, AuthorKeys callerKeys, string reason) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var row = await FindAsync(connection, transaction, caseId);
            if (row is null || row.CommunityId != access.CommunityId)
            {
                return Failure.NotFound("Case");
            }
            if (!callerKeys.Owns(row.AuthorKey))
            {
                // 404 for who cannot see the case; those who can (its bodies, the secretary, the street) may still never escalate it by hand.
                return await CaseAccess.MaySeeAsync(connection, transaction, row.Id, CaseReader.Of(access, callerKeys))
                    ? Failure.Forbidden("Only the author escalates a case by hand.")
                    : Failure.NotFound("Case");
            }
            if (row.State is CaseStateTable.Resolved or CaseStateTable.Closed)
            {
                return Failure.Conflict($"This case is already {row.State}.");
            }
            if (EscalationLadder.IsTop(row.ResponsibleBody))
            {
                return Failure.Conflict("The case is already with the street office.");
            }
            if (row.ManuallyEscalated)
            {
                return Failure.Conflict("You have already escalated this case once.");
            }
            if (row.FirstResponseDue is not { } due || due > time.GetUtcNow())
            {
                return Failure.Conflict("The first-response time has not passed yet.", row.FirstResponseDue is { } d ? $"Due at {d:O}." : null);
            }
            return await ClimbAsync(connection, transaction, row, Actor.Anonymous with { Label = "提出人" }, $"提出人申请上报:{reason}", manual: true)
                ? true
                : Failure.Conflict("The case changed meanwhile (answered, transferred or escalated); read it again.");
        });

    private async Task<bool> ClimbAsync(DbConnection connection, DbTransaction transaction, StepRow row, Actor actor, string note, bool manual)
    {
        var next = EscalationLadder.Next(row.ResponsibleBody);
        if (next is null)
        {
            return false;
        }
        var moved = await connection.ExecuteAsync(
            """
            UPDATE cases SET responsible_body = @next, escalation_level = escalation_level + 1, updated_at = @now,
                manually_escalated = CASE WHEN @manual = 1 THEN 1 ELSE manually_escalated END
            WHERE id = @Id AND escalation_level = @EscalationLevel AND responsible_body = @ResponsibleBody AND state = @State
              AND CASE WHEN @manual = 1 THEN manually_escalated ELSE 0 END = 0;
            """, new { next, now = time.GetUtcNow(), manual, row.Id, row.EscalationLevel, row.ResponsibleBody, row.State }, transaction);
        if (moved != 1)
        {
            return false;
        }
        await clock.StartAsync(connection, transaction, row.Id);
        var label = Bodies.Label(next);
        await cases.AddHistoryAsync(connection, transaction, row.Id, "escalated", actor, null, null, row.ResponsibleBody, next,
            $"{note},已上报{label}");
        var kind = CaseKinds.Label(row.Kind);
        await cases.NotifyBodyAsync(connection, transaction, row.CommunityId, next,
            new Notice("case_escalated", $"一件{kind}已上报{label}", $"{Bodies.Label(row.ResponsibleBody)}{note},请{label}督办。", row.CommunityId, "case", row.Id));
        await inbox.NotifyKeysAsync(connection, transaction, [row.AuthorKey],
            new Notice("case_escalated", $"您的{kind}已上报{label}", $"{Bodies.Label(row.ResponsibleBody)}{note},已上报{label}。", row.CommunityId, "case", row.Id));
        return true;
    }

    private static Task<StepRow?> FindAsync(DbConnection connection, DbTransaction transaction, long caseId) =>
        connection.QuerySingleOrDefaultAsync<StepRow>(
            """
            SELECT id AS Id, community_id AS CommunityId, kind AS Kind, responsible_body AS ResponsibleBody, escalation_level AS EscalationLevel,
                   state AS State, author_key AS AuthorKey, first_response_due AS FirstResponseDue, next_escalation_at AS NextEscalationAt,
                   manually_escalated AS ManuallyEscalated
            FROM cases WHERE id = @caseId;
            """, new { caseId }, transaction);

    /// <summary>What reached the street office, across the street's communities, newest first.</summary>
    public async Task<IReadOnlyList<StreetEscalation>> StreetEscalationsAsync(long streetId, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<StreetEscalation>(
            """
            SELECT c.id AS CaseId, c.community_id AS CommunityId, co.name AS CommunityName, c.kind AS Kind, c.item_id AS ItemId,
                   c.category AS Category, c.urgent AS Urgent, c.escalation_level AS EscalationLevel, c.state AS State,
                   c.created_at AS CreatedAt,
                   (SELECT MAX(h.at) FROM case_history h WHERE h.case_id = c.id AND h.to_body = 'street_admin') AS EscalatedAt
            FROM cases c JOIN communities co ON co.id = c.community_id
            WHERE co.street_id = @streetId AND c.responsible_body = 'street_admin' AND (@beforeId IS NULL OR c.id < @beforeId)
            ORDER BY c.id DESC
            LIMIT @take;
            """, new { streetId, beforeId, take })).ToList();
    }
}
