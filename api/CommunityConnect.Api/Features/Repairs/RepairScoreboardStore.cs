using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Reports;
using CommunityConnect.Jobs;
using Dapper;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// The public scoreboard of the property company (物业服务质价相符): figures over the tickets
/// reported in a period of Shanghai calendar days, per category and overall.
/// </summary>
public sealed class RepairScoreboardStore(Database database)
{
    internal sealed class ScoreRow
    {
        public string Category { get; init; } = "";
        public string State { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? FirstAcceptedAt { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }
        public long ReopenCount { get; init; }
        public long? Timeliness { get; init; }
        public long? Attitude { get; init; }
        public long? Quality { get; init; }
    }

    public async Task<RepairScoreboard> GetAsync(long communityId, DateOnly from, DateOnly to)
    {
        var start = ShanghaiTime.StartOf(from);
        var end = ShanghaiTime.StartOf(to.AddDays(1));
        await using var connection = await database.OpenReadAsync();
        // Tickets the reporter cancelled before acceptance were never the property company's work.
        var rows = (await connection.QueryAsync<ScoreRow>(
            """
            SELECT category, state, created_at, first_accepted_at, resolved_at, reopen_count, timeliness, attitude, quality
            FROM repair_tickets
            WHERE community_id = @communityId AND created_at >= @start AND created_at < @end AND state <> 'cancelled';
            """, new { communityId, start, end })).ToList();
        var categories = Taxonomy.Categories
            .Select(category => (category, rows: rows.Where(r => r.Category == category).ToList()))
            .Where(g => g.rows.Count > 0)
            .Select(g => Figures(g.category, g.rows))
            .ToList();
        return new RepairScoreboard(communityId, from, to, ShanghaiTime.ZoneId, Figures("all", rows), categories);
    }

    internal static RepairFigures Figures(string category, IReadOnlyList<ScoreRow> rows)
    {
        var toAccept = rows.Where(r => r.FirstAcceptedAt is not null).Select(r => (r.FirstAcceptedAt!.Value - r.CreatedAt).TotalMinutes);
        // Time to resolve counts to the resolution that stands (a reopened ticket counts when it is resolved again).
        var toResolve = rows.Where(r => r.State is RepairStates.Resolved or RepairStates.Closed && r.ResolvedAt is not null)
            .Select(r => (r.ResolvedAt!.Value - r.CreatedAt).TotalMinutes);
        var everResolved = rows.Count(r => r.ResolvedAt is not null);
        var rated = rows.Where(r => r.Timeliness is not null).ToList();
        return new RepairFigures(
            category,
            rows.Count,
            Statistics.Round(Statistics.Median(toAccept), 1),
            Statistics.Round(Statistics.Median(toResolve), 1),
            everResolved == 0 ? null : Math.Round((double)rows.Count(r => r.ReopenCount > 0) / everResolved, 4),
            rated.Count == 0 ? null : Math.Round(rated.Average(r => r.Timeliness!.Value), 2),
            rated.Count == 0 ? null : Math.Round(rated.Average(r => r.Attitude!.Value), 2),
            rated.Count == 0 ? null : Math.Round(rated.Average(r => r.Quality!.Value), 2),
            rated.Count);
    }
}
