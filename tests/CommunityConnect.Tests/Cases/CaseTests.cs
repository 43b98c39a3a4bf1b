using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Cases;

/// <summary>The case mechanism on its own: cases opened through CaseStore as an item would open them.</summary>
public sealed class CaseTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private Task<long> OpenCaseAsync(string authorHandle, string category) => app.OpenCaseAsync(authorHandle, category);

    /// <summary>CaseKinds names every kind the schema allows (a notice's label, a street sheet's column), on either engine.</summary>
    [Fact]
    public async Task CaseKindsAreTheKindsTheSchemaAllows()
    {
        await app.CreateClient().GetAsync("/healthz");
        await using var connection = app.Connection();
        var allowed = app.Service<Database>().UsesPostgres
            ? await connection.ExecuteScalarAsync<string>(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'cases'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%(kind%';")
            : Regex.Match((await connection.ExecuteScalarAsync<string>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'cases';"))!,
                @"CHECK \(kind IN \(([^)]*)\)\)").Groups[1].Value;
        var kinds = Regex.Matches(allowed!, "'([a-z_]+)'").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("hotspot", kinds);
        Assert.Equal(kinds.Order(StringComparer.Ordinal), CaseKinds.All.Order(StringComparer.Ordinal));
        Assert.All(CaseKinds.All, kind => Assert.NotEqual(kind, CaseKinds.Label(kind)));
    }

    [Fact]
    public async Task ACaseTakesItsBodyFromTheRoutingTableAndIsVisibleToItsBodyAndAuthor()
    {
        var caseId = await OpenCaseAsync("resident", "funds");
        var owners = await app.ClientFor("owners");
        var detail = await (await owners.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("owners_committee", detail.GetProperty("responsibleBody").GetString());
        Assert.Equal("open", detail.GetProperty("state").GetString());
        Assert.Equal(0, detail.GetProperty("escalationLevel").GetInt32());
        Assert.Equal("created", detail.GetProperty("history")[0].GetProperty("event").GetString());

        await (await (await app.ClientFor("resident")).GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("secretary")).GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("street")).GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        // Another resident, the property company (never had it) and another community: 404.
        await (await (await app.ClientFor("tenant")).GetAsync($"/v1/cases/{caseId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("property")).GetAsync($"/v1/cases/{caseId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/cases/{caseId}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARoutingOverrideAppliesToTheNextCaseAtOnce()
    {
        var committee = await app.ClientFor("residents");
        var table = await (await committee.GetAsync("/v1/communities/1/routing")).Expect(HttpStatusCode.OK);
        Assert.Equal(16, table.GetProperty("routes").GetArrayLength());
        Assert.Equal("property", table.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("category").GetString() == "greenery").GetProperty("responsibleBody").GetString());

        var updated = await (await committee.PutJson("/v1/communities/1/routing",
            new { routes = new[] { new { category = "greenery", responsibleBody = "residents_committee" } } })).Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", updated.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("category").GetString() == "greenery").GetProperty("responsibleBody").GetString());
        Assert.Equal("property", updated.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("category").GetString() == "water").GetProperty("responsibleBody").GetString());

        var caseId = await OpenCaseAsync("tenant", "greenery");
        var detail = await (await committee.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", detail.GetProperty("responsibleBody").GetString());

        // Community 2 keeps the default.
        var two = await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/2/routing")).Expect(HttpStatusCode.OK);
        Assert.Equal("property", two.GetProperty("routes").EnumerateArray().Single(r => r.GetProperty("category").GetString() == "greenery").GetProperty("responsibleBody").GetString());
    }

    [Fact]
    public async Task RoutingIsChangedOnlyByTheResidentsCommitteeOrSecretaryWithKnownCategories()
    {
        var body = new { routes = new[] { new { category = "pets", responsibleBody = "property" } } };
        await (await (await app.ClientFor("resident")).PutJson("/v1/communities/1/routing", body)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("property")).PutJson("/v1/communities/1/routing", body)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PutJson("/v1/communities/1/routing", body)).ExpectProblem(HttpStatusCode.NotFound);
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PutJson("/v1/communities/1/routing", new { routes = new[] { new { category = "unicorns", responsibleBody = "property" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson("/v1/communities/1/routing", new { routes = new[] { new { category = "pets", responsibleBody = "street_admin" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson("/v1/communities/1/routing", new { })).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AResponseByTheCurrentBodyIsTheFirstResponseAndReachesTheAuthor()
    {
        var caseId = await OpenCaseAsync("tenant", "pets");
        var committee = await app.ClientFor("residents");
        var response = await (await committee.PostJson($"/v1/cases/{caseId}/responses", new { body = "已联系狗主人,请他遛狗拴绳并清理狗屎。" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("residents_committee", response.GetProperty("authorBody").GetString());
        var detail = await (await committee.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("responded", detail.GetProperty("state").GetString());
        Assert.Single(detail.GetProperty("responses").EnumerateArray());

        var inbox = await (await app.ClientFor("tenant")).GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "case_response");
    }

    [Fact]
    public async Task AResentCaseResponseWithTheSameKeyIsStoredOnce()
    {
        var caseId = await OpenCaseAsync("tenant", "sanitation");
        var property = await app.ClientFor("property");
        HttpRequestMessage Request() => new(HttpMethod.Post, $"/v1/cases/{caseId}/responses")
        {
            Content = JsonContent.Create(new { body = "明早清运" }),
            Headers = { { "Idempotency-Key", "response-once" } },
        };
        var first = await (await property.SendAsync(Request())).Expect(HttpStatusCode.Created);
        var second = await (await property.SendAsync(Request())).Expect(HttpStatusCode.Created);
        Assert.Equal(first.Id(), second.Id());
        var detail = await property.GetJson($"/v1/cases/{caseId}");
        Assert.Single(detail.GetProperty("responses").EnumerateArray());
    }

    [Fact]
    public async Task OnlyItsBodiesMayAnswerACase()
    {
        var caseId = await OpenCaseAsync("resident", "water");
        var owners = await app.ClientFor("owners");
        // The owners' committee never had it: it cannot even see it.
        await (await owners.PostJson($"/v1/cases/{caseId}/responses", new { body = "我们来看看" })).ExpectProblem(HttpStatusCode.NotFound);
        // The author sees it but may not answer it.
        await (await (await app.ClientFor("resident")).PostJson($"/v1/cases/{caseId}/responses", new { body = "自问自答" })).ExpectProblem(HttpStatusCode.Forbidden);
        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/cases/{caseId}/responses", new { body = "" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.PostJson($"/v1/cases/{caseId}/responses", new { body = new string('修', 2001) })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.PostJson($"/v1/cases/{caseId}/responses", new { body = "师傅下午两点上门" })).Expect(HttpStatusCode.Created);
        await (await property.PostJson("/v1/cases/999999/responses", new { body = "x" })).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ATransferHandsTheCaseToAnotherBodyAndKeepsTheLevel()
    {
        var caseId = await OpenCaseAsync("resident", "parking");
        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/cases/{caseId}/transfer", new { toBody = "property", reason = "同一个部门" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await property.PostJson($"/v1/cases/{caseId}/transfer", new { toBody = "nobody", reason = "x" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("resident")).PostJson($"/v1/cases/{caseId}/transfer", new { toBody = "residents_committee", reason = "我想换人" }))
            .ExpectProblem(HttpStatusCode.Forbidden);

        var moved = await (await property.PostJson($"/v1/cases/{caseId}/transfer", new { toBody = "residents_committee", reason = "车位纠纷属于邻里矛盾,请居委会协调" }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", moved.GetProperty("responsibleBody").GetString());
        Assert.Equal(0, moved.GetProperty("escalationLevel").GetInt32());

        var committee = await app.ClientFor("residents");
        var detail = await (await committee.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        var transfer = detail.GetProperty("history").EnumerateArray().Single(h => h.GetProperty("event").GetString() == "transferred");
        Assert.Equal("property", transfer.GetProperty("fromBody").GetString());
        Assert.Equal("residents_committee", transfer.GetProperty("toBody").GetString());
        Assert.Contains("居委会协调", transfer.GetProperty("note").GetString());
        var inbox = await committee.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "case_transferred");

        // The property company had it before: it still sees it and may still answer.
        await (await property.PostJson($"/v1/cases/{caseId}/responses", new { body = "物业配合居委会处理" })).Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task TheWorkQueueIsForStaffAndFiltersByBodyAndState()
    {
        var caseId = await OpenCaseAsync("tenant", "security");
        var property = await app.ClientFor("property");
        var queue = await (await property.GetAsync("/v1/communities/1/cases?responsibleBody=property&state=open&limit=100")).Expect(HttpStatusCode.OK);
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetInt64() == caseId);
        Assert.All(queue.GetProperty("items").EnumerateArray(), c => Assert.Equal("property", c.GetProperty("responsibleBody").GetString()));
        await (await (await app.ClientFor("tenant")).GetAsync("/v1/communities/1/cases")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await property.GetAsync("/v1/communities/1/cases?state=lost")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.GetAsync("/v1/communities/2/cases")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/2/cases")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("open", ItemEvent.FirstAnswer, "responded")]
    [InlineData("responded", ItemEvent.FirstAnswer, "responded")]
    [InlineData("open", ItemEvent.Resolved, "resolved")]
    [InlineData("resolved", ItemEvent.Closed, "closed")]
    [InlineData("closed", ItemEvent.Reopened, "responded")]
    [InlineData("resolved", ItemEvent.Reopened, "responded")]
    [InlineData("closed", ItemEvent.Resolved, "closed")]
    public void TheStateTableMovesCasesAsTheIssueSays(string from, ItemEvent itemEvent, string to) =>
        Assert.Equal(to, CaseStateTable.Next(from, itemEvent));
}
