using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Communities;

public sealed class TenancyTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AMemberOfCommunityOneGetsNotFoundForCommunityTwo()
    {
        var resident = await app.ClientFor("resident");
        await (await resident.GetAsync("/v1/communities/1")).Expect(HttpStatusCode.OK);
        await (await resident.GetAsync("/v1/communities/2")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.GetAsync("/v1/communities/2/buildings")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.GetAsync("/v1/communities/999")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheStreetAdminSeesEveryCommunityOfTheStreet()
    {
        var street = await app.ClientFor("street");
        var one = await (await street.GetAsync("/v1/communities/1")).Expect(HttpStatusCode.OK);
        var two = await (await street.GetAsync("/v1/communities/2")).Expect(HttpStatusCode.OK);
        Assert.Equal("示范小区", one.GetProperty("name").GetString());
        Assert.Equal("龙门村小区", two.GetProperty("name").GetString());
        Assert.Equal(1, two.GetProperty("streetId").GetInt64());
    }

    [Fact]
    public async Task BuildingsListTheirUnitsWithAreas()
    {
        var buildings = await (await (await app.ClientFor("tenant")).GetAsync("/v1/communities/1/buildings")).Expect(HttpStatusCode.OK);
        var three = buildings.EnumerateArray().Single(b => b.GetProperty("number").GetString() == "3");
        var flat = three.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("number").GetString() == "502");
        Assert.True(flat.GetProperty("area").GetDecimal() > 50m);
        Assert.Equal(5, flat.GetProperty("floor").GetInt32());
    }

    [Fact]
    public async Task ChineseIsWrittenAsChinese()
    {
        var response = await (await app.ClientFor("resident")).GetAsync("/v1/communities/1");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("示范小区", text);
        Assert.DoesNotContain("\\u", text);
    }

    [Fact]
    public async Task AnyoneSignedInGetsNotFoundWithoutMembership()
    {
        var stranger = await app.ClientFor("stranger-no-community");
        await (await stranger.GetAsync("/v1/communities/1")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
