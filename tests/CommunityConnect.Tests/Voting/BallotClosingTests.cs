using System.Net;
using System.Text.Json;
using CommunityConnect.Jobs.Voting;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Voting.VotingKit;

namespace CommunityConnect.Tests.Voting;

public sealed class BallotClosingTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private Task<(int Reminded, int Closed)> Run() => app.Service<CloseDueBallotsJob>().RunAsync(CancellationToken.None);

    private static async Task<IReadOnlyList<JsonElement>> Notices(HttpClient client, long ballotId, string kind) =>
        (await client.GetJson("/v1/me/inbox?limit=100")).GetProperty("items").EnumerateArray()
        .Where(n => n.Text("kind") == kind && n.GetProperty("itemId").GetInt64() == ballotId).ToList();

    [Fact]
    public async Task OwnersWhoHaveNotVotedAreRemindedOnceAndTheBallotClosesOnceWithItsHead()
    {
        await ImportRegister(app, Register("c1-"));
        var a = await Owner(app, "c1-A");
        var b = await Owner(app, "c1-B");
        var c = await Owner(app, "c1-C");
        var d = await Owner(app, "c1-D");
        var developer = await Owner(app, "developer");
        var ballotId = (await Ballot(app, "elect_committee", closesIn: TimeSpan.FromDays(3))).Id();
        Assert.Single(await Notices(a, ballotId, "ballot_opened"));
        await (await Vote(a, ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(b, ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(developer, ballotId, "no")).Expect(HttpStatusCode.Created);

        Assert.Equal((0, 0), await Run());
        app.Clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(1));
        Assert.Equal((1, 0), await Run());
        Assert.Equal((0, 0), await Run());
        Assert.Single(await Notices(d, ballotId, "ballot_reminder"));
        // C still has a voting owner of their own that has not voted.
        Assert.Single(await Notices(c, ballotId, "ballot_reminder"));
        Assert.Empty(await Notices(a, ballotId, "ballot_reminder"));
        await (await Vote(d, ballotId, "yes")).Expect(HttpStatusCode.Created);
        // The live tally comes from the running totals that each vote adds to.
        var live = await Tally(d, ballotId);
        Assert.False(live.GetProperty("frozen").GetBoolean());

        app.Clock.Advance(TimeSpan.FromDays(1));
        // Votes stop at closesAt, before the job runs.
        await (await Vote(c, ballotId, "yes", MyVotingOwners(await c.GetJson($"/v1/ballots/{ballotId}")).Max())).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal((0, 1), await Run());
        Assert.Equal((0, 0), await Run());

        var ballot = await d.GetJson($"/v1/ballots/{ballotId}");
        Assert.Equal("closed", ballot.Text("status"));
        var verify = await d.GetJson($"/v1/ballots/{ballotId}/verify");
        Assert.Equal(verify.Text("head"), ballot.Text("head"));
        Assert.True(verify.GetProperty("matchesFrozenHead").GetBoolean());
        var receipt = (await d.GetJson($"/v1/ballots/{ballotId}/receipt")).GetProperty("receipt");
        Assert.Equal(ballot.Text("head"), receipt.Text("hash"));
        // 4 of 5 owners, 470 of 560 m²; yes 3 owners (A, B;C, D) and 370 m²: approved.
        Assert.True(ballot.GetProperty("approved").GetBoolean());
        var tally = await Tally(d, ballotId);
        Assert.True(tally.GetProperty("frozen").GetBoolean());
        Assert.Equal(3, tally.GetProperty("yesOwners").GetInt64());
        // The closing job freezes what it recounts from the chain; the running totals said the same.
        foreach (var field in new[] { "participatingOwners", "participatingArea", "yesOwners", "yesArea", "noOwners", "noArea", "abstainOwners", "abstainArea" })
        {
            Assert.Equal(live.GetProperty(field).GetDecimal(), tally.GetProperty(field).GetDecimal());
        }

        var result = Assert.Single(await Notices(await app.ClientFor("tenant"), ballotId, "ballot_result"));
        Assert.Contains(ballot.Text("head"), result.Text("body"));
        Assert.Contains("表决通过", result.Text("body"));
        await (await Vote(c, ballotId, "yes", MyVotingOwners(await c.GetJson($"/v1/ballots/{ballotId}")).Max())).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ABuildingBallotsResultGoesToThatBuildingOnly()
    {
        await ImportRegister(app, Register("c2-"));
        var ballotId = (await Ballot(app, "rebuild", await BuildingId(app, "7"), closesIn: TimeSpan.FromHours(2))).Id();
        var d = await Owner(app, "c2-D");
        var a = await Owner(app, "c2-A");
        app.Clock.Advance(TimeSpan.FromHours(3));
        var (_, closed) = await Run();
        Assert.True(closed >= 1);
        Assert.Single(await Notices(a, ballotId, "ballot_result"));
        Assert.Empty(await Notices(d, ballotId, "ballot_result"));
        Assert.Empty(await Notices(await app.ClientFor("tenant"), ballotId, "ballot_result"));
        Assert.Contains("未形成决定", (await Notices(await app.ClientFor("owners"), ballotId, "ballot_result"))[0].Text("body"));
    }
}
