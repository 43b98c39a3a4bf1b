using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.ComplaintBox;
using Dapper;
using System.Data.Common;
using static CommunityConnect.Api.Features.ComplaintBox.OpinionQueries;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>
/// An opinion's answer and its author's reply to it (satisfied closes it; not satisfied reopens it
/// once), and the job that closes what its author never replied to.
/// </summary>
public sealed class OpinionAnswerStore(Database database, CaseStore cases, Inbox.Inbox inbox, TimeProvider time) : IAnsweredOpinions
{
    /// <summary>
    /// An answer by the body the case is or was with, or the secretary / street office
    /// (<see cref="CaseAccess.AnsweringBodyAsync"/>, the rule of every case answer). The first answer
    /// moves the opinion to answered and its case to resolved: the body has given its answer.
    /// </summary>
    public async Task<Outcome<OpinionAnswer>> AnswerAsync(DbConnection connection, DbTransaction transaction, long opinionId, OpinionViewer viewer,
        string body, string visibility)
    {
        if (await SeeAsync(connection, transaction, opinionId, viewer) is not { } seen)
        {
            return Failure.NotFound("Opinion");
        }
        var row = seen.Row;
        var answeringBody = await CaseAccess.AnsweringBodyAsync(connection, transaction, viewer.Access, row.ResponsibleBody ?? row.ToBody, row.CaseId);
        if (answeringBody is null)
        {
            return Failure.Forbidden("Only the body the opinion is or was with, the secretary or the street office answers it.");
        }
        if (row.Kind == OpinionKinds.Praise)
        {
            return Failure.Conflict("Praise awaits no answer.");
        }
        var next = OpinionStates.Next(row.State, OpinionEvent.Answered, (int)row.ReopenCount);
        if (next is null)
        {
            return Failure.Conflict("This opinion is closed.");
        }
        // Whole milliseconds, as stored, so this answer reads the same as when it is read back.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        // The opinion moves (or, already answered, stays answered) only from the state it was read in:
        // an opinion its author closed meanwhile takes no answer.
        var moved = await connection.ExecuteAsync(
            """
            UPDATE opinions SET state = @next,
                answered_at = CASE WHEN @from = 'open' THEN @now ELSE answered_at END,
                first_answered_at = CASE WHEN @from = 'open' THEN COALESCE(first_answered_at, @now) ELSE first_answered_at END
            WHERE id = @opinionId AND state = @from;
            """, new { opinionId, next, from = row.State, now }, transaction);
        if (moved != 1)
        {
            return Failure.Conflict("This opinion changed meanwhile; read it again.");
        }
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO opinion_answers (opinion_id, author_id, author_body, body, visibility, created_at)
            VALUES (@opinionId, @UserId, @answeringBody, @body, @visibility, @now) RETURNING id;
            """, new { opinionId, viewer.UserId, answeringBody, body, visibility, now }, transaction);
        var actor = new Actor(viewer.UserId, $"{viewer.DisplayName}({Bodies.Label(answeringBody)})");
        await cases.AddHistoryAsync(connection, transaction, row.CaseId!.Value, "response", actor, null, null, null, null, null);
        if (row.State == OpinionStates.Open)
        {
            // FirstAnswer first, so the case records when it was first responded to; then resolved.
            await cases.RecordAsync(connection, transaction, row.CaseId.Value, ItemEvent.FirstAnswer, actor);
            await cases.RecordAsync(connection, transaction, row.CaseId.Value, ItemEvent.Resolved, actor);
        }
        await NotifyAuthorAsync(inbox, connection, transaction, row,
            new Notice("opinion_answered", $"{Bodies.Label(answeringBody)}答复了您的{OpinionKinds.Label(row.Kind)}", UserText.Cut(body, 60),
                row.CommunityId, "opinion", row.Id));
        return new OpinionAnswer(id, viewer.DisplayName, answeringBody, body, visibility, now);
    }

    // ---- the author's satisfaction ----

    /// <summary>
    /// The author's reply to the answer: satisfied closes it; not satisfied reopens it to the same
    /// body once, and closes it (as unsatisfied) the second time.
    /// </summary>
    public Task<Outcome<Opinion>> ReplyAsync(long opinionId, OpinionViewer viewer, bool satisfied, string? comment) =>
        database.WriteAsync(async (connection, transaction) =>
            await SeeAsync(connection, transaction, opinionId, viewer) is { } seen
                ? await ReplyAsync(connection, transaction, seen.Row, viewer, satisfied, comment)
                : Failure.NotFound("Opinion"));

    /// <summary>The author's reply to the opinion as it was read (<paramref name="row"/>); 409, and nothing written, when it moved meanwhile.</summary>
    internal async Task<Outcome<Opinion>> ReplyAsync(DbConnection connection, DbTransaction transaction, OpinionRow row, OpinionViewer viewer,
        bool satisfied, string? comment)
    {
        if (!viewer.Keys.Owns(row.AuthorKey))
        {
            return Failure.Forbidden("Only the author replies to the answer.");
        }
        var next = OpinionStates.Next(row.State, satisfied ? OpinionEvent.Satisfied : OpinionEvent.NotSatisfied, (int)row.ReopenCount);
        if (next is null)
        {
            return Failure.Conflict(row.State == OpinionStates.Open ? "This opinion has not been answered yet." : "This opinion is closed.");
        }
        var now = time.GetUtcNow();
        var reopen = next == OpinionStates.Open;
        var moved = await connection.ExecuteAsync(
            """
            UPDATE opinions SET
                state = @next, satisfied = @satisfied, satisfaction_comment = @comment,
                reopen_count = reopen_count + @reopened,
                answered_at = CASE WHEN @reopened = 1 THEN NULL ELSE answered_at END,
                closed_at = CASE WHEN @next = 'closed' THEN @now ELSE closed_at END,
                closed_reason = CASE WHEN @next = 'closed' THEN @closedReason ELSE closed_reason END
            WHERE id = @Id AND state = @from AND reopen_count = @ReopenCount;
            """,
            new
            {
                row.Id, next, satisfied, comment, reopened = reopen ? 1 : 0, now, closedReason = satisfied ? "satisfied" : "unsatisfied",
                from = row.State, row.ReopenCount,
            },
            transaction);
        if (moved != 1)
        {
            return Failure.Conflict("This opinion changed meanwhile; read it again.");
        }
        var note = comment is null ? (satisfied ? "满意" : "不满意") : $"{(satisfied ? "满意" : "不满意")}:{comment}";
        await cases.RecordAsync(connection, transaction, row.CaseId!.Value, reopen ? ItemEvent.Reopened : ItemEvent.Closed, row.AuthorActor, note);
        if (reopen)
        {
            await cases.NotifyBodyAsync(connection, transaction, row.CommunityId, row.ResponsibleBody!,
                new Notice("opinion_reopened", $"{OpinionKinds.Label(row.Kind)}的提出人对答复不满意", comment ?? "请重新处理并再次答复。",
                    row.CommunityId, "opinion", row.Id));
        }
        var updated = (await FindAsync(connection, transaction, row.Id, row.CommunityId, viewer.Keys))!;
        return updated.ToDetail(viewer.Keys, await AnswersAsync(connection, transaction, row.Id, privateAudience: true));
    }

    /// <summary>The auto-close job's step: answered seven days ago, no reply from the author.</summary>
    public Task<int> CloseUnrepliedAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var cutoff = now - AutoCloseAnsweredOpinionsJob.ReplyWindow;
            var due = (await connection.QueryAsync<OpinionRow>(
                $"""
                 SELECT {Columns}{From}
                 WHERE o.state = 'answered' AND o.answered_at <= @cutoff
                 ORDER BY o.id;
                 """, new { cutoff, callerKeys = new[] { "" } }, transaction)).ToList();
            var closed = 0;
            foreach (var row in due)
            {
                if (await CloseUnrepliedAsync(connection, transaction, row, cutoff))
                {
                    closed++;
                }
            }
            return closed;
        });

    /// <summary>
    /// Closes one opinion read as answered before <paramref name="cutoff"/>, with its case and a notice to
    /// its author. False, and nothing written, when it was replied to, reopened or closed meanwhile.
    /// </summary>
    internal async Task<bool> CloseUnrepliedAsync(DbConnection connection, DbTransaction transaction, OpinionRow row, DateTimeOffset cutoff)
    {
        if (await connection.ExecuteAsync(
                "UPDATE opinions SET state = 'closed', closed_at = @now, closed_reason = 'no_reply' WHERE id = @Id AND state = 'answered' AND answered_at <= @cutoff;",
                new { row.Id, cutoff, now = time.GetUtcNow() }, transaction) != 1)
        {
            return false;
        }
        await cases.RecordAsync(connection, transaction, row.CaseId!.Value, ItemEvent.Closed, Actor.System, "答复后 7 天未回复,自动关闭");
        await NotifyAuthorAsync(inbox, connection, transaction, row,
            new Notice("opinion_closed", $"您的{OpinionKinds.Label(row.Kind)}已自动关闭", "答复后 7 天内未收到您的回复,已自动关闭。",
                row.CommunityId, "opinion", row.Id));
        return true;
    }
}
