using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>Every allowed transition, the forbidden ones by role and state, concurrency and the reopen window.</summary>
public sealed class RepairStateMachineTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> TechnicianId() => await CommunityApp.UserIdOf(await app.ClientFor("technician"));

    /// <summary>A new common-area ticket by <c>resident</c>, driven by <c>property</c> (and the reporter) to <paramref name="state"/>.</summary>
    private async Task<long> TicketIn(string state)
    {
        var reporter = await app.ClientFor("resident");
        var property = await app.ClientFor("property");
        var ticketId = await ReportCommonArea(reporter, "public_facility", "3号楼信报箱");
        string[] path = state switch
        {
            "submitted" => [],
            "accepted" => ["accept"],
            "assigned" => ["accept", "assign"],
            "in_progress" => ["accept", "assign", "start"],
            "paused" => ["accept", "assign", "start", "pause"],
            "resolved" => ["accept", "assign", "start", "resolve"],
            "closed" => ["accept", "assign", "start", "resolve", "rate"],
            "rejected" => ["reject"],
            "cancelled" => ["cancel"],
            _ => throw new ArgumentOutOfRangeException(nameof(state)),
        };
        foreach (var step in path)
        {
            switch (step)
            {
                case "cancel":
                    await Act(reporter, ticketId, "cancel");
                    break;
                case "rate":
                    await Rate(reporter, ticketId, 5, 5, 5);
                    break;
                default:
                    await Act(property, ticketId, step, new { technicianId = await TechnicianId(), reason = "等配件" });
                    break;
            }
        }
        Assert.Equal(state, StateOf(await Get(property, ticketId)));
        return ticketId;
    }

    [Fact]
    public async Task ATicketWalksFromReportToRatingThroughEveryStaffStep()
    {
        var reporter = await app.ClientFor("resident");
        var property = await app.ClientFor("property");
        var technician = await app.ClientFor("technician");
        var ticketId = await ReportCommonArea(reporter, "elevator", "3号楼电梯");

        Assert.Equal("accepted", StateOf(await Act(property, ticketId, "accept", new { note = "已收到,马上安排" })));
        var assigned = await Act(property, ticketId, "assign", new { technicianId = await TechnicianId() });
        Assert.Equal("assigned", StateOf(assigned));
        Assert.Equal(await TechnicianId(), assigned.GetProperty("technicianId").GetInt64());
        Assert.Equal("in_progress", StateOf(await Act(technician, ticketId, "start")));
        Assert.Equal("paused", StateOf(await Act(technician, ticketId, "pause", new { reason = "等电梯厂家的配件" })));
        Assert.Equal("in_progress", StateOf(await Act(technician, ticketId, "resume")));
        Assert.Equal("resolved", StateOf(await Act(technician, ticketId, "resolve", new { note = "更换了门机皮带" })));
        var rated = await Rate(reporter, ticketId, 4, 5, 3, "修得挺快");
        Assert.Equal("closed", StateOf(rated));
        Assert.Equal(4, rated.GetProperty("rating").GetProperty("timeliness").GetInt32());
        Assert.Equal("修得挺快", rated.GetProperty("rating").GetProperty("comment").GetString());

        var history = await (await reporter.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);
        Assert.Equal(["submitted", "accept", "assign", "start", "pause", "resume", "resolve", "rate"],
            history.EnumerateArray().Select(h => h.GetProperty("event").GetString()));
        var pause = history.EnumerateArray().Single(h => h.GetProperty("event").GetString() == "pause");
        Assert.Equal("in_progress", pause.GetProperty("fromState").GetString());
        Assert.Equal("paused", pause.GetProperty("toState").GetString());
        Assert.Equal("等电梯厂家的配件", pause.GetProperty("note").GetString());
        Assert.Contains("赵师傅", pause.GetProperty("actor").GetString());

        // The reporter heard of every change but the one they made (the rating); the technician of the assignment.
        var inbox = await reporter.GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        Assert.Equal(6, inbox.GetProperty("items").EnumerateArray()
            .Count(n => n.GetProperty("kind").GetString() == "repair_state_changed" && n.GetProperty("itemId").GetInt64() == ticketId));
        var technicianInbox = await technician.GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        Assert.Contains(technicianInbox.GetProperty("items").EnumerateArray(),
            n => n.GetProperty("kind").GetString() == "repair_assigned" && n.GetProperty("itemId").GetInt64() == ticketId);
    }

    [Fact]
    public async Task StaffRejectASubmittedTicketWithAReason()
    {
        var ticketId = await TicketIn("submitted");
        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/repairs/{ticketId}/reject", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        var rejected = await Act(property, ticketId, "reject", new { reason = "信报箱属于邮政,请联系邮局" });
        Assert.Equal("rejected", StateOf(rejected));
        Assert.NotEqual(JsonValueKind.Null, rejected.GetProperty("closedAt").ValueKind);
    }

    [Fact]
    public async Task TheReporterCancelsASubmittedTicket()
    {
        var ticketId = await TicketIn("submitted");
        Assert.Equal("cancelled", StateOf(await Act(await app.ClientFor("resident"), ticketId, "cancel", new { note = "自己修好了" })));
    }

    [Fact]
    public async Task TheReporterReopensAResolvedOrARatedTicketAndItGoesBackToAccepted()
    {
        var reporter = await app.ClientFor("resident");
        var resolved = await TicketIn("resolved");
        await (await reporter.PostJson($"/v1/repairs/{resolved}/reopen", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        var reopened = await Act(reporter, resolved, "reopen", new { reason = "又不亮了" });
        Assert.Equal("accepted", StateOf(reopened));
        Assert.Equal(1, reopened.GetProperty("reopenCount").GetInt32());

        var closed = await TicketIn("closed");
        var again = await Act(reporter, closed, "reopen", new { reason = "修完第二天又坏了" });
        Assert.Equal("accepted", StateOf(again));
        // The rating was of a resolution that did not hold: it is withdrawn, and the next one is rated afresh.
        Assert.Equal(JsonValueKind.Null, again.GetProperty("rating").ValueKind);
        Assert.Equal(JsonValueKind.Null, again.GetProperty("closedAt").ValueKind);
    }

    [Fact]
    public async Task AssignTakesAPropertyStaffMemberOfTheCommunity()
    {
        var ticketId = await TicketIn("accepted");
        var property = await app.ClientFor("property");
        var ownersId = await CommunityApp.UserIdOf(await app.ClientFor("owners"));
        await (await property.PostJson($"/v1/repairs/{ticketId}/assign", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.PostJson($"/v1/repairs/{ticketId}/assign", new { technicianId = ownersId })).ExpectProblem(HttpStatusCode.BadRequest);
        var otherStaff = await app.ClientFor("staff-of-2", communityId: 2, role: "property_staff");
        await (await property.PostJson($"/v1/repairs/{ticketId}/assign", new { technicianId = await CommunityApp.UserIdOf(otherStaff) }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal("accepted", StateOf(await Get(property, ticketId)));
    }

    /// <summary>
    /// Expected codes from the rules: a role that is never the party of the action is 403 (staff
    /// actions for everyone but property staff; cancel, reopen for everyone but the reporter);
    /// the right party in a state the action does not start from is 409.
    /// </summary>
    [Theory]
    [InlineData("submitted", "resident", "accept", 403)]
    [InlineData("submitted", "tenant", "accept", 403)]
    [InlineData("submitted", "owners", "accept", 403)]
    [InlineData("submitted", "secretary", "reject", 403)]
    [InlineData("submitted", "street", "accept", 403)]
    [InlineData("submitted", "property", "cancel", 403)]
    [InlineData("submitted", "tenant", "cancel", 403)]
    [InlineData("submitted", "property", "start", 409)]
    [InlineData("submitted", "property", "assign", 409)]
    [InlineData("submitted", "property", "resolve", 409)]
    [InlineData("submitted", "resident", "reopen", 409)]
    [InlineData("accepted", "property", "accept", 409)]
    [InlineData("accepted", "property", "reject", 409)]
    [InlineData("accepted", "resident", "cancel", 409)]
    [InlineData("accepted", "property", "start", 409)]
    [InlineData("accepted", "resident", "assign", 403)]
    [InlineData("assigned", "property", "pause", 409)]
    [InlineData("assigned", "property", "resolve", 409)]
    [InlineData("assigned", "resident", "cancel", 409)]
    [InlineData("in_progress", "property", "resume", 409)]
    [InlineData("in_progress", "resident", "resolve", 403)]
    [InlineData("in_progress", "resident", "reopen", 409)]
    [InlineData("paused", "property", "resolve", 409)]
    [InlineData("paused", "property", "start", 409)]
    [InlineData("paused", "residents", "resume", 403)]
    [InlineData("resolved", "property", "reopen", 403)]
    [InlineData("resolved", "property", "resolve", 409)]
    [InlineData("resolved", "resident", "cancel", 409)]
    [InlineData("resolved", "tenant", "reopen", 403)]
    [InlineData("closed", "property", "accept", 409)]
    [InlineData("closed", "resident", "cancel", 409)]
    [InlineData("rejected", "resident", "reopen", 409)]
    [InlineData("rejected", "property", "accept", 409)]
    [InlineData("cancelled", "resident", "cancel", 409)]
    [InlineData("cancelled", "property", "accept", 409)]
    public async Task AForbiddenTransitionIsRefusedAndChangesNothing(string state, string handle, string action, int expected)
    {
        var ticketId = await TicketIn(state);
        var property = await app.ClientFor("property");
        var before = await Get(property, ticketId);
        var historyBefore = await (await property.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);

        var caller = await app.ClientFor(handle);
        await (await caller.PostJson($"/v1/repairs/{ticketId}/{action}", new { reason = "理由", note = "备注", technicianId = await TechnicianId() }))
            .ExpectProblem((HttpStatusCode)expected);

        var after = await Get(property, ticketId);
        Assert.Equal(state, StateOf(after));
        Assert.Equal(before.GetProperty("updatedAt").GetString(), after.GetProperty("updatedAt").GetString());
        var historyAfter = await (await property.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);
        Assert.Equal(historyBefore.GetArrayLength(), historyAfter.GetArrayLength());
    }

    [Fact]
    public void TheRulesTableListsEveryActionOnce()
    {
        Assert.Equal(RepairStateMachine.Actions.Count + 2, RepairStateMachine.Transitions.Count);
        Assert.Equal(RepairStateMachine.Transitions.Count, RepairStateMachine.Transitions.Select(t => t.Action).Distinct().Count());
        Assert.All(RepairStateMachine.Transitions, t => Assert.All(t.From, s => Assert.Contains(s, RepairStates.All)));
    }

    [Fact]
    public async Task ANonMemberIsNotFoundAndTheStreetAdminIsForbidden()
    {
        var ticketId = await TicketIn("submitted");
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/repairs/{ticketId}/accept", new { })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("street")).PostJson($"/v1/repairs/{ticketId}/accept", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        // A unit ticket of someone else: 404 before any role check.
        var reporter = await app.ClientFor("resident");
        var unitTicket = (await Report(reporter, new { category = "water", description = "阳台漏水", unitId = await UnitOf(reporter) })).GetProperty("id").GetInt64();
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/repairs/{unitTicket}/cancel", new { })).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TwoStaffAcceptingAtOnceExactlyOneSucceeds()
    {
        for (var round = 0; round < 3; round++)
        {
            var ticketId = await TicketIn("submitted");
            var property = await app.ClientFor("property");
            var technician = await app.ClientFor("technician");
            var answers = await Task.WhenAll(
                property.PostAsJsonAsync($"/v1/repairs/{ticketId}/accept", new { }),
                technician.PostAsJsonAsync($"/v1/repairs/{ticketId}/accept", new { }));
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Conflict);
            var history = await (await property.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);
            Assert.Single(history.EnumerateArray(), h => h.GetProperty("event").GetString() == "accept");
        }
    }

    [Fact]
    public async Task AReopenWorksOnDaySixAfterResolvingAndNotOnDayEight()
    {
        var reporter = await app.ClientFor("resident");
        var property = await app.ClientFor("property");
        var ticketId = await TicketIn("resolved");

        app.Clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal("accepted", StateOf(await Act(reporter, ticketId, "reopen", new { reason = "第六天又漏了" })));

        await Act(property, ticketId, "assign", new { technicianId = await TechnicianId() });
        await Act(property, ticketId, "start");
        await Act(property, ticketId, "resolve");
        app.Clock.Advance(TimeSpan.FromDays(8));
        var problem = await (await reporter.PostJson($"/v1/repairs/{ticketId}/reopen", new { reason = "第八天又漏了" })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains("7 days", problem.GetProperty("title").GetString());
        Assert.Equal("resolved", StateOf(await Get(reporter, ticketId)));
    }
}
