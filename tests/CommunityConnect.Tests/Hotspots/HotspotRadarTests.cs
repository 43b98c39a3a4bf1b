using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Jobs.Hotspots;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Hotspots;

/// <summary>The hotspot radar (issue 14 §2). Each test has its own category and building, so they do not meet in the shared host.</summary>
public sealed class HotspotRadarTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static int _serial;

    /// <summary>A new verified resident of a unit (units 1–10 are building 1, 11–20 building 2, 21–30 building 3 of community 1).</summary>
    private Task<HttpClient> Resident(long unitId) =>
        app.ClientFor($"radar-resident-{Interlocked.Increment(ref _serial)}", communityId: 1, role: "resident", unitId: unitId);

    private async Task<int> Sweep()
    {
        await app.Service<IntakeAnalyser>().WhenReady;
        await app.Service<RouteHallThreadsJob>().RunAsync(CancellationToken.None);
        return await app.Service<HotspotRadarJob>().RunAsync(CancellationToken.None);
    }

    private async Task<List<JsonElement>> Hotspots(string handle = "property") =>
        (await (await app.ClientFor(handle)).GetJson("/v1/communities/1/hotspots?limit=100")).GetProperty("items").EnumerateArray().ToList();

    private async Task<JsonElement?> HotspotOf(string category, string place) =>
        (await Hotspots("secretary")).Cast<JsonElement?>().FirstOrDefault(h => h!.Value.Text("category") == category && h.Value.Text("place") == place);

    private async Task<int> Notices(HttpClient client, string kind, string itemKind, long itemId) =>
        (await client.Inbox()).Count(n => n.Text("kind") == kind && n.Text("itemKind") == itemKind && n.GetProperty("itemId").GetInt64() == itemId);

    [Fact]
    public async Task ThreeResidentsIn24HoursRaiseOneHotspotWithOneNoticeEachToTheBodyAndTheSecretary()
    {
        var first = await Resident(21);
        var ticket = await RepairTestKit.Report(first, new { category = "elevator", description = "3号楼电梯停了,按钮没反应", commonArea = "3号楼电梯", buildingId = 3 });
        app.Clock.Advance(TimeSpan.FromHours(2));
        var second = await Resident(22);
        var opinion = await second.PostOpinion("complaint", "elevator", "3号楼电梯又坏了,老人上下楼太难了");
        app.Clock.Advance(TimeSpan.FromHours(2));
        var third = await Resident(23);
        var thread = await third.PostDiscussion("3号楼电梯坏了", "3号楼的电梯今天又不动了");

        Assert.True(await Sweep() >= 1);
        Assert.Equal(0, await Sweep());

        var card = (await HotspotOf("elevator", "3号楼"))!.Value;
        Assert.Equal(3, card.GetProperty("residentCount").GetInt32());
        Assert.Equal(3, card.GetProperty("itemCount").GetInt32());
        Assert.Equal("short", card.Text("reached"));
        Assert.Equal("property", card.Text("responsibleBody"));
        var hotspotId = card.Id();
        foreach (var handle in new[] { "property", "technician", "secretary" })
        {
            Assert.Equal(1, await Notices(await app.ClientFor(handle), "hotspot_raised", "hotspot", hotspotId));
        }
        Assert.Equal(0, await Notices(await app.ClientFor("owners"), "hotspot_raised", "hotspot", hotspotId));

        var hotspot = await (await app.ClientFor("property")).GetJson($"/v1/hotspots/{hotspotId}");
        var items = hotspot.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["repair", "opinion", "thread"], items.Select(i => i.Text("kind")));
        Assert.Equal([ticket.Id(), opinion.Id(), thread.Id()], items.Select(i => i.Id()));
        Assert.DoesNotContain("author", hotspot.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // A case of its own, with its clocks; one answer reaches every item's resident.
        var caseId = hotspot.GetProperty("caseId").GetInt64();
        var detail = await (await app.ClientFor("secretary")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("hotspot", detail.Text("kind"));
        Assert.NotEqual(JsonValueKind.Null, detail.GetProperty("nextEscalationAt").ValueKind);
        await (await (await app.ClientFor("property")).PostJson($"/v1/cases/{caseId}/responses",
            new { body = "3号楼电梯主板故障,配件已到,今天下午修复。" })).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await Notices(first, "hotspot_answered", "repair", ticket.Id()));
        Assert.Equal(1, await Notices(second, "hotspot_answered", "opinion", opinion.Id()));
        Assert.Equal(1, await Notices(third, "hotspot_answered", "thread", thread.Id()));
        Assert.Equal("responded", (await (await app.ClientFor("secretary")).GetJson($"/v1/cases/{caseId}")).Text("state"));

        // A fourth resident joins the open hotspot: no second hotspot, no second notice.
        await (await Resident(24)).PostOpinion("complaint", "elevator", "3号楼电梯还是坏的");
        Assert.Equal(0, await Sweep());
        var joined = await (await app.ClientFor("property")).GetJson($"/v1/hotspots/{hotspotId}");
        Assert.Equal(4, joined.GetProperty("residentCount").GetInt32());
        Assert.Equal(1, await Notices(await app.ClientFor("property"), "hotspot_raised", "hotspot", hotspotId));

        // Residents never see hotspots: the list is for the bodies (403), the item does not exist for them (404).
        await (await first.GetAsync("/v1/communities/1/hotspots")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await first.GetAsync($"/v1/hotspots/{hotspotId}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await app.ClientFor("street")).GetJson($"/v1/hotspots/{hotspotId}");
    }

    [Fact]
    public async Task TheSameResidentThreeTimesRaisesNone()
    {
        var resident = await Resident(1);
        await RepairTestKit.Report(resident, new { category = "water", description = "1号楼楼道水管漏水", commonArea = "1号楼楼道", buildingId = 1 });
        await resident.PostOpinion("complaint", "water", "1号楼楼道水管漏水好几天了");
        await resident.PostDiscussion("1号楼水管漏水", "1号楼一楼的水管一直在滴水,地上都湿了。");
        await Sweep();
        Assert.Null(await HotspotOf("water", "1号楼"));
    }

    [Fact]
    public async Task AnonymousReportsCountTogetherAsOneResident()
    {
        for (var i = 0; i < 3; i++)
        {
            await (await Resident(11 + i)).PostOpinion("complaint", "sanitation", "2号楼门口垃圾堆了好几天没人清", anonymous: true);
        }
        await Sweep();
        Assert.Null(await HotspotOf("sanitation", "2号楼"));

        await (await Resident(14)).PostOpinion("complaint", "sanitation", "2号楼垃圾桶满了没人倒");
        await Sweep();
        Assert.Null(await HotspotOf("sanitation", "2号楼"));

        await (await Resident(15)).PostOpinion("complaint", "sanitation", "2号楼门口臭气熏天,垃圾没人清");
        await Sweep();
        var card = (await HotspotOf("sanitation", "2号楼"))!.Value;
        Assert.Equal(3, card.GetProperty("residentCount").GetInt32());
        var hotspot = await (await app.ClientFor("secretary")).GetJson($"/v1/hotspots/{card.Id()}");
        var items = hotspot.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        Assert.Equal(3, items.Count(i => i.GetProperty("anonymous").GetBoolean()));
        Assert.DoesNotContain("author", hotspot.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // The answer reaches the anonymous authors too, through their opinions' cases, without naming them.
        var caseId = hotspot.GetProperty("caseId").GetInt64();
        await (await (await app.ClientFor("property")).PostJson($"/v1/cases/{caseId}/responses", new { body = "已增加每日清运一次。" }))
            .Expect(HttpStatusCode.Created);
        await using var connection = app.Connection();
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM notifications WHERE kind = 'hotspot_answered' AND item_kind = 'opinion' AND item_id IN @ids;",
            new { ids = items.Select(i => i.Id()).ToArray() }));
    }

    [Fact]
    public async Task AnotherCommunitysItemsAreNeverGroupedAndItsResidentsDoNotFindTheHotspots()
    {
        // Building 2 exists in both communities.
        await RepairTestKit.Report(await Resident(16), new { category = "greenery", description = "2号楼前的树枝挡住窗户", commonArea = "2号楼前绿地", buildingId = 2 });
        await (await Resident(17)).PostOpinion("complaint", "greenery", "2号楼前面的树该修剪了");
        var resident2 = await app.ClientFor("resident2");
        var otherBuilding = await BuildingIdAsync(2, "2");
        await RepairTestKit.Report(resident2, new { category = "greenery", description = "2号楼前树枝太长", commonArea = "2号楼前绿地", buildingId = otherBuilding }, communityId: 2);
        await resident2.PostOpinion("complaint", "greenery", "2号楼前面的树该修剪了", communityId: 2);
        await Sweep();
        Assert.Null(await HotspotOf("greenery", "2号楼"));
        await using (var connection = app.Connection())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM hotspots WHERE community_id = 2;"));
        }

        await (await Resident(18)).PostOpinion("complaint", "greenery", "2号楼门前绿化没人管");
        await Sweep();
        var card = (await HotspotOf("greenery", "2号楼"))!.Value;
        Assert.Equal(3, card.GetProperty("residentCount").GetInt32());
        await (await resident2.GetAsync($"/v1/hotspots/{card.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident2.GetAsync("/v1/communities/1/hotspots")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident2.GetAsync("/v1/communities/1/hotspot-settings")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident2.PutJson("/v1/communities/1/hotspot-settings",
            new { shortWindowHours = 24, shortWindowResidents = 2, longWindowDays = 7, longWindowResidents = 5 })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("property")).GetAsync("/v1/hotspots/999999")).ExpectProblem(HttpStatusCode.NotFound);
    }

    private async Task<long> BuildingIdAsync(long communityId, string number)
    {
        await using var connection = app.Connection();
        return await connection.ExecuteScalarAsync<long>("SELECT id FROM buildings WHERE community_id = @communityId AND number = @number;", new { communityId, number });
    }

    [Fact]
    public async Task TheResidentsCommitteeSetsTheThresholdsAndBadSettingsAreRefused()
    {
        var residents = await app.ClientFor("residents");
        var settings = await residents.GetJson("/v1/communities/1/hotspot-settings");
        Assert.Equal(24, settings.GetProperty("shortWindowHours").GetInt32());
        Assert.Equal(3, settings.GetProperty("shortWindowResidents").GetInt32());
        Assert.Equal(7, settings.GetProperty("longWindowDays").GetInt32());
        Assert.Equal(5, settings.GetProperty("longWindowResidents").GetInt32());

        var url = "/v1/communities/1/hotspot-settings";
        var good = new { shortWindowHours = 12, shortWindowResidents = 4, longWindowDays = 14, longWindowResidents = 6 };
        await (await (await app.ClientFor("secretary")).PutJson(url, good)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident")).PutJson(url, good)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await residents.PutJson(url, good with { shortWindowResidents = 1 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await residents.PutJson(url, good with { longWindowDays = 0 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await residents.PutJson(url, good with { shortWindowHours = 73 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await residents.PutJson(url, new { shortWindowHours = 24, shortWindowResidents = 3, longWindowDays = 1, longWindowResidents = 5 }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await residents.PutJson(url, new { shortWindowHours = 24, shortWindowResidents = 3, longWindowDays = 7 })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(settings.GetRawText(), (await residents.GetJson(url)).GetRawText());

        var saved = await (await residents.PutJson(url, good)).Expect(HttpStatusCode.OK);
        Assert.Equal(4, saved.GetProperty("shortWindowResidents").GetInt32());
        Assert.Equal(14, (await (await app.ClientFor("tenant")).GetJson(url)).GetProperty("longWindowDays").GetInt32());
        await (await residents.PutJson(url, new { shortWindowHours = 24, shortWindowResidents = 3, longWindowDays = 7, longWindowResidents = 5 }))
            .Expect(HttpStatusCode.OK);

        await (await (await app.ClientFor("property")).GetAsync("/v1/communities/1/hotspots?limit=0")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("property")).GetAsync("/v1/communities/1/hotspots?after=abc")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AQuietCornerBelowTheThresholdsTakesNoUnitOfWorkOnLaterRuns()
    {
        // One resident's parking report in building 2: no hotspot to join, no threshold reached. Before,
        // every run opened (and committed) a unit of work for it, every minute, for every such corner.
        await RepairTestKit.Report(await Resident(14), new { category = "parking", description = "2号楼门口车停得乱", commonArea = "2号楼门口", buildingId = 2 });
        await Sweep();

        using var metrics = new WriterMetrics(app.Service<Database>());
        Assert.Equal(0, await Sweep());

        Assert.Equal(0, metrics["cc.db.writer.units"]);
        Assert.Null(await HotspotOf("parking", "2号楼"));
    }
}

/// <summary>The radar on the real in-process Hangfire server.</summary>
public sealed class HotspotRadarEndToEndTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AHotspotIsRaisedWhenTheRecurringRadarIsTriggered()
    {
        for (var i = 0; i < 3; i++)
        {
            var resident = await app.ClientFor($"radar-e2e-{i}", communityId: 1, role: "resident", unitId: 31 + i);
            await RepairTestKit.Report(resident, new { category = "access", description = "5号楼门禁坏了", commonArea = "5号楼大门", buildingId = 4 });
        }
        await app.Service<IntakeAnalyser>().WhenReady;
        ((IRecurringJobManagerV2)app.Service<IRecurringJobManager>()).TriggerJob(RecurringJobSchedule.HotspotRadar);
        var count = await TestClock.PollAsync(async () =>
        {
            await using var connection = app.Connection();
            return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM hotspots WHERE category = 'access';");
        }, count => count > 0, TimeSpan.FromSeconds(90));
        var failed = app.Service<JobStorage>().GetMonitoringApi().FailedJobs(0, 10);
        Assert.True(count == 1, string.Join("\n", failed.Select(f => $"{f.Value.Job?.Type.Name}: {f.Value.ExceptionMessage} {f.Value.ExceptionDetails}")));
    }

}
