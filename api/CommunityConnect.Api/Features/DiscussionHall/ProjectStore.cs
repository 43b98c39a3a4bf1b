using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>
/// Deciding proposals and running the projects adopted ones become (公示治理项目进程). The body a
/// proposal's case is with, or the party secretary, decides; the deciding body (or the secretary)
/// keeps the project's milestones.
/// </summary>
public sealed class ProjectStore(Database database, ThreadStore threads, HallFeed feed, CaseStore cases, Inbox.Inbox inbox, TimeProvider time)
{
    private const string CardSql =
        """
        SELECT p.id AS Id, p.community_id AS CommunityId, p.thread_id AS ThreadId, p.case_id AS CaseId, p.title AS Title,
               p.responsible_body AS ResponsibleBody, p.milestone_count AS MilestoneCount, p.milestones_done AS MilestonesDone,
               p.created_at AS CreatedAt,
               m.id AS NextId, m.title AS NextTitle, m.due_date AS NextDueDate,
               u.text AS UpdateText, u.actor_label AS UpdateBy, u.at AS UpdateAt
        FROM projects p
        LEFT JOIN project_milestones m ON m.id = (
            SELECT n.id FROM project_milestones n WHERE n.project_id = p.id AND n.done = 0 ORDER BY n.due_date, n.id LIMIT 1)
        LEFT JOIN project_updates u ON u.id = (SELECT MAX(x.id) FROM project_updates x WHERE x.project_id = p.id)
        """;

    private sealed class CardRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public long ThreadId { get; init; }
        public long CaseId { get; init; }
        public string Title { get; init; } = "";
        public string ResponsibleBody { get; init; } = "";
        public int MilestoneCount { get; init; }
        public int MilestonesDone { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public long? NextId { get; init; }
        public string? NextTitle { get; init; }
        public string? NextDueDate { get; init; }
        public string? UpdateText { get; init; }
        public string? UpdateBy { get; init; }
        public DateTimeOffset? UpdateAt { get; init; }

        public ProjectMilestone? Next => NextId is null
            ? null
            : new ProjectMilestone(NextId.Value, NextTitle!, DateOnly.ParseExact(NextDueDate!, "yyyy-MM-dd"), false, null, null);

        public ProjectUpdate? Latest => UpdateAt is null ? null : new ProjectUpdate(UpdateText!, UpdateBy!, UpdateAt.Value);

        public ProjectCard ToCard() => new(Id, CommunityId, ThreadId, CaseId, Title, ResponsibleBody, MilestoneCount, MilestonesDone,
            PercentDone(MilestonesDone, MilestoneCount), Next, Latest, CreatedAt);
    }

    private sealed class MilestoneRow
    {
        public long Id { get; init; }
        public long ProjectId { get; init; }
        public string Title { get; init; } = "";
        public string DueDate { get; init; } = "";
        public bool Done { get; init; }
        public DateTimeOffset? DoneAt { get; init; }
        public string? Note { get; init; }

        public ProjectMilestone ToMilestone() => new(Id, Title, DateOnly.ParseExact(DueDate, "yyyy-MM-dd"), Done, DoneAt, Note);
    }

    private const string MilestoneColumns =
        "SELECT id AS Id, project_id AS ProjectId, title AS Title, due_date AS DueDate, done AS Done, done_at AS DoneAt, note AS Note FROM project_milestones";

    /// <summary>Share of milestones done, in whole percent (rounded down; 0 while there are none).</summary>
    public static int PercentDone(int done, int total) => total == 0 ? 0 : done * 100 / total;

    /// <summary>Who decides a proposal and keeps a project: a member of the body, or the secretary. Answers the label they act under.</summary>
    private static string? ActingLabel(CommunityAccess access, string body) =>
        access.Has(Bodies.RoleOf(body)) ? Bodies.Label(body) : access.Has(Roles.PartySecretary) ? Roles.Label(Roles.PartySecretary) : null;

    private static Failure? CheckDecidable(ThreadStore.ThreadState? thread, CommunityAccess access)
    {
        if (thread is null || thread.CommunityId != access.CommunityId)
        {
            return Failure.NotFound("Thread");
        }
        if (thread.Kind != ThreadKinds.Proposal)
        {
            return Failure.Conflict("Only proposals are adopted or declined.");
        }
        // A proposal held for review has no case, hence no body to decide it, until it is published.
        if (thread.CaseId is null || thread.ReviewState != ReviewStates.Published)
        {
            return Failure.Conflict("This proposal is not published yet.");
        }
        if (ActingLabel(access, thread.ResponsibleBody!) is null)
        {
            return Failure.Forbidden($"Only {Bodies.Label(thread.ResponsibleBody!)} or the party secretary decides this proposal.");
        }
        if (thread.State != ThreadStates.Open)
        {
            return Failure.Conflict("This proposal has already been decided.");
        }
        return null;
    }

    /// <summary>Adopts a proposal: its case is answered and resolved, and a project opens.</summary>
    public async Task<Outcome<Project>> AdoptAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, long threadId, string? reason)
    {
        var thread = await ThreadStore.LoadAsync(connection, transaction, threadId);
        if (CheckDecidable(thread, access) is { } failure)
        {
            return failure;
        }
        var label = ActingLabel(access, thread!.ResponsibleBody!)!;
        if (await DecideAsync(connection, transaction, access, thread, ThreadStates.Adopted, reason, label) is not { } actor)
        {
            return DecidedMeanwhile;
        }
        var now = time.GetUtcNow();
        var projectId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO projects (community_id, thread_id, case_id, title, responsible_body, created_by, created_at)
            VALUES (@CommunityId, @Id, @CaseId, @Title, @body, @UserId, @now)
            RETURNING id;
            """, new { thread.CommunityId, thread.Id, thread.CaseId, thread.Title, body = thread.ResponsibleBody, access.UserId, now }, transaction);
        await AddUpdateAsync(connection, transaction, projectId, reason is null ? "议题已采纳,立项推进。" : $"议题已采纳,立项推进:{reason}", actor.Label);
        await cases.RecordAsync(connection, transaction, thread.CaseId!.Value, ItemEvent.FirstAnswer, actor, reason);
        await cases.RecordAsync(connection, transaction, thread.CaseId!.Value, ItemEvent.Resolved, actor, $"立项 /v1/projects/{projectId}");
        await NotifyDecisionAsync(connection, transaction, access, thread, $"你关注的议题「{UserText.Cut(thread.Title, 20)}」已被采纳",
            reason ?? "议题已立项,进度见项目公示。");
        return (await ProjectAsync(connection, transaction, projectId))!;
    }

    /// <summary>Declines a proposal with a reason: its case is answered and closed.</summary>
    public Task<Outcome<ThreadDetail>> DeclineAsync(CommunityAccess access, long threadId, string reason) =>
        database.WriteAsync(async (connection, transaction) =>
            await DeclineAsync(connection, transaction, access, await ThreadStore.LoadAsync(connection, transaction, threadId), reason));

    /// <summary>Declines the proposal as it was read (<paramref name="thread"/>); 409, and nothing written, when it was decided meanwhile.</summary>
    internal async Task<Outcome<ThreadDetail>> DeclineAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        ThreadStore.ThreadState? thread, string reason)
    {
        if (CheckDecidable(thread, access) is { } failure)
        {
            return failure;
        }
        if (await DecideAsync(connection, transaction, access, thread!, ThreadStates.Declined, reason, ActingLabel(access, thread!.ResponsibleBody!)!) is not { } actor)
        {
            return DecidedMeanwhile;
        }
        await cases.RecordAsync(connection, transaction, thread.CaseId!.Value, ItemEvent.FirstAnswer, actor, reason);
        await cases.RecordAsync(connection, transaction, thread.CaseId!.Value, ItemEvent.Closed, actor, reason);
        await NotifyDecisionAsync(connection, transaction, access, thread, $"你关注的议题「{UserText.Cut(thread.Title, 20)}」未被采纳", reason);
        return (await threads.DetailAsync(connection, transaction, thread.Id, access.UserId))!;
    }

    private static readonly Failure DecidedMeanwhile = Failure.Conflict("This proposal has already been decided.");

    /// <summary>Moves the proposal from open to its outcome; null (nothing written) when someone decided it first.</summary>
    private async Task<Actor?> DecideAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        ThreadStore.ThreadState thread, string outcome, string? reason, string label)
    {
        if (await connection.ExecuteAsync(
                """
                UPDATE threads SET state = @outcome, decision_reason = @reason, decided_by = @UserId, decided_role = @label, decided_at = @now
                WHERE id = @Id AND state = 'open';
                """, new { outcome, reason, access.UserId, label, now = time.GetUtcNow(), thread.Id }, transaction) != 1)
        {
            return null;
        }
        // The decision is a public answer on the thread: new activity.
        await feed.BumpAsync(connection, transaction, thread.CommunityId, thread.Id);
        var name = await ThreadStore.DisplayNameAsync(connection, transaction, access.UserId);
        return new Actor(access.UserId, $"{name}({label})");
    }

    private async Task NotifyDecisionAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        ThreadStore.ThreadState thread, string title, string body)
    {
        var recipients = (await ThreadStore.FollowersAsync(connection, transaction, thread.Id)).Append(thread.AuthorId).Where(id => id != access.UserId);
        await inbox.NotifyUsersAsync(connection, transaction, recipients,
            new Notice("proposal_decided", title, UserText.Cut(body, 60), thread.CommunityId, "thread", thread.Id));
    }

    private Task AddUpdateAsync(DbConnection connection, DbTransaction transaction, long projectId, string text, string actorLabel) =>
        connection.ExecuteAsync(
            "INSERT INTO project_updates (project_id, text, actor_label, at) VALUES (@projectId, @text, @actorLabel, @now);",
            new { projectId, text, actorLabel, now = time.GetUtcNow() }, transaction);

    // ---- projects ----

    public async Task<long?> CommunityOfAsync(long projectId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM projects WHERE id = @projectId;", new { projectId });
    }

    public async Task<Project?> GetAsync(long projectId)
    {
        await using var connection = await database.OpenReadAsync();
        return await ProjectAsync(connection, null, projectId);
    }

    private static async Task<Project?> ProjectAsync(DbConnection connection, DbTransaction? transaction, long projectId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CardRow>(CardSql + "\nWHERE p.id = @projectId;", new { projectId }, transaction);
        if (row is null)
        {
            return null;
        }
        var milestones = await connection.QueryAsync<MilestoneRow>(
            MilestoneColumns + " WHERE project_id = @projectId ORDER BY due_date, id;", new { projectId }, transaction);
        return new Project(row.Id, row.CommunityId, row.ThreadId, row.CaseId, row.Title, row.ResponsibleBody, row.MilestoneCount, row.MilestonesDone,
            PercentDone(row.MilestonesDone, row.MilestoneCount), row.Next, row.Latest, milestones.Select(m => m.ToMilestone()).ToList(), row.CreatedAt);
    }

    /// <summary>The public progress board, newest project first (take + 1 rows).</summary>
    public async Task<IReadOnlyList<ProjectCard>> BoardAsync(long communityId, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<CardRow>(
            CardSql + """

            WHERE p.community_id = @communityId AND (@beforeId IS NULL OR p.id < @beforeId)
            ORDER BY p.id DESC
            LIMIT @take;
            """, new { communityId, beforeId, take });
        return rows.Select(r => r.ToCard()).ToList();
    }

    private static async Task<(Failure? Failure, string Label)> CheckKeeperAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, long projectId)
    {
        var project = await connection.QuerySingleOrDefaultAsync<(long CommunityId, string Body)>(
            "SELECT community_id, responsible_body FROM projects WHERE id = @projectId;", new { projectId }, transaction);
        if (project == default || project.CommunityId != access.CommunityId)
        {
            return (Failure.NotFound("Project"), "");
        }
        var label = ActingLabel(access, project.Body);
        return label is null
            ? (Failure.Forbidden($"Only {Bodies.Label(project.Body)} or the party secretary keeps this project's milestones."), "")
            : (null, label);
    }

    public async Task<Outcome<ProjectMilestone>> AddMilestoneAsync(DbConnection connection, DbTransaction transaction,
        CommunityAccess access, long projectId, string title, DateOnly dueDate)
    {
        var (failure, label) = await CheckKeeperAsync(connection, transaction, access, projectId);
        if (failure is not null)
        {
            return failure;
        }
        var milestoneId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO project_milestones (project_id, title, due_date, created_at) VALUES (@projectId, @title, @dueDate, @now)
            RETURNING id;
            """, new { projectId, title, dueDate, now = time.GetUtcNow() }, transaction);
        await connection.ExecuteAsync("UPDATE projects SET milestone_count = milestone_count + 1 WHERE id = @projectId;", new { projectId }, transaction);
        var name = await ThreadStore.DisplayNameAsync(connection, transaction, access.UserId);
        await AddUpdateAsync(connection, transaction, projectId, $"新增里程碑:{title}(计划 {dueDate:yyyy-MM-dd} 完成)", $"{name}({label})");
        return (await MilestoneAsync(connection, transaction, milestoneId))!.ToMilestone();
    }

    public Task<Outcome<ProjectMilestone>> UpdateMilestoneAsync(CommunityAccess access, long projectId, long milestoneId, bool done, string? note) =>
        database.WriteAsync<Outcome<ProjectMilestone>>(async (connection, transaction) =>
        {
            var (failure, label) = await CheckKeeperAsync(connection, transaction, access, projectId);
            if (failure is not null)
            {
                return failure;
            }
            var milestone = await MilestoneAsync(connection, transaction, milestoneId);
            if (milestone is null || milestone.ProjectId != projectId)
            {
                return Failure.NotFound("Milestone");
            }
            var now = time.GetUtcNow();
            if (milestone.Done != done)
            {
                // The counter moves only with the milestone it counts, and only from the state it was read in.
                if (await connection.ExecuteAsync(
                        "UPDATE project_milestones SET done = @done, done_at = @doneAt WHERE id = @milestoneId AND done = @was;",
                        new { milestoneId, done, was = milestone.Done, doneAt = done ? now : (DateTimeOffset?)null }, transaction) != 1)
                {
                    return Failure.Conflict("This milestone changed meanwhile; read it again.");
                }
                await connection.ExecuteAsync("UPDATE projects SET milestones_done = milestones_done + @delta WHERE id = @projectId;",
                    new { projectId, delta = done ? 1 : -1 }, transaction);
            }
            if (note is not null)
            {
                await connection.ExecuteAsync("UPDATE project_milestones SET note = @note WHERE id = @milestoneId;", new { milestoneId, note }, transaction);
            }
            if (milestone.Done != done || note is not null)
            {
                var name = await ThreadStore.DisplayNameAsync(connection, transaction, access.UserId);
                var text = (done ? $"里程碑完成:{milestone.Title}" : $"里程碑未完成:{milestone.Title}") + (note is null ? "" : $"。{note}");
                await AddUpdateAsync(connection, transaction, projectId, text, $"{name}({label})");
            }
            return (await MilestoneAsync(connection, transaction, milestoneId))!.ToMilestone();
        });

    private static async Task<MilestoneRow?> MilestoneAsync(DbConnection connection, DbTransaction transaction, long milestoneId) =>
        await connection.QuerySingleOrDefaultAsync<MilestoneRow>(MilestoneColumns + " WHERE id = @milestoneId;", new { milestoneId }, transaction);
}
