namespace CommunityConnect.Api.Features.StreetStatistics;

public sealed record NamedCount(string Name, int Count);

/// <summary>Wall-clock minutes from an item being raised to its first response (or resolution): how many, the median and the 90th percentile.</summary>
public sealed record DurationStatistics(int Count, double? MedianMinutes, double? P90Minutes);

/// <summary>Repair ratings (mean of the three dimensions, 1–5) and opinion authors' replies (share satisfied).</summary>
public sealed record SatisfactionStatistics(int RepairRatings, double? RepairRatingMean, int OpinionReplies, double? OpinionSatisfiedRate);

/// <summary>
/// Announcements published in the range. Households are counted per announcement (a household in the
/// audience of three announcements counts three times); rates are shares of those.
/// </summary>
public sealed record AnnouncementStatistics(
    int Published, int RequiringAcknowledgement, int Households, int HouseholdsRead, double? ReadRate,
    int AcknowledgementHouseholds, int HouseholdsAcknowledged, double? AcknowledgementRate);

/// <summary>Meetings held in the range (started, minutes recorded), by kind, and the actions of those meetings still open (and overdue).</summary>
public sealed record MeetingStatistics(int Held, IReadOnlyList<NamedCount> ByKind, int Actions, int OpenActions, int OverdueActions);

public sealed record SurveyBodyMean(string Body, double? Mean, int Answers);

/// <summary>
/// The latest survey closed by the range's end. In the street's total: every community's latest
/// survey together (<see cref="SurveyId"/> null), the means weighted by answers.
/// </summary>
public sealed record LatestSurveyStatistics(
    long? SurveyId, string Title, DateTimeOffset? ClosedAt, int Households, int AnsweredHouseholds, double? ResponseRate, IReadOnlyList<SurveyBodyMean> Bodies);

/// <summary>One community's figures (or the street's total, with <see cref="CommunityId"/> null): items are the cases raised in the range.</summary>
public sealed record CommunityStatistics(
    long? CommunityId, string Community, int Items, IReadOnlyList<NamedCount> ItemsByKind, IReadOnlyList<NamedCount> ItemsByCategory,
    DurationStatistics FirstResponse, DurationStatistics Resolution, int Escalations, IReadOnlyList<NamedCount> EscalationsByRung,
    SatisfactionStatistics Satisfaction, AnnouncementStatistics Announcements, MeetingStatistics Meetings, LatestSurveyStatistics? LatestSurvey);

/// <summary>The street's communities and their total over [from, to] (Asia/Shanghai dates, inclusive).</summary>
public sealed record StreetStatistics(long StreetId, DateOnly From, DateOnly To, IReadOnlyList<CommunityStatistics> Communities, CommunityStatistics Total);
