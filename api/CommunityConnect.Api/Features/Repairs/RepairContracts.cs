using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.OpenApi;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// A new repair report. The location is <c>unitId</c> (a unit of the community: the reporter's own or a
/// neighbour's) or <c>commonArea</c> (e.g. "楼道", with <c>buildingId</c> when it is in a building).
/// Property staff may report for a resident: <c>reporterId</c> and <c>channel</c>.
/// </summary>
[ExactlyOneOf("unitId", "commonArea")]
public sealed record NewRepairTicket(
    [property: Required, Category] string? Category,
    [property: Required, TextLength(UserText.BodyMax)] string? Description,
    long? UnitId = null,
    long? BuildingId = null,
    [property: TextLength(UserText.TitleMax)] string? CommonArea = null,
    bool Urgent = false,
    [property: TextLength(20)] string? ContactPhone = null,
    long? ReporterId = null,
    [property: OneOf("app", "phone", "walk_in")] string? Channel = "app");

public sealed record RepairLocation(long? UnitId, string? UnitLabel, long? BuildingId, string? BuildingLabel, string? CommonArea);

public sealed record RepairPhoto(long Id, string Url, string ContentType, long Size, DateTimeOffset CreatedAt);

public sealed record RepairRating(int Timeliness, int Attitude, int Quality, string? Comment, DateTimeOffset RatedAt);

/// <summary>A ticket as the caller may see it (the contact phone masked unless the caller is the reporter or property staff).</summary>
public sealed record RepairTicket(
    long Id, long CommunityId, long CaseId, string Category, string Description, RepairLocation Location, bool Urgent,
    string State, long ReporterId, string ReporterName, string Channel, string? ContactPhone,
    long? TechnicianId, string? TechnicianName, int AgreeCount, bool AgreedByMe, int ReopenCount,
    IReadOnlyList<RepairPhoto> Photos, RepairRating? Rating,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? AcceptedAt, DateTimeOffset? ResolvedAt, DateTimeOffset? ClosedAt);

/// <summary>A ticket in a list.</summary>
public sealed record RepairTicketSummary(
    long Id, long CaseId, string Category, string Description, RepairLocation Location, bool Urgent, string State,
    long ReporterId, string ReporterName, long? TechnicianId, int AgreeCount, int PhotoCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An optional remark on an action.</summary>
public sealed record RepairNote([property: TextLength(500, Min = 0)] string? Note = null);

/// <summary>The reason an action requires (pause, reject, reopen).</summary>
public sealed record RepairReason([property: Required, TextLength(500)] string? Reason);

public sealed record RepairAssignment([property: Required] long? TechnicianId, [property: TextLength(500, Min = 0)] string? Note = null);

public sealed record NewRepairRating(
    [property: Required, Range(1, 5)] int? Timeliness,
    [property: Required, Range(1, 5)] int? Attitude,
    [property: Required, Range(1, 5)] int? Quality,
    [property: TextLength(UserText.BodyMax, Min = 0)] string? Comment = null);

public sealed record NewRepairMessage([property: Required, TextLength(UserText.BodyMax)] string? Body);

public sealed record RepairMessage(long Id, long TicketId, long AuthorId, string Author, string Body, DateTimeOffset CreatedAt);

/// <summary>One row of a ticket's history: a transition (event = its action, or "submitted") or a message.</summary>
public sealed record RepairHistoryEntry(long Id, string Event, string Actor, string? FromState, string? ToState, string? Note, DateTimeOffset At);

public sealed record PhotoCreated(long Id, string Url);

/// <summary>
/// The property company's figures for tickets reported in a period: tickets (all but those the
/// reporter cancelled), median minutes from report to first acceptance and to the latest
/// resolution, the share of resolved tickets that were reopened, and the average of each rating.
/// </summary>
public sealed record RepairFigures(
    string Category, int Tickets, double? MedianMinutesToAccept, double? MedianMinutesToResolve, double? ReopenRate,
    double? AverageTimeliness, double? AverageAttitude, double? AverageQuality, int RatingCount);

public sealed record RepairScoreboard(long CommunityId, DateOnly From, DateOnly To, string TimeZone, RepairFigures Overall, IReadOnlyList<RepairFigures> Categories);
