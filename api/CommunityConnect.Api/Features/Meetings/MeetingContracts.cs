using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>The three meetings (三会).</summary>
public static class MeetingKinds
{
    public const string Hearing = "hearing";
    public const string Coordination = "coordination";
    public const string Review = "review";

    public static readonly IReadOnlyList<string> All = [Hearing, Coordination, Review];

    public static string Label(string kind) => kind switch
    {
        Hearing => "听证会",
        Coordination => "协调会",
        Review => "评议会",
        _ => kind,
    };
}

/// <summary>After this long, minutes are fixed: they can only be amended.</summary>
public static class MinutesLock
{
    public static readonly TimeSpan After = TimeSpan.FromDays(7);
}

public sealed record NewMeetingInput(
    [property: Required, OneOf(MeetingKinds.Hearing, MeetingKinds.Coordination, MeetingKinds.Review)] string? Kind,
    [property: Required, TextLength(UserText.TitleMax)] string? Topic,
    long? ThreadId,
    long? CaseId,
    long? ProjectId,
    [property: Required] DateTimeOffset? StartsAt,
    [property: Required, TextLength(200)] string? Place,
    [property: Required, TextLength(1000)] string? Participants);

public sealed record NewMeetingAction(
    [property: Required, TextLength(500)] string? Text,
    [property: Required, OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] string? ResponsibleBody,
    [property: Required] DateTimeOffset? Due);

public sealed record NewMinutesInput(
    [property: Required, TextLength(1000)] string? Attendance,
    [property: Required, TextLength(UserText.BodyMax)] string? Positions,
    [property: Required, TextLength(UserText.BodyMax)] string? Decisions,
    IReadOnlyList<NewMeetingAction?>? Actions);

/// <summary>A correction of the minutes' text within the first 7 days (actions stay as recorded).</summary>
public sealed record MinutesCorrectionInput(
    [property: Required, TextLength(1000)] string? Attendance,
    [property: Required, TextLength(UserText.BodyMax)] string? Positions,
    [property: Required, TextLength(UserText.BodyMax)] string? Decisions);

public sealed record AmendmentInput([property: Required, TextLength(UserText.BodyMax)] string? Text);

public sealed record ActionDoneInput([property: TextLength(500, Min = 0)] string? Note);

public sealed record MeetingSummary(
    long Id, long CommunityId, string Kind, string Topic, DateTimeOffset StartsAt, string Place, string OrganiserBody, string Organiser,
    bool HasMinutes, long? ThreadId, long? CaseId, long? ProjectId);

/// <summary>Minutes; <see cref="Fixed"/> once <see cref="FixedAt"/> (7 days after recording) has passed: then only amendments.</summary>
public sealed record MeetingMinutes(
    string Attendance, string Positions, string Decisions, string RecordedBy, DateTimeOffset RecordedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset FixedAt, bool Fixed);

/// <summary>A follow-up action and its case: <see cref="ResponsibleBody"/> is the body the case is with now.</summary>
public sealed record MeetingAction(
    long Id, string Text, string AssignedBody, string ResponsibleBody, DateTimeOffset Due, string State, long? CaseId, string? CaseState,
    int EscalationLevel, bool Overdue, DateTimeOffset? DoneAt, string? DoneNote);

public sealed record MeetingAmendment(long Id, string Text, string Author, DateTimeOffset CreatedAt);

public sealed record Meeting(
    long Id, long CommunityId, string Kind, string Topic, DateTimeOffset StartsAt, string Place, string Participants,
    string OrganiserBody, string Organiser, long? ThreadId, long? CaseId, long? ProjectId, DateTimeOffset CreatedAt,
    MeetingMinutes? Minutes, IReadOnlyList<MeetingAction> Actions, IReadOnlyList<MeetingAmendment> Amendments);

public sealed record LedgerMeeting(long Id, string Topic, DateTimeOffset StartsAt, bool HasMinutes, string? Decisions, IReadOnlyList<MeetingAction> Actions);

public sealed record LedgerKind(string Kind, string Label, int Meetings, int OpenActions, int DoneActions, IReadOnlyList<LedgerMeeting> Items);

/// <summary>台账: a year's meetings (Asia/Shanghai calendar year of their start) by kind.</summary>
public sealed record MeetingLedger(long CommunityId, int Year, IReadOnlyList<LedgerKind> Kinds);

/// <summary>A position in the meetings list: by start time, then id.</summary>
public sealed record MeetingCursor(DateTimeOffset StartsAt, long Id) : IPageCursor<MeetingCursor>
{
    public IEnumerable<object> Parts => [StartsAt.ToUnixTimeMilliseconds(), Id];

    public static MeetingCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 2 && CursorPart.Instant(parts[0]) is { } startsAt && CursorPart.Id(parts[1]) is { } id ? new MeetingCursor(startsAt, id) : null;
}
