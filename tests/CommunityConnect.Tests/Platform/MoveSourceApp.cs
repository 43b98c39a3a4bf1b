using System.Net;
using CommunityConnect.Jobs.Voting;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Voting.VotingKit;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The SQLite file the app made through its api (the demo street, an anonymous complaint unsealed by the
/// secretary, a ballot voted on and closed by its job), made once for the class.
/// </summary>
public sealed class MoveSourceApp : CommunityApp
{
    private readonly SemaphoreSlim _once = new(1, 1);
    private MoveSourceData? _data;

    /// <summary>The move's source is a SQLite file on either pass of the suite.</summary>
    public MoveSourceApp() => Settings["Database:Provider"] = "sqlite";

    public async Task<MoveSourceData> DataAsync()
    {
        await _once.WaitAsync();
        try
        {
            return _data ??= await MakeAsync();
        }
        finally
        {
            _once.Release();
        }
    }

    private async Task<MoveSourceData> MakeAsync()
    {
        var resident = await ClientFor("resident");
        var residentId = await UserIdOf(resident);
        var opinion = await resident.PostOpinion("complaint", "security", "某某保安收钱放人进小区", anonymous: true);
        await resident.PostOpinion("suggestion", "sanitation", "垃圾分类点晚上加一盏灯");
        await resident.PostOpinion("question", "funds", "去年公共收益用在哪里了?", anonymous: true, visibility: "private");
        await (await ClientFor("tenant")).PostOpinion("complaint", "property_service", "保洁经常不来,投诉了也没人管。", anonymous: true);
        await (await (await ClientFor("secretary")).PostJson($"/v1/opinions/{opinion.Id()}/unseal",
            new { reason = "派出所来函要求核实投诉内容是否属实" })).Expect(HttpStatusCode.OK);

        await ImportRegister(this, Register("mv-"));
        var a = await Owner(this, "mv-A");
        var b = await Owner(this, "mv-B");
        var d = await Owner(this, "mv-D");
        var developer = await Owner(this, "developer");
        var ballotId = (await Ballot(this, "elect_committee", closesIn: TimeSpan.FromDays(3))).Id();
        await (await Vote(a, ballotId, "yes")).Expect(HttpStatusCode.Created);
        await (await Vote(b, ballotId, "no")).Expect(HttpStatusCode.Created);
        await (await Vote(d, ballotId, "abstain")).Expect(HttpStatusCode.Created);
        await (await Vote(developer, ballotId, "yes")).Expect(HttpStatusCode.Created);
        Clock.Advance(TimeSpan.FromDays(4));
        Assert.Equal((0, 1), await Service<CloseDueBallotsJob>().RunAsync(CancellationToken.None));
        var verify = await d.GetJson($"/v1/ballots/{ballotId}/verify");
        Assert.True(verify.GetProperty("matchesFrozenHead").GetBoolean());
        return new MoveSourceData(opinion.Id(), residentId, ballotId, verify.Text("head")!);
    }
}

public sealed record MoveSourceData(long AnonymousOpinionId, long AuthorId, long BallotId, string BallotHead);
