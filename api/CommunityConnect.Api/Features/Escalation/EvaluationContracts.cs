using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.Escalation;

/// <summary>A quarter such as 2026-Q4, as a half-open range of UTC instants (quarters begin at midnight Shanghai time).</summary>
public sealed record Period(string Name, DateTimeOffset From, DateTimeOffset To)
{
    public static Period? Parse(string? text)
    {
        if (text is null || text.Length != 7 || text[4] != '-' || text[5] != 'Q'
            || !int.TryParse(text.AsSpan(0, 4), out var year) || year is < 2000 or > 2100
            || text[6] is < '1' or > '4')
        {
            return null;
        }
        var quarter = text[6] - '0';
        var from = ShanghaiTime.StartOf(new DateOnly(year, (quarter - 1) * 3 + 1, 1));
        return new Period(text, from.ToUniversalTime(), from.AddMonths(3).ToUniversalTime());
    }

    public static string Current(DateTimeOffset now)
    {
        var local = ShanghaiTime.DateOf(now);
        return $"{local.Year}-Q{(local.Month - 1) / 3 + 1}";
    }
}

public sealed record BodyEvaluation(
    string Body,
    int CasesReceived,
    double? AnsweredInTimeRate,
    double? ResolvedInTimeRate,
    int EscalationsSuffered,
    double? MedianMinutesToFirstResponse,
    double? MedianMinutesToResolve,
    double? Satisfaction,
    int SatisfactionReplies,
    int? Stars,
    double? SurveyMean = null);

/// <summary>
/// The measured evaluation of a quarter, and beside it the results of the community's latest 民主评议
/// survey closed before the quarter's end (<see cref="BodyEvaluation.SurveyMean"/> per body); the
/// survey does not enter the stars.
/// </summary>
public sealed record CommunityEvaluation(long CommunityId, string CommunityName, string Period, IReadOnlyList<BodyEvaluation> Bodies,
    Surveys.SurveyResults? LatestSurvey = null);
