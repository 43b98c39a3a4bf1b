using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>
/// A meeting's follow-up actions, each a case of kind <c>meeting_action</c>: reading them with their
/// case, and marking one done (which resolves its case).
/// </summary>
public sealed class MeetingActionStore(Database database, CaseStore cases, TimeProvider time)
{
    private sealed class ActionRow
    {
        public long Id { get; init; }
        public long MeetingId { get; init; }
        public long CommunityId { get; init; }
        public string Text { get; init; } = "";
        public string AssignedBody { get; init; } = "";
        public string? ResponsibleBody { get; init; }
        public DateTimeOffset Due { get; init; }
        public string State { get; init; } = "";
        public long? CaseId { get; init; }
        public string? CaseState { get; init; }
        public int EscalationLevel { get; init; }
        public DateTimeOffset? DoneAt { get; init; }
        public string? DoneNote { get; init; }

        public MeetingAction ToAction(DateTimeOffset now) => new(Id, Text, AssignedBody, ResponsibleBody ?? AssignedBody, Due, State, CaseId, CaseState,
            EscalationLevel, State == "open" && Due < now, DoneAt, DoneNote);
    }

    private const string Columns =
        """
        a.id AS Id, a.meeting_id AS MeetingId, a.community_id AS CommunityId, a.text AS Text, a.responsible_body AS AssignedBody,
        c.responsible_body AS ResponsibleBody, a.due AS Due, a.state AS State, a.case_id AS CaseId, c.state AS CaseState,
        COALESCE(c.escalation_level, 0) AS EscalationLevel, a.done_at AS DoneAt, a.done_note AS DoneNote
        FROM meeting_actions a LEFT JOIN cases c ON c.id = a.case_id
        """;

    /// <summary>The actions of some meetings, by meeting, in the order they were recorded.</summary>
    public static async Task<Dictionary<long, List<MeetingAction>>> ActionsOfAsync(DbConnection connection, DbTransaction? transaction,
        IReadOnlyList<long> meetingIds, DateTimeOffset now)
    {
        var rows = await connection.QueryAsync<ActionRow>(
            $"SELECT {Columns} WHERE a.meeting_id IN @meetingIds ORDER BY a.meeting_id, a.id;", new { meetingIds = SqlLists.OrNone(meetingIds, 0L) }, transaction);
        return rows.GroupBy(r => r.MeetingId).ToDictionary(g => g.Key, g => g.Select(r => r.ToAction(now)).ToList());
    }

    /// <summary>The action's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long actionId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM meeting_actions WHERE id = @actionId;", new { actionId });
    }

    /// <summary>
    /// Marks an action done and resolves its case. 404 outside the community; 403 unless the caller
    /// acts for the body the case is with now or the body it was assigned to, or is the secretary or
    /// the street admin; 409 when it is already done.
    /// </summary>
    public Task<Outcome<MeetingAction>> CompleteAsync(long actionId, CommunityAccess access, string displayName, string? note) =>
        database.WriteAsync<Outcome<MeetingAction>>(async (connection, transaction) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<ActionRow>(
                $"SELECT {Columns} WHERE a.id = @actionId AND a.community_id = @CommunityId;", new { actionId, access.CommunityId }, transaction);
            if (row is null)
            {
                return Failure.NotFound("Meeting action");
            }
            var current = row.ResponsibleBody ?? row.AssignedBody;
            var acting = access.HasAny(Roles.PartySecretary, Roles.StreetAdmin) || access.Has(Bodies.RoleOf(current)) || access.Has(Bodies.RoleOf(row.AssignedBody));
            if (!acting)
            {
                return Failure.Forbidden("Only the body the action is with (or was assigned to), the secretary or the street office marks it done.");
            }
            var now = time.GetUtcNow();
            var done = await connection.ExecuteAsync(
                "UPDATE meeting_actions SET state = 'done', done_at = @now, done_note = @note WHERE id = @actionId AND state = 'open';",
                new { actionId, now, note }, transaction);
            if (done != 1)
            {
                return Failure.Conflict("This action is already done.");
            }
            if (row.CaseId is { } caseId)
            {
                var actor = new Actor(access.UserId, displayName);
                await cases.RecordAsync(connection, transaction, caseId, ItemEvent.FirstAnswer, actor);
                await cases.RecordAsync(connection, transaction, caseId, ItemEvent.Resolved, actor, note);
            }
            var updated = await connection.QuerySingleAsync<ActionRow>($"SELECT {Columns} WHERE a.id = @actionId;", new { actionId }, transaction);
            return updated.ToAction(now);
        });
}
