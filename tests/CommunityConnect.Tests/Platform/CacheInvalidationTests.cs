using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The in-memory caches (issue 18) are read before the write that changes them and again right
/// after it: each answer after the write must already be the new one, for the writer and for
/// another member, on a real host and a real SQLite file.
/// </summary>
public sealed class CacheInvalidationTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static async Task<IReadOnlyList<JsonElement>> FirstFeedPage(HttpClient client) =>
        (await client.GetJson("/v1/communities/1/threads?limit=20")).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task ANewMembersFirstRequestAfterApprovalWorksAtOnce()
    {
        var newcomer = await app.ClientFor("cache-newcomer");
        await (await newcomer.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);
        var request = await (await newcomer.PostJson("/v1/communities/1/membership-requests", new { unitId = 8, relation = "tenant" }))
            .Expect(HttpStatusCode.Created);
        await (await newcomer.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);

        await (await (await app.ClientFor("residents")).PostJson($"/v1/communities/1/membership-requests/{request.Id()}/approve", new { }))
            .Expect(HttpStatusCode.OK);

        await (await newcomer.GetAsync("/v1/communities/1/threads")).Expect(HttpStatusCode.OK);
        await newcomer.PostDiscussion("新邻居报到", "刚搬来5号楼,请多关照");
    }

    [Fact]
    public async Task ARemovedRoleStopsWorkingAtOnce()
    {
        var member = await app.ClientFor("cache-committee", communityId: 1, role: "residents_committee");
        var memberId = await CommunityApp.UserIdOf(member);
        await (await member.GetAsync("/v1/communities/1/role-changes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await member.GetAsync("/v1/communities/1/threads")).Expect(HttpStatusCode.OK);

        await (await (await app.ClientFor("street")).DeleteAsync($"/v1/communities/1/staff/{memberId}?role=residents_committee"))
            .Expect(HttpStatusCode.NoContent);

        await (await member.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);
        await (await member.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "还能发吗", body = "试一下" }))
            .ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AWordAddedToTheListAppliesToTheNextPost()
    {
        var resident = await app.ClientFor("resident");
        var thread = await resident.PostDiscussion("小区停车", "停车位不够用");
        // The list is read (and kept) by this reply, which it lets through.
        Assert.Equal("published", (await resident.PostReply(thread.Id(), "缓存灰鸽子来了")).Text("reviewState"));

        await (await (await app.ClientFor("secretary")).PutJson("/v1/communities/1/moderation/words",
            new { words = new[] { new { text = "灰鸽子", level = "block" } } })).Expect(HttpStatusCode.OK);

        var problem = await (await resident.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "缓存灰 鸽子又来了" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain("灰鸽子", problem.GetRawText());
        await (await (await app.ClientFor("tenant")).PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "灰鸽子", body = "又来了" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task APostAndAReplyShowOnTheFirstFeedPageAtOnceForAnotherMember()
    {
        var resident = await app.ClientFor("resident");
        var tenant = await app.ClientFor("tenant");
        var older = await resident.PostDiscussion("垃圾分类时间", "早上七点到九点?");
        await FirstFeedPage(tenant);

        var newer = await resident.PostDiscussion("快递柜满了", "能不能再加一组");
        Assert.Equal(newer.Id(), (await FirstFeedPage(tenant))[0].Id());

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await resident.PostReply(older.Id(), "晚上也可以扔吗");
        var top = (await FirstFeedPage(tenant))[0];
        Assert.Equal(older.Id(), top.Id());
        Assert.Equal(1, top.GetProperty("replyCount").GetInt32());
    }

    [Fact]
    public async Task TheFirstPageKeptAsTheCallersAnswerIsTheSameAnswerUntilThePageChanges()
    {
        var tenant = await app.ClientFor("tenant");
        var resident = await app.ClientFor("resident");
        var thread = await resident.PostDiscussion("电梯年检", "下周二停梯半天");
        async Task<(string Body, string? Type)> Read(HttpClient client, string query = "")
        {
            var response = await client.GetAsync($"/v1/communities/1/threads?limit=20{query}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString());
        }

        var first = await Read(tenant);
        var again = await Read(tenant);
        Assert.Equal(first, again);
        // Written like any other page of the feed (which Ok<T> writes).
        Assert.Equal((await Read(tenant, "&kind=discussion")).Type, first.Type);
        var cards = JsonDocument.Parse(first.Body).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(thread.Id(), cards[0].Id());
        Assert.False(cards[0].GetProperty("supportedByMe").GetBoolean());

        // Another member's support changes the page: the tenant's next answer shows it, the resident's own flag stays the resident's.
        await (await resident.PutAsync($"/v1/threads/{thread.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        var after = JsonDocument.Parse((await Read(tenant)).Body).RootElement.GetProperty("items").EnumerateArray().Single(c => c.Id() == thread.Id());
        Assert.Equal(1, after.GetProperty("supportCount").GetInt32());
        Assert.False(after.GetProperty("supportedByMe").GetBoolean());
        Assert.True((await FirstFeedPage(resident)).Single(c => c.Id() == thread.Id()).GetProperty("supportedByMe").GetBoolean());
    }

    [Fact]
    public async Task SupportFlagsOnTheSharedFirstPageAreEachViewersOwn()
    {
        var resident = await app.ClientFor("resident");
        var tenant = await app.ClientFor("tenant");
        var thread = await tenant.PostDiscussion("加装充电桩", "电动车充电太难了");
        await FirstFeedPage(resident);
        await FirstFeedPage(tenant);

        await (await resident.PutAsync($"/v1/threads/{thread.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        await (await tenant.PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);

        var mine = (await FirstFeedPage(resident)).Single(c => c.Id() == thread.Id());
        var theirs = (await FirstFeedPage(tenant)).Single(c => c.Id() == thread.Id());
        Assert.Equal(1, mine.GetProperty("supportCount").GetInt32());
        Assert.Equal(1, theirs.GetProperty("supportCount").GetInt32());
        Assert.True(mine.GetProperty("supportedByMe").GetBoolean());
        Assert.False(theirs.GetProperty("supportedByMe").GetBoolean());
        // The author follows their own thread; the resident who only supported it does not.
        Assert.True(theirs.GetProperty("followedByMe").GetBoolean());
        Assert.False(mine.GetProperty("followedByMe").GetBoolean());
    }

    [Fact]
    public async Task ARoutingChangeAppliesToTheNextRepairCase()
    {
        var reporter = await app.ClientFor("resident");
        async Task<string> BodyOfNextTicket()
        {
            var ticket = await (await reporter.PostJson("/v1/communities/1/repairs",
                new { category = "greenery", description = "树枝挡住了路灯", commonArea = "3号楼南侧", buildingId = 3 })).Expect(HttpStatusCode.Created);
            return (await reporter.GetJson($"/v1/cases/{ticket.GetProperty("caseId").GetInt64()}")).Text("responsibleBody");
        }
        var before = await BodyOfNextTicket();
        var other = before == "residents_committee" ? "owners_committee" : "residents_committee";

        await (await (await app.ClientFor("residents")).PutJson("/v1/communities/1/routing",
            new { routes = new[] { new { category = "greenery", responsibleBody = other } } })).Expect(HttpStatusCode.OK);

        Assert.Equal(other, await BodyOfNextTicket());
    }

    [Fact]
    public async Task TheWritersOwnBumpsAreReadAtOnceAndOthersByARefresh()
    {
        var versions = app.Service<CommunityVersions>();
        var resident = await app.ClientFor("resident");
        await resident.PostDiscussion("版本号", "写入之后立刻可见");
        var (rules, feed) = (versions.Of(1), versions.FeedOf(1));

        await resident.PostDiscussion("版本号二", "每个帖子都会更新版本");
        Assert.Equal(rules, versions.Of(1));
        Assert.True(versions.FeedOf(1) > feed);

        // A write that does not pass through this api's writer (the admin command, a hand edit):
        // the poll reads it.
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync("INSERT INTO moderators (community_id, user_id, appointed_by, appointed_at) " +
                "SELECT 1, id, id, 0 FROM users WHERE handle = 'residents';");
        }
        await versions.RefreshAsync();
        Assert.True(versions.Of(1) > rules);
    }

    [Fact]
    public async Task AMembershipEndedByHandIsSeenByThePollerWithoutAnyWriteOfTheApi()
    {
        var member = await app.ClientFor("cache-polled", communityId: 1, role: "resident", unitId: 6);
        await (await member.GetAsync("/v1/communities/1/threads")).Expect(HttpStatusCode.OK);
        var memberId = await CommunityApp.UserIdOf(member);
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync("DELETE FROM memberships WHERE user_id = @memberId;", new { memberId });
        }
        // The host's poller runs every Caches:PollInterval (2 s by default), on real time.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await member.GetAsync("/v1/communities/1/threads")).StatusCode == HttpStatusCode.OK)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The poller did not read the hand edit within 30 s.");
            await Task.Delay(100);
        }
        await (await member.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
