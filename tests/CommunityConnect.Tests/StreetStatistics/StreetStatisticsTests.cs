using System.Net;
using System.Text;
using System.Text.Json;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Reports;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.StreetStatistics;

public sealed class StreetStatisticsTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private async Task<long> Raised(string author, string category, string kind, long communityId = 1) =>
        await app.OpenCaseAsync(author, category, kind: kind, communityId: communityId);

    [Fact]
    public async Task FiguresMatchAHandComputedSet()
    {
        var first = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(Shanghai).DateTime);
        // Community 1: first responses after 10, 30 and 50 minutes; resolutions after 70 and 130; one never answered.
        var a = await Raised("resident", "water", "repair");
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await app.RecordAsync(a, ItemEvent.FirstAnswer);
        app.Clock.Advance(TimeSpan.FromMinutes(60));
        await app.RecordAsync(a, ItemEvent.Resolved);

        var b = await Raised("tenant", "pets", "opinion");
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        await app.RecordAsync(b, ItemEvent.FirstAnswer);
        app.Clock.Advance(TimeSpan.FromMinutes(100));
        await app.RecordAsync(b, ItemEvent.Resolved);

        var c = await Raised("tenant", "funds", "question");
        app.Clock.Advance(TimeSpan.FromMinutes(50));
        await app.RecordAsync(c, ItemEvent.FirstAnswer);

        await Raised("resident", "parking", "proposal");

        // Community 2: a first response after 20 minutes.
        var e = await Raised("resident2", "water", "repair", communityId: 2);
        app.Clock.Advance(TimeSpan.FromMinutes(20));
        await app.RecordAsync(e, ItemEvent.FirstAnswer);

        // Two households of community 1 (张桂英's and 刘晓峰's units); one acknowledges.
        var announcement = (await (await (await app.ClientFor("residents")).PostJson("/v1/communities/1/announcements",
            new { title = "消防演练", body = "周六上午", audience = "all", requiresAcknowledgement = true })).Expect(HttpStatusCode.Created)).Id();
        await (await app.ClientFor("tenant")).PutAsync($"/v1/announcements/{announcement}/acknowledgement", null);

        // A meeting held with one open action.
        var meeting = (await (await (await app.ClientFor("residents")).PostJson("/v1/communities/1/meetings", new
        {
            kind = "review", topic = "物业服务评议", startsAt = app.Clock.GetUtcNow(), place = "会议室", participants = "居民代表",
        })).Expect(HttpStatusCode.Created)).Id();
        await (await (await app.ClientFor("residents")).PostJson($"/v1/meetings/{meeting}/minutes", new
        {
            attendance = "9人", positions = "—", decisions = "物业整改", actions = new[] { new { text = "整改报告", responsibleBody = "property", due = app.Clock.GetUtcNow().AddDays(30) } },
        })).Expect(HttpStatusCode.Created);

        // Fifteen days on, one sweep: the unanswered proposal climbs to the owners' committee, the unresolved question to the residents' committee,
        // and so does the meeting action (not answered in a working day) to the owners' committee.
        app.Clock.Advance(TimeSpan.FromDays(15));
        await app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None);
        var last = DateOnly.FromDateTime(app.Clock.GetUtcNow().ToOffset(Shanghai).DateTime);

        var statistics = await (await app.ClientFor("street")).GetJson($"/v1/streets/1/statistics?from={first:yyyy-MM-dd}&to={last:yyyy-MM-dd}");
        var one = statistics.GetProperty("communities").EnumerateArray().Single(x => x.GetProperty("communityId").GetInt64() == 1);
        Assert.Equal(5, one.GetProperty("items").GetInt32());
        Assert.Equal(1, one.GetProperty("itemsByKind").EnumerateArray().Single(k => k.Text("name") == "meeting_action").GetProperty("count").GetInt32());
        Assert.Equal(30.0, one.GetProperty("firstResponse").GetProperty("medianMinutes").GetDouble());
        Assert.Equal(46.0, one.GetProperty("firstResponse").GetProperty("p90Minutes").GetDouble());
        Assert.Equal(100.0, one.GetProperty("resolution").GetProperty("medianMinutes").GetDouble());
        Assert.Equal(124.0, one.GetProperty("resolution").GetProperty("p90Minutes").GetDouble());
        Assert.Equal(3, one.GetProperty("escalations").GetInt32());
        Assert.Equal(2, one.GetProperty("escalationsByRung").EnumerateArray().Single(r => r.Text("name") == "owners_committee").GetProperty("count").GetInt32());
        Assert.Equal(1, one.GetProperty("escalationsByRung").EnumerateArray().Single(r => r.Text("name") == "residents_committee").GetProperty("count").GetInt32());
        var announcements = one.GetProperty("announcements");
        Assert.Equal(2, announcements.GetProperty("acknowledgementHouseholds").GetInt32());
        Assert.Equal(0.5, announcements.GetProperty("acknowledgementRate").GetDouble());
        Assert.Equal(1, one.GetProperty("meetings").GetProperty("held").GetInt32());
        Assert.Equal(1, one.GetProperty("meetings").GetProperty("openActions").GetInt32());

        // The total's median is of all items, not of the communities' medians: 10, 20, 30, 50.
        var total = statistics.GetProperty("total");
        Assert.Equal(6, total.GetProperty("items").GetInt32());
        Assert.Equal(25.0, total.GetProperty("firstResponse").GetProperty("medianMinutes").GetDouble());
        Assert.Equal(44.0, total.GetProperty("firstResponse").GetProperty("p90Minutes").GetDouble());

        var csv = await (await app.ClientFor("street")).GetAsync($"/v1/streets/1/statistics?from={first:yyyy-MM-dd}&to={last:yyyy-MM-dd}&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, two communities, total
        var header = lines[0].Split(',');
        Assert.All(CaseKinds.All, kind => Assert.Contains($"items_{kind}", header));
        Assert.StartsWith(",合计,", lines[3]);
    }

    [Fact]
    public async Task OnlyTheStreetAdminReadsThemAndBadRangesAreRefused()
    {
        await (await (await app.ClientFor("secretary")).GetAsync("/v1/streets/1/statistics")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/streets/1/statistics")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("street")).GetAsync("/v1/streets/99/statistics")).ExpectProblem(HttpStatusCode.NotFound);
        var street = await app.ClientFor("street");
        var problem = await (await street.GetAsync("/v1/streets/1/statistics?from=2026-05-01&to=2026-04-01")).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("from", out _));
        await (await street.GetAsync("/v1/streets/1/statistics?format=xlsx")).ExpectProblem(HttpStatusCode.BadRequest);
        await street.GetJson("/v1/streets/1/statistics");
    }

    [Fact]
    public void PercentilesInterpolateBetweenTheNearestRanks()
    {
        Assert.Null(Statistics.Median([]));
        Assert.Equal(7.0, Statistics.Median([7]));
        Assert.Equal(2.5, Statistics.Median([4, 1, 3, 2]));
        Assert.Equal(9.1, Statistics.Round(Statistics.P90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 1));
        Assert.Equal(46.0, Statistics.P90([50, 10, 30]));
    }
}
