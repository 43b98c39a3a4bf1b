using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Escalation;

public sealed record SlaPolicy(
    [property: Required, OneOf("repair", "opinion", "proposal", "question")] string? Kind,
    [property: Required] bool? Urgent,
    [property: Required, Range(1, 525600)] int? FirstResponseMinutes,
    [property: Required, Range(1, 525600)] int? ResolveMinutes);

public sealed record SlaPolicies([property: Required, MinLength(1, ErrorMessage = "policies must list at least one policy.")] IReadOnlyList<SlaPolicy>? Policies);

public sealed record StreetCalendar(
    [property: Required] string? TimeZone,
    [property: Required, RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$", ErrorMessage = "workStart must be HH:mm.")] string? WorkStart,
    [property: Required, RegularExpression("^([01][0-9]|2[0-3]):[0-5][0-9]$", ErrorMessage = "workEnd must be HH:mm.")] string? WorkEnd,
    [property: Description("Public holidays: days without working hours even on a weekday. Omitted or null: none.")] IReadOnlyList<DateOnly>? Holidays = null,
    [property: Description("Make-up working days (调休): weekend days with working hours. Omitted or null: none.")] IReadOnlyList<DateOnly>? Workdays = null);

public sealed record EscalateInput([property: Required, TextLength(200)] string? Reason);

public sealed class StreetEscalation
{
    public long CaseId { get; init; }
    public long CommunityId { get; init; }
    public string CommunityName { get; init; } = "";
    public string Kind { get; init; } = "";
    public long ItemId { get; init; }
    public string Category { get; init; } = "";
    public bool Urgent { get; init; }
    public int EscalationLevel { get; init; }
    public string State { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EscalatedAt { get; init; }
}
