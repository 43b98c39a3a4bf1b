using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Surveys;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Surveys;

public sealed class SurveyTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> Open(int days = 7) =>
        (await (await (await app.ClientFor("residents")).PostJson("/v1/communities/1/surveys", new
        {
            title = $"年度民主评议 {Guid.NewGuid():N}"[..20], closesAt = app.Clock.GetUtcNow().AddDays(days), bodies = new[] { "property", "owners_committee" },
        })).Expect(HttpStatusCode.Created)).Id();

    private static object Answers(int property, int owners, string? comment = null) => new
    {
        answers = new object[] { new { body = "property", score = property, comment }, new { body = "owners_committee", score = owners } },
    };

    private Task<int> Close() => app.Service<CloseDueSurveysJob>().RunAsync(CancellationToken.None);

    [Fact]
    public async Task AHouseholdAnswersOnceWhicheverMemberAsksAndResultsArePublishedWhenTheJobClosesIt()
    {
        var surveyId = await Open();
        var resident = await app.ClientFor("resident");                                           // unit 30
        var partner = await app.ClientFor("survey-partner-30", communityId: 1, role: "resident", unitId: 30);
        await (await resident.PostJson($"/v1/surveys/{surveyId}/answers", Answers(4, 5, "保洁比去年好"))).Expect(HttpStatusCode.Created);
        await (await partner.PostJson($"/v1/surveys/{surveyId}/answers", Answers(1, 1))).ExpectProblem(HttpStatusCode.Conflict);
        Assert.True((await partner.GetJson($"/v1/surveys/{surveyId}")).GetProperty("answeredByMyHousehold").GetBoolean());
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/surveys/{surveyId}/answers", Answers(2, 4))).Expect(HttpStatusCode.Created);

        var open = await (await app.ClientFor("tenant")).GetJson($"/v1/surveys/{surveyId}/results");
        Assert.Equal(JsonValueKind.Null, open.GetProperty("bodies").ValueKind);
        Assert.Equal(2, open.GetProperty("answeredHouseholds").GetInt32());
        Assert.True(open.GetProperty("responseRate").GetDouble() > 0);

        app.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        // Other tests' surveys of this class may come due too; a second run closes nothing again.
        Assert.True(await Close() >= 1);
        Assert.Equal(0, await Close());
        Assert.Equal("closed", (await (await app.ClientFor("tenant")).GetJson($"/v1/surveys/{surveyId}")).Text("state"));
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/surveys/{surveyId}/answers", Answers(5, 5))).ExpectProblem(HttpStatusCode.Conflict);

        var results = await (await app.ClientFor("tenant")).GetJson($"/v1/surveys/{surveyId}/results");
        var property = results.GetProperty("bodies").EnumerateArray().Single(b => b.Text("body") == "property");
        Assert.Equal(3.0, property.GetProperty("mean").GetDouble());
        Assert.Equal([0, 1, 0, 1, 0], property.GetProperty("distribution").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(["保洁比去年好"], property.GetProperty("comments").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(4.5, results.GetProperty("bodies").EnumerateArray().Single(b => b.Text("body") == "owners_committee").GetProperty("mean").GetDouble());

        var survey = await (await app.ClientFor("tenant")).GetJson($"/v1/surveys/{surveyId}");
        var announcement = await (await app.ClientFor("tenant")).GetJson($"/v1/announcements/{survey.GetProperty("announcementId").GetInt64()}");
        Assert.Contains("民主评议结果", announcement.Text("title"));

        // The committee evaluation shows the latest survey beside its stars.
        var quarter = app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var evaluation = await (await app.ClientFor("tenant")).GetJson($"/v1/communities/1/evaluation?period={quarter.Year}-Q{(quarter.Month - 1) / 3 + 1}");
        Assert.Equal(surveyId, evaluation.GetProperty("latestSurvey").GetProperty("surveyId").GetInt64());
        Assert.Equal(3.0, evaluation.GetProperty("bodies").EnumerateArray().Single(b => b.Text("body") == "property").GetProperty("surveyMean").GetDouble());
    }

    [SkippableFact]
    public async Task AStoredAnswerCannotBeLinkedToItsAuthorOrUnit()
    {
        TestProvider.SkipOnPostgres("survey_answers is WITHOUT ROWID; PostgreSQL heap rows keep ctid and xmin (a known gap, README)");
        var surveyId = await Open();
        var author = await app.ClientFor("survey-author-17", communityId: 1, role: "owner", unitId: 17);
        var authorId = await CommunityApp.UserIdOf(author);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/surveys/{surveyId}/answers") { Content = JsonContent.Create(Answers(3, 2, "独一无二的评语")) };
        request.Headers.Add("Idempotency-Key", "survey-answer-1");
        await (await author.SendAsync(request)).Expect(HttpStatusCode.Created);
        // Something named by the same person, so there is something to join to.
        await (await author.PostJson("/v1/communities/1/opinions", new { kind = "suggestion", category = "community_life", body = "多办些活动", anonymous = false, visibility = "public" }))
            .Expect(HttpStatusCode.Created);

        await using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = app.DatabasePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await db.OpenAsync();
        var columns = (await db.QueryAsync<string>("SELECT name FROM pragma_table_info('survey_answers');")).Order().ToList();
        Assert.Equal(["body", "comment", "id", "score", "survey_id"], columns);
        var answerIds = (await db.QueryAsync<string>("SELECT id FROM survey_answers WHERE comment = '独一无二的评语';")).ToList();
        Assert.Single(answerIds);
        // No row id, so the insertion order is not kept either.
        await Assert.ThrowsAsync<SqliteException>(() => db.QueryAsync("SELECT rowid FROM survey_answers;"));

        var keys = app.Service<RecipientKeys>();
        var stored = (await db.QueryAsync<string>(
            """
            SELECT recipient_key FROM notifications UNION SELECT author_key FROM cases UNION SELECT author_key FROM opinions
            UNION SELECT key_hash FROM idempotency_records UNION SELECT user_key FROM opinion_agreements
            UNION SELECT CAST(id AS TEXT) FROM users UNION SELECT CAST(id AS TEXT) FROM units UNION SELECT handle FROM users WHERE handle IS NOT NULL;
            """)).ToHashSet();
        stored.Add(keys.ForUser(authorId));
        stored.Add(keys.Hash("unit:17"));
        var tokens = (await db.QueryAsync<string>("SELECT token FROM survey_households WHERE survey_id = @surveyId;", new { surveyId })).ToList();
        Assert.Single(tokens);
        foreach (var value in answerIds.Concat(tokens))
        {
            Assert.DoesNotContain(value, stored);
        }
        // Every join a reader of the file could try finds nothing.
        Assert.Equal(0, await db.ExecuteScalarAsync<long>(
            """
            SELECT COUNT(*) FROM survey_answers a
            WHERE EXISTS (SELECT 1 FROM survey_households h WHERE h.token = a.id)
               OR EXISTS (SELECT 1 FROM users u WHERE CAST(u.id AS TEXT) = a.id OR u.handle = a.id)
               OR EXISTS (SELECT 1 FROM memberships m WHERE CAST(m.unit_id AS TEXT) = a.id OR CAST(m.user_id AS TEXT) = a.id)
               OR EXISTS (SELECT 1 FROM notifications n WHERE n.recipient_key = a.id OR n.body LIKE '%' || a.comment || '%')
               OR EXISTS (SELECT 1 FROM idempotency_records r WHERE r.body LIKE '%' || a.id || '%' OR r.body LIKE '%' || a.comment || '%');
            """));
        // The idempotency record answers the resend without holding the answer itself.
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records WHERE body LIKE '%独一无二%';"));
    }

    [Fact]
    public async Task OnlyTheResidentsCommitteeOpensOnlyHouseholdsAnswerAndOtherCommunitiesSeeNothing()
    {
        await (await (await app.ClientFor("owners")).PostJson("/v1/communities/1/surveys", new { title = "评议", closesAt = app.Clock.GetUtcNow().AddDays(1), bodies = new[] { "property" } }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        // bodies is checked with the contract's validation (as its schema's enum says), closesAt by the handler after it.
        var residents = await app.ClientFor("residents");
        var badBodies = await (await residents.PostJson("/v1/communities/1/surveys", new { title = "评议", closesAt = app.Clock.GetUtcNow().AddDays(1), bodies = new[] { "street_admin" } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(badBodies.GetProperty("errors").TryGetProperty("bodies", out _));
        var twice = await (await residents.PostJson("/v1/communities/1/surveys", new { title = "评议", closesAt = app.Clock.GetUtcNow().AddDays(1), bodies = new[] { "property", "property" } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(twice.GetProperty("errors").TryGetProperty("bodies", out _));
        var past = await (await residents.PostJson("/v1/communities/1/surveys", new { title = "评议", closesAt = app.Clock.GetUtcNow().AddDays(-1), bodies = new[] { "property" } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(past.GetProperty("errors").TryGetProperty("closesAt", out _));

        var surveyId = await Open();
        await (await (await app.ClientFor("property")).PostJson($"/v1/surveys/{surveyId}/answers", Answers(5, 5))).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("street")).PostJson($"/v1/surveys/{surveyId}/answers", Answers(5, 5))).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/surveys/{surveyId}/answers", Answers(5, 5))).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/surveys/{surveyId}/results")).ExpectProblem(HttpStatusCode.NotFound);
        var tenant = await app.ClientFor("tenant");
        await (await tenant.PostJson($"/v1/surveys/{surveyId}/answers", Answers(6, 5))).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.PostJson($"/v1/surveys/{surveyId}/answers", new { answers = new[] { new { body = "property", score = 3 } } })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.PostJson($"/v1/surveys/{surveyId}/answers", new { answers = new object?[] { null } })).ExpectProblem(HttpStatusCode.BadRequest);
    }
}
