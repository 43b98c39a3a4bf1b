using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Cases;

public sealed record CaseHistoryEntry(long Id, string Event, string Actor, string? FromState, string? ToState, string? FromBody, string? ToBody, string? Note, DateTimeOffset At);

public sealed record CaseResponse(long Id, string Author, string AuthorBody, string Body, DateTimeOffset CreatedAt);

public sealed record CaseSummary(
    long Id, long CommunityId, string Kind, long ItemId, string Category, bool Urgent, string ResponsibleBody,
    int EscalationLevel, string State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FirstResponseDue, DateTimeOffset? ResolveDue, DateTimeOffset? NextEscalationAt);

public sealed record CaseDetail(
    long Id, long CommunityId, string Kind, long ItemId, string Category, bool Urgent, string ResponsibleBody,
    int EscalationLevel, string State, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FirstResponseDue, DateTimeOffset? ResolveDue, DateTimeOffset? NextEscalationAt,
    IReadOnlyList<CaseResponse> Responses, IReadOnlyList<CaseHistoryEntry> History);

public sealed record CaseResponseInput([property: Required, TextLength(UserText.BodyMax)] string? Body);

public sealed record TransferInput(
    [property: Required, OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] string? ToBody,
    [property: Required, TextLength(200)] string? Reason);

public sealed record Route(
    [property: Required, Category] string? Category,
    [property: Required, OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] string? ResponsibleBody);

public sealed record RoutingTable([property: Required, MinLength(1, ErrorMessage = "routes must list at least one route.")] IReadOnlyList<Route>? Routes);

/// <summary>Who did something, as everyone sees it: a user, the system, or "匿名居民".</summary>
public sealed record Actor(long? UserId, string Label)
{
    public const string AnonymousLabel = "匿名居民";

    public static Actor System { get; } = new(null, "系统");

    public static Actor Anonymous { get; } = new(null, AnonymousLabel);
}

/// <summary>A case to open for a new item, inside the item's unit of work.</summary>
public sealed record NewCase(long CommunityId, string Kind, long ItemId, string Category, bool Urgent, string AuthorKey, Actor Author, string ResponsibleBody);
