using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>An answer on an opinion's case (POST /v1/cases/{id}/responses) is the opinion's answer.</summary>
public sealed class CaseAnswerTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AnsweringAnOpinionsCaseAnswersTheOpinion()
    {
        var tenant = await app.ClientFor("tenant");
        var question = await tenant.PostOpinion("question", "pets", "小区里可以养大型犬吗?");
        var caseId = question.GetProperty("caseId").GetInt64();
        var committee = await app.ClientFor("residents");

        var response = await (await committee.PostJson($"/v1/cases/{caseId}/responses", new { body = "按文明养犬条例,大型犬需登记并拴绳。" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("residents_committee", response.Text("authorBody"));

        var opinion = await tenant.GetJson($"/v1/opinions/{question.Id()}");
        Assert.Equal("answered", opinion.Text("state"));
        var detail = await committee.GetJson($"/v1/cases/{caseId}");
        Assert.Equal("resolved", detail.Text("state"));
        var inbox = await tenant.GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == question.Id());

        // The opinion's own rules hold: another resident sees the public question but may not answer it; another community does not see it.
        await (await (await app.ClientFor("resident")).PostJson($"/v1/cases/{caseId}/responses", new { body = "我也想知道" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/cases/{caseId}/responses", new { body = "?" })).ExpectProblem(HttpStatusCode.NotFound);
    }
}
