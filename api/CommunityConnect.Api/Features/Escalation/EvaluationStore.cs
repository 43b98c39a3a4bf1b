using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Reports;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Escalation;

/// <summary>
/// Measured service of the three carriages (红色业委会 / 星级 evaluation), from the cases table and
/// the residents' own satisfaction replies. The star formula is in the README.
/// </summary>
public sealed class EvaluationStore(Database database, Surveys.SurveyResultsStore surveys)
{
    private sealed class CaseFacts
    {
        public string FirstBody { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RespondedAt { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }
        public DateTimeOffset? TargetFirstResponseAt { get; init; }
        public DateTimeOffset? TargetResolveAt { get; init; }
    }

    public async Task<CommunityEvaluation?> ForCommunityAsync(long communityId, Period period)
    {
        await using var connection = await database.OpenReadAsync();
        var name = await connection.ExecuteScalarAsync<string?>("SELECT name FROM communities WHERE id = @communityId;", new { communityId });
        return name is null ? null : await WithSurveyAsync(new CommunityEvaluation(communityId, name, period.Name, await EvaluateAsync(connection, communityId, period)), period);
    }

    public async Task<IReadOnlyList<CommunityEvaluation>> ForStreetAsync(long streetId, Period period)
    {
        await using var connection = await database.OpenReadAsync();
        var communities = await connection.QueryAsync<(long Id, string Name)>(
            "SELECT id, name FROM communities WHERE street_id = @streetId ORDER BY id;", new { streetId });
        var result = new List<CommunityEvaluation>();
        foreach (var (id, name) in communities)
        {
            result.Add(await WithSurveyAsync(new CommunityEvaluation(id, name, period.Name, await EvaluateAsync(connection, id, period)), period));
        }
        return result;
    }

    /// <summary>Puts the latest survey closed before the period's end beside the measured stars.</summary>
    private async Task<CommunityEvaluation> WithSurveyAsync(CommunityEvaluation evaluation, Period period)
    {
        var survey = await surveys.LatestClosedAsync(evaluation.CommunityId, period.To);
        if (survey?.Bodies is not { } results)
        {
            return evaluation;
        }
        var bodies = evaluation.Bodies
            .Select(body => body with { SurveyMean = results.FirstOrDefault(r => r.Body == body.Body)?.Mean })
            .ToList();
        return evaluation with { Bodies = bodies, LatestSurvey = survey };
    }

    private static async Task<IReadOnlyList<BodyEvaluation>> EvaluateAsync(DbConnection connection, long communityId, Period period)
    {
        var range = new { communityId, from = period.From, to = period.To };
        // The body each case was first routed to is the one it "received" it.
        var facts = (await connection.QueryAsync<CaseFacts>(
            """
            SELECT (SELECT h.to_body FROM case_history h WHERE h.case_id = c.id AND h.event = 'created') AS FirstBody,
                   c.created_at AS CreatedAt, c.responded_at AS RespondedAt, c.resolved_at AS ResolvedAt,
                   c.target_first_response_at AS TargetFirstResponseAt, c.target_resolve_at AS TargetResolveAt
            FROM cases c
            WHERE c.community_id = @communityId AND c.created_at >= @from AND c.created_at < @to;
            """, range)).ToList();
        var escalations = (await connection.QueryAsync<(string Body, long Count)>(
            """
            SELECT h.from_body, COUNT(*) FROM case_history h JOIN cases c ON c.id = h.case_id
            WHERE c.community_id = @communityId AND h.event = 'escalated' AND h.at >= @from AND h.at < @to
            GROUP BY h.from_body;
            """, range)).ToDictionary(e => e.Body, e => (int)e.Count);
        var satisfaction = await SatisfactionAsync(connection, range);

        return Bodies.FirstBodies.Select(body =>
        {
            var received = facts.Where(f => f.FirstBody == body).ToList();
            double? Rate(Func<CaseFacts, bool> inTime) => received.Count == 0 ? null : Math.Round(received.Count(inTime) / (double)received.Count, 4);
            var answeredInTime = Rate(f => f.RespondedAt is { } at && f.TargetFirstResponseAt is { } due && at <= due);
            var resolvedInTime = Rate(f => f.ResolvedAt is { } at && f.TargetResolveAt is { } due && at <= due);
            var escalated = escalations.GetValueOrDefault(body);
            var (score, replies) = satisfaction.GetValueOrDefault(body);
            double? satisfied = replies == 0 ? null : Math.Round(score / replies, 4);
            return new BodyEvaluation(body, received.Count, answeredInTime, resolvedInTime, escalated,
                Statistics.Round(Statistics.Median(received.Where(f => f.RespondedAt is not null).Select(f => (f.RespondedAt!.Value - f.CreatedAt).TotalMinutes)), 1),
                Statistics.Round(Statistics.Median(received.Where(f => f.ResolvedAt is not null).Select(f => (f.ResolvedAt!.Value - f.CreatedAt).TotalMinutes)), 1),
                satisfied, replies, Stars(received.Count, answeredInTime, resolvedInTime, escalated, satisfied));
        }).ToList();
    }

    /// <summary>
    /// Residents' satisfaction per first body, each reply scored 0..1: a repair rating's mean of the
    /// three dimensions mapped from 1–5 stars, and an opinion author's last reply, satisfied (1) or not (0).
    /// </summary>
    private static async Task<Dictionary<string, (double Score, int Replies)>> SatisfactionAsync(DbConnection connection, object range)
    {
        var rows = await connection.QueryAsync<(string Body, double Score)>(SatisfactionSql, range);
        return rows.GroupBy(r => r.Body).ToDictionary(g => g.Key, g => (g.Sum(r => r.Score), g.Count()));
    }

    // Repair ratings given in the period and the last satisfaction reply on opinions raised in it,
    // credited to the body each case was first routed to.
    private const string SatisfactionSql =
        """
        SELECT (SELECT h.to_body FROM case_history h WHERE h.case_id = c.id AND h.event = 'created') AS body,
               ((t.timeliness + t.attitude + t.quality) / 3.0 - 1) / 4.0 AS score
        FROM repair_tickets t JOIN cases c ON c.id = t.case_id
        WHERE t.community_id = @communityId AND t.rated_at >= @from AND t.rated_at < @to
        UNION ALL
        SELECT (SELECT h.to_body FROM case_history h WHERE h.case_id = c.id AND h.event = 'created'),
               CAST(o.satisfied AS REAL)
        FROM opinions o JOIN cases c ON c.id = o.case_id
        WHERE o.community_id = @communityId AND o.satisfied IS NOT NULL AND o.created_at >= @from AND o.created_at < @to;
        """;

    /// <summary>
    /// 1–5 stars from a 0..1 score: 30% answered in time, 30% resolved in time, 20% not escalated
    /// (1 − escalations ÷ cases, at least 0), 20% satisfaction; a part with no data is left out and
    /// the others re-weighted. No cases, no stars.
    /// </summary>
    public static int? Stars(int received, double? answeredInTime, double? resolvedInTime, int escalations, double? satisfaction)
    {
        if (received == 0)
        {
            return null;
        }
        var parts = new List<(double Weight, double Value)>
        {
            (0.3, answeredInTime ?? 0),
            (0.3, resolvedInTime ?? 0),
            (0.2, Math.Max(0, 1 - escalations / (double)received)),
        };
        if (satisfaction is { } s)
        {
            parts.Add((0.2, s));
        }
        var score = parts.Sum(p => p.Weight * p.Value) / parts.Sum(p => p.Weight);
        return Math.Clamp(1 + (int)Math.Round(score * 4, MidpointRounding.AwayFromZero), 1, 5);
    }
}
