using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.Repairs;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// Repair tickets and everything hanging off them. Every write is one unit of work that moves the
/// ticket, its case, its history and its notifications together; every move asks <see cref="RepairStateMachine"/>.
/// </summary>
public sealed class RepairStore(Database database, CaseStore cases, Inbox.Inbox inbox, RecipientKeys keys, TimeProvider time) : IUnratedRepairTickets
{
    internal sealed class TicketRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public long? CaseId { get; init; }
        public string Category { get; init; } = "";
        public string Description { get; init; } = "";
        public long? UnitId { get; init; }
        public string? UnitLabel { get; init; }
        public long? BuildingId { get; init; }
        public string? BuildingLabel { get; init; }
        public string? CommonArea { get; init; }
        public bool Urgent { get; init; }
        public string? ContactPhone { get; init; }
        public long ReporterId { get; init; }
        public string ReporterName { get; init; } = "";
        public string Channel { get; init; } = "";
        public string State { get; init; } = "";
        public long? TechnicianId { get; init; }
        public string? TechnicianName { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public DateTimeOffset? FirstAcceptedAt { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public long ReopenCount { get; init; }
        public long? Timeliness { get; init; }
        public long? Attitude { get; init; }
        public long? Quality { get; init; }
        public string? RatingComment { get; init; }
        public DateTimeOffset? RatedAt { get; init; }
        public long AgreeCount { get; init; }
        public long PhotoCount { get; init; }
        public bool AgreedByMe { get; init; }

        public RepairLocation Location => new(UnitId, UnitLabel, BuildingId, BuildingLabel, CommonArea);
    }

    private const string TicketColumns =
        """
        t.id, t.community_id, t.case_id, t.category, t.description, t.unit_id, b.name || u.number || '室' AS unit_label,
        t.building_id, b.name AS building_label, t.common_area, t.urgent, t.contact_phone, t.reporter_id,
        reporter.display_name AS reporter_name, t.channel, t.state, t.technician_id, technician.display_name AS technician_name,
        t.created_at, t.updated_at, t.first_accepted_at, t.resolved_at, t.closed_at, t.reopen_count,
        t.timeliness, t.attitude, t.quality, t.rating_comment, t.rated_at,
        (SELECT COUNT(*) FROM repair_agreements a WHERE a.ticket_id = t.id) AS agree_count,
        (SELECT COUNT(*) FROM repair_photos p WHERE p.ticket_id = t.id) AS photo_count,
        EXISTS (SELECT 1 FROM repair_agreements a WHERE a.ticket_id = t.id AND a.user_id = @UserId) AS agreed_by_me
        FROM repair_tickets t
        JOIN users reporter ON reporter.id = t.reporter_id
        LEFT JOIN users technician ON technician.id = t.technician_id
        LEFT JOIN units u ON u.id = t.unit_id
        LEFT JOIN buildings b ON b.id = t.building_id
        """;

    // ---- who sees and who acts ----

    /// <summary>
    /// Who sees a ticket, the one rule of the list and of every read of a ticket for a caller: in
    /// the caller's community, its reporter; the residents of its unit; every member for a common
    /// area; and property staff, the committees, the secretary and the street admin, who see every
    /// ticket of the community. SQL over <c>repair_tickets t</c> with <see cref="ReaderOf"/>'s parameters.
    /// </summary>
    private const string Visible =
        """
        t.community_id = @CommunityId
        AND (@SeesAll OR t.reporter_id = @UserId OR (t.unit_id IS NULL AND @IsMember) OR t.unit_id IN @UnitIds)
        """;

    /// <summary>The parameters of <see cref="Visible"/> for the caller, with the query's own.</summary>
    private static DynamicParameters ReaderOf(CommunityAccess access, object parameters)
    {
        var all = new DynamicParameters(new
        {
            access.CommunityId,
            access.UserId,
            SeesAll = access.HasAny(Roles.PropertyStaff, Roles.OwnersCommittee, Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin),
            access.IsMember,
            UnitIds = access.UnitIds.ToArray(),
        });
        all.AddDynamicParams(parameters);
        return all;
    }

    private static IReadOnlySet<RepairParty> PartiesOf(TicketRow ticket, CommunityAccess access) =>
        RepairStateMachine.PartiesOf(ticket.ReporterId == access.UserId, access.Has(Roles.PropertyStaff));

    /// <summary>DESIGN.md: a contact phone is shown whole only to the reporter and to property staff.</summary>
    private static string? PhoneFor(TicketRow ticket, CommunityAccess access) =>
        ticket.ReporterId == access.UserId || access.Has(Roles.PropertyStaff) ? ticket.ContactPhone : UserText.MaskPhone(ticket.ContactPhone);

    private static RepairTicket ToTicket(TicketRow t, CommunityAccess access, IReadOnlyList<RepairPhoto> photos) => new(
        t.Id, t.CommunityId, t.CaseId ?? 0, t.Category, t.Description, t.Location, t.Urgent, t.State, t.ReporterId, t.ReporterName,
        t.Channel, PhoneFor(t, access), t.TechnicianId, t.TechnicianName, (int)t.AgreeCount, t.AgreedByMe, (int)t.ReopenCount, photos,
        t.RatedAt is { } ratedAt ? new RepairRating((int)t.Timeliness!, (int)t.Attitude!, (int)t.Quality!, t.RatingComment, ratedAt) : null,
        t.CreatedAt, t.UpdatedAt, t.FirstAcceptedAt, t.ResolvedAt, t.ClosedAt);

    private static RepairTicketSummary ToSummary(TicketRow t) => new(
        t.Id, t.CaseId ?? 0, t.Category, UserText.Cut(t.Description, 100), t.Location, t.Urgent, t.State, t.ReporterId, t.ReporterName,
        t.TechnicianId, (int)t.AgreeCount, (int)t.PhotoCount, t.CreatedAt, t.UpdatedAt);

    // ---- reads ----

    /// <summary>The ticket whoever asks (the system's jobs, a view after a write that checked it).</summary>
    private static Task<TicketRow?> FindAsync(SqliteConnection connection, SqliteTransaction? transaction, long ticketId, long userId) =>
        connection.QuerySingleOrDefaultAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE t.id = @ticketId;
             """, new { ticketId, UserId = userId }, transaction);

    /// <summary>The ticket if the caller may see it (<see cref="Visible"/>), else null (404).</summary>
    internal static Task<TicketRow?> FindVisibleAsync(SqliteConnection connection, SqliteTransaction? transaction, long ticketId, CommunityAccess access) =>
        connection.QuerySingleOrDefaultAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE t.id = @ticketId AND {Visible};
             """, ReaderOf(access, new { ticketId }), transaction);

    private static async Task<IReadOnlyList<RepairPhoto>> PhotosAsync(SqliteConnection connection, SqliteTransaction? transaction, long ticketId) =>
        (await connection.QueryAsync<(long Id, string ContentType, long Size, DateTimeOffset CreatedAt)>(
            "SELECT id, content_type, size_bytes, created_at FROM repair_photos WHERE ticket_id = @ticketId ORDER BY id;",
            new { ticketId }, transaction))
        .Select(p => new RepairPhoto(p.Id, $"/v1/photos/{p.Id}", p.ContentType, p.Size, p.CreatedAt))
        .ToList();

    private static async Task<RepairTicket> ViewAsync(SqliteConnection connection, SqliteTransaction? transaction, long ticketId, CommunityAccess access) =>
        ToTicket((await FindAsync(connection, transaction, ticketId, access.UserId))!, access, await PhotosAsync(connection, transaction, ticketId));

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

    public async Task<IReadOnlyList<RepairTicketSummary>> ListAsync(CommunityAccess access, string? state, bool mine, bool assignedToMe, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE {Visible}
               AND (@state IS NULL OR t.state = @state)
               AND (NOT @mine OR t.reporter_id = @UserId)
               AND (NOT @assignedToMe OR t.technician_id = @UserId)
               AND (@afterId IS NULL OR t.id < @afterId)
             ORDER BY t.id DESC
             LIMIT @take;
             """,
            ReaderOf(access, new { state, mine, assignedToMe, afterId, take }));
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

    private static async Task<string> NameOfAsync(SqliteConnection connection, SqliteTransaction transaction, long userId) =>
        await connection.ExecuteScalarAsync<string?>("SELECT display_name FROM users WHERE id = @userId;", new { userId }, transaction) ?? "";

    // ---- creating a ticket ----

    /// <summary>
    /// A unit of work (run it through UnitOfWork.CreateAsync): the ticket, its case routed by the
    /// community's routing table, its first history row and, when staff reported it for a resident,
    /// a notice to that resident. The handler has checked the location and the reporter.
    /// </summary>
    public async Task<Outcome<RepairTicket>> CreateAsync(SqliteConnection connection, SqliteTransaction transaction, CommunityAccess access,
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
        var body = await CaseStore.RouteAsync(connection, transaction, access.CommunityId, input.Category!);
        var caseId = await cases.OpenAsync(connection, transaction,
            new NewCase(access.CommunityId, "repair", ticketId, input.Category!, urgent, keys.ForUser(reporterId), actor, body));
        await connection.ExecuteAsync("UPDATE repair_tickets SET case_id = @caseId WHERE id = @ticketId;", new { caseId, ticketId }, transaction);
        await AddHistoryAsync(connection, transaction, ticketId, "submitted", actor, null, RepairStates.Submitted,
            reporterId == access.UserId ? null : $"物业代报({ChannelLabel(channel)})");
        if (reporterId != access.UserId)
        {
            await inbox.NotifyUserAsync(connection, transaction, reporterId,
                new Notice("repair_reported_for_you", "物业已为您登记报修", UserText.Cut(input.Description!.Trim(), 60), access.CommunityId, "repair", ticketId));
        }
        return await ViewAsync(connection, transaction, ticketId, access);
    }

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
    private async Task<bool> ApplyAsync(SqliteConnection connection, SqliteTransaction transaction, TicketRow ticket, RepairTransition transition,
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
        await AddHistoryAsync(connection, transaction, ticket.Id, transition.Action, actor, ticket.State, transition.To, note);
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

    private Task AddHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, long ticketId, string eventName, Actor actor,
        string? fromState, string? toState, string? note) =>
        connection.ExecuteAsync(
            """
            INSERT INTO repair_history (ticket_id, event, actor_id, actor_label, from_state, to_state, note, at)
            VALUES (@ticketId, @eventName, @UserId, @Label, @fromState, @toState, @note, @now);
            """, new { ticketId, eventName, actor.UserId, actor.Label, fromState, toState, note, now = time.GetUtcNow() }, transaction);

    // ---- rating and closing ----

    /// <summary>The reporter rates a resolved ticket, once; this closes it. A unit of work for UnitOfWork.CreateAsync.</summary>
    public async Task<Outcome<RepairTicket>> RateAsync(SqliteConnection connection, SqliteTransaction transaction, long ticketId, CommunityAccess access, NewRepairRating rating)
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

    // ---- me too ----

    /// <summary>"Me too" by another member who can see the ticket; idempotent.</summary>
    public Task<Outcome<bool>> AgreeAsync(long ticketId, CommunityAccess access, bool agree) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
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
        });

    // ---- conversation and history ----

    /// <summary>A message between the reporter and the property staff (a unit of work for UnitOfWork.CreateAsync).</summary>
    public async Task<Outcome<RepairMessage>> PostMessageAsync(SqliteConnection connection, SqliteTransaction transaction, long ticketId, CommunityAccess access, string body)
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
        await AddHistoryAsync(connection, transaction, ticketId, "message", new Actor(access.UserId, author), null, null, body);
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

    // ---- words ----

    public static string StateLabel(string state) => state switch
    {
        RepairStates.Submitted => "已提交",
        RepairStates.Accepted => "已受理",
        RepairStates.Assigned => "已派单",
        RepairStates.InProgress => "维修中",
        RepairStates.Paused => "暂停维修(待料)",
        RepairStates.Resolved => "已修复,请评价",
        RepairStates.Closed => "已关闭",
        RepairStates.Rejected => "未被受理",
        RepairStates.Cancelled => "已撤销",
        _ => state,
    };

    private static string ChannelLabel(string channel) => channel switch
    {
        "phone" => "电话",
        "walk_in" => "上门",
        _ => "小程序",
    };

    private static string CategoryPlace(TicketRow ticket) =>
        ticket.UnitLabel ?? (ticket.BuildingLabel is null ? ticket.CommonArea : $"{ticket.BuildingLabel}{ticket.CommonArea}") ?? "";
}
