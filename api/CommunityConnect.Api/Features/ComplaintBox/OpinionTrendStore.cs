using System.Globalization;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Reports;
using CommunityConnect.Jobs;
using Dapper;

namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>The box's trends for the committees: counts by category and ISO week, answers, satisfaction, the most agreed open opinions.</summary>
public sealed class OpinionTrendStore(Database database)
{
    private sealed class TrendRow
    {
        public string Kind { get; init; } = "";
        public string Category { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FirstAnsweredAt { get; init; }
        public bool? Satisfied { get; init; }
    }

    /// <summary>The ISO week of an instant, counted in Shanghai.</summary>
    public static string IsoWeekOf(DateTimeOffset at)
    {
        var local = at.ToOffset(ShanghaiTime.Offset).DateTime;
        return $"{ISOWeek.GetYear(local)}-W{ISOWeek.GetWeekOfYear(local):00}";
    }

    public async Task<OpinionTrends> TrendsAsync(long communityId, DateOnly from, DateOnly to)
    {
        var start = ShanghaiTime.StartOf(from);
        var end = ShanghaiTime.StartOf(to.AddDays(1));
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<TrendRow>(
            """
            SELECT kind AS Kind, category AS Category, created_at AS CreatedAt, first_answered_at AS FirstAnsweredAt, satisfied AS Satisfied
            FROM opinions
            WHERE community_id = @communityId AND created_at >= @start AND created_at < @end;
            """, new { communityId, start, end })).ToList();
        var top = (await connection.QueryAsync<TopOpinion>(
            """
            SELECT id AS Id, kind AS Kind, category AS Category, title AS Title, agree_count AS AgreeCount, created_at AS CreatedAt
            FROM opinions
            WHERE community_id = @communityId AND created_at >= @start AND created_at < @end
              AND state = 'open' AND visibility = 'public' AND agree_count > 0
            ORDER BY agree_count DESC, id DESC
            LIMIT 5;
            """, new { communityId, start, end })).ToList();

        var counted = rows.Where(r => r.Kind != OpinionKinds.Praise).ToList();
        var answered = counted.Where(r => r.FirstAnsweredAt is not null).ToList();
        var replies = counted.Where(r => r.Satisfied is not null).ToList();
        var categories = counted.GroupBy(r => r.Category)
            .Select(g => new CategoryCount(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).ToList();
        var weeks = counted.GroupBy(r => IsoWeekOf(r.CreatedAt)).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new WeekCount(g.Key, g.Count(), g.GroupBy(r => r.Category)
                .Select(c => new CategoryCount(c.Key, c.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Category, StringComparer.Ordinal).ToList()))
            .ToList();
        return new OpinionTrends(from, to, counted.Count, rows.Count - counted.Count, categories, weeks,
            counted.Count == 0 ? null : (double)answered.Count / counted.Count,
            Statistics.Median(answered.Select(r => (r.FirstAnsweredAt!.Value - r.CreatedAt).TotalHours)),
            replies.Count == 0 ? null : (double)replies.Count(r => r.Satisfied == true) / replies.Count,
            top);
    }
}
