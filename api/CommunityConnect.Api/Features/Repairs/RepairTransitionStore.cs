using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.Repairs;
using Dapper;
using System.Data.Common;
using static CommunityConnect.Api.Features.Repairs.RepairQueries;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// Moving a ticket: every action of <see cref="RepairStateMachine"/>, the reporter's rating that
/// closes it, and the job that closes what nobody rated. Each move is one unit of work that moves
/// the ticket, its case (and its clock), its history and its notices together.
/// </summary>
public sealed class RepairTransitionStore(Database database, CaseStore cases, Inbox.Inbox inbox, TimeProvider time) : IUnratedRepairTickets
{
    // ---- moving a ticket ----

    /// <summary>
    /// One action of <see cref="RepairStateMachine.Actions"/>: 404 when the caller may not see the
    /// ticket, 403 when their role may never make the move, 409 when the state forbids it now
    /// (including a second staff member accepting a ticket someone has just accepted).
    /// </summary>
    public Task<Outcome<RepairTicket>> TransitionAsync(long ticketId, string action, CommunityAccess access, string? note, long? technicianId = null) =>
        database.WriteAsync<Outcome<RepairTicket>>(async (connection, transaction) =>
        {
            var ticket = await FindVisibleAsync(connection, transaction, ticketId, access);
            if (ticket is null)
            {
                return Failure.NotFound("Repair ticket");
            }
            var transition = RepairStateMachine.Get(action);
            var refusal = Refuse(transition, ticket, access);
            if (refusal is not null)
            {
                return refusal;
            }
            if (transition.Action == RepairStateMachine.Assign &&
                !await connection.ExecuteScalarAsync<bool>(
                    """
                    SELECT EXISTS (SELECT 1 FROM memberships
                                   WHERE user_id = @technicianId AND community_id = @CommunityId AND role = 'property_staff' AND verification = 'verified');
                    """, new { technicianId, ticket.CommunityId }, transaction))
            {
                return Failure.Invalid("technicianId names no property staff member of this community.");
            }
            var actor = new Actor(access.UserId, await NameOfAsync(connection, transaction, access.UserId));
            if (!await ApplyAsync(connection, transaction, ticket, transition, actor, note, technicianId))
            {
                return Failure.Conflict($"The ticket was just moved by someone else; it is no longer {ticket.State}.");
            }
            return await ViewAsync(connection, transaction, ticketId, access);
        });

    private Failure? Refuse(RepairTransition transition, TicketRow ticket, CommunityAccess access) =>
        RepairStateMachine.Check(transition, PartiesOf(ticket, access), ticket.State, ticket.ResolvedAt, time.GetUtcNow()) switch
        {
            RepairStateMachine.Verdict.Allowed => null,
            RepairStateMachine.Verdict.Forbidden => Failure.Forbidden(transition.By.Contains(RepairParty.Reporter)
                ? $"Only the reporter may {transition.Action} this ticket."
                : $"Only property staff may {transition.Action} a ticket."),
            RepairStateMachine.Verdict.WindowPassed => Failure.Conflict($"A ticket may be reopened only within {RepairStateMachine.ReopenWindow.TotalDays:0} days of its resolution."),
            _ => Failure.Conflict($"Cannot {transition.Action} a ticket that is {ticket.State}.",
                $"{transition.Action} is allowed from: {string.Join(", ", transition.From)}."),
        };

    /// <summary>
    /// Moves the ticket if it is still in the state it was read in (<c>WHERE state = @from</c>, so of
    /// two concurrent moves exactly one happens), then its history, its case and the notices.
    /// Answers false when the ticket had moved already.
    /// </summary>
    private async Task<bool> ApplyAsync(DbConnection connection, DbTransaction transaction, TicketRow ticket, RepairTransition transition,
        Actor actor, string? note, long? technicianId = null)
    {
        var now = time.GetUtcNow();
        var moved = await connection.ExecuteAsync(
            """
            UPDATE repair_tickets SET
                state = @to,
                updated_at = @now,
                first_accepted_at = CASE WHEN @to = 'accepted' THEN COALESCE(first_accepted_at, @now) ELSE first_accepted_at END,
                technician_id = CASE WHEN @to = 'assigned' THEN @technicianId ELSE technician_id END,
                resolved_at = CASE WHEN @to = 'resolved' THEN @now ELSE resolved_at END,
                closed_at = CASE WHEN @to IN ('closed', 'rejected', 'cancelled') THEN @now WHEN @action = 'reopen' THEN NULL ELSE closed_at END,
                reopen_count = reopen_count + CASE WHEN @action = 'reopen' THEN 1 ELSE 0 END,
                -- A reopen withdraws the rating of the resolution that did not hold; the next one is rated afresh.
                timeliness = CASE WHEN @action = 'reopen' THEN NULL ELSE timeliness END,
                attitude = CASE WHEN @action = 'reopen' THEN NULL ELSE attitude END,
                quality = CASE WHEN @action = 'reopen' THEN NULL ELSE quality END,
                rating_comment = CASE WHEN @action = 'reopen' THEN NULL ELSE rating_comment END,
                rated_at = CASE WHEN @action = 'reopen' THEN NULL ELSE rated_at END
            WHERE id = @Id AND state = @from;
            """, new { ticket.Id, from = ticket.State, to = transition.To, action = transition.Action, technicianId, now }, transaction);
        if (moved == 0)
        {
            return false;
        }
        await AddHistoryAsync(connection, transaction, ticket.Id, transition.Action, actor, ticket.State, transition.To, note, now);
        // Waiting for parts stops the case's resolution clock; resuming moves its due time by the paused working time.
        if (ticket.CaseId is { } clockedCase)
        {
            if (transition.Action == RepairStateMachine.Pause)
            {
                await cases.PauseClockAsync(connection, transaction, clockedCase);
            }
            else if (transition.Action == RepairStateMachine.Resume)
            {
                await cases.ResumeClockAsync(connection, transaction, clockedCase);
            }
        }
        if (transition.CaseEvent is { } caseEvent && ticket.CaseId is { } caseId)
        {
            await cases.RecordAsync(connection, transaction, caseId, caseEvent, actor, note);
        }
        if (actor.UserId != ticket.ReporterId)
        {
            var title = $"您的报修{StateLabel(transition.To)}";
            await inbox.NotifyUserAsync(connection, transaction, ticket.ReporterId,
                new Notice("repair_state_changed", title, note ?? UserText.Cut(ticket.Description, 60), ticket.CommunityId, "repair", ticket.Id));
        }
        if (transition.Action == RepairStateMachine.Assign && technicianId is { } technician)
        {
            await inbox.NotifyUserAsync(connection, transaction, technician,
                new Notice("repair_assigned", "新的维修派单", $"{CategoryPlace(ticket)}:{UserText.Cut(ticket.Description, 60)}", ticket.CommunityId, "repair", ticket.Id));
        }
        return true;
    }

    // ---- rating and closing ----

    /// <summary>The reporter rates a resolved ticket, once; this closes it. A unit of work for UnitOfWork.CreateAsync.</summary>
    public async Task<Outcome<RepairTicket>> RateAsync(DbConnection connection, DbTransaction transaction, long ticketId, CommunityAccess access, NewRepairRating rating)
    {
        var ticket = await FindVisibleAsync(connection, transaction, ticketId, access);
        if (ticket is null)
        {
            return Failure.NotFound("Repair ticket");
        }
        if (ticket.RatedAt is not null && ticket.ReporterId == access.UserId)
        {
            return Failure.Conflict("This ticket has already been rated.");
        }
        var transition = RepairStateMachine.Get(RepairStateMachine.Rate);
        var refusal = Refuse(transition, ticket, access);
        if (refusal is not null)
        {
            return refusal.Status == StatusCodes.Status409Conflict ? Failure.Conflict("Only a resolved ticket can be rated.", refusal.Detail) : refusal;
        }
        var comment = string.IsNullOrWhiteSpace(rating.Comment) ? null : rating.Comment.Trim();
        var actor = new Actor(access.UserId, await NameOfAsync(connection, transaction, access.UserId));
        if (!await ApplyAsync(connection, transaction, ticket, transition, actor, comment))
        {
            return Failure.Conflict("The ticket was just moved by someone else.");
        }
        await connection.ExecuteAsync(
            """
            UPDATE repair_tickets SET timeliness = @Timeliness, attitude = @Attitude, quality = @Quality, rating_comment = @comment, rated_at = @now
            WHERE id = @ticketId;
            """, new { rating.Timeliness, rating.Attitude, rating.Quality, comment, now = time.GetUtcNow(), ticketId }, transaction);
        return await ViewAsync(connection, transaction, ticketId, access);
    }

    /// <summary>
    /// Closes every ticket resolved more than <see cref="RepairStateMachine.RatingWindow"/> ago and still
    /// unrated. Reads the table each time, so a second run (or a run after a restart) finds nothing left to do.
    /// </summary>
    public async Task<int> CloseUnratedAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - RepairStateMachine.RatingWindow;
        long[] due;
        await using (var connection = await database.OpenReadAsync(cancellationToken))
        {
            due = (await connection.QueryAsync<long>(
                "SELECT id FROM repair_tickets WHERE state = 'resolved' AND resolved_at < @cutoff ORDER BY id;", new { cutoff })).ToArray();
        }
        var closed = 0;
        foreach (var ticketId in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await database.WriteAsync(async (connection, transaction) =>
                {
                    var ticket = await FindAsync(connection, transaction, ticketId, 0);
                    if (ticket is not { State: RepairStates.Resolved, ResolvedAt: { } resolvedAt } || resolvedAt >= cutoff)
                    {
                        return false;
                    }
                    return await ApplyAsync(connection, transaction, ticket, RepairStateMachine.Get(RepairStateMachine.AutoClose), Actor.System,
                        $"修复后{RepairStateMachine.RatingWindow.TotalDays:0}天未评价,自动关闭");
                }))
            {
                closed++;
            }
        }
        return closed;
    }
}
