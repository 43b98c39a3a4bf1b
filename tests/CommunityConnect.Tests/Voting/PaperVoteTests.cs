using System.Net;
using System.Text;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Voting.VotingKit;

namespace CommunityConnect.Tests.Voting;

public sealed class PaperVoteTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private Task<HttpClient> SecondMember() => app.ClientFor("owners-second", communityId: 1, role: "owners_committee");

    [Fact]
    public async Task APaperBallotCountsOnlyWhenASecondMemberConfirmsIt()
    {
        await ImportRegister(app, Register("p1-"));
        var ballotId = (await Ballot(app)).Id();
        var first = await app.ClientFor("owners");
        var second = await SecondMember();
        var d = await Owner(app, "p1-D");

        var paper = await (await EnterPaper(first, ballotId, "p1-D", "yes")).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", paper.Text("state"));
        Assert.Equal(0, (await Tally(d, ballotId)).GetProperty("participatingOwners").GetInt64());
        Assert.True((await d.GetJson($"/v1/ballots/{ballotId}")).GetProperty("myVotingOwners")[0].GetProperty("paperPending").GetBoolean());
        // Pending: the owner cannot also vote online, nor be entered twice.
        await (await Vote(d, ballotId, "no")).ExpectProblem(HttpStatusCode.Conflict);
        await (await EnterPaper(second, ballotId, "p1-D", "no")).ExpectProblem(HttpStatusCode.Conflict);
        // Four eyes: not the member who entered it; not a resident.
        await (await first.PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("tenant")).PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).ExpectProblem(HttpStatusCode.NotFound);

        var confirmed = await (await second.PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).Expect(HttpStatusCode.OK);
        Assert.Equal("confirmed", confirmed.Text("state"));
        Assert.Equal(1, confirmed.GetProperty("seq").GetInt64());
        await (await second.PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).ExpectProblem(HttpStatusCode.Conflict);
        var tally = await Tally(d, ballotId);
        Assert.Equal(1, tally.GetProperty("yesOwners").GetInt64());
        Assert.Equal(90m, tally.GetProperty("yesArea").GetDecimal());
        // The owner finds the paper vote's receipt as their own.
        Assert.Equal(1, (await d.GetJson($"/v1/ballots/{ballotId}/receipt")).GetProperty("receipt").GetProperty("seq").GetInt64());

        // Online first: no paper ballot after.
        var a = await Owner(app, "p1-A");
        await (await Vote(a, ballotId, "no")).Expect(HttpStatusCode.Created);
        await (await EnterPaper(first, ballotId, "p1-A", "yes")).ExpectProblem(HttpStatusCode.Conflict);

        // The named record, for the committee only.
        var csv = await (await first.GetAsync($"/v1/ballots/{ballotId}/record.csv")).Content.ReadAsStringAsync();
        Assert.Contains("p1-D", csv);
        Assert.Contains("paper", csv);
        Assert.Contains("online", csv);
        Assert.Contains("7号楼101 7号楼102", csv);
        await (await d.GetAsync($"/v1/ballots/{ballotId}/record.csv")).ExpectProblem(HttpStatusCode.Forbidden);
        var list = await second.GetJson($"/v1/ballots/{ballotId}/paper-votes");
        Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"/v1/paper-votes/{paper.Id()}/photo")).StatusCode);
        await (await d.GetAsync($"/v1/paper-votes/{paper.Id()}/photo")).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ARejectedPaperBallotLeavesTheOwnerFreeToVote()
    {
        await ImportRegister(app, Register("p2-"));
        var ballotId = (await Ballot(app)).Id();
        var paper = await (await EnterPaper(await app.ClientFor("owners"), ballotId, "developer", "no")).Expect(HttpStatusCode.Created);
        var second = await SecondMember();
        await (await second.PostJson($"/v1/paper-votes/{paper.Id()}/reject", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        var rejected = await (await second.PostJson($"/v1/paper-votes/{paper.Id()}/reject", new { reason = "签名与产权证不符" })).Expect(HttpStatusCode.OK);
        Assert.Equal("rejected", rejected.Text("state"));
        await (await second.PostAsync($"/v1/paper-votes/{paper.Id()}/confirm", null)).ExpectProblem(HttpStatusCode.Conflict);
        await (await Vote(await Owner(app, "developer"), ballotId, "yes")).Expect(HttpStatusCode.Created);
        Assert.Equal(0, (await Tally(second, ballotId)).GetProperty("noOwners").GetInt64());
    }

    [Fact]
    public async Task BadPaperBallotsAreRefusedAndKeepNothing()
    {
        await ImportRegister(app, Register("p3-"));
        var ballotId = (await Ballot(app)).Id();
        var owners = await app.ClientFor("owners");
        var folder = Path.Combine(app.Folder, "ballot-papers");
        int Files() => Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
        var files = Files();
        await (await EnterPaper(owners, ballotId, null, "yes")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await EnterPaper(owners, ballotId, "p3-D", "perhaps")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await EnterPaper(owners, ballotId, "nobody", "yes")).ExpectProblem(HttpStatusCode.BadRequest);
        // C's key is on two voting owners: say which.
        await (await EnterPaper(owners, ballotId, "p3-C", "yes")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await EnterPaper(owners, ballotId, "p3-D", "yes", Encoding.ASCII.GetBytes("not an image at all"))).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        await (await EnterPaper(await app.ClientFor("tenant"), ballotId, "p3-D", "yes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await EnterPaper(await app.ClientFor("resident2"), ballotId, "p3-D", "yes")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Empty((await owners.GetJson($"/v1/ballots/{ballotId}/paper-votes")).GetProperty("items").EnumerateArray());
        Assert.Equal(files, Files());
    }
}
