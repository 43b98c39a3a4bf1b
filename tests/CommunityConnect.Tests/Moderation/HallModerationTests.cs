using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Moderation;

public sealed class HallModerationTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static object Discussion(string title, string body = "大家怎么看?") => new { kind = "discussion", title, body };

    private async Task<bool> InFeed(HttpClient client, long threadId)
    {
        var feed = await client.GetJson("/v1/communities/1/threads?limit=100");
        return feed.GetProperty("items").EnumerateArray().Any(t => t.Id() == threadId);
    }

    [Fact]
    public async Task ABlockedWordIsRefusedWithoutNamingTheWord()
    {
        var tenant = await app.ClientFor("tenant");
        var response = await tenant.PostJson("/v1/communities/1/threads", Discussion("物业都是一群傻 * 逼"));
        var problem = await response.ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain("傻", problem.ToString());
        Assert.DoesNotContain("逼", problem.ToString());
        var reply = await (await app.ClientFor("resident")).PostDiscussion("今晚小区停电了吗");
        await (await tenant.PostJson($"/v1/threads/{reply.Id()}/replies", new { body = "傻．逼物业" })).ExpectProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task AReviewWordHoldsThePostForItsAuthorModeratorsAndTheStreetOnly()
    {
        var tenant = await app.ClientFor("tenant");
        var held = await (await tenant.PostJson("/v1/communities/1/threads", Discussion("闲置家具转让", "有意者加 微 信 详聊"))).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", held.Text("reviewState"));
        var url = $"/v1/threads/{held.Id()}";
        await (await tenant.GetAsync(url)).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("secretary")).GetAsync(url)).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("street")).GetAsync(url)).Expect(HttpStatusCode.OK);
        var resident = await app.ClientFor("resident");
        await (await resident.GetAsync(url)).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.PostJson($"{url}/replies", new { body = "我要" })).ExpectProblem(HttpStatusCode.NotFound);
        Assert.False(await InFeed(resident, held.Id()));

        var secretary = await app.ClientFor("secretary");
        var queue = await secretary.GetJson("/v1/communities/1/moderation/queue?limit=100");
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), q => q.Text("kind") == "thread" && q.Id() == held.Id());
        var approved = await (await secretary.PostJson($"{url}/approve", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal("published", approved.Text("reviewState"));
        await (await resident.GetAsync(url)).Expect(HttpStatusCode.OK);
        Assert.True(await InFeed(resident, held.Id()));
        await (await secretary.PostJson($"{url}/approve", new { })).ExpectProblem(HttpStatusCode.Conflict);

        var log = await secretary.GetJson("/v1/communities/1/moderation/log?limit=100");
        Assert.Contains(log.GetProperty("items").EnumerateArray(), e => e.Text("action") == "approve" && e.GetProperty("targetId").GetInt64() == held.Id());
    }

    [Fact]
    public async Task TheQueueIsPagedOldestFirst()
    {
        var tenant = await app.ClientFor("tenant");
        var first = await (await tenant.PostJson("/v1/communities/1/threads", Discussion("二手自行车出售", "要的加微信"))).Expect(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var second = await (await tenant.PostJson("/v1/communities/1/threads", Discussion("二手婴儿车出售", "要的加微信"))).Expect(HttpStatusCode.Created);
        var secretary = await app.ClientFor("secretary");
        var seen = new List<long>();
        string? next = null;
        do
        {
            var page = await secretary.GetJson("/v1/communities/1/moderation/queue?limit=1" + (next is null ? "" : $"&after={next}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Where(q => q.Text("kind") == "thread").Select(q => q.Id()));
            next = page.GetProperty("next").GetString();
        }
        while (next is not null);
        Assert.True(seen.IndexOf(first.Id()) < seen.IndexOf(second.Id()));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        await (await secretary.GetAsync("/v1/communities/1/moderation/queue?after=bogus")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AHeldReplyIsNotCountedUntilApproved()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("旧衣物回收箱放哪里好");
        var tenant = await app.ClientFor("tenant");
        var reply = await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "放门口,顺便刷单赚钱" })).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", reply.Text("reviewState"));
        Assert.Equal(0, (await tenant.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("replyCount").GetInt32());
        var othersSee = await (await app.ClientFor("owners")).GetJson($"/v1/threads/{thread.Id()}/replies");
        Assert.Empty(othersSee.GetProperty("items").EnumerateArray());
        var authorSees = await tenant.GetJson($"/v1/threads/{thread.Id()}/replies");
        Assert.Single(authorSees.GetProperty("items").EnumerateArray());

        await (await (await app.ClientFor("secretary")).PostJson($"/v1/replies/{reply.Id()}/approve", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (await tenant.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("replyCount").GetInt32());
        var inbox = await (await app.ClientFor("resident")).GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.Text("kind") == "thread_reply" && n.GetProperty("itemId").GetInt64() == thread.Id());
    }

    [Fact]
    public async Task PreReviewHoldsEveryNewThread()
    {
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = true })).Expect(HttpStatusCode.OK);
        try
        {
            var held = await (await (await app.ClientFor("tenant")).PostJson("/v1/communities/1/threads", Discussion("周末一起打羽毛球"))).Expect(HttpStatusCode.Created);
            Assert.Equal("pending", held.Text("reviewState"));
            await (await (await app.ClientFor("owners")).GetAsync($"/v1/threads/{held.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        }
        finally
        {
            await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = false })).Expect(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task AHeldProposalBecomesACaseOnlyWhenApproved()
    {
        var held = await (await (await app.ClientFor("tenant")).PostJson("/v1/communities/1/threads",
            new { kind = "proposal", title = "楼道里装监控", body = "有意者加微信一起凑钱", category = "security" })).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", held.Text("reviewState"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, held.GetProperty("caseId").ValueKind);
        // Not published, so not yet decidable: neither adopted nor declined (and nothing half-written).
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PostJson($"/v1/threads/{held.Id()}/adopt", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PostJson($"/v1/threads/{held.Id()}/decline", new { reason = "先审核" })).ExpectProblem(HttpStatusCode.Conflict);

        var approved = await (await (await app.ClientFor("secretary")).PostJson($"/v1/threads/{held.Id()}/approve", new { })).Expect(HttpStatusCode.OK);
        var caseId = approved.GetProperty("caseId").GetInt64();
        var detail = await (await app.ClientFor("residents")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("residents_committee", detail.Text("responsibleBody"));
        Assert.Equal("proposal", detail.Text("kind"));
    }

    [Fact]
    public async Task ThreeFlagsFromDifferentMembersHideAThreadPendingReview()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("卖保健品,包治百病");
        var url = $"/v1/threads/{thread.Id()}/flags";
        var first = await app.ClientFor("flagger-1", communityId: 1, role: "resident", unitId: 1);
        var receipt = await (await first.PostJson(url, new { reason = "false_information" })).Expect(HttpStatusCode.Created);
        Assert.False(receipt.GetProperty("hidden").GetBoolean());
        await (await first.PostJson(url, new { reason = "spam" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await first.PostJson(url, new { reason = "boring" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("street")).PostJson(url, new { reason = "spam" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson(url, new { reason = "spam" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("flagger-2", communityId: 1, role: "resident", unitId: 2)).PostJson(url, new { reason = "spam" })).Expect(HttpStatusCode.Created);
        var third = await (await (await app.ClientFor("flagger-3", communityId: 1, role: "resident", unitId: 3)).PostJson(url, new { reason = "spam" })).Expect(HttpStatusCode.Created);
        Assert.True(third.GetProperty("hidden").GetBoolean());
        Assert.Equal(3, third.GetProperty("flagCount").GetInt32());

        await (await first.GetAsync($"/v1/threads/{thread.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal("hidden", (await (await app.ClientFor("resident")).GetJson($"/v1/threads/{thread.Id()}")).Text("reviewState"));
        var secretary = await app.ClientFor("secretary");
        var queue = await secretary.GetJson("/v1/communities/1/moderation/queue?limit=100");
        var item = queue.GetProperty("items").EnumerateArray().Single(q => q.Text("kind") == "thread" && q.Id() == thread.Id());
        Assert.Equal("flags", item.Text("hiddenBy"));
        Assert.Equal(3, item.GetProperty("flagCount").GetInt32());
        await (await (await app.ClientFor("resident")).GetAsync("/v1/communities/1/moderation/queue")).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task RepliesOfAHiddenThreadDoNotExistForOtherMembers()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("出租车位,价格面议");
        var reply = await (await app.ClientFor("owners")).PostReply(thread.Id(), "多少钱一个月?");
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PostJson($"/v1/threads/{thread.Id()}/hide", new { reason = "请到二手交易群发布" })).Expect(HttpStatusCode.OK);
        var tenant = await app.ClientFor("tenant");
        await (await tenant.PutAsync($"/v1/replies/{reply.Id()}/support", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await tenant.PostJson($"/v1/replies/{reply.Id()}/flags", new { reason = "spam" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await secretary.PostJson($"/v1/threads/{thread.Id()}/restore", new { })).Expect(HttpStatusCode.OK);
        await (await tenant.PutAsync($"/v1/replies/{reply.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task SlowModeHoldsWhenRepliesArriveAtOnce()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("小区游泳池开放时间");
        await (await (await app.ClientFor("secretary")).PutJson($"/v1/threads/{thread.Id()}/slow-mode", new { seconds = 300 })).Expect(HttpStatusCode.OK);
        var tenant = await app.ClientFor("tenant");
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = $"第{i}条:早上七点开门吧" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.NotNull(r.Headers.RetryAfter);
        });
    }

    [Fact]
    public async Task HideRestorePinLockAndTheirLogRows()
    {
        var author = await app.ClientFor("resident");
        var thread = await author.PostDiscussion("关于小区停车收费的讨论");
        var url = $"/v1/threads/{thread.Id()}";
        var secretary = await app.ClientFor("secretary");
        var tenant = await app.ClientFor("tenant");

        await (await tenant.PostJson($"{url}/pin", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"{url}/pin", new { })).ExpectProblem(HttpStatusCode.NotFound);

        var pinned = await (await secretary.PostJson($"{url}/pin", new { })).Expect(HttpStatusCode.OK);
        Assert.True(pinned.GetProperty("pinned").GetBoolean());
        var feed = await tenant.GetJson("/v1/communities/1/threads");
        Assert.Equal(thread.Id(), feed.GetProperty("items")[0].Id());
        await (await secretary.PostJson($"{url}/pin", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PostJson($"{url}/unpin", new { })).Expect(HttpStatusCode.OK);

        var locked = await (await secretary.PostJson($"{url}/lock", new { })).Expect(HttpStatusCode.OK);
        Assert.True(locked.GetProperty("locked").GetBoolean());
        await (await tenant.PostJson($"{url}/replies", new { body = "我有话说" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PostJson($"{url}/unlock", new { })).Expect(HttpStatusCode.OK);
        await (await tenant.PostJson($"{url}/replies", new { body = "我有话说" })).Expect(HttpStatusCode.Created);

        await (await secretary.PostJson($"{url}/hide", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PostJson($"{url}/hide", new { reason = "涉及个人隐私,请删除车牌号后重发" })).Expect(HttpStatusCode.OK);
        var seenByAuthor = await author.GetJson(url);
        Assert.Equal("hidden", seenByAuthor.Text("reviewState"));
        Assert.Equal("涉及个人隐私,请删除车牌号后重发", seenByAuthor.Text("hiddenReason"));
        await (await tenant.GetAsync(url)).ExpectProblem(HttpStatusCode.NotFound);
        await (await secretary.PostJson($"{url}/restore", new { })).Expect(HttpStatusCode.OK);
        await (await tenant.GetAsync(url)).Expect(HttpStatusCode.OK);
        await (await secretary.PostJson($"{url}/restore", new { })).ExpectProblem(HttpStatusCode.Conflict);

        var log = await secretary.GetJson("/v1/communities/1/moderation/log?limit=100");
        var actions = log.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("targetId").ValueKind == JsonValueKind.Number && e.GetProperty("targetId").GetInt64() == thread.Id())
            .Select(e => e.Text("action")).Reverse().ToList();
        Assert.Equal(["pin", "unpin", "lock", "unlock", "hide", "restore"], actions);
        var hide = log.GetProperty("items").EnumerateArray().First(e => e.Text("action") == "hide");
        Assert.Contains("周卫东", hide.Text("actor"));
        Assert.Equal("涉及个人隐私,请删除车牌号后重发", hide.Text("reason"));
    }

    [Fact]
    public async Task AnAppointedModeratorMayHideAReply()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("垃圾分类的时间能不能调整");
        var reply = await (await app.ClientFor("tenant")).PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "楼上那家天天乱扔" });
        var replyId = (await reply.Expect(HttpStatusCode.Created)).Id();
        var committee = await app.ClientFor("residents");
        await (await committee.PostJson($"/v1/replies/{replyId}/hide", new { reason = "请勿针对具体住户" })).ExpectProblem(HttpStatusCode.Forbidden);
        var committeeId = await CommunityApp.UserIdOf(committee);
        await (await (await app.ClientFor("secretary")).PutAsync($"/v1/communities/1/moderators/{committeeId}", null)).Expect(HttpStatusCode.OK);
        var hidden = await (await committee.PostJson($"/v1/replies/{replyId}/hide", new { reason = "请勿针对具体住户" })).Expect(HttpStatusCode.OK);
        Assert.Equal("hidden", hidden.Text("reviewState"));
        Assert.Equal(0, (await committee.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("replyCount").GetInt32());
        var inbox = await (await app.ClientFor("tenant")).GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.Text("kind") == "moderation_hidden" && n.Text("body").Contains("请勿针对具体住户"));
        await (await (await app.ClientFor("secretary")).DeleteAsync($"/v1/communities/1/moderators/{committeeId}")).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task SlowModeMakesAMemberWaitBetweenReplies()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("电动车充电桩装在哪");
        var url = $"/v1/threads/{thread.Id()}";
        await (await (await app.ClientFor("tenant")).PutJson($"{url}/slow-mode", new { seconds = 60 })).ExpectProblem(HttpStatusCode.Forbidden);
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PutJson($"{url}/slow-mode", new { seconds = -1 })).ExpectProblem(HttpStatusCode.BadRequest);
        var slow = await (await secretary.PutJson($"{url}/slow-mode", new { seconds = 60 })).Expect(HttpStatusCode.OK);
        Assert.Equal(60, slow.GetProperty("slowModeSeconds").GetInt32());

        var tenant = await app.ClientFor("tenant");
        await (await tenant.PostJson($"{url}/replies", new { body = "装在地下车库" })).Expect(HttpStatusCode.Created);
        var tooSoon = await tenant.PostJson($"{url}/replies", new { body = "再补充一句" });
        await tooSoon.ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.True(tooSoon.Headers.RetryAfter?.Delta?.TotalSeconds is > 0 and <= 60);
        // Another member is not held up by the tenant's reply.
        await (await (await app.ClientFor("owners")).PostJson($"{url}/replies", new { body = "同意" })).Expect(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        await (await tenant.PostJson($"{url}/replies", new { body = "再补充一句" })).Expect(HttpStatusCode.Created);
    }
}

/// <summary>WeChat's content check through the strict fake server, for a member who logged in with WeChat.</summary>
public sealed class HallContentCheckTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<HttpClient> WeChatMemberAsync(string suffix, long unitId)
    {
        var client = app.CreateClient();
        var login = await (await client.PostJson("/v1/auth/wechat-login", new { code = $"code-{suffix}" })).Expect(HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var request = await (await client.PostJson("/v1/communities/1/membership-requests", new { unitId, relation = "owner" })).Expect(HttpStatusCode.Created);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/communities/1/membership-requests/{request.Id()}/approve", new { })).Expect(HttpStatusCode.OK);
        return client;
    }

    [Fact]
    public async Task RiskyIsRefusedReviewIsHeldAndAFailureLetsThePostThrough()
    {
        var member = await WeChatMemberAsync("hall", 20);
        app.WeChat.ContentVerdict = text => text.Contains("六合彩") ? "risky" : text.Contains("代购") ? "review" : "pass";

        await (await member.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "六合彩内部消息", body = "稳赚不赔" }))
            .ExpectProblem(HttpStatusCode.UnprocessableEntity);
        var held = await (await member.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "海外代购", body = "奶粉保真" })).Expect(HttpStatusCode.Created);
        Assert.Equal("pending", held.Text("reviewState"));
        var check = app.WeChat.ContentChecks.Last();
        Assert.Equal("openid-hall", check["openid"]!.GetValue<string>());
        Assert.Equal(3, check["scene"]!.GetValue<int>());

        app.WeChat.Script("msg_sec_check", -1, -1, -1, -1);
        var passed = await (await member.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "六合彩内部消息", body = "WeChat 这次没有回答" }))
            .Expect(HttpStatusCode.Created);
        Assert.Equal("published", passed.Text("reviewState"));
    }
}

/// <summary>Per-member posting limits through the shared rate limiter (on here; tests switch it off elsewhere).</summary>
public sealed class PostingRateLimitTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["RateLimiting:Enabled"] = "true";
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task OneThreadAMinuteAndOneReplyEveryTenSecondsPerMember()
    {
        var tenant = await _app.ClientFor("tenant");
        var thread = await tenant.PostDiscussion("第一帖");
        var second = await tenant.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "第二帖", body = "太快了" });
        await second.ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.NotNull(second.Headers.RetryAfter);
        // Another member is not limited by the tenant.
        await (await _app.ClientFor("resident")).PostDiscussion("别人的帖子");

        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "第一条回复" })).Expect(HttpStatusCode.Created);
        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "第二条回复" })).ExpectProblem(HttpStatusCode.TooManyRequests);
    }
}
