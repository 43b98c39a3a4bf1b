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

    [Fact]
    public async Task WhoMayAnswerAnOpinionIsTheSameOnTheOpinionAndOnItsCase()
    {
        // Two like private complaints, each handed by the property company to the residents' committee;
        // every kind of caller answers one on the opinion's route and the other on its case's route.
        var tenant = await app.ClientFor("tenant");
        var property = await app.ClientFor("property");
        var opinions = new List<JsonElement>();
        foreach (var _ in new[] { "opinion", "case" })
        {
            var opinion = await tenant.PostOpinion("complaint", "parking", "有人长期占用消防通道停车", visibility: "private");
            await (await property.PostJson($"/v1/cases/{opinion.GetProperty("caseId").GetInt64()}/transfer",
                new { toBody = "residents_committee", reason = "请居委会协调" })).Expect(HttpStatusCode.OK);
            opinions.Add(opinion);
        }
        var expected = new Dictionary<string, (HttpStatusCode Status, string? Body)>
        {
            ["residents"] = (HttpStatusCode.Created, "residents_committee"), // the body it is with
            ["property"] = (HttpStatusCode.Created, "property"), // a body it was with
            ["secretary"] = (HttpStatusCode.Created, "party_secretary"),
            ["street"] = (HttpStatusCode.Created, "street_admin"),
            ["tenant"] = (HttpStatusCode.Forbidden, null), // its author sees it but does not answer it
            ["owners"] = (HttpStatusCode.NotFound, null), // never had the private complaint
            ["resident"] = (HttpStatusCode.NotFound, null),
            ["resident2"] = (HttpStatusCode.NotFound, null),
        };
        foreach (var (handle, (status, body)) in expected)
        {
            var client = await app.ClientFor(handle);
            var onOpinion = await client.PostJson($"/v1/opinions/{opinions[0].Id()}/responses", new { body = $"{handle} 的答复", visibility = "private" });
            var onCase = await client.PostJson($"/v1/cases/{opinions[1].GetProperty("caseId").GetInt64()}/responses", new { body = $"{handle} 的答复" });
            foreach (var response in new[] { onOpinion, onCase })
            {
                if (body is null)
                {
                    await response.ExpectProblem(status);
                }
                else
                {
                    Assert.Equal(body, (await response.Expect(status)).Text("authorBody"));
                }
            }
        }
    }
}
