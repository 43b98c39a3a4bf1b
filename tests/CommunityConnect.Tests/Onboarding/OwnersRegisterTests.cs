using System.Net;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Onboarding;

public sealed class OwnersRegisterTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> NewCommunityAsync(string name)
    {
        var street = await app.ClientFor("street");
        return (await (await street.PostJson("/v1/streets/1/communities", new { name, address = "某路 1 弄" })).Expect(HttpStatusCode.Created)).Id();
    }

    [Fact]
    public async Task TheDemoCommunityHasARegisterAndTheDemoOwnerHoldsThreeFiveOhTwo()
    {
        var summary = await (await app.ClientFor("resident")).GetJson("/v1/communities/1/owners-register");
        Assert.Equal((4, 40, 40), (summary.GetProperty("buildings").GetInt32(), summary.GetProperty("units").GetInt32(), summary.GetProperty("owners").GetInt32()));
        await using var connection = app.Connection();
        var key = await connection.ExecuteScalarAsync<string>(
            "SELECT owner_key FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.handle = 'resident' AND m.role = 'owner';");
        Assert.Equal("SF3502", key);
    }

    [Fact]
    public async Task OwnersAreCountedAsTheCourtCountsThem()
    {
        var communityId = await NewCommunityAsync("计数小区");
        var csv = """
            building,unit,area,owners
            1,101,100,A
            1,102,50.5,A
            1,201,60,B;C
            1,202,60,C;B
            2,101,70,C
            2,102,80,developer
            2,201,80,developer
            2,202,80.25,DEVELOPER
            """;
        var summary = await (await OnboardingKit.ImportRegister(await app.ClientFor("street"), communityId, csv)).Expect(HttpStatusCode.Created);
        // A's two units: one owner. B and C co-own two units (in either order): one owner. C alone: another.
        // The developer's unsold units: one owner. "DEVELOPER" is a different key.
        Assert.Equal(5, summary.GetProperty("owners").GetInt32());
        Assert.Equal(8, summary.GetProperty("units").GetInt32());
        Assert.Equal(2, summary.GetProperty("buildings").GetInt32());
        Assert.Equal(580.75m, summary.GetProperty("totalArea").GetDecimal());
        var buildings = await (await app.ClientFor("street")).GetJson($"/v1/communities/{communityId}/buildings");
        Assert.Equal(["1号楼", "2号楼"], buildings.EnumerateArray().Select(b => b.Text("name")).ToArray());
        var unit = buildings[0].GetProperty("units").EnumerateArray().Single(u => u.Text("number") == "102");
        Assert.Equal((1, 50.5m), (unit.GetProperty("floor").GetInt32(), unit.GetProperty("area").GetDecimal()));
    }

    [Fact]
    public async Task BadRowsAreAllListedAndNothingIsImported()
    {
        var communityId = await NewCommunityAsync("坏行小区");
        var street = await app.ClientFor("street");
        var csv = "building,unit,area,owners\n1,101,88,A\n1,102,0,B\n1,103,abc,C\n1,101,70,D\n1,104,-5,E\n1,105,60.123,F\n1,106,60,\n,107,60,G\n1,12,60,H\n";
        var problem = await (await OnboardingKit.ImportRegister(street, communityId, csv)).ExpectProblem(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10"],
            errors.EnumerateObject().Select(e => e.Name).ToArray());
        Assert.Contains("line 2", errors.GetProperty("line 5")[0].GetString());
        await (await street.GetAsync($"/v1/communities/{communityId}/owners-register")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await street.GetJson($"/v1/communities/{communityId}/buildings")).GetArrayLength());

        var missing = await (await OnboardingKit.ImportRegister(street, communityId, "building,unit,owners\n1,101,A\n")).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains("area", missing.GetProperty("errors").GetProperty("line 1")[0].GetString());
        await (await OnboardingKit.ImportRegister(street, communityId, "building,unit,area,owners\n")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PostJson($"/v1/communities/{communityId}/owners-register", new { })).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task AReImportIsANewVersionAndTheOldOneIsKept()
    {
        var communityId = await NewCommunityAsync("版本小区");
        var street = await app.ClientFor("street");
        var first = await (await OnboardingKit.ImportRegister(street, communityId, "building,unit,area,owners,floor\n1,1,90,A,1\n1,2,90,B,1\n"))
            .Expect(HttpStatusCode.Created);
        var second = await (await OnboardingKit.ImportRegister(street, communityId, "building,unit,area,owners,floor\n1,1,95.5,A,1\n1,2,90,A,1\n1,3,40,C,2\n"))
            .Expect(HttpStatusCode.Created);
        Assert.True(second.GetProperty("version").GetInt64() > first.GetProperty("version").GetInt64());
        Assert.Equal((3, 2), (second.GetProperty("units").GetInt32(), second.GetProperty("owners").GetInt32()));
        var current = await street.GetJson($"/v1/communities/{communityId}/owners-register");
        Assert.Equal(second.GetProperty("version").GetInt64(), current.GetProperty("version").GetInt64());
        var units = (await street.GetJson($"/v1/communities/{communityId}/buildings"))[0].GetProperty("units");
        Assert.Equal(95.5m, units.EnumerateArray().Single(u => u.Text("number") == "1").GetProperty("area").GetDecimal());

        await using var connection = app.Connection();
        var states = (await connection.QueryAsync<string>(
            "SELECT state FROM owners_register_versions WHERE community_id = @communityId ORDER BY id;", new { communityId })).ToArray();
        Assert.Equal(["superseded", "current"], states);
    }

    [Fact]
    public async Task OnlyTheStreetOfficeAndTheOwnersCommitteeImport()
    {
        await (await OnboardingKit.ImportRegister(await app.ClientFor("residents"), 1, "building,unit,area,owners\n1,101,60,A\n"))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await OnboardingKit.ImportRegister(await app.ClientFor("resident2"), 1, "building,unit,area,owners\n1,101,60,A\n"))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/owners-register")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DevLoginWithAnOwnerKeyMakesAVerifiedOwnerOfThatKey()
    {
        var response = await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "key-holder", communityId = 1, ownerKey = "SF5301" });
        var login = await response.Expect(HttpStatusCode.OK);
        Assert.Equal(["owner", "resident"], login.GetProperty("user").GetProperty("memberships").EnumerateArray().Select(m => m.Text("role")).Order().ToArray());
        await (await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "no-such-key", communityId = 1, ownerKey = "XX9999" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnOwnerRequestMustNameAKeyOfThatUnit()
    {
        var newcomer = await app.ClientFor("wrong-key");
        var buildings = await (await app.ClientFor("street")).GetJson("/v1/communities/1/buildings");
        var unit = buildings.EnumerateArray().Single(b => b.Text("number") == "1").GetProperty("units").EnumerateArray()
            .Single(u => u.Text("number") == "101").Id();
        await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = unit, relation = "owner", ownerKey = "SF3502" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = unit, relation = "tenant", ownerKey = "SF1101" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        var request = await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = unit, relation = "owner", ownerKey = "SF1101" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("SF1101", request.Text("ownerKey"));
        var seen = await (await app.ClientFor("owners")).GetJson("/v1/communities/1/membership-requests?state=pending");
        Assert.All(seen.GetProperty("items").EnumerateArray(), r => Assert.NotEqual(System.Text.Json.JsonValueKind.Null, r.GetProperty("ownerKey").ValueKind));
    }
}
