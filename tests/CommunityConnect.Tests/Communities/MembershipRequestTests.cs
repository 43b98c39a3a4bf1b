using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Communities;

public sealed class MembershipRequestTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task ApprovedRequestMakesTheUserAResidentAndLeavesANotice()
    {
        var newcomer = await app.ClientFor("newcomer-approve");
        var request = await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 3, relation = "tenant" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("pending", request.GetProperty("state").GetString());

        var committee = await app.ClientFor("residents");
        var pending = await (await committee.GetAsync("/v1/communities/1/membership-requests?state=pending")).Expect(HttpStatusCode.OK);
        Assert.Contains(pending.GetProperty("items").EnumerateArray(), r => r.GetProperty("id").GetInt64() == request.GetProperty("id").GetInt64());

        var approved = await (await committee.PostJson($"/v1/communities/1/membership-requests/{request.GetProperty("id").GetInt64()}/approve", new { }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("approved", approved.GetProperty("state").GetString());

        var me = await newcomer.GetFromJsonAsync<JsonElement>("/v1/me");
        var membership = Assert.Single(me.GetProperty("memberships").EnumerateArray());
        Assert.Equal("resident", membership.GetProperty("role").GetString());
        Assert.Equal(3, membership.GetProperty("unitId").GetInt64());
        Assert.Equal(1, me.GetProperty("unreadCount").GetInt64());

        var inbox = await newcomer.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        var notice = Assert.Single(inbox.GetProperty("items").EnumerateArray());
        Assert.Equal("membership_approved", notice.GetProperty("kind").GetString());
        await (await newcomer.PostAsync($"/v1/me/inbox/{notice.GetProperty("id").GetInt64()}/read", null)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, (await newcomer.GetFromJsonAsync<JsonElement>("/v1/me")).GetProperty("unreadCount").GetInt64());

        // Now a member: the community is visible, and a second approval is a conflict.
        await (await newcomer.GetAsync("/v1/communities/1")).Expect(HttpStatusCode.OK);
        await (await committee.PostJson($"/v1/communities/1/membership-requests/{request.GetProperty("id").GetInt64()}/approve", new { }))
            .ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task RejectedRequestNeedsAReasonAndTellsTheUser()
    {
        var newcomer = await app.ClientFor("newcomer-reject");
        var request = await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 4, relation = "owner" }))
            .Expect(HttpStatusCode.Created);
        var url = $"/v1/communities/1/membership-requests/{request.GetProperty("id").GetInt64()}/reject";
        var committee = await app.ClientFor("residents");
        await (await committee.PostJson(url, new { })).ExpectProblem(HttpStatusCode.BadRequest);
        var rejected = await (await committee.PostJson(url, new { reason = "房产证信息与登记不符" })).Expect(HttpStatusCode.OK);
        Assert.Equal("rejected", rejected.GetProperty("state").GetString());
        var inbox = await newcomer.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains("房产证信息与登记不符", inbox.GetProperty("items")[0].GetProperty("body").GetString());
    }

    [Fact]
    public async Task ACommitteeWithNothingPendingSeesAnEmptyPage()
    {
        // 龙门村小区 (community 2) has no requests at all: the first page a new committee sees.
        var street = await app.ClientFor("street");
        foreach (var url in new[] { "/v1/communities/2/membership-requests?state=pending", "/v1/communities/2/membership-requests" })
        {
            var page = await (await street.GetAsync(url)).Expect(HttpStatusCode.OK);
            Assert.Equal(0, page.GetProperty("items").GetArrayLength());
            Assert.Equal(JsonValueKind.Null, page.GetProperty("next").ValueKind);
        }
    }

    [Fact]
    public async Task AResidentMayNotReviewRequests()
    {
        var resident = await app.ClientFor("resident");
        await (await resident.GetAsync("/v1/communities/1/membership-requests")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await resident.PostJson("/v1/communities/1/membership-requests/1/approve", new { })).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnotherCommunitysCommitteeGetsNotFound()
    {
        var newcomer = await app.ClientFor("newcomer-other");
        var request = await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 5, relation = "family" }))
            .Expect(HttpStatusCode.Created);
        var otherCommittee = await app.ClientFor("committee-two", communityId: 2, role: "residents_committee");
        await (await otherCommittee.PostJson($"/v1/communities/1/membership-requests/{request.GetProperty("id").GetInt64()}/approve", new { }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await otherCommittee.PostJson($"/v1/communities/2/membership-requests/{request.GetProperty("id").GetInt64()}/approve", new { }))
            .ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"relation":"tenant"}""")]
    [InlineData("""{"unitId":3,"relation":"landlord"}""")]
    [InlineData("""{"unitId":45,"relation":"tenant"}""")]
    public async Task BadRequestsAreRefused(string json)
    {
        var newcomer = await app.ClientFor("newcomer-bad");
        var response = await newcomer.PostAsync("/v1/communities/1/membership-requests", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await response.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ASecondPendingRequestForTheSameUnitIsAConflict()
    {
        var newcomer = await app.ClientFor("newcomer-twice");
        await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 6, relation = "tenant" })).Expect(HttpStatusCode.Created);
        await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 6, relation = "tenant" })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AnUnknownCommunityIsNotFound()
    {
        var newcomer = await app.ClientFor("newcomer-nowhere");
        await (await newcomer.PostJson("/v1/communities/999/membership-requests", new { unitId = 6, relation = "tenant" })).ExpectProblem(HttpStatusCode.NotFound);
    }
}
