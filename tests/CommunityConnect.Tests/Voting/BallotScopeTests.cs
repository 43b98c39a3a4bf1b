using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Voting.VotingKit;

namespace CommunityConnect.Tests.Voting;

public sealed class BallotScopeTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task ALiftForOneBuildingIsDecidedByItsOwnersOnItsAreaAtThreeQuarters()
    {
        await ImportRegister(app, Register("s1-"));
        var building7 = await BuildingId(app, "7");
        var ballot = await Ballot(app, "rebuild", building7);
        var ballotId = ballot.Id();
        Assert.Equal("special", ballot.Text("rule"));
        Assert.Equal(building7, ballot.GetProperty("scope").GetProperty("buildingId").GetInt64());
        // A (200), B;C (80) and the developer's one unit in building 7 (60).
        Assert.Equal(3, ballot.GetProperty("eligibleOwners").GetInt64());
        Assert.Equal(340m, ballot.GetProperty("eligibleArea").GetDecimal());

        // D owns only in building 8; C alone owns only in building 8, so C speaks for the co-owned unit only.
        await (await Vote(await Owner(app, "s1-D"), ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        var c = await Owner(app, "s1-C");
        var developer = await Owner(app, "developer");
        Assert.Single(MyVotingOwners(await c.GetJson($"/v1/ballots/{ballotId}")));
        var mineDeveloper = (await developer.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners").EnumerateArray().Single();
        Assert.Equal(["7号楼202"], mineDeveloper.GetProperty("units").EnumerateArray().Select(u => u.GetString()));

        await (await Vote(await Owner(app, "s1-A"), ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(c, ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(developer, ballotId, "no")).Expect(HttpStatusCode.Created);
        var tally = await Tally(c, ballotId);
        // Area: 280 of 340 m² say yes, at least 3/4 (1120 ≥ 1020); heads: 2 of 3, under 3/4. Both are needed.
        Assert.True(tally.GetProperty("quorumMet").GetBoolean());
        Assert.Equal(280m, tally.GetProperty("yesArea").GetDecimal());
        Assert.False(tally.GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task AreaWithoutHeadsAndHeadsWithoutAreaDoNotMakeAQuorum()
    {
        await ImportRegister(app, Register("s2-"));
        var ballotId = (await Ballot(app)).Id();
        // A (200) and the developer (120): 320 of 560 m² is under 2/3 though... and 2 of 5 heads: no quorum either way.
        await (await Vote(await Owner(app, "s2-A"), ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(await Owner(app, "s2-B"), ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(await Owner(app, "s2-D"), ballotId, "yes")).Expect(HttpStatusCode.Created);
        // 3 of 5 heads (< 2/3), 370 of 560 m² (< 2/3).
        Assert.False((await Tally(await app.ClientFor("tenant"), ballotId)).GetProperty("quorumMet").GetBoolean());
        var c = await Owner(app, "s2-C");
        var own = MyVotingOwners(await c.GetJson($"/v1/ballots/{ballotId}")).Max();
        await (await Vote(c, ballotId, "yes", own)).Expect(HttpStatusCode.Created);
        // 4 of 5 heads (≥ 2/3) but 440 of 560 m²: 1320 ≥ 1120, so now both hold.
        var tally = await Tally(c, ballotId);
        Assert.Equal(4, tally.GetProperty("participatingOwners").GetInt64());
        Assert.True(tally.GetProperty("quorumMet").GetBoolean());
        Assert.True(tally.GetProperty("approved").GetBoolean());
    }

    [Fact]
    public async Task ALaterImportDoesNotChangeWhoMayVote()
    {
        await ImportRegister(app, Register("s3-"));
        var a = await Owner(app, "s3-A");
        var ballot = await Ballot(app);
        await ImportRegister(app, """
            building,unit,area,owners
            7,101,150.00,s3-E
            7,102,100,s3-E
            """);
        var e = await Owner(app, "s3-E");
        var ballotId = ballot.Id();
        var again = await e.GetJson($"/v1/ballots/{ballotId}");
        Assert.Equal(5, again.GetProperty("eligibleOwners").GetInt64());
        Assert.Equal(560m, again.GetProperty("eligibleArea").GetDecimal());
        Assert.Equal(ballot.GetProperty("registerVersion").GetInt64(), again.GetProperty("registerVersion").GetInt64());
        Assert.Empty(again.GetProperty("myVotingOwners").EnumerateArray());
        await (await Vote(e, ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await Vote(a, ballotId, "yes")).Expect(HttpStatusCode.Created);
        Assert.Equal(200m, (await Tally(a, ballotId)).GetProperty("yesArea").GetDecimal());
        // A new ballot takes the new version.
        Assert.Equal(1, (await Ballot(app)).GetProperty("eligibleOwners").GetInt64());
    }

    [Fact]
    public async Task BallotsAreListedNewestFirstForMembers()
    {
        await ImportRegister(app, Register("s4-"));
        var first = (await Ballot(app)).Id();
        var second = (await Ballot(app, "elect_committee")).Id();
        var page = await (await app.ClientFor("tenant")).GetJson("/v1/communities/1/ballots?limit=1");
        Assert.Equal(second, page.GetProperty("items")[0].Id());
        var next = await (await app.ClientFor("tenant")).GetJson($"/v1/communities/1/ballots?limit=1&after={page.Text("next")}");
        Assert.Equal(first, next.GetProperty("items")[0].Id());
        Assert.NotEqual(JsonValueKind.Null, page.GetProperty("next").ValueKind);
    }
}
