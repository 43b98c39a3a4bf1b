using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;
using static CommunityConnect.Api.Features.Repairs.RepairQueries;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>The conversation on a ticket between its reporter and the property staff, and the ticket's history.</summary>
public sealed class RepairConversationStore(Database database, Inbox.Inbox inbox, TimeProvider time)
{
    /// <summary>A message between the reporter and the property staff (a unit of work for UnitOfWork.CreateAsync).</summary>
    public async Task<Outcome<RepairMessage>> PostMessageAsync(DbConnection connection, DbTransaction transaction, long ticketId, CommunityAccess access, string body)
    {
        var ticket = await FindVisibleAsync(connection, transaction, ticketId, access);
        if (ticket is null)
        {
            return Failure.NotFound("Repair ticket");
        }
        var parties = PartiesOf(ticket, access);
        if (parties.Count == 0)
        {
            return Failure.Forbidden("The conversation on a ticket is between its reporter and the property staff.");
        }
        if (RepairStates.IsFinal(ticket.State))
        {
            return Failure.Conflict($"This ticket is {ticket.State}; its conversation is over.");
        }
        // Stored to the millisecond: answer the time as a later read will show it.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
        var author = await NameOfAsync(connection, transaction, access.UserId);
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO repair_messages (ticket_id, author_id, author_label, body, created_at)
            VALUES (@ticketId, @UserId, @author, @body, @now) RETURNING id;
            """, new { ticketId, access.UserId, author, body, now }, transaction);
        await AddHistoryAsync(connection, transaction, ticketId, "message", new Actor(access.UserId, author), null, null, body, now);
        var notice = new Notice("repair_message", $"报修有新留言:{author}", UserText.Cut(body, 60), ticket.CommunityId, "repair", ticketId);
        if (ticket.ReporterId != access.UserId)
        {
            await inbox.NotifyUserAsync(connection, transaction, ticket.ReporterId, notice);
        }
        else if (ticket.TechnicianId is { } technicianId)
        {
            await inbox.NotifyUserAsync(connection, transaction, technicianId, notice);
        }
        else
        {
            await inbox.NotifyRolesAsync(connection, transaction, ticket.CommunityId, [Roles.PropertyStaff], notice, access.UserId);
        }
        return new RepairMessage(id, ticketId, access.UserId, author, body, now);
    }

    /// <summary>The conversation, oldest first; null when the caller may not see the ticket.</summary>
    public async Task<IReadOnlyList<RepairMessage>?> MessagesAsync(long ticketId, CommunityAccess access, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var ticket = await FindVisibleAsync(connection, null, ticketId, access);
        if (ticket is null)
        {
            return null;
        }
        return (await connection.QueryAsync<RepairMessage>(
            """
            SELECT id, ticket_id, author_id, author_label AS author, body, created_at
            FROM repair_messages
            WHERE ticket_id = @ticketId AND (@afterId IS NULL OR id > @afterId)
            ORDER BY id
            LIMIT @take;
            """, new { ticketId, afterId, take })).ToList();
    }

    /// <summary>Every transition and message, in order; null when the caller may not see the ticket.</summary>
    public async Task<IReadOnlyList<RepairHistoryEntry>?> HistoryAsync(long ticketId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        var ticket = await FindVisibleAsync(connection, null, ticketId, access);
        if (ticket is null)
        {
            return null;
        }
        return (await connection.QueryAsync<RepairHistoryEntry>(
            """
            SELECT id, event, actor_label AS actor, from_state, to_state, note, at
            FROM repair_history WHERE ticket_id = @ticketId ORDER BY id;
            """, new { ticketId })).ToList();
    }
}
