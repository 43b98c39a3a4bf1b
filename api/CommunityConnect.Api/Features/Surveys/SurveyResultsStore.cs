using System.Globalization;
using CommunityConnect.Api.Features.Announcements;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Surveys;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Surveys;

/// <summary>Results (only the response rate before closing), closing at closesAt, and publishing the results as an announcement.</summary>
public sealed class SurveyResultsStore(Database database, AnnouncementPublishing announcements, TimeProvider time) : ISurveyClosing
{
    public static double? Rate(int answered, int households) => households == 0 ? null : Math.Round(answered / (double)households, 4);

    /// <summary>(households, households that answered): the households counted at closing once closed, else now.</summary>
    internal static async Task<(int Households, int Answered)> ResponseAsync(DbConnection connection, DbTransaction? transaction, SurveyStore.Row row)
    {
        var households = row.HouseholdsAtClose ?? await SurveyStore.HouseholdsAsync(connection, transaction, row.CommunityId);
        var answered = await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM survey_households WHERE survey_id = @Id;", new { row.Id }, transaction);
        return (households, answered);
    }

    private static async Task<SurveyResults> ResultsAsync(DbConnection connection, DbTransaction? transaction, SurveyStore.Row row)
    {
        var (households, answered) = await ResponseAsync(connection, transaction, row);
        IReadOnlyList<BodySurveyResult>? bodies = null;
        if (row.State == SurveyStates.Closed)
        {
            var answers = (await connection.QueryAsync<(string Body, int Score, string? Comment)>(
                "SELECT body, score, comment FROM survey_answers WHERE survey_id = @Id ORDER BY id;", new { row.Id }, transaction)).ToLookup(a => a.Body);
            bodies = (await SurveyStore.BodiesAsync(connection, transaction, row.Id)).Select(body =>
            {
                var scores = answers[body].ToList();
                return new BodySurveyResult(body, scores.Count, scores.Count == 0 ? null : Math.Round(scores.Average(s => s.Score), 2),
                    Enumerable.Range(1, 5).Select(score => scores.Count(s => s.Score == score)).ToList(),
                    scores.Where(s => s.Comment is not null).Select(s => s.Comment!).ToList());
            }).ToList();
        }
        return new SurveyResults(row.Id, row.CommunityId, row.Title, row.State, row.ClosesAt, row.ClosedAt, households, answered, Rate(answered, households), bodies);
    }

    public async Task<SurveyResults?> ResultsAsync(long surveyId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await SurveyStore.FindAsync(connection, null, surveyId, communityId);
        return row is null ? null : await ResultsAsync(connection, null, row);
    }

    /// <summary>The results of the community's survey that closed last before <paramref name="before"/>, or null.</summary>
    public async Task<SurveyResults?> LatestClosedAsync(long communityId, DateTimeOffset before)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<SurveyStore.Row>(
            $"""
             SELECT {SurveyStore.Columns}
             WHERE s.community_id = @communityId AND s.state = 'closed' AND s.closed_at < @before
             ORDER BY s.closed_at DESC, s.id DESC LIMIT 1;
             """, new { communityId, before });
        return row is null ? null : await ResultsAsync(connection, null, row);
    }

    public async Task<IReadOnlyList<long>> DueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            "SELECT id FROM surveys WHERE state = 'open' AND closes_at <= @now ORDER BY closes_at;", new { now = time.GetUtcNow() })).ToList();
    }

    /// <summary>
    /// Closes a survey whose time has come and publishes its results to the community as an
    /// announcement, in one unit of work guarded by the state it expects, so two runs close it once.
    /// </summary>
    public Task<bool> CloseAsync(long surveyId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var closed = await connection.ExecuteAsync(
                $"""
                UPDATE surveys SET state = 'closed', closed_at = @now,
                    households_at_close = (SELECT COUNT(DISTINCT m.unit_id) FROM memberships m
                                           WHERE m.community_id = surveys.community_id AND {Households.HouseholdMember})
                WHERE id = @surveyId AND state = 'open' AND closes_at <= @now;
                """, new { surveyId, now }, transaction);
            if (closed != 1)
            {
                return false;
            }
            var row = (await connection.QuerySingleAsync<SurveyStore.Row>($"SELECT {SurveyStore.Columns} WHERE s.id = @surveyId;", new { surveyId }, transaction));
            var results = await ResultsAsync(connection, transaction, row);
            var lines = results.Bodies!.Select(b => b.Mean is { } mean
                ? $"{Bodies.Label(b.Body)}平均{mean.ToString("0.00", CultureInfo.InvariantCulture)}分({b.Answers}户)"
                : $"{Bodies.Label(b.Body)}无人评分");
            var rate = results.ResponseRate is { } r ? $"{Math.Round(r * 100, 1).ToString(CultureInfo.InvariantCulture)}%" : "—";
            var announcementId = await announcements.PublishAsync(connection, transaction, new AnnouncementDraft(row.CommunityId, row.CreatedBy,
                Bodies.ResidentsCommittee, Infrastructure.Text.UserText.Cut($"民主评议结果:{row.Title}", 60),
                $"参与{results.AnsweredHouseholds}户/共{results.Households}户(参与率{rate})。{string.Join(";", lines)}。", Audiences.All, [], false, null));
            await connection.ExecuteAsync("UPDATE surveys SET announcement_id = @announcementId WHERE id = @surveyId;", new { announcementId, surveyId }, transaction);
            return true;
        });
}
