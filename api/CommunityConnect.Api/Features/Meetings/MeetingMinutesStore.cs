using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Escalation;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>The organiser's minutes: recorded once (each action opening its case), correctable for 7 days, then only amended.</summary>
public sealed class MeetingMinutesStore(MeetingStore meetings, CaseStore cases, SlaClock clock, Inbox.Inbox inbox, RecipientKeys keys, TimeProvider time)
{
    /// <summary>The organiser, as the minutes and the action cases name them.</summary>
    public sealed record Recorder(CommunityAccess Access, string DisplayName);

    private static async Task<Outcome<MeetingStore.Row>> OrganisersMeetingAsync(DbConnection connection, DbTransaction transaction, long meetingId,
        CommunityAccess access)
    {
        var row = await MeetingStore.FindAsync(connection, transaction, meetingId, access.CommunityId);
        if (row is null)
        {
            return Failure.NotFound("Meeting");
        }
        if (!row.IsOrganiser(access))
        {
            return Failure.Forbidden("Only the organiser of the meeting writes its minutes.");
        }
        return row;
    }

    /// <summary>
    /// Records the minutes once, after the meeting has started (409 before, and for a second time).
    /// Each action opens a case of kind <c>meeting_action</c> for its body, with its due time as the
    /// resolution clock, so the escalation sweep covers what was promised in the meeting.
    /// </summary>
    public async Task<Outcome<Meeting>> RecordAsync(DbConnection connection, DbTransaction transaction, long meetingId, Recorder recorder,
        NewMinutesInput input)
    {
        var found = await OrganisersMeetingAsync(connection, transaction, meetingId, recorder.Access);
        if (found.Failed)
        {
            return found.Failure!;
        }
        var meeting = found.Value!;
        var now = time.GetUtcNow();
        if (meeting.StartsAt > now)
        {
            return Failure.Conflict("Minutes are recorded after the meeting has started.", $"It starts at {meeting.StartsAt:O}.");
        }
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO meeting_minutes (meeting_id, attendance, positions, decisions, recorded_by, recorded_at, updated_at)
            VALUES (@meetingId, @attendance, @positions, @decisions, @UserId, @now, @now)
            ON CONFLICT (meeting_id) DO NOTHING;
            """,
            new
            {
                meetingId, attendance = input.Attendance!.Trim(), positions = input.Positions!.Trim(), decisions = input.Decisions!.Trim(),
                recorder.Access.UserId, now,
            }, transaction);
        if (inserted != 1)
        {
            return Failure.Conflict("The minutes of this meeting are already recorded; correct them within 7 days, or amend them.");
        }
        var actor = new Actor(recorder.Access.UserId, recorder.DisplayName);
        var authorKey = keys.ForUser(recorder.Access.UserId);
        foreach (var action in input.Actions ?? [])
        {
            var actionId = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO meeting_actions (meeting_id, community_id, text, responsible_body, due)
                VALUES (@meetingId, @communityId, @text, @ResponsibleBody, @Due) RETURNING id;
                """, new { meetingId, communityId = meeting.CommunityId, text = action!.Text!.Trim(), action.ResponsibleBody, action.Due }, transaction);
            var caseId = await cases.OpenAsync(connection, transaction,
                new NewCase(meeting.CommunityId, "meeting_action", actionId, "other", false, authorKey, actor, action.ResponsibleBody!));
            await clock.PromiseAsync(connection, transaction, caseId, action.Due!.Value);
            await connection.ExecuteAsync("UPDATE meeting_actions SET case_id = @caseId WHERE id = @actionId;", new { caseId, actionId }, transaction);
        }
        await inbox.NotifyRolesAsync(connection, transaction, meeting.CommunityId, Roles.CommunityRoles,
            new Notice("meeting_minutes", UserText.Cut($"{MeetingKinds.Label(meeting.Kind)}纪要已公布:{meeting.Topic}", 60),
                UserText.Cut(input.Decisions.Trim(), 60), meeting.CommunityId, "meeting", meetingId), recorder.Access.UserId);
        return (await meetings.DetailAsync(connection, transaction, meetingId, meeting.CommunityId))!;
    }

    /// <summary>
    /// Corrects the minutes' text while they are not yet fixed: the guard is in the UPDATE (recorded
    /// less than 7 days ago by the domain clock), so a correction racing the lock cannot slip past it.
    /// </summary>
    public async Task<Outcome<Meeting>> CorrectAsync(DbConnection connection, DbTransaction transaction, long meetingId, CommunityAccess access,
        MinutesCorrectionInput input)
    {
        var found = await OrganisersMeetingAsync(connection, transaction, meetingId, access);
        if (found.Failed)
        {
            return found.Failure!;
        }
        var now = time.GetUtcNow();
        var changed = await connection.ExecuteAsync(
            """
            UPDATE meeting_minutes SET attendance = @attendance, positions = @positions, decisions = @decisions, updated_at = @now
            WHERE meeting_id = @meetingId AND recorded_at > @lockedBefore;
            """,
            new
            {
                meetingId, attendance = input.Attendance!.Trim(), positions = input.Positions!.Trim(), decisions = input.Decisions!.Trim(), now,
                lockedBefore = now - MinutesLock.After,
            }, transaction);
        if (changed != 1)
        {
            return found.Value!.HasMinutes
                ? Failure.Conflict("The minutes are fixed 7 days after they were recorded; add an amendment instead.")
                : Failure.Conflict("This meeting has no minutes yet.");
        }
        return (await meetings.DetailAsync(connection, transaction, meetingId, access.CommunityId))!;
    }

    /// <summary>An amendment, shown beside the minutes (409 before there are minutes).</summary>
    public async Task<Outcome<MeetingAmendment>> AmendAsync(DbConnection connection, DbTransaction transaction, long meetingId, Recorder recorder,
        string text)
    {
        var found = await OrganisersMeetingAsync(connection, transaction, meetingId, recorder.Access);
        if (found.Failed)
        {
            return found.Failure!;
        }
        if (!found.Value!.HasMinutes)
        {
            return Failure.Conflict("This meeting has no minutes to amend yet.");
        }
        var now = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO meeting_amendments (meeting_id, text, author_id, created_at) VALUES (@meetingId, @text, @UserId, @now) RETURNING id;
            """, new { meetingId, text, recorder.Access.UserId, now }, transaction);
        return new MeetingAmendment(id, text, recorder.DisplayName, now);
    }
}
