using Dapper;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using Microsoft.Data.Sqlite;
using static CommunityConnect.Tests.Voting.VotingKit;

namespace CommunityConnect.Tests.Voting;

public sealed class VoteTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static long Long(JsonElement e, string p) => e.GetProperty(p).GetInt64();

    private static decimal Area(JsonElement e, string p) => e.GetProperty(p).GetDecimal();

    [Fact]
    public async Task VotingOwnersFollowTheRegisterAndEachVotesOnce()
    {
        await ImportRegister(app, Register("v1-"));
        var a = await Owner(app, "v1-A");
        var b = await Owner(app, "v1-B");
        var c = await Owner(app, "v1-C");
        var developer = await Owner(app, "developer");
        var ballot = await Ballot(app, "hire_property");
        var ballotId = ballot.Id();
        Assert.Equal("ordinary", ballot.Text("rule"));
        Assert.Equal("open", ballot.Text("status"));
        Assert.Equal(5, Long(ballot, "eligibleOwners"));
        Assert.Equal(560m, Area(ballot, "eligibleArea"));

        // One person with two units: one voting owner, both units, 200 m²; a second vote is 409.
        var mineA = (await a.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners").EnumerateArray().Single();
        Assert.Equal(["7号楼101", "7号楼102"], mineA.GetProperty("units").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(200m, Area(mineA, "area"));
        var receipt = (await (await Vote(a, ballotId, "yes")).Expect(HttpStatusCode.Created)).GetProperty("receipt");
        await (await Vote(a, ballotId, "no")).ExpectProblem(HttpStatusCode.Conflict);

        // The hash, computed here from the receipt alone.
        var text = $"{new string('0', 64)}|1|{receipt.Text("voterToken")}|yes|{receipt.Text("castAt")}";
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), receipt.Text("hash"));
        Assert.Equal(TestClockText(), receipt.Text("castAt"));
        Assert.True((await a.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners")[0].GetProperty("voted").GetBoolean());

        // Co-owners: B votes for the unit, C's attempt for the same unit is 409; C alone is another voting owner.
        await (await Vote(b, ballotId, "yes")).Expect(HttpStatusCode.Created);
        var mineC = MyVotingOwners(await c.GetJson($"/v1/ballots/{ballotId}"));
        Assert.Equal(2, mineC.Count);
        await (await Vote(c, ballotId, "yes")).ExpectProblem(HttpStatusCode.BadRequest);
        var coOwned = MyVotingOwners(await b.GetJson($"/v1/ballots/{ballotId}")).Single();
        await (await Vote(c, ballotId, "no", coOwned)).ExpectProblem(HttpStatusCode.Conflict);
        var own = mineC.Single(id => id != coOwned);
        await (await Vote(c, ballotId, "abstain", own)).Expect(HttpStatusCode.Created);
        await (await Vote(c, ballotId, "yes", (await a.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners")[0].Id()))
            .ExpectProblem(HttpStatusCode.Forbidden);

        // The developer's unsold units in two buildings: one voting owner with 120 m².
        var mineDeveloper = (await developer.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners").EnumerateArray().Single();
        Assert.Equal(120m, Area(mineDeveloper, "area"));
        await (await Vote(developer, ballotId, "no")).Expect(HttpStatusCode.Created);

        var tally = await Tally(await app.ClientFor("tenant"), ballotId);
        Assert.Equal(4, Long(tally, "participatingOwners"));
        Assert.Equal(470m, Area(tally, "participatingArea"));
        Assert.Equal(2, Long(tally, "yesOwners"));
        Assert.Equal(280m, Area(tally, "yesArea"));
        Assert.Equal(1, Long(tally, "abstainOwners"));
        Assert.Equal(70m, Area(tally, "abstainArea"));
        Assert.Equal(120m, Area(tally, "noArea"));
        // 4 of 5 owners and 470 of 560 m² take part; yes: 2 of 4 owners is exactly half (fails), though 280 of 470 m² is more.
        Assert.True(tally.GetProperty("quorumMet").GetBoolean());
        Assert.False(tally.GetProperty("approved").GetBoolean());

        // The receipt again, and a chain that holds.
        var again = (await a.GetJson($"/v1/ballots/{ballotId}/receipt")).GetProperty("receipt");
        Assert.Equal(receipt.Text("hash"), again.Text("hash"));
        await (await c.GetAsync($"/v1/ballots/{ballotId}/receipt")).ExpectProblem(HttpStatusCode.BadRequest);
        var verify = await c.GetJson($"/v1/ballots/{ballotId}/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(4, Long(verify, "entries"));
    }

    private string TestClockText() => app.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task NonOwnersAreRefusedAndOtherCommunitiesSeeNothing()
    {
        await ImportRegister(app, Register("v2-"));
        var ballotId = (await Ballot(app)).Id();
        await (await Vote(await app.ClientFor("tenant"), ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await Vote(await app.ClientFor("owners"), ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        // The demo owner's key SF3502 is not on this register.
        await (await Vote(await app.ClientFor("resident"), ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("tenant")).GetAsync($"/v1/ballots/{ballotId}/receipt")).ExpectProblem(HttpStatusCode.Forbidden);
        // The street admin oversees: reads the tally, never votes.
        await Tally(await app.ClientFor("street"), ballotId);
        await (await Vote(await app.ClientFor("street"), ballotId, "yes")).ExpectProblem(HttpStatusCode.Forbidden);

        var other = await app.ClientFor("resident2");
        foreach (var path in new[] { "", "/tally", "/ledger", "/verify", "/receipt", "/record.csv", "/paper-votes" })
        {
            await (await other.GetAsync($"/v1/ballots/{ballotId}{path}")).ExpectProblem(HttpStatusCode.NotFound);
        }
        await (await Vote(other, ballotId, "yes")).ExpectProblem(HttpStatusCode.NotFound);
        await (await other.GetAsync("/v1/communities/1/ballots")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident")).PostJson("/v1/communities/2/ballots", new { title = "x", matter = "other", closesAt = app.Clock.GetUtcNow().AddDays(1) }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("tenant")).GetAsync("/v1/ballots/999999")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task BadInputIsAProblemAndWritesNothing()
    {
        await ImportRegister(app, Register("v3-"));
        var owners = await app.ClientFor("owners");
        var now = app.Clock.GetUtcNow();
        var before = (await owners.GetJson("/v1/communities/1/ballots?limit=100")).GetProperty("items").GetArrayLength();
        foreach (var body in new object[]
        {
            new { title = "表决", matter = "lift", closesAt = now.AddDays(1) },
            new { title = "", matter = "other", closesAt = now.AddDays(1) },
            new { title = "表决", matter = "other", closesAt = now.AddDays(-1) },
            new { title = "表决", matter = "other", closesAt = now.AddDays(1), opensAt = now.AddDays(2) },
            new { title = "表决", matter = "other", closesAt = now.AddDays(3), opensAt = now.AddDays(-2) },
            new { title = "表决", matter = "other", closesAt = now.AddDays(3), scope = new { buildingId = 999999 } },
            new { title = "表决", matter = "other" },
        })
        {
            await (await owners.PostJson("/v1/communities/1/ballots", body)).ExpectProblem(HttpStatusCode.BadRequest);
        }
        // Residents do not open ballots; a building of another community is not a scope here.
        await (await (await app.ClientFor("tenant")).PostJson("/v1/communities/1/ballots", new { title = "表决", matter = "other", closesAt = now.AddDays(1) }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(before, (await owners.GetJson("/v1/communities/1/ballots?limit=100")).GetProperty("items").GetArrayLength());

        var ballotId = (await Ballot(app)).Id();
        var a = await Owner(app, "v3-A");
        await (await Vote(a, ballotId, "maybe")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await a.PostJson($"/v1/ballots/{ballotId}/votes", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await a.GetAsync($"/v1/ballots/{ballotId}/ledger?after=forged")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await a.GetAsync($"/v1/ballots/{ballotId}/ledger?limit=0")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await a.GetAsync($"/v1/ballots/{ballotId}/receipt")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await a.GetJson($"/v1/ballots/{ballotId}/verify")).GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task AScheduledBallotTakesNoVotesBeforeItOpens()
    {
        await ImportRegister(app, Register("v4-"));
        var ballot = await Ballot(app, opensAt: app.Clock.GetUtcNow().AddDays(1));
        Assert.Equal("scheduled", ballot.Text("status"));
        var a = await Owner(app, "v4-A");
        await (await Vote(a, ballot.Id(), "yes")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("scheduled", (await Tally(a, ballot.Id())).Text("status"));
    }

    [Fact]
    public async Task ATamperedRowInTheDatabaseFileIsFoundAndNamed()
    {
        await ImportRegister(app, Register("v5-"));
        var ballotId = (await Ballot(app)).Id();
        foreach (var key in new[] { "v5-A", "v5-B", "v5-D" })
        {
            await (await Vote(await Owner(app, key), ballotId, "yes")).Expect(HttpStatusCode.Created);
        }
        var reader = await app.ClientFor("tenant");
        var page = await reader.GetJson($"/v1/ballots/{ballotId}/ledger?limit=2");
        Assert.Equal([1L, 2L], page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        var rest = await reader.GetJson($"/v1/ballots/{ballotId}/ledger?limit=2&after={page.Text("next")}");
        Assert.Equal([3L], rest.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);
        var head = (await reader.GetJson($"/v1/ballots/{ballotId}/verify")).Text("head");
        Assert.Equal(rest.GetProperty("items")[0].Text("hash"), head);

        await using (var connection = app.Connection())
        {
            Assert.Equal(1, await connection.ExecuteAsync("UPDATE ballot_entries SET choice = 'no' WHERE ballot_id = @ballotId AND seq = 2;", new { ballotId }));
        }
        var verify = await reader.GetJson($"/v1/ballots/{ballotId}/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(2, verify.GetProperty("firstInvalidSeq").GetInt64());
        Assert.Equal(JsonValueKind.Null, verify.GetProperty("head").ValueKind);
    }
}
