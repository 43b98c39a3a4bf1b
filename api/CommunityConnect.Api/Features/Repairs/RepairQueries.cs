using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// How every use case of a repair ticket reads it: its row, who sees it (one rule in SQL, for the
/// list and every read of a ticket for a caller), how it is shown to the caller (the phone masked),
/// its history rows, and its words.
/// </summary>
internal static class RepairQueries
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

    internal const string TicketColumns =
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
    internal const string Visible =
        """
        t.community_id = @CommunityId
        AND (@SeesAll = 1 OR t.reporter_id = @UserId OR (t.unit_id IS NULL AND @IsMember = 1) OR t.unit_id IN @UnitIds)
        """;

    /// <summary>The parameters of <see cref="Visible"/> for the caller, with the query's own.</summary>
    internal static DynamicParameters ReaderOf(CommunityAccess access, object parameters)
    {
        var all = new DynamicParameters(new
        {
            access.CommunityId,
            access.UserId,
            SeesAll = access.HasAny(Roles.PropertyStaff, Roles.OwnersCommittee, Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin),
            access.IsMember,
            UnitIds = SqlLists.OrNone(access.UnitIds, 0L),
        });
        all.AddDynamicParams(parameters);
        return all;
    }

    internal static IReadOnlySet<RepairParty> PartiesOf(TicketRow ticket, CommunityAccess access) =>
        RepairStateMachine.PartiesOf(ticket.ReporterId == access.UserId, access.Has(Roles.PropertyStaff));

    /// <summary>DESIGN.md: a contact phone is shown whole only to the reporter and to property staff.</summary>
    private static string? PhoneFor(TicketRow ticket, CommunityAccess access) =>
        ticket.ReporterId == access.UserId || access.Has(Roles.PropertyStaff) ? ticket.ContactPhone : UserText.MaskPhone(ticket.ContactPhone);

    internal static RepairTicket ToTicket(TicketRow t, CommunityAccess access, IReadOnlyList<RepairPhoto> photos) => new(
        t.Id, t.CommunityId, t.CaseId ?? 0, t.Category, t.Description, t.Location, t.Urgent, t.State, t.ReporterId, t.ReporterName,
        t.Channel, PhoneFor(t, access), t.TechnicianId, t.TechnicianName, (int)t.AgreeCount, t.AgreedByMe, (int)t.ReopenCount, photos,
        t.RatedAt is { } ratedAt ? new RepairRating((int)t.Timeliness!, (int)t.Attitude!, (int)t.Quality!, t.RatingComment, ratedAt) : null,
        t.CreatedAt, t.UpdatedAt, t.FirstAcceptedAt, t.ResolvedAt, t.ClosedAt);

    internal static RepairTicketSummary ToSummary(TicketRow t) => new(
        t.Id, t.CaseId ?? 0, t.Category, UserText.Cut(t.Description, 100), t.Location, t.Urgent, t.State, t.ReporterId, t.ReporterName,
        t.TechnicianId, (int)t.AgreeCount, (int)t.PhotoCount, t.CreatedAt, t.UpdatedAt);

    // ---- reads ----

    /// <summary>The ticket whoever asks (the system's jobs, a view after a write that checked it).</summary>
    internal static Task<TicketRow?> FindAsync(DbConnection connection, DbTransaction? transaction, long ticketId, long userId) =>
        connection.QuerySingleOrDefaultAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE t.id = @ticketId;
             """, new { ticketId, UserId = userId }, transaction);

    /// <summary>The ticket if the caller may see it (<see cref="Visible"/>), else null (404).</summary>
    internal static Task<TicketRow?> FindVisibleAsync(DbConnection connection, DbTransaction? transaction, long ticketId, CommunityAccess access) =>
        connection.QuerySingleOrDefaultAsync<TicketRow>(
            $"""
             SELECT {TicketColumns}
             WHERE t.id = @ticketId AND {Visible};
             """, ReaderOf(access, new { ticketId }), transaction);

    internal static async Task<IReadOnlyList<RepairPhoto>> PhotosAsync(DbConnection connection, DbTransaction? transaction, long ticketId) =>
        (await connection.QueryAsync<(long Id, string ContentType, long Size, DateTimeOffset CreatedAt)>(
            "SELECT id, content_type, size_bytes, created_at FROM repair_photos WHERE ticket_id = @ticketId ORDER BY id;",
            new { ticketId }, transaction))
        .Select(p => new RepairPhoto(p.Id, $"/v1/photos/{p.Id}", p.ContentType, p.Size, p.CreatedAt))
        .ToList();

    /// <summary>The ticket as the caller sees it, after a write that has checked them.</summary>
    internal static async Task<RepairTicket> ViewAsync(DbConnection connection, DbTransaction? transaction, long ticketId, CommunityAccess access) =>
        ToTicket((await FindAsync(connection, transaction, ticketId, access.UserId))!, access, await PhotosAsync(connection, transaction, ticketId));

    internal static async Task<string> NameOfAsync(DbConnection connection, DbTransaction transaction, long userId) =>
        await connection.ExecuteScalarAsync<string?>("SELECT display_name FROM users WHERE id = @userId;", new { userId }, transaction) ?? "";

    /// <summary>A row of the ticket's history: every move and message, in order.</summary>
    internal static Task AddHistoryAsync(DbConnection connection, DbTransaction transaction, long ticketId, string eventName, Actor actor,
        string? fromState, string? toState, string? note, DateTimeOffset now) =>
        connection.ExecuteAsync(
            """
            INSERT INTO repair_history (ticket_id, event, actor_id, actor_label, from_state, to_state, note, at)
            VALUES (@ticketId, @eventName, @UserId, @Label, @fromState, @toState, @note, @now);
            """, new { ticketId, eventName, actor.UserId, actor.Label, fromState, toState, note, now }, transaction);

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

    internal static string ChannelLabel(string channel) => channel switch
    {
        "phone" => "电话",
        "walk_in" => "上门",
        _ => "小程序",
    };

    internal static string CategoryPlace(TicketRow ticket) =>
        ticket.UnitLabel ?? (ticket.BuildingLabel is null ? ticket.CommonArea : $"{ticket.BuildingLabel}{ticket.CommonArea}") ?? "";
}
