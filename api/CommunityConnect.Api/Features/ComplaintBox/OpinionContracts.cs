using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.ComplaintBox;

public static class OpinionKinds
{
    public const string Complaint = "complaint";
    public const string Suggestion = "suggestion";
    public const string Question = "question";
    public const string Praise = "praise";

    public static readonly IReadOnlyList<string> All = [Complaint, Suggestion, Question, Praise];

    /// <summary>The kind of the case an opinion opens: questions are "question" cases, the rest "opinion" (praise opens none).</summary>
    public static string CaseKind(string kind) => kind == Question ? "question" : "opinion";

    public static string Label(string kind) => kind switch
    {
        Complaint => "投诉",
        Suggestion => "建议",
        Question => "咨询",
        Praise => "表扬",
        _ => kind,
    };
}

public static class OpinionVisibility
{
    public const string Public = "public";
    public const string Private = "private";
}

public sealed record NewOpinionInput(
    [property: Required, OneOf(OpinionKinds.Complaint, OpinionKinds.Suggestion, OpinionKinds.Question, OpinionKinds.Praise)] string? Kind,
    [property: Required, Category] string? Category,
    [property: TextLength(UserText.TitleMax, Min = 0)] string? Title,
    [property: Required, TextLength(UserText.BodyMax)] string? Body,
    [property: Required] bool? Anonymous,
    [property: Required, OneOf(OpinionVisibility.Public, OpinionVisibility.Private)] string? Visibility,
    bool? Urgent = false,
    [property: OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee, Bodies.PartySecretary, Bodies.StreetAdmin)] string? ToBody = null);

public sealed record OpinionAnswerInput(
    [property: Required, TextLength(UserText.BodyMax)] string? Body,
    [property: Required, OneOf(OpinionVisibility.Public, OpinionVisibility.Private)] string? Visibility);

public sealed record SatisfactionInput(
    [property: Required] bool? Satisfied,
    [property: TextLength(500, Min = 0)] string? Comment = null);

public sealed record UnsealInput([property: Required, TextLength(500, Min = 10)] string? Reason);

/// <summary>An answer to an opinion; private answers are shown only to the opinion's private audience.</summary>
public sealed record OpinionAnswer(long Id, string Author, string AuthorBody, string Body, string Visibility, DateTimeOffset CreatedAt);

/// <summary>
/// An opinion as a list shows it. <see cref="Author"/> is "匿名居民" and <see cref="AuthorId"/> null
/// for anonymous opinions, to everyone, staff included; <see cref="Mine"/> tells the author it is theirs.
/// </summary>
public sealed record OpinionSummary(
    long Id, long CommunityId, string Kind, string Category, string? Title, string Body, bool Anonymous, string Visibility, bool Urgent,
    string Author, long? AuthorId, bool Mine, string State, long? CaseId, string? ResponsibleBody, string? ToBody,
    long AgreeCount, bool Agreed, bool Reopened, bool? Satisfied, DateTimeOffset CreatedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? ClosedAt);

/// <summary>One opinion with the answers the caller may see.</summary>
public sealed record Opinion(
    long Id, long CommunityId, string Kind, string Category, string? Title, string Body, bool Anonymous, string Visibility, bool Urgent,
    string Author, long? AuthorId, bool Mine, string State, long? CaseId, string? ResponsibleBody, string? ToBody,
    long AgreeCount, bool Agreed, bool Reopened, bool? Satisfied, string? SatisfactionComment,
    DateTimeOffset CreatedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? ClosedAt, IReadOnlyList<OpinionAnswer> Answers);

public sealed record UnsealedUser(long Id, string DisplayName);

/// <summary>What unsealing answers: the author, and the audit row that now records it.</summary>
public sealed record UnsealedAuthor(long OpinionId, UnsealedUser Author, long AuditId);

public sealed record AuditEntry(long Id, string Action, long ActorId, string Actor, string ItemKind, long ItemId, string Reason, DateTimeOffset At);

public sealed record CategoryCount(string Category, int Count);

public sealed record WeekCount(string Week, int Count, IReadOnlyList<CategoryCount> Categories);

public sealed record TopOpinion(long Id, string Kind, string Category, string? Title, long AgreeCount, DateTimeOffset CreatedAt);

/// <summary>
/// Trends of the opinions created from <see cref="From"/> to <see cref="To"/> (Shanghai dates,
/// inclusive), praise excluded (it awaits no answer). Shares and rates are 0..1, null when there
/// is nothing to divide.
/// </summary>
public sealed record OpinionTrends(
    DateOnly From, DateOnly To, int Total, int Praise,
    IReadOnlyList<CategoryCount> Categories, IReadOnlyList<WeekCount> Weeks,
    double? AnsweredShare, double? MedianHoursToFirstAnswer, double? SatisfactionRate,
    IReadOnlyList<TopOpinion> TopAgreedOpen);
