using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>Each ticket is a case: it takes its body from the routing table and follows the ticket.</summary>
public sealed class RepairCaseTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> CaseOf(HttpClient client, JsonElement ticket) =>
        await (await client.GetAsync($"/v1/cases/{ticket.GetProperty("caseId").GetInt64()}")).Expect(HttpStatusCode.OK);

    [Fact]
    public async Task TheCaseTakesItsBodyFromARoutingOverrideAndFollowsTheTicketToClosed()
    {
        var committee = await app.ClientFor("residents");
        await (await committee.PutJson("/v1/communities/1/routing",
            new { routes = new[] { new { category = "greenery", responsibleBody = "residents_committee" } } })).Expect(HttpStatusCode.OK);

        var reporter = await app.ClientFor("resident");
        var property = await app.ClientFor("property");
        var ticket = await Report(reporter, new { category = "greenery", description = "楼下的树枝挡住了窗户", commonArea = "3号楼南侧绿化", buildingId = 3 });
        var ticketId = ticket.GetProperty("id").GetInt64();
        var @case = await CaseOf(reporter, ticket);
        Assert.Equal("residents_committee", @case.GetProperty("responsibleBody").GetString());
        Assert.Equal("open", @case.GetProperty("state").GetString());

        await Act(property, ticketId, "accept");
        Assert.Equal("responded", (await CaseOf(reporter, ticket)).GetProperty("state").GetString());
        await Act(property, ticketId, "assign", new { technicianId = await CommunityApp.UserIdOf(await app.ClientFor("technician")) });
        await Act(property, ticketId, "start");
        Assert.Equal("responded", (await CaseOf(reporter, ticket)).GetProperty("state").GetString());
        await Act(property, ticketId, "resolve");
        Assert.Equal("resolved", (await CaseOf(reporter, ticket)).GetProperty("state").GetString());
        await Act(reporter, ticketId, "reopen", new { reason = "只剪了一半" });
        Assert.Equal("responded", (await CaseOf(reporter, ticket)).GetProperty("state").GetString());
        await Act(property, ticketId, "assign", new { technicianId = await CommunityApp.UserIdOf(await app.ClientFor("technician")) });
        await Act(property, ticketId, "start");
        await Act(property, ticketId, "resolve");
        await Rate(reporter, ticketId, 5, 4, 5);
        var closed = await CaseOf(committee, ticket);
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        Assert.Equal(["created", "responded", "resolved", "reopened", "resolved", "closed"],
            closed.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()));
    }

    [Fact]
    public async Task RejectingOrCancellingATicketClosesItsCase()
    {
        var reporter = await app.ClientFor("tenant");
        var rejected = await Report(reporter, new { category = "parking", description = "有人占了我的车位", commonArea = "地面停车场" });
        await Act(await app.ClientFor("property"), rejected.GetProperty("id").GetInt64(), "reject", new { reason = "车位纠纷请找居委会协调" });
        Assert.Equal("closed", (await CaseOf(reporter, rejected)).GetProperty("state").GetString());

        var cancelled = await Report(reporter, new { category = "security", description = "监控坏了", commonArea = "小区大门" });
        await Act(reporter, cancelled.GetProperty("id").GetInt64(), "cancel");
        Assert.Equal("closed", (await CaseOf(reporter, cancelled)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task ARepairCaseCanBeTransferredAndTheTicketStaysWithItsCase()
    {
        var reporter = await app.ClientFor("tenant");
        var property = await app.ClientFor("property");
        var ticket = await Report(reporter, new { category = "sanitation", description = "楼道里堆满了邻居的杂物", commonArea = "5号楼楼道", buildingId = 4 });
        var caseId = ticket.GetProperty("caseId").GetInt64();
        var moved = await (await property.PostJson($"/v1/cases/{caseId}/transfer", new { toBody = "residents_committee", reason = "占用公共空间属于邻里事务" }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", moved.GetProperty("responsibleBody").GetString());
        Assert.Equal(caseId, (await Get(reporter, ticket.GetProperty("id").GetInt64())).GetProperty("caseId").GetInt64());
        Assert.Equal("residents_committee", (await CaseOf(await app.ClientFor("residents"), ticket)).GetProperty("responsibleBody").GetString());
    }
}
