using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Meetings;
using CommunityConnect.Api.Features.Surveys;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Reports;
using Dapper;
using System.Data.Common;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.StreetStatistics;

/// <summary>
/// The street office's figures per community and in total. Each figure is one query over the whole
/// street (grouped by community where it can be), so the cost grows with the data in the range, not
/// with the number of queries; durations come back raw so that the total's median and 90th
/// percentile are those of all items, not an average of the communities' medians.
/// </summary>
public sealed class StreetStatisticsStore(Database database, SurveyResultsStore surveys, TimeProvider time)
{
    private sealed class CaseFact
    {
        public long CommunityId { get; init; }
        public string Kind { get; init; } = "";
        public string Category { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? RespondedAt { get; init; }
        public long? ResolvedAt { get; init; }
    }

    private sealed record Facts(
        List<CaseFact> Cases,
        List<(long CommunityId, string Rung, int Count)> Escalations,
        List<(long CommunityId, double Score)> RepairRatings,
        List<(long CommunityId, bool Satisfied)> OpinionReplies,
        List<(long CommunityId, long AnnouncementId, bool RequiresAck, int Households, int Read, int Acknowledged)> Announcements,
        List<(long CommunityId, string Kind, int Count)> Meetings,
        List<(long CommunityId, string State, long Due)> Actions,
        Dictionary<long, SurveyResults> Surveys);

    private const string StreetCommunities = "SELECT id FROM communities WHERE street_id = @streetId";

    public async Task<StreetStatistics?> ForStreetAsync(long streetId, DateOnly from, DateOnly to)
    {
        var start = ShanghaiTime.StartOf(from).ToUniversalTime();
        var end = ShanghaiTime.StartOf(to.AddDays(1)).ToUniversalTime();
        await using var connection = await database.OpenReadAsync();
        var communities = (await connection.QueryAsync<(long Id, string Name)>(
            "SELECT id, name FROM communities WHERE street_id = @streetId ORDER BY id;", new { streetId })).ToList();
        var facts = await GatherAsync(connection, streetId, communities.Select(c => c.Id).ToList(), start, end);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var perCommunity = communities.Select(c => Summarise(c.Id, c.Name, facts, id => id == c.Id, now)).ToList();
        var total = Summarise(null, "合计", facts, _ => true, now);
        return new StreetStatistics(streetId, from, to, perCommunity, total);
    }

    private async Task<Facts> GatherAsync(DbConnection connection, long streetId, IReadOnlyList<long> communityIds, DateTimeOffset from, DateTimeOffset to)
    {
        var range = new { streetId, from, to };
        var cases = (await connection.QueryAsync<CaseFact>(
            $"""
             SELECT c.community_id AS CommunityId, c.kind AS Kind, c.category AS Category, c.created_at AS CreatedAt,
                    c.responded_at AS RespondedAt, c.resolved_at AS ResolvedAt
             FROM cases c
             WHERE c.community_id IN ({StreetCommunities}) AND c.created_at >= @from AND c.created_at < @to;
             """, range)).ToList();
        var escalations = (await connection.QueryAsync<(long, string, int)>(
            $"""
             SELECT c.community_id, h.to_body, COUNT(*)
             FROM case_history h JOIN cases c ON c.id = h.case_id
             WHERE h.event = 'escalated' AND h.at >= @from AND h.at < @to AND c.community_id IN ({StreetCommunities})
             GROUP BY c.community_id, h.to_body;
             """, range)).ToList();
        var ratings = (await connection.QueryAsync<(long, double)>(
            $"""
             SELECT community_id, (timeliness + attitude + quality) / 3.0
             FROM repair_tickets
             WHERE community_id IN ({StreetCommunities}) AND rated_at >= @from AND rated_at < @to AND timeliness IS NOT NULL;
             """, range)).ToList();
        var replies = (await connection.QueryAsync<(long, bool)>(
            $"""
             SELECT community_id, satisfied FROM opinions
             WHERE community_id IN ({StreetCommunities}) AND satisfied IS NOT NULL AND created_at >= @from AND created_at < @to;
             """, range)).ToList();
        // Per announcement: the households of its audience (from each building's household count) and
        // those that read and acknowledged it (from the reads), by AnnouncementRules' definitions.
        var published = (await connection.QueryAsync<(long CommunityId, long Id, bool RequiresAck, string Audience)>(
            $"""
             SELECT community_id, id, requires_ack, audience FROM announcements
             WHERE community_id IN ({StreetCommunities}) AND created_at >= @from AND created_at < @to;
             """, range)).ToList();
        var householdsByBuilding = (await connection.QueryAsync<(long CommunityId, long BuildingId, int Households)>(
            $"""
             SELECT u.community_id, u.building_id, COUNT(DISTINCT u.id)
             FROM units u JOIN memberships m ON m.unit_id = u.id AND {Households.HouseholdMember}
             WHERE u.community_id IN ({StreetCommunities})
             GROUP BY u.community_id, u.building_id;
             """, range)).ToList();
        var audienceBuildings = (await connection.QueryAsync<(long AnnouncementId, long BuildingId)>(
            $"""
             SELECT ab.announcement_id, ab.building_id FROM announcement_buildings ab JOIN announcements a ON a.id = ab.announcement_id
             WHERE a.community_id IN ({StreetCommunities}) AND a.created_at >= @from AND a.created_at < @to;
             """, range)).ToLookup(b => b.AnnouncementId, b => b.BuildingId);
        var reads = (await connection.QueryAsync<(long AnnouncementId, int Read, int Acknowledged)>(
            $"""
             SELECT a.id, COUNT(DISTINCT u.id), COUNT(DISTINCT CASE WHEN r.acknowledged_at IS NOT NULL THEN u.id END)
             {AnnouncementRules.HouseholdReadsFrom}
               AND a.community_id IN ({StreetCommunities}) AND a.created_at >= @from AND a.created_at < @to
             GROUP BY a.id;
             """, range)).ToDictionary(r => r.AnnouncementId);
        var announcements = published.Select(a =>
        {
            var buildings = a.Audience == Audiences.All ? null : audienceBuildings[a.Id].ToHashSet();
            var households = householdsByBuilding.Where(h => h.CommunityId == a.CommunityId && (buildings is null || buildings.Contains(h.BuildingId))).Sum(h => h.Households);
            var read = reads.GetValueOrDefault(a.Id);
            return (a.CommunityId, a.Id, a.RequiresAck, households, read.Read, read.Acknowledged);
        }).ToList();
        var meetings = (await connection.QueryAsync<(long, string, int)>(
            $"""
             SELECT g.community_id, g.kind, COUNT(*)
             FROM meetings g JOIN meeting_minutes mm ON mm.meeting_id = g.id
             WHERE g.community_id IN ({StreetCommunities}) AND g.starts_at >= @from AND g.starts_at < @to
             GROUP BY g.community_id, g.kind;
             """, range)).ToList();
        var actions = (await connection.QueryAsync<(long, string, long)>(
            $"""
             SELECT g.community_id, a.state, a.due
             FROM meeting_actions a JOIN meetings g ON g.id = a.meeting_id
             WHERE g.community_id IN ({StreetCommunities}) AND g.starts_at >= @from AND g.starts_at < @to;
             """, range)).ToList();
        var latestSurveys = new Dictionary<long, SurveyResults>();
        foreach (var communityId in communityIds)
        {
            if (await surveys.LatestClosedAsync(communityId, to) is { } results)
            {
                latestSurveys[communityId] = results;
            }
        }
        return new Facts(cases, escalations.Select(e => (e.Item1, e.Item2, e.Item3)).ToList(), ratings, replies.Select(r => (r.Item1, r.Item2)).ToList(),
            announcements, meetings, actions, latestSurveys);
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round(part / (double)whole, 4);

    private static DurationStatistics Durations(IEnumerable<double> minutes)
    {
        var list = minutes.ToList();
        return new DurationStatistics(list.Count, Statistics.Round(Statistics.Median(list), 1), Statistics.Round(Statistics.P90(list), 1));
    }

    private static IReadOnlyList<NamedCount> Counted(IEnumerable<(string Name, int Count)> rows) =>
        rows.GroupBy(r => r.Name).Select(g => new NamedCount(g.Key, g.Sum(r => r.Count))).OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();

    private static CommunityStatistics Summarise(long? communityId, string name, Facts facts, Func<long, bool> includes, long now)
    {
        var cases = facts.Cases.Where(c => includes(c.CommunityId)).ToList();
        var escalations = facts.Escalations.Where(e => includes(e.CommunityId)).ToList();
        var ratings = facts.RepairRatings.Where(r => includes(r.CommunityId)).ToList();
        var replies = facts.OpinionReplies.Where(r => includes(r.CommunityId)).ToList();
        var announcements = facts.Announcements.Where(a => includes(a.CommunityId)).ToList();
        var withAck = announcements.Where(a => a.RequiresAck).ToList();
        var actions = facts.Actions.Where(a => includes(a.CommunityId)).ToList();
        var meetings = facts.Meetings.Where(m => includes(m.CommunityId)).ToList();
        var open = actions.Where(a => a.State == "open").ToList();
        return new CommunityStatistics(communityId, name, cases.Count,
            Counted(cases.Select(c => (c.Kind, 1))), Counted(cases.Select(c => (c.Category, 1))),
            Durations(cases.Where(c => c.RespondedAt is not null).Select(c => (c.RespondedAt!.Value - c.CreatedAt) / 60_000.0)),
            Durations(cases.Where(c => c.ResolvedAt is not null).Select(c => (c.ResolvedAt!.Value - c.CreatedAt) / 60_000.0)),
            escalations.Sum(e => e.Count), Counted(escalations.Select(e => (e.Rung, e.Count))),
            new SatisfactionStatistics(ratings.Count, ratings.Count == 0 ? null : Math.Round(ratings.Average(r => r.Score), 2),
                replies.Count, Rate(replies.Count(r => r.Satisfied), replies.Count)),
            new AnnouncementStatistics(announcements.Count, withAck.Count, announcements.Sum(a => a.Households), announcements.Sum(a => a.Read),
                Rate(announcements.Sum(a => a.Read), announcements.Sum(a => a.Households)),
                withAck.Sum(a => a.Households), withAck.Sum(a => a.Acknowledged), Rate(withAck.Sum(a => a.Acknowledged), withAck.Sum(a => a.Households))),
            new MeetingStatistics(meetings.Sum(m => m.Count),
                MeetingKinds.All.Select(kind => new NamedCount(kind, meetings.Where(m => m.Kind == kind).Sum(m => m.Count))).ToList(),
                actions.Count, open.Count, open.Count(a => a.Due < now)),
            LatestSurvey(communityId, facts.Surveys.Where(s => includes(s.Key)).Select(s => s.Value).ToList()));
    }

    private static LatestSurveyStatistics? LatestSurvey(long? communityId, IReadOnlyList<SurveyResults> surveys)
    {
        if (surveys.Count == 0)
        {
            return null;
        }
        var bodies = surveys.SelectMany(s => s.Bodies ?? []).GroupBy(b => b.Body)
            .Select(g => new SurveyBodyMean(g.Key,
                g.Sum(b => b.Answers) == 0 ? null : Math.Round(g.Sum(b => (b.Mean ?? 0) * b.Answers) / g.Sum(b => b.Answers), 2),
                g.Sum(b => b.Answers)))
            .ToList();
        var households = surveys.Sum(s => s.Households);
        var answered = surveys.Sum(s => s.AnsweredHouseholds);
        return communityId is null
            ? new LatestSurveyStatistics(null, "各小区最近一次民主评议", null, households, answered, Rate(answered, households), bodies)
            : new LatestSurveyStatistics(surveys[0].SurveyId, surveys[0].Title, surveys[0].ClosedAt, households, answered, surveys[0].ResponseRate, bodies);
    }
}
