using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>The scoreboard on a known set of tickets (its own database), with the figures worked out by hand.</summary>
public sealed class RepairScoreboardTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private void Minutes(int minutes) => app.Clock.Advance(TimeSpan.FromMinutes(minutes));

    [Fact]
    public async Task TheScoreboardShowsTicketsMediansReopenRateAndRatingsPerCategoryAndOverall()
    {
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);
        var reporter = await app.ClientFor("tenant");
        var property = await app.ClientFor("property");
        var technicianId = await CommunityApp.UserIdOf(await app.ClientFor("technician"));

        async Task<long> New(string category) => await ReportCommonArea(reporter, category, "5号楼");
        async Task Resolve(long id, int minutes)
        {
            await Act(property, id, "assign", new { technicianId });
            await Act(property, id, "start");
            Minutes(minutes);
            await Act(property, id, "resolve");
        }

        // A (water): accepted after 10 min, resolved 60 min after the report, rated 5/4/3.
        var a = await New("water");
        Minutes(10);
        await Act(property, a, "accept");
        await Resolve(a, 50);
        await Rate(reporter, a, 5, 4, 3);

        // B (water): accepted after 30, resolved after 120, reopened, resolved again 180 min after the report, rated 3/2/1.
        var b = await New("water");
        Minutes(30);
        await Act(property, b, "accept");
        await Resolve(b, 90);
        await Act(reporter, b, "reopen", new { reason = "还是漏" });
        await Resolve(b, 60);
        await Rate(reporter, b, 3, 2, 1);

        // C (water): accepted after 20, still in progress.
        var c = await New("water");
        Minutes(20);
        await Act(property, c, "accept");

        // D (electric): accepted after 5, resolved 20 min after the report, rated 4/4/4.
        var d = await New("electric");
        Minutes(5);
        await Act(property, d, "accept");
        await Resolve(d, 15);
        await Rate(reporter, d, 4, 4, 4);

        // E (electric): cancelled by the reporter: not counted. F (electric): rejected after 7 minutes: counted, never accepted.
        var e = await New("electric");
        await Act(reporter, e, "cancel");
        var f = await New("electric");
        Minutes(7);
        await Act(property, f, "reject", new { reason = "不属于物业维修范围" });

        var board = await (await (await app.ClientFor("resident")).GetAsync($"/v1/communities/1/repairs/scoreboard?from={today.AddDays(-1):yyyy-MM-dd}&to={today.AddDays(1):yyyy-MM-dd}"))
            .Expect(HttpStatusCode.OK);
        // Water: accept [10, 30, 20] → 20; resolve [60, 180] → 120; reopened 1 of 2 resolved; ratings (5,4,3), (3,2,1).
        AssertFigures(board.GetProperty("categories").EnumerateArray().Single(x => x.GetProperty("category").GetString() == "water"),
            tickets: 3, accept: 20, resolve: 120, reopen: 0.5, timeliness: 4, attitude: 3, quality: 2, ratings: 2);
        // Electric: D and F; accept [5]; resolve [20]; 0 of 1 reopened; one rating (4,4,4).
        AssertFigures(board.GetProperty("categories").EnumerateArray().Single(x => x.GetProperty("category").GetString() == "electric"),
            tickets: 2, accept: 5, resolve: 20, reopen: 0, timeliness: 4, attitude: 4, quality: 4, ratings: 1);
        // Overall: accept [5, 10, 20, 30] → 15; resolve [20, 60, 180] → 60; 1 of 3 reopened; ratings 12/3, 10/3, 8/3.
        AssertFigures(board.GetProperty("overall"), tickets: 5, accept: 15, resolve: 60, reopen: 0.3333, timeliness: 4, attitude: 3.33, quality: 2.67, ratings: 3);
        Assert.Equal(2, board.GetProperty("categories").GetArrayLength());
        Assert.Equal("Asia/Shanghai", board.GetProperty("timeZone").GetString());
    }

    private static void AssertFigures(JsonElement figures, int tickets, double accept, double resolve, double reopen,
        double timeliness, double attitude, double quality, int ratings)
    {
        Assert.Equal(tickets, figures.GetProperty("tickets").GetInt32());
        Assert.Equal(accept, figures.GetProperty("medianMinutesToAccept").GetDouble());
        Assert.Equal(resolve, figures.GetProperty("medianMinutesToResolve").GetDouble());
        Assert.Equal(reopen, figures.GetProperty("reopenRate").GetDouble());
        Assert.Equal(timeliness, figures.GetProperty("averageTimeliness").GetDouble());
        Assert.Equal(attitude, figures.GetProperty("averageAttitude").GetDouble());
        Assert.Equal(quality, figures.GetProperty("averageQuality").GetDouble());
        Assert.Equal(ratings, figures.GetProperty("ratingCount").GetInt32());
    }

    [Fact]
    public async Task AnEmptyPeriodHasNoFiguresAndBadDatesAreRefused()
    {
        var resident = await app.ClientFor("resident");
        var empty = await (await resident.GetAsync("/v1/communities/1/repairs/scoreboard?from=2020-01-01&to=2020-01-31")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, empty.GetProperty("overall").GetProperty("tickets").GetInt32());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("overall").GetProperty("medianMinutesToAccept").ValueKind);
        Assert.Empty(empty.GetProperty("categories").EnumerateArray());

        await (await resident.GetAsync("/v1/communities/1/repairs/scoreboard?from=2020-02-01&to=2020-01-01")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/repairs/scoreboard?from=yesterday")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/repairs/scoreboard")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task EveryMemberAndTheStreetSeeTheScoreboardOtherCommunitiesDoNot()
    {
        await (await (await app.ClientFor("tenant")).GetAsync("/v1/communities/1/repairs/scoreboard")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/1/repairs/scoreboard")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/repairs/scoreboard")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
