using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>Reporting, reading, listing, "me too", the conversation and who sees what.</summary>
public sealed class RepairTicketTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AResidentReportsALeakInTheirOwnUnitAndItOpensARepairCase()
    {
        var resident = await app.ClientFor("resident");
        var unitId = await UnitOf(resident);
        var ticket = await Report(resident, new { category = "water", description = "厨房水管漏水,地上都是水", unitId });

        Assert.Equal("submitted", StateOf(ticket));
        Assert.Equal("water", ticket.GetProperty("category").GetString());
        Assert.Equal(unitId, ticket.GetProperty("location").GetProperty("unitId").GetInt64());
        Assert.Equal("3号楼502室", ticket.GetProperty("location").GetProperty("unitLabel").GetString());
        Assert.Equal(await CommunityApp.UserIdOf(resident), ticket.GetProperty("reporterId").GetInt64());
        Assert.Equal("app", ticket.GetProperty("channel").GetString());
        // No contactPhone given: the reporter's own, shown whole to the reporter.
        Assert.Equal("13812341234", ticket.GetProperty("contactPhone").GetString());
        Assert.Equal(0, ticket.GetProperty("agreeCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, ticket.GetProperty("rating").ValueKind);

        var caseId = ticket.GetProperty("caseId").GetInt64();
        var @case = await (await resident.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);
        Assert.Equal("repair", @case.GetProperty("kind").GetString());
        Assert.Equal(ticket.GetProperty("id").GetInt64(), @case.GetProperty("itemId").GetInt64());
        Assert.Equal("property", @case.GetProperty("responsibleBody").GetString());
        Assert.Equal("open", @case.GetProperty("state").GetString());

        var history = await (await resident.GetAsync($"/v1/repairs/{ticket.GetProperty("id").GetInt64()}/history")).Expect(HttpStatusCode.OK);
        var first = history.EnumerateArray().Single();
        Assert.Equal("submitted", first.GetProperty("event").GetString());
        Assert.Equal("submitted", first.GetProperty("toState").GetString());
    }

    [Fact]
    public async Task AGasLeakIsAlwaysUrgent()
    {
        var ticket = await Report(await app.ClientFor("tenant"), new { category = "gas", description = "厨房有煤气味", unitId = await UnitOf(await app.ClientFor("tenant")) });
        Assert.True(ticket.GetProperty("urgent").GetBoolean());
    }

    [Fact]
    public async Task AResidentCannotSeeAnotherResidentsUnitTicketButStaffCommitteesAndTheStreetCan()
    {
        var resident = await app.ClientFor("resident");
        var ticketId = (await Report(resident, new { category = "electric", description = "卧室插座跳闸", unitId = await UnitOf(resident) })).GetProperty("id").GetInt64();

        await (await (await app.ClientFor("tenant")).GetAsync($"/v1/repairs/{ticketId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/repairs/{ticketId}")).ExpectProblem(HttpStatusCode.NotFound);
        foreach (var handle in new[] { "property", "technician", "owners", "residents", "secretary", "street" })
        {
            await Get(await app.ClientFor(handle), ticketId);
        }
        // A neighbour living in the same unit sees it.
        var family = await app.ClientFor("family-of-502", communityId: 1, role: "resident", unitId: await UnitOf(resident));
        await Get(family, ticketId);

        var tenantList = await (await app.ClientFor("tenant")).GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?limit=100");
        Assert.DoesNotContain(tenantList.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == ticketId);
        var staffList = await (await app.ClientFor("property")).GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?limit=100");
        Assert.Contains(staffList.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == ticketId);
    }

    [Fact]
    public async Task ACommonAreaTicketIsSeenByEveryMemberWithThePhoneMaskedForAllButReporterAndStaff()
    {
        var tenant = await app.ClientFor("tenant");
        var ticketId = (await Report(tenant, new { category = "electric", description = "5号楼楼道灯坏了", commonArea = "楼道", buildingId = 4, contactPhone = "１３９５５５５６６６６" }))
            .GetProperty("id").GetInt64();

        Assert.Equal("13955556666", (await Get(tenant, ticketId)).GetProperty("contactPhone").GetString());
        Assert.Equal("13955556666", (await Get(await app.ClientFor("property"), ticketId)).GetProperty("contactPhone").GetString());
        var neighbour = await Get(await app.ClientFor("resident"), ticketId);
        Assert.Equal("139****6666", neighbour.GetProperty("contactPhone").GetString());
        Assert.Equal("楼道", neighbour.GetProperty("location").GetProperty("commonArea").GetString());
        Assert.Equal("5号楼", neighbour.GetProperty("location").GetProperty("buildingLabel").GetString());
        Assert.Equal("139****6666", (await Get(await app.ClientFor("secretary"), ticketId)).GetProperty("contactPhone").GetString());

        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/repairs/{ticketId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/repairs")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/1/repairs")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("unknown category", """{"category":"unicorns","description":"坏了","commonArea":"大门"}""", "category")]
    [InlineData("no location", """{"category":"water","description":"漏水"}""", "location")]
    [InlineData("unit and common area", """{"category":"water","description":"漏水","unitId":1,"commonArea":"楼道"}""", "location")]
    [InlineData("unit of another community", """{"category":"water","description":"漏水","unitId":45}""", "unitId")]
    [InlineData("building of another community", """{"category":"water","description":"漏水","commonArea":"楼道","buildingId":5}""", "buildingId")]
    [InlineData("empty description", """{"category":"water","description":"   ","commonArea":"大门"}""", "description")]
    [InlineData("no description", """{"category":"water","commonArea":"大门"}""", "description")]
    [InlineData("no category", """{"description":"漏水","commonArea":"大门"}""", "category")]
    [InlineData("bad channel", """{"category":"water","description":"漏水","commonArea":"大门","channel":"fax"}""", "channel")]
    [InlineData("bad phone", """{"category":"water","description":"漏水","commonArea":"大门","contactPhone":"call me"}""", "contactPhone")]
    public async Task BadReportsAreRefusedWithTheFailingField(string why, string json, string field)
    {
        var response = await (await app.ClientFor("tenant")).PostAsync("/v1/communities/1/repairs",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{why}: {problem}");
    }

    [Fact]
    public async Task ADescriptionIsCountedInTextElements()
    {
        var tenant = await app.ClientFor("tenant");
        // 2,000 family emoji (each several code points) are 2,000 text elements: allowed; 2,001 are not.
        var family = "👨‍👩‍👧";
        await Report(tenant, new { category = "other", description = string.Concat(Enumerable.Repeat(family, 2000)), commonArea = "大门" });
        await (await tenant.PostJson("/v1/communities/1/repairs", new { category = "other", description = string.Concat(Enumerable.Repeat("漏", 2001)), commonArea = "大门" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OnlyPropertyStaffReportOnAResidentsBehalf()
    {
        var residentId = await CommunityApp.UserIdOf(await app.ClientFor("resident"));
        var tenant = await app.ClientFor("tenant");
        await (await tenant.PostJson("/v1/communities/1/repairs", new { category = "water", description = "漏水", commonArea = "大门", reporterId = residentId }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await tenant.PostJson("/v1/communities/1/repairs", new { category = "water", description = "漏水", commonArea = "大门", channel = "phone" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        // The street admin oversees but does not report.
        await (await (await app.ClientFor("street")).PostJson("/v1/communities/1/repairs", new { category = "water", description = "漏水", commonArea = "大门" }))
            .ExpectProblem(HttpStatusCode.Forbidden);

        var property = await app.ClientFor("property");
        var resident2Id = await CommunityApp.UserIdOf(await app.ClientFor("resident2"));
        await (await property.PostJson("/v1/communities/1/repairs", new { category = "water", description = "漏水", commonArea = "大门", reporterId = resident2Id, channel = "phone" }))
            .ExpectProblem(HttpStatusCode.BadRequest);

        var ticket = await Report(property, new { category = "water", description = "电话报修:卫生间漏水", unitId = await UnitOf(await app.ClientFor("resident")), reporterId = residentId, channel = "phone" });
        Assert.Equal(residentId, ticket.GetProperty("reporterId").GetInt64());
        Assert.Equal("phone", ticket.GetProperty("channel").GetString());
        // It is the resident's ticket: they see it and were told.
        var resident = await app.ClientFor("resident");
        await Get(resident, ticket.GetProperty("id").GetInt64());
        var inbox = await resident.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "repair_reported_for_you");
        var mine = await resident.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?mine=true&limit=100");
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == ticket.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task TheSameIdempotencyKeyCreatesOneTicket()
    {
        var tenant = await app.ClientFor("idem-reporter", communityId: 1, role: "resident", unitId: 14);
        HttpRequestMessage Request() => new(HttpMethod.Post, "/v1/communities/1/repairs")
        {
            Content = JsonContent.Create(new { category = "access", description = "单元门禁刷不开", commonArea = "2号楼单元门", buildingId = 2 }),
            Headers = { { "Idempotency-Key", "repair-key-1" } },
        };
        var first = await (await tenant.SendAsync(Request())).Expect(HttpStatusCode.Created);
        var second = await (await tenant.SendAsync(Request())).Expect(HttpStatusCode.Created);
        Assert.Equal(first.GetProperty("id").GetInt64(), second.GetProperty("id").GetInt64());
        var mine = await tenant.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?mine=true");
        Assert.Single(mine.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task ListsFilterByStateMineAndAssignedToMeAndPageByCursor()
    {
        var reporter = await app.ClientFor("list-reporter", communityId: 1, role: "resident", unitId: 3);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await Report(reporter, new { category = "sanitation", description = $"垃圾没有清运 {i}", unitId = 3 })).GetProperty("id").GetInt64());
        }
        var property = await app.ClientFor("property");
        var technician = await app.ClientFor("technician");
        var technicianId = await CommunityApp.UserIdOf(technician);
        await Act(property, ids[0], "accept");
        await Act(property, ids[0], "assign", new { technicianId });

        var page1 = await reporter.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?mine=true&limit=2");
        Assert.Equal([ids[2], ids[1]], page1.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        var next = page1.GetProperty("next").GetString();
        var page2 = await reporter.GetFromJsonAsync<JsonElement>($"/v1/communities/1/repairs?mine=true&limit=2&after={next}");
        Assert.Equal([ids[0]], page2.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next").ValueKind);

        var assigned = await technician.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?assignedToMe=true&state=assigned");
        Assert.Contains(assigned.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetInt64() == ids[0]);
        Assert.All(assigned.GetProperty("items").EnumerateArray(), t => Assert.Equal(technicianId, t.GetProperty("technicianId").GetInt64()));
        var submitted = await reporter.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?mine=true&state=submitted");
        Assert.Equal(2, submitted.GetProperty("items").GetArrayLength());

        await (await reporter.GetAsync("/v1/communities/1/repairs?state=lost")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await reporter.GetAsync("/v1/communities/1/repairs?limit=500")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await reporter.GetAsync("/v1/communities/1/repairs?after=nonsense")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OtherMembersSayMeTooButNotTheReporter()
    {
        var tenant = await app.ClientFor("tenant");
        var ticketId = await ReportCommonArea(tenant, "elevator", "3号楼电梯");
        var resident = await app.ClientFor("resident");

        await (await resident.PutAsync($"/v1/repairs/{ticketId}/agree", null)).Expect(HttpStatusCode.NoContent);
        await (await resident.PutAsync($"/v1/repairs/{ticketId}/agree", null)).Expect(HttpStatusCode.NoContent);
        var seen = await Get(resident, ticketId);
        Assert.Equal(1, seen.GetProperty("agreeCount").GetInt32());
        Assert.True(seen.GetProperty("agreedByMe").GetBoolean());
        Assert.False((await Get(tenant, ticketId)).GetProperty("agreedByMe").GetBoolean());
        var list = await resident.GetFromJsonAsync<JsonElement>("/v1/communities/1/repairs?limit=100");
        Assert.Equal(1, list.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == ticketId).GetProperty("agreeCount").GetInt32());

        await (await tenant.PutAsync($"/v1/repairs/{ticketId}/agree", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("street")).PutAsync($"/v1/repairs/{ticketId}/agree", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PutAsync($"/v1/repairs/{ticketId}/agree", null)).ExpectProblem(HttpStatusCode.NotFound);

        await (await resident.DeleteAsync($"/v1/repairs/{ticketId}/agree")).Expect(HttpStatusCode.NoContent);
        await (await resident.DeleteAsync($"/v1/repairs/{ticketId}/agree")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (await Get(resident, ticketId)).GetProperty("agreeCount").GetInt32());

        await Act(tenant, ticketId, "cancel");
        await (await resident.PutAsync($"/v1/repairs/{ticketId}/agree", null)).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task TheReporterAndStaffTalkOthersReadAndEveryMessageIsInTheHistory()
    {
        var tenant = await app.ClientFor("tenant");
        var ticketId = await ReportCommonArea(tenant, "greenery", "中心花园");
        var property = await app.ClientFor("property");

        var asked = await (await property.PostJson($"/v1/repairs/{ticketId}/messages", new { body = "请问是哪棵树需要修剪?" })).Expect(HttpStatusCode.Created);
        Assert.Equal("请问是哪棵树需要修剪?", asked.GetProperty("body").GetString());
        await (await tenant.PostJson($"/v1/repairs/{ticketId}/messages", new { body = "喷泉旁边那棵香樟" })).Expect(HttpStatusCode.Created);
        await (await (await app.ClientFor("resident")).PostJson($"/v1/repairs/{ticketId}/messages", new { body = "我也想说两句" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await tenant.PostJson($"/v1/repairs/{ticketId}/messages", new { body = "" })).ExpectProblem(HttpStatusCode.BadRequest);

        var read = await (await (await app.ClientFor("resident")).GetAsync($"/v1/repairs/{ticketId}/messages")).Expect(HttpStatusCode.OK);
        Assert.Equal(["请问是哪棵树需要修剪?", "喷泉旁边那棵香樟"], read.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("body").GetString()));
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/repairs/{ticketId}/messages")).ExpectProblem(HttpStatusCode.NotFound);

        var inbox = await tenant.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "repair_message");

        var history = await (await tenant.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);
        Assert.Equal(["submitted", "message", "message"], history.EnumerateArray().Select(h => h.GetProperty("event").GetString()));
        Assert.Equal("喷泉旁边那棵香樟", history[2].GetProperty("note").GetString());
    }

    [Fact]
    public async Task AMissingTicketIsNotFound()
    {
        var property = await app.ClientFor("property");
        await (await property.GetAsync("/v1/repairs/987654")).ExpectProblem(HttpStatusCode.NotFound);
        await (await property.PostJson("/v1/repairs/987654/accept", new { })).ExpectProblem(HttpStatusCode.NotFound);
        await (await property.GetAsync("/v1/repairs/987654/history")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
