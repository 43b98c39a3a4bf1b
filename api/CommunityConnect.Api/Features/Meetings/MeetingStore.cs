using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>Scheduling meetings and reading them: the list, one meeting with its minutes, actions and amendments.</summary>
public sealed class MeetingStore(Database database, TimeProvider time)
{
    public sealed class Row
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string Topic { get; init; } = "";
        public long? ThreadId { get; init; }
        public long? CaseId { get; init; }
        public long? ProjectId { get; init; }
        public DateTimeOffset StartsAt { get; init; }
        public string Place { get; init; } = "";
        public string Participants { get; init; } = "";
        public long OrganiserId { get; init; }
        public string Organiser { get; init; } = "";
        public string OrganiserBody { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public bool HasMinutes { get; init; }

        /// <summary>Who may act as the organiser: the person who scheduled it, and those acting for the organising body.</summary>
        public bool IsOrganiser(CommunityAccess access) => OrganiserId == access.UserId || Publishers.ActsFor(access, OrganiserBody);

        public MeetingSummary ToSummary() => new(Id, CommunityId, Kind, Topic, StartsAt, Place, OrganiserBody, Organiser, HasMinutes, ThreadId, CaseId, ProjectId);
    }

    private const string Columns =
        """
        g.id AS Id, g.community_id AS CommunityId, g.kind AS Kind, g.topic AS Topic, g.thread_id AS ThreadId, g.case_id AS CaseId,
        g.project_id AS ProjectId, g.starts_at AS StartsAt, g.place AS Place, g.participants AS Participants, g.organiser_id AS OrganiserId,
        u.display_name AS Organiser, g.organiser_body AS OrganiserBody, g.created_at AS CreatedAt,
        EXISTS (SELECT 1 FROM meeting_minutes mm WHERE mm.meeting_id = g.id) AS HasMinutes
        FROM meetings g JOIN users u ON u.id = g.organiser_id
        """;

    /// <summary>The meeting's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long meetingId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM meetings WHERE id = @meetingId;", new { meetingId });
    }

    /// <summary>A meeting of the caller's community (every member and the street admin see every meeting).</summary>
    public static Task<Row?> FindAsync(DbConnection connection, DbTransaction? transaction, long meetingId, long communityId) =>
        connection.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} WHERE g.id = @meetingId AND g.community_id = @communityId;", new { meetingId, communityId }, transaction);

    /// <summary>What a meeting links to that is not of the community: the field names, for a 400.</summary>
    public async Task<Dictionary<string, string[]>> ForeignLinksAsync(long communityId, NewMeetingInput input)
    {
        var errors = new Dictionary<string, string[]>();
        await using var connection = await database.OpenReadAsync();
        async Task CheckAsync(string field, long? id, string sql)
        {
            if (id is { } value && !await connection.ExecuteScalarAsync<bool>(sql, new { id = value, communityId }))
            {
                errors[field] = [$"{field} is not one of the community's."];
            }
        }
        await CheckAsync("threadId", input.ThreadId, "SELECT EXISTS (SELECT 1 FROM threads WHERE id = @id AND community_id = @communityId);");
        await CheckAsync("caseId", input.CaseId, "SELECT EXISTS (SELECT 1 FROM cases WHERE id = @id AND community_id = @communityId);");
        await CheckAsync("projectId", input.ProjectId, "SELECT EXISTS (SELECT 1 FROM projects WHERE id = @id AND community_id = @communityId);");
        return errors;
    }

    /// <summary>Schedules a meeting (a unit of work) and tells the community.</summary>
    public async Task<Outcome<Meeting>> ScheduleAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        string organiserBody, NewMeetingInput input, Inbox.Inbox inbox)
    {
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO meetings (community_id, kind, topic, thread_id, case_id, project_id, starts_at, place, participants,
                                  organiser_id, organiser_body, created_at)
            VALUES (@CommunityId, @Kind, @topic, @ThreadId, @CaseId, @ProjectId, @StartsAt, @place, @participants, @UserId, @organiserBody, @now)
            RETURNING id;
            """,
            new
            {
                access.CommunityId, input.Kind, topic = input.Topic!.Trim(), input.ThreadId, input.CaseId, input.ProjectId, input.StartsAt,
                place = input.Place!.Trim(), participants = input.Participants!.Trim(), access.UserId, organiserBody, now = time.GetUtcNow(),
            }, transaction);
        await inbox.NotifyRolesAsync(connection, transaction, access.CommunityId, Roles.CommunityRoles,
            new Inbox.Notice("meeting_scheduled", Infrastructure.Text.UserText.Cut($"{MeetingKinds.Label(input.Kind!)}:{input.Topic!.Trim()}", 60),
                $"地点:{input.Place!.Trim()}", access.CommunityId, "meeting", id), access.UserId);
        return (await DetailAsync(connection, transaction, id, access.CommunityId))!;
    }

    /// <summary>
    /// when = upcoming (starting from now, soonest first), past (started, latest first) or null (all,
    /// latest start first). The cursor is (startsAt, id) in the list's own order.
    /// </summary>
    public async Task<IReadOnlyList<MeetingSummary>> ListAsync(long communityId, string? when, DateTimeOffset? afterStart, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var parameters = new { communityId, now = time.GetUtcNow(), afterStart, afterId, take };
        var rows = when == "upcoming"
            ? await connection.QueryAsync<Row>(
                $"""
                 SELECT {Columns}
                 WHERE g.community_id = @communityId AND g.starts_at >= @now
                   AND (@afterId IS NULL OR g.starts_at > @afterStart OR (g.starts_at = @afterStart AND g.id > @afterId))
                 ORDER BY g.starts_at, g.id
                 LIMIT @take;
                 """, parameters)
            : await connection.QueryAsync<Row>(
                $"""
                 SELECT {Columns}
                 WHERE g.community_id = @communityId AND (@past = 0 OR g.starts_at < @now)
                   AND (@afterId IS NULL OR g.starts_at < @afterStart OR (g.starts_at = @afterStart AND g.id < @afterId))
                 ORDER BY g.starts_at DESC, g.id DESC
                 LIMIT @take;
                 """, new { communityId, now = time.GetUtcNow(), afterStart, afterId, take, past = when == "past" ? 1 : 0 });
        return rows.Select(r => r.ToSummary()).ToList();
    }

    public async Task<Meeting?> GetAsync(long meetingId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await DetailAsync(connection, null, meetingId, communityId);
    }

    private sealed class MinutesRow
    {
        public string Attendance { get; init; } = "";
        public string Positions { get; init; } = "";
        public string Decisions { get; init; } = "";
        public string RecordedBy { get; init; } = "";
        public DateTimeOffset RecordedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    /// <summary>One meeting with its minutes, actions and amendments, on the caller's connection.</summary>
    public async Task<Meeting?> DetailAsync(DbConnection connection, DbTransaction? transaction, long meetingId, long communityId)
    {
        var row = await FindAsync(connection, transaction, meetingId, communityId);
        if (row is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var minutes = await connection.QuerySingleOrDefaultAsync<MinutesRow>(
            """
            SELECT mm.attendance AS Attendance, mm.positions AS Positions, mm.decisions AS Decisions, u.display_name AS RecordedBy,
                   mm.recorded_at AS RecordedAt, mm.updated_at AS UpdatedAt
            FROM meeting_minutes mm JOIN users u ON u.id = mm.recorded_by WHERE mm.meeting_id = @meetingId;
            """, new { meetingId }, transaction);
        var amendments = await connection.QueryAsync<MeetingAmendment>(
            """
            SELECT a.id AS Id, a.text AS Text, u.display_name AS Author, a.created_at AS CreatedAt
            FROM meeting_amendments a JOIN users u ON u.id = a.author_id WHERE a.meeting_id = @meetingId ORDER BY a.id;
            """, new { meetingId }, transaction);
        var actions = await MeetingActionStore.ActionsOfAsync(connection, transaction, [meetingId], now);
        return new Meeting(row.Id, row.CommunityId, row.Kind, row.Topic, row.StartsAt, row.Place, row.Participants, row.OrganiserBody, row.Organiser,
            row.ThreadId, row.CaseId, row.ProjectId, row.CreatedAt,
            minutes is null ? null : new MeetingMinutes(minutes.Attendance, minutes.Positions, minutes.Decisions, minutes.RecordedBy,
                minutes.RecordedAt, minutes.UpdatedAt, minutes.RecordedAt + MinutesLock.After, now >= minutes.RecordedAt + MinutesLock.After),
            actions.GetValueOrDefault(meetingId) ?? [], amendments.ToList());
    }
}
