using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;
using static CommunityConnect.Api.Features.Repairs.RepairQueries;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// Reporting a repair (the ticket, its case routed by the community's routing table, its first
/// history row, in one unit of work), reading tickets, and "me too".
/// </summary>
public sealed class RepairStore(Database database, CaseStore cases, Inbox.Inbox inbox, RecipientKeys keys, TimeProvider time)
{
    /// <summary>The ticket's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long ticketId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM repair_tickets WHERE id = @ticketId;", new { ticketId });
    }

    /// <summary>The ticket as the caller sees it, or null when the caller may not see it (404).</summary>
    public async Task<RepairTicket?> GetAsync(long ticketId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        var ticket = await FindVisibleAsync(connection, null, ticketId, access);
        return ticket is null ? null : ToTicket(ticket, access, await PhotosAsync(connection, null, ticketId));
    }

    // Newest first from the cursor on, a range on ix_repair_tickets_list (HotQueryPlanTests checks the plan).
    internal const string ListSql =
        $"""
         SELECT {TicketColumns}
         WHERE {Visible}
           AND (@state IS NULL OR t.state = @state)
           AND (@mine = 0 OR t.reporter_id = @UserId)
           AND (@assignedToMe = 0 OR t.technician_id = @UserId)
           AND t.id < @before
         ORDER BY t.id DESC
         LIMIT @take;
         """;

    public async Task<IReadOnlyList<RepairTicketSummary>> ListAsync(CommunityAccess access, string? state, bool mine, bool assignedToMe, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<TicketRow>(ListSql,
            ReaderOf(access, new { state, mine, assignedToMe, before = afterId ?? long.MaxValue, take }));
        return rows.Select(ToSummary).ToList();
    }

    /// <summary>The building of a unit of the community, or null when the unit is not one of its units.</summary>
    public async Task<long?> BuildingOfUnitAsync(long communityId, long unitId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT building_id FROM units WHERE id = @unitId AND community_id = @communityId;", new { unitId, communityId });
    }

    public async Task<bool> IsBuildingOfAsync(long communityId, long buildingId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM buildings WHERE id = @buildingId AND community_id = @communityId);", new { buildingId, communityId });
    }

    /// <summary>Whether the user is a verified member of the community (anyone staff may report for).</summary>
    public async Task<bool> IsMemberAsync(long communityId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @userId AND community_id = @communityId AND verification = 'verified');",
            new { userId, communityId });
    }

    // ---- creating a ticket ----

    /// <summary>
    /// A unit of work (run it through UnitOfWork.CreateAsync): the ticket, its case routed by the
    /// community's routing table, its first history row and, when staff reported it for a resident,
    /// a notice to that resident. The handler has checked the location and the reporter.
    /// </summary>
    public async Task<Outcome<RepairTicket>> CreateAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        NewRepairTicket input, long reporterId, string channel, long? buildingId, string? contactPhone, bool urgent)
    {
        var now = time.GetUtcNow();
        contactPhone ??= await connection.ExecuteScalarAsync<string?>("SELECT phone FROM users WHERE id = @reporterId;", new { reporterId }, transaction);
        var commonArea = input.UnitId is null ? input.CommonArea!.Trim() : null;
        var ticketId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO repair_tickets (community_id, category, description, unit_id, building_id, common_area, urgent, contact_phone,
                                        reporter_id, created_by, channel, created_at, updated_at)
            VALUES (@communityId, @Category, @description, @UnitId, @buildingId, @commonArea, @urgent, @contactPhone,
                    @reporterId, @createdBy, @channel, @now, @now)
            RETURNING id;
            """,
            new
            {
                communityId = access.CommunityId, input.Category, description = input.Description!.Trim(), input.UnitId, buildingId, commonArea,
                urgent, contactPhone, reporterId, createdBy = access.UserId, channel, now,
            }, transaction);

        var actor = new Actor(access.UserId, await NameOfAsync(connection, transaction, access.UserId));
        var body = await cases.RouteAsync(access.CommunityId, input.Category!);
        var caseId = await cases.OpenAsync(connection, transaction,
            new NewCase(access.CommunityId, "repair", ticketId, input.Category!, urgent, keys.ForUser(reporterId), actor, body));
        await connection.ExecuteAsync("UPDATE repair_tickets SET case_id = @caseId WHERE id = @ticketId;", new { caseId, ticketId }, transaction);
        await AddHistoryAsync(connection, transaction, ticketId, "submitted", actor, null, RepairStates.Submitted,
            reporterId == access.UserId ? null : $"物业代报({ChannelLabel(channel)})", now);
        if (reporterId != access.UserId)
        {
            await inbox.NotifyUserAsync(connection, transaction, reporterId,
                new Notice("repair_reported_for_you", "物业已为您登记报修", UserText.Cut(input.Description!.Trim(), 60), access.CommunityId, "repair", ticketId));
        }
        return await ViewAsync(connection, transaction, ticketId, access);
    }

    // ---- me too ----

    /// <summary>"Me too" by another member who can see the ticket; idempotent.</summary>
    public Task<Outcome<bool>> AgreeAsync(long ticketId, CommunityAccess access, bool agree) =>
        database.WriteAsync((connection, transaction) => AgreeAsync(connection, transaction, ticketId, access, agree));

    /// <summary>"Me too" (or taking it back) inside a caller's unit of work (the chat assistant's "me too").</summary>
    public async Task<Outcome<bool>> AgreeAsync(DbConnection connection, DbTransaction transaction, long ticketId, CommunityAccess access, bool agree = true)
    {
        var ticket = await FindVisibleAsync(connection, transaction, ticketId, access);
        if (ticket is null)
        {
            return Failure.NotFound("Repair ticket");
        }
        if (!agree)
        {
            await connection.ExecuteAsync("DELETE FROM repair_agreements WHERE ticket_id = @ticketId AND user_id = @UserId;",
                new { ticketId, access.UserId }, transaction);
            return true;
        }
        if (ticket.ReporterId == access.UserId)
        {
            return Failure.Forbidden("The reporter cannot add a \"me too\" to their own ticket.");
        }
        if (!access.IsMember)
        {
            return Failure.Forbidden("Only members of the community add a \"me too\".");
        }
        if (RepairStates.IsFinal(ticket.State))
        {
            return Failure.Conflict($"This ticket is {ticket.State}.");
        }
        await connection.ExecuteAsync(
            """
            INSERT INTO repair_agreements (ticket_id, user_id, created_at) VALUES (@ticketId, @UserId, @now)
            ON CONFLICT (ticket_id, user_id) DO NOTHING;
            """, new { ticketId, access.UserId, now = time.GetUtcNow() }, transaction);
        return true;
    }

    /// <summary>
    /// An open ticket of the last 48 hours that the caller may see and join with "me too" (not their
    /// own): same category, and the same unit, or the same building's common areas (the estate's when
    /// <paramref name="buildingId"/> is null). The newest, or null.
    /// </summary>
    public async Task<RepairTicketSummary?> FindOpenLikeAsync(CommunityAccess access, string category, long? unitId, long? buildingId, DateTimeOffset since)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE {Visible}
               AND t.category = @category
               AND t.state IN ('submitted', 'accepted', 'assigned', 'in_progress', 'paused')
               AND t.created_at >= @since
               AND t.reporter_id <> @UserId
               AND ((@unitId IS NOT NULL AND t.unit_id = @unitId)
                 OR (@unitId IS NULL AND t.unit_id IS NULL
                     AND (t.building_id = @buildingId OR (t.building_id IS NULL AND @buildingId IS NULL))))
             ORDER BY t.id DESC
             LIMIT 1;
             """,
            ReaderOf(access, new { category, unitId, buildingId, since }));
        return row is null ? null : ToSummary(row);
    }
}
