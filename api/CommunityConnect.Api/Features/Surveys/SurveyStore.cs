using System.Security.Cryptography;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Surveys;

/// <summary>
/// 民主评议 surveys: opening one, reading them, and a household's one anonymous answer. An answer is
/// stored as one row per body with a random id and nothing else that could tie it to a person or a
/// unit; the household's HMAC token goes to a table of its own (see <see cref="HouseholdBallots"/>).
/// </summary>
public sealed class SurveyStore(Database database, HouseholdBallots ballots, Inbox.Inbox inbox, TimeProvider time)
{
    internal sealed class Row
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Title { get; init; } = "";
        public DateTimeOffset ClosesAt { get; init; }
        public string State { get; init; } = "";
        public long CreatedBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public int? HouseholdsAtClose { get; init; }
        public long? AnnouncementId { get; init; }

        /// <summary>Open for answers: not closed by the job, and its closing time not reached.</summary>
        public bool TakesAnswersAt(DateTimeOffset now) => State == SurveyStates.Open && ClosesAt > now;
    }

    internal const string Columns =
        """
        s.id AS Id, s.community_id AS CommunityId, s.title AS Title, s.closes_at AS ClosesAt, s.state AS State, s.created_by AS CreatedBy,
        s.created_at AS CreatedAt, s.closed_at AS ClosedAt, s.households_at_close AS HouseholdsAtClose, s.announcement_id AS AnnouncementId
        FROM surveys s
        """;

    internal static Task<Row?> FindAsync(DbConnection connection, DbTransaction? transaction, long surveyId, long communityId) =>
        connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} WHERE s.id = @surveyId AND s.community_id = @communityId;",
            new { surveyId, communityId }, transaction);

    internal static async Task<IReadOnlyList<string>> BodiesAsync(DbConnection connection, DbTransaction? transaction, long surveyId) =>
        (await connection.QueryAsync<string>(
            """
            SELECT body FROM survey_bodies WHERE survey_id = @surveyId
            ORDER BY CASE body WHEN 'residents_committee' THEN 1 WHEN 'owners_committee' THEN 2 ELSE 3 END;
            """, new { surveyId }, transaction)).ToList();

    /// <summary>The survey's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long surveyId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM surveys WHERE id = @surveyId;", new { surveyId });
    }

    /// <summary>Opens a survey (a unit of work) and tells every member.</summary>
    public async Task<Outcome<Survey>> OpenAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access, string title,
        DateTimeOffset closesAt, IReadOnlyList<string> bodies)
    {
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO surveys (community_id, title, closes_at, created_by, created_at) VALUES (@CommunityId, @title, @closesAt, @UserId, @now)
            RETURNING id;
            """, new { access.CommunityId, title, closesAt, access.UserId, now = time.GetUtcNow() }, transaction);
        foreach (var body in bodies.Distinct())
        {
            await connection.ExecuteAsync("INSERT INTO survey_bodies (survey_id, body) VALUES (@id, @body);", new { id, body }, transaction);
        }
        await inbox.NotifyRolesAsync(connection, transaction, access.CommunityId, [Roles.Resident, Roles.Owner],
            new Notice("survey_opened", UserText.Cut($"民主评议:{title}", 60), $"请为{string.Join("、", bodies.Distinct().Select(Bodies.Label))}打分,每户一次,匿名。",
                access.CommunityId, "survey", id), access.UserId);
        return (await DetailAsync(connection, transaction, id, access))!;
    }

    /// <summary>Newest first; the cursor is the id.</summary>
    public async Task<IReadOnlyList<Survey>> ListAsync(CommunityAccess access, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var ids = await connection.QueryAsync<long>(
            "SELECT id FROM surveys WHERE community_id = @CommunityId AND (@beforeId IS NULL OR id < @beforeId) ORDER BY id DESC LIMIT @take;",
            new { access.CommunityId, beforeId, take });
        var surveys = new List<Survey>();
        foreach (var id in ids)
        {
            surveys.Add((await DetailAsync(connection, null, id, access))!);
        }
        return surveys;
    }

    public async Task<Survey?> GetAsync(long surveyId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        return await DetailAsync(connection, null, surveyId, access);
    }

    /// <summary>A survey as the caller sees it: whether their household has answered (null for who has no household).</summary>
    private async Task<Survey?> DetailAsync(DbConnection connection, DbTransaction? transaction, long surveyId, CommunityAccess access)
    {
        var row = await FindAsync(connection, transaction, surveyId, access.CommunityId);
        if (row is null)
        {
            return null;
        }
        bool? answered = null;
        if (access.UnitIds.Count > 0)
        {
            var tokens = access.UnitIds.Select(unit => ballots.TokenFor(surveyId, unit)).ToArray();
            answered = await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM survey_households WHERE survey_id = @surveyId AND token IN @tokens);", new { surveyId, tokens = SqlLists.OrNone(tokens, "") }, transaction);
        }
        return new Survey(row.Id, row.CommunityId, row.Title, await BodiesAsync(connection, transaction, surveyId), row.ClosesAt, row.State, row.CreatedAt,
            row.ClosedAt, answered, row.AnnouncementId);
    }

    /// <summary>
    /// A household's answer (a unit of work). 404 outside the community; 403 for who belongs to no
    /// household; 409 once it has closed, and for a second answer from the same unit by any of its
    /// members (the token's primary key decides, so two members answering at once count once).
    /// </summary>
    public async Task<Outcome<SurveyAnswerReceipt>> AnswerAsync(DbConnection connection, DbTransaction transaction, long surveyId,
        CommunityAccess access, long unitId, IReadOnlyList<SurveyAnswerInput> answers)
    {
        var row = await FindAsync(connection, transaction, surveyId, access.CommunityId);
        if (row is null)
        {
            return Failure.NotFound("Survey");
        }
        if (!access.UnitIds.Contains(unitId) || !access.HasAny(Roles.Resident, Roles.Owner))
        {
            return Failure.Forbidden("Each household answers: only residents and owners of a unit answer a survey.");
        }
        if (!row.TakesAnswersAt(time.GetUtcNow()))
        {
            return Failure.Conflict("This survey is closed.");
        }
        var counted = await connection.ExecuteAsync(
            "INSERT INTO survey_households (survey_id, token) VALUES (@surveyId, @token) ON CONFLICT (survey_id, token) DO NOTHING;",
            new { surveyId, token = ballots.TokenFor(surveyId, unitId) }, transaction);
        if (counted != 1)
        {
            return Failure.Conflict("Your household has already answered this survey.");
        }
        foreach (var answer in answers)
        {
            // A random key, no user, unit or time: neither a column nor the row order tells whose answer it is.
            await connection.ExecuteAsync(
                "INSERT INTO survey_answers (id, survey_id, body, score, comment) VALUES (@id, @surveyId, @Body, @Score, @comment);",
                new
                {
                    id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), surveyId, answer.Body, answer.Score,
                    comment = string.IsNullOrWhiteSpace(answer.Comment) ? null : answer.Comment.Trim(),
                }, transaction);
        }
        var (households, answered) = await SurveyResultsStore.ResponseAsync(connection, transaction, row);
        return new SurveyAnswerReceipt(surveyId, answered, households, SurveyResultsStore.Rate(answered, households));
    }

    /// <summary>The households of a community now (the response rate's denominator while a survey is open).</summary>
    internal static Task<int> HouseholdsAsync(DbConnection connection, DbTransaction? transaction, long communityId) =>
        connection.ExecuteScalarAsync<int>(Households.CountSql, new { communityId }, transaction);
}
