using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Onboarding;

public sealed class PropertyCompanyTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AReplacedCompanysStaffLoseTheCommunityAndItsCasesStayWithTheNewStaff()
    {
        var resident = await app.ClientFor("resident");
        var ticketId = await RepairTestKit.ReportCommonArea(resident);
        var ticket = await RepairTestKit.Get(resident, ticketId);
        var caseId = ticket.GetProperty("caseId").GetInt64();
        var technician = await app.ClientFor("technician");
        await (await technician.GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);

        var street = await app.ClientFor("street");
        await (await (await app.ClientFor("owners")).PutJson("/v1/communities/1/property-company", new { name = "新物业", contact = "021-1" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        var company = await (await street.PutJson("/v1/communities/1/property-company",
            new { name = "绿城物业", contact = "021-66668888", decision = "2026年业主大会表决通过更换物业" })).Expect(HttpStatusCode.OK);
        Assert.Equal("serving", company.Text("state"));

        await (await technician.GetAsync($"/v1/cases/{caseId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await technician.GetAsync("/v1/communities/1/cases")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("property")).GetAsync($"/v1/repairs/{ticketId}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty((await street.GetJson("/v1/communities/1/staff?role=property_staff")).EnumerateArray());

        var (_, code) = await OnboardingKit.Invite(street, new { role = "property_staff", communityId = 1, manager = true });
        var newStaff = await app.ClientFor("greentown");
        await OnboardingKit.Redeem(newStaff, code);
        var still = await newStaff.GetJson($"/v1/cases/{caseId}");
        Assert.Equal("property", still.Text("responsibleBody"));

        var log = await street.GetJson("/v1/communities/1/role-changes?limit=100");
        var removals = log.GetProperty("items").EnumerateArray().Where(r => r.Text("cause") == "company_replaced").ToList();
        Assert.Equal(2, removals.Count);
        Assert.All(removals, r => Assert.Equal("2026年业主大会表决通过更换物业", r.Text("reason")));
        Assert.Equal("绿城物业", (await resident.GetJson("/v1/communities/1/property-company")).Text("name"));
    }

    [Fact]
    public async Task AnInvitationForAReplacedCompanyCannotBeRedeemed()
    {
        var street = await app.ClientFor("street");
        var (_, code) = await OnboardingKit.Invite(street, new { role = "property_staff", communityId = 2 });
        await (await street.PutJson("/v1/communities/2/property-company", new { name = "另一家物业", contact = "021-2", decision = "业主大会决定" }))
            .Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("old-company-hire")).PostJson("/v1/invitations/redeem", new { code })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task PropertyStaffNeedACompanyToBeInvitedTo()
    {
        var street = await app.ClientFor("street");
        var communityId = (await (await street.PostJson("/v1/streets/1/communities", new { name = "无物业小区", address = "某路" })).Expect(HttpStatusCode.Created)).Id();
        await (await street.PostJson("/v1/invitations", new { role = "property_staff", communityId })).ExpectProblem(HttpStatusCode.Conflict);
        await (await street.GetAsync($"/v1/communities/{communityId}/property-company")).ExpectProblem(HttpStatusCode.NotFound);
        await (await street.PostJson("/v1/streets/1/communities", new { name = "无物业小区", address = "某路" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("resident")).PostJson("/v1/streets/1/communities", new { name = "x", address = "y" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident")).PutJson("/v1/communities/1/", new { name = "x", address = "y" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.PostJson("/v1/streets/99/communities", new { name = "x", address = "y" })).ExpectProblem(HttpStatusCode.NotFound);
    }
}

public sealed class MembershipEndTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AnEndedMemberLosesTheCommunityButKeepsTheirOwnItems()
    {
        var leaver = await app.ClientFor("leaver", communityId: 1, role: "owner", unitId: 7);
        var ticketId = await RepairTestKit.ReportCommonArea(leaver);
        var userId = await CommunityApp.UserIdOf(leaver);
        await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/1/members/{userId}/end", new { reason = "搬走了" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/communities/1/members/{userId}/end", new { }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        var ended = await (await (await app.ClientFor("residents")).PostJson($"/v1/communities/1/members/{userId}/end", new { reason = "已搬离本小区" }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(["owner", "resident"], ended.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());
        await (await leaver.GetAsync("/v1/communities/1")).ExpectProblem(HttpStatusCode.NotFound);
        await (await leaver.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/communities/1/members/{userId}/end", new { reason = "再次" }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/communities/1/members/{userId}/end", new { reason = "x" }))
            .ExpectProblem(HttpStatusCode.NotFound);
        // The ticket is still the community's, with its reporter.
        var ticket = await RepairTestKit.Get(await app.ClientFor("property"), ticketId);
        Assert.Equal(userId, ticket.GetProperty("reporterId").GetInt64());
    }
}
