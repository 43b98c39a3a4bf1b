using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Surveys;

public static class SurveyStates
{
    public const string Open = "open";
    public const string Closed = "closed";
}

public sealed record NewSurveyInput(
    [property: Required, TextLength(UserText.TitleMax)] string? Title,
    [property: Required] DateTimeOffset? ClosesAt,
    [property: Required, MinLength(1), OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] IReadOnlyList<string?>? Bodies);

public sealed record SurveyAnswerInput(
    [property: Required, OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] string? Body,
    [property: Required, Range(1, 5)] int? Score,
    [property: TextLength(500, Min = 0)] string? Comment);

/// <summary>One household's answer: a score (and an optional comment) for every body of the survey. <c>unitId</c> only for a member of several units.</summary>
public sealed record SurveyAnswersInput([property: Required, MinLength(1)] IReadOnlyList<SurveyAnswerInput?>? Answers, long? UnitId);

public sealed record Survey(
    long Id, long CommunityId, string Title, IReadOnlyList<string> Bodies, DateTimeOffset ClosesAt, string State, DateTimeOffset CreatedAt,
    DateTimeOffset? ClosedAt, bool? AnsweredByMyHousehold, long? AnnouncementId);

/// <summary>What answering tells the household: that it counted, and the response rate so far. Nothing of what was answered.</summary>
public sealed record SurveyAnswerReceipt(long SurveyId, int AnsweredHouseholds, int Households, double? ResponseRate);

/// <summary>Per body: how many answered, the mean score, how many gave each score (index 0 = 1 star … 4 = 5 stars), and the comments.</summary>
public sealed record BodySurveyResult(string Body, int Answers, double? Mean, IReadOnlyList<int> Distribution, IReadOnlyList<string> Comments);

/// <summary>
/// A survey's results: before it closes, only the response rate (<see cref="Bodies"/> null); after,
/// per body. Households: units with at least one verified resident or owner (counted when it closed).
/// </summary>
public sealed record SurveyResults(
    long SurveyId, long CommunityId, string Title, string State, DateTimeOffset ClosesAt, DateTimeOffset? ClosedAt,
    int Households, int AnsweredHouseholds, double? ResponseRate, IReadOnlyList<BodySurveyResult>? Bodies);
