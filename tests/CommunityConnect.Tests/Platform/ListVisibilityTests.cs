using System.Net;
using System.Text.Json;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// A community with a realistic mix of items (repairs in units and common areas, opinions named and
/// anonymous, public and private, a praise, proposals, a held thread, escalated and transferred
/// cases) and a caller of every role: each list shows only what its item route opens to that
/// caller, and the lists that share their item's rule show exactly that.
/// </summary>
public sealed class ListVisibilityTests(ListVisibilityTests.Community app) : IClassFixture<ListVisibilityTests.Community>
{
    public static readonly string[] Everyone = ["resident", "tenant", "property", "technician", "owners", "residents", "secretary", "street", "resident2"];

    /// <summary>The mix, written once for the class through the api as its users would.</summary>
    public sealed class Community : CommunityApp
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var resident = await ClientFor("resident");
            var tenant = await ClientFor("tenant");
            var property = await ClientFor("property");
            var owners = await ClientFor("owners");
            var secretary = await ClientFor("secretary");
            var resident2 = await ClientFor("resident2");

            // Before the clocks run out: items whose cases will climb one rung.
            await RepairTestKit.Report(resident, new { category = "water", description = "卫生间天花板渗水", unitId = await RepairTestKit.UnitOf(resident) });
            await resident.PostOpinion("complaint", "property_service", "物业费涨了服务没跟上", anonymous: true, visibility: "private");
            await tenant.PostOpinion("suggestion", "community_life", "周末办个旧物交换");
            await resident.PostThread(new { kind = "proposal", title = "西侧空地改停车位", body = "缓解停车难", category = "parking" });
            await RepairTestKit.Report(resident2, new { category = "elevator", description = "电梯异响", commonArea = "2号楼电梯", buildingId = await BuildingOf(2) }, communityId: 2);
            Clock.Advance(TimeSpan.FromDays(3));
            await Service<EscalationSweepJob>().RunAsync(CancellationToken.None);

            // Fresh items, one of them transferred, one answered.
            await RepairTestKit.ReportCommonArea(tenant);
            var parking = await tenant.PostOpinion("complaint", "parking", "邻居长期占用我的车位", visibility: "private");
            await (await property.PostJson($"/v1/cases/{parking.GetProperty("caseId").GetInt64()}/transfer",
                new { toBody = "residents_committee", reason = "车位纠纷属于邻里矛盾" })).Expect(HttpStatusCode.OK);
            var litter = await resident.PostOpinion("complaint", "sanitation", "垃圾房满溢", anonymous: true);
            await property.Answer(litter.Id(), "已增加清运一次。");
            await tenant.PostOpinion("question", "pets", "可以养大型犬吗?", anonymous: true);
            await tenant.PostOpinion("praise", "security", "保安大叔帮我找回了钱包", toBody: "property");
            await tenant.PostThread(new { kind = "proposal", title = "维修基金公开账目", body = "每季度公示", category = "funds" });
            await owners.PostDiscussion("业主大会筹备");
            await resident2.PostOpinion("complaint", "greenery", "绿化带被占", communityId: 2);

            // A thread held for review, and an adopted proposal with its project.
            await (await secretary.PutJson("/v1/communities/1/moderation/words",
                new { words = new[] { new { text = "传销", level = "review" } } })).Expect(HttpStatusCode.OK);
            var held = await tenant.PostDiscussion("有人在小区里搞传销");
            Assert.Equal("pending", held.Text("reviewState"));
            var proposal = await resident.PostThread(new { kind = "proposal", title = "增设充电桩", body = "飞线充电太危险", category = "electric" });
            await (await (await ClientFor("residents")).PostJson($"/v1/threads/{proposal.Id()}/adopt", new { })).Expect(HttpStatusCode.Created);
        }

        private async Task<long> BuildingOf(long communityId)
        {
            await using var connection = Connection();
            return await connection.ExecuteScalarAsync<long>("SELECT MIN(id) FROM buildings WHERE community_id = @communityId;", new { communityId });
        }

        public async Task<IReadOnlyList<long>> IdsAsync(string sql)
        {
            await using var connection = Connection();
            return (await connection.QueryAsync<long>(sql)).ToList();
        }
    }

    /// <summary>Every item of a list, following <c>next</c> with small pages; null when the list answers 403 or 404.</summary>
    private static async Task<List<JsonElement>?> AllPagesAsync(HttpClient client, string url)
    {
        var items = new List<JsonElement>();
        string? next = null;
        do
        {
            var response = await client.GetAsync($"{url}{(url.Contains('?') ? '&' : '?')}limit=3{(next is null ? "" : $"&after={next}")}");
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                await response.ExpectProblem(response.StatusCode);
                return null;
            }
            var page = await response.Expect(HttpStatusCode.OK);
            items.AddRange(page.GetProperty("items").EnumerateArray());
            next = page.GetProperty("next").GetString();
        }
        while (next is not null);
        return items;
    }

    private static async Task<bool> OpensAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            await response.ExpectProblem(HttpStatusCode.NotFound);
            return false;
        }
        await response.Expect(HttpStatusCode.OK);
        return true;
    }

    private async Task<HashSet<long>> OpenableAsync(HttpClient client, IEnumerable<long> ids, string itemUrl)
    {
        var open = new HashSet<long>();
        foreach (var id in ids)
        {
            if (await OpensAsync(client, string.Format(itemUrl, id)))
            {
                open.Add(id);
            }
        }
        return open;
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task TheCaseQueueListsExactlyTheCasesTheCallerMayOpen(string handle)
    {
        var client = await app.ClientFor(handle);
        var queue = await AllPagesAsync(client, "/v1/communities/1/cases");
        var openable = await OpenableAsync(client, await app.IdsAsync("SELECT id FROM cases ORDER BY id;"), "/v1/cases/{0}");
        if (queue is null)
        {
            // Residents have no queue (403); another community's member does not see the community (404).
            Assert.Contains(handle, new[] { "resident", "tenant", "resident2" });
            return;
        }
        var listed = queue.Select(c => c.Id()).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        // Every case listed opens, and every case of the community that opens is listed.
        var community1 = (await app.IdsAsync("SELECT id FROM cases WHERE community_id = 1;")).ToHashSet();
        Assert.Equal(openable.Where(community1.Contains).Order(), listed.Order());
    }

    [Fact]
    public async Task TheMixHasWhatTheQueueTestNeeds()
    {
        // Escalated (level 1), transferred, anonymous and answered cases, and cases the property company never had.
        var cases = await AllPagesAsync(await app.ClientFor("secretary"), "/v1/communities/1/cases");
        Assert.NotNull(cases);
        Assert.Contains(cases, c => c.GetProperty("escalationLevel").GetInt32() == 1);
        Assert.Contains(cases, c => c.Text("kind") == "repair");
        Assert.Contains(cases, c => c.Text("kind") == "proposal");
        Assert.Contains(cases, c => c.Text("kind") == "question");
        Assert.True(await app.IdsAsync("SELECT case_id FROM case_history WHERE event = 'transferred';") is { Count: > 0 });
        var property = await AllPagesAsync(await app.ClientFor("property"), "/v1/communities/1/cases");
        Assert.True(property!.Count < cases.Count, "the property company must not see every case");
        Assert.Equal(cases.Count, (await AllPagesAsync(await app.ClientFor("street"), "/v1/communities/1/cases"))!.Count);
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task TheRepairListListsExactlyTheTicketsTheCallerMayOpen(string handle)
    {
        var client = await app.ClientFor(handle);
        var list = await AllPagesAsync(client, "/v1/communities/1/repairs");
        var openable = await OpenableAsync(client, await app.IdsAsync("SELECT id FROM repair_tickets WHERE community_id = 1;"), "/v1/repairs/{0}");
        if (list is null)
        {
            Assert.Equal("resident2", handle);
            Assert.Empty(openable);
            return;
        }
        Assert.Equal(openable.Order(), list.Select(t => t.Id()).Order());
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task TheOpinionListListsExactlyTheOpinionsTheCallerMayOpen(string handle)
    {
        var client = await app.ClientFor(handle);
        var list = await AllPagesAsync(client, "/v1/communities/1/opinions");
        var agreed = await AllPagesAsync(client, "/v1/communities/1/opinions?sort=agreed");
        var openable = await OpenableAsync(client, await app.IdsAsync("SELECT id FROM opinions WHERE community_id = 1;"), "/v1/opinions/{0}");
        if (list is null)
        {
            Assert.Equal("resident2", handle);
            Assert.Empty(openable);
            return;
        }
        Assert.Equal(openable.Order(), list.Select(o => o.Id()).Order());
        Assert.Equal(openable.Order(), agreed!.Select(o => o.Id()).Order());
        // The caller's own opinions, anonymous ones included, open too (in every community).
        foreach (var mine in (await AllPagesAsync(client, "/v1/me/opinions"))!)
        {
            Assert.True(await OpensAsync(client, $"/v1/opinions/{mine.Id()}"), $"{handle}: own opinion {mine.Id()}");
        }
    }

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task EveryOtherListShowsOnlyWhatItsItemRouteOpens(string handle)
    {
        var client = await app.ClientFor(handle);
        foreach (var community in new[] { 1, 2 })
        {
            foreach (var thread in await AllPagesAsync(client, $"/v1/communities/{community}/threads") ?? [])
            {
                Assert.True(await OpensAsync(client, $"/v1/threads/{thread.Id()}"), $"{handle}: thread {thread.Id()}");
            }
            foreach (var project in await AllPagesAsync(client, $"/v1/communities/{community}/projects") ?? [])
            {
                Assert.True(await OpensAsync(client, $"/v1/projects/{project.Id()}"), $"{handle}: project {project.Id()}");
            }
            foreach (var held in await AllPagesAsync(client, $"/v1/communities/{community}/moderation/queue") ?? [])
            {
                var url = held.Text("kind") == "thread" ? $"/v1/threads/{held.Id()}" : $"/v1/threads/{held.GetProperty("threadId").GetInt64()}";
                Assert.True(await OpensAsync(client, url), $"{handle}: held {held.Text("kind")} {held.Id()}");
            }
        }
        foreach (var escalation in await AllPagesAsync(client, "/v1/streets/1/escalations") ?? [])
        {
            Assert.True(await OpensAsync(client, $"/v1/cases/{escalation.GetProperty("caseId").GetInt64()}"), $"{handle}: escalated case");
        }
        foreach (var notice in (await AllPagesAsync(client, "/v1/me/inbox"))!)
        {
            await (await client.PostJson($"/v1/me/inbox/{notice.Id()}/read", new { })).Expect(HttpStatusCode.OK);
        }
        // The held thread is in the queue of the moderators and the street admin, and opens for them.
        if (handle is "secretary" or "street")
        {
            var queue = (await AllPagesAsync(client, "/v1/communities/1/moderation/queue"))!;
            Assert.Contains(queue, q => q.Text("kind") == "thread");
        }
    }

    public static TheoryData<string> Roles()
    {
        var data = new TheoryData<string>();
        foreach (var handle in Everyone)
        {
            data.Add(handle);
        }
        return data;
    }
}
