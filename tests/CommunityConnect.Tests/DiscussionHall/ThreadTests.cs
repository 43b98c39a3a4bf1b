using System.Net;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;

namespace CommunityConnect.Tests.DiscussionHall;

public sealed class ThreadTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AMemberPostsAThreadAndStaffShowTheirRole()
    {
        var resident = await app.ClientFor("resident");
        var thread = await resident.PostDiscussion("小区里能不能多放几张长椅?", "老人散步走累了没地方坐。");
        Assert.Equal("discussion", thread.Text("kind"));
        Assert.Equal("张桂英", thread.GetProperty("author").Text("displayName"));
        Assert.Equal("业主", thread.GetProperty("author").Text("role"));
        Assert.Equal("published", thread.Text("reviewState"));
        Assert.Equal("open", thread.Text("state"));
        Assert.False(thread.GetProperty("pinned").GetBoolean());
        Assert.False(thread.GetProperty("locked").GetBoolean());
        Assert.True(thread.GetProperty("followedByMe").GetBoolean()); // the author follows their own thread

        var committee = await app.ClientFor("residents");
        var notice = await committee.PostDiscussion("本周六社区义诊", "上午九点在活动室,欢迎居民参加。");
        Assert.Equal("居委会", notice.GetProperty("author").Text("role"));
        var property = await (await app.ClientFor("property")).PostDiscussion("电梯年检通知", "下周二 3 号楼电梯年检,停运半天。");
        Assert.Equal("物业", property.GetProperty("author").Text("role"));

        var fetched = await resident.GetJson($"/v1/threads/{thread.Id()}");
        Assert.Equal("老人散步走累了没地方坐。", fetched.Text("body"));
    }

    [Fact]
    public async Task AnotherCommunitysThreadIsNotFoundAndTheStreetOfficeReadsButDoesNotPost()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("垃圾箱房的味道");
        var outsider = await app.ClientFor("resident2");
        await (await outsider.GetAsync($"/v1/threads/{thread.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync($"/v1/threads/{thread.Id()}/replies")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "我们小区也是" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PutAsync($"/v1/threads/{thread.Id()}/support", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/communities/1/threads")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "串门", body = "你好" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/threads/99999999")).ExpectProblem(HttpStatusCode.NotFound);

        var street = await app.ClientFor("street");
        var seen = await street.GetJson($"/v1/threads/{thread.Id()}");
        Assert.Equal(thread.Id(), seen.Id());
        var feed = await street.GetJson("/v1/communities/1/threads?limit=100");
        Assert.Contains(feed.GetProperty("items").EnumerateArray(), t => t.Id() == thread.Id());
        await (await street.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "街道通知", body = "..." })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "街道已关注" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.PutAsync($"/v1/threads/{thread.Id()}/support", null)).ExpectProblem(HttpStatusCode.Forbidden);
    }

    public static TheoryData<string, object> BadThreads => new()
    {
        { "title", new { kind = "discussion", title = "", body = "正文" } },
        { "title", new { kind = "discussion", title = "   ", body = "正文" } },
        { "title", new { kind = "discussion", title = new string('长', 61), body = "正文" } },
        { "title", new { kind = "discussion", title = string.Concat(Enumerable.Repeat("👍🏽", 61)), body = "正文" } },
        { "body", new { kind = "discussion", title = "标题", body = new string('字', 2001) } },
        { "body", new { kind = "discussion", title = "标题" } },
        { "kind", new { kind = "poll", title = "标题", body = "正文" } },
        { "deadline", new { kind = "solicitation", title = "征集意见", body = "正文" } },
        { "deadline", new { kind = "solicitation", title = "征集意见", body = "正文", deadline = TestClock.Start.AddDays(-1) } },
        { "deadline", new { kind = "discussion", title = "标题", body = "正文", deadline = TestClock.Start.AddDays(1) } },
        { "volunteerCap", new { kind = "volunteer", title = "招募志愿者", body = "正文" } },
        { "volunteerCap", new { kind = "volunteer", title = "招募志愿者", body = "正文", volunteerCap = 0 } },
        { "category", new { kind = "proposal", title = "增设充电桩", body = "正文" } },
        { "category", new { kind = "proposal", title = "增设充电桩", body = "正文", category = "unicorns" } },
    };

    [Theory]
    [MemberData(nameof(BadThreads))]
    public async Task BadThreadsAreRefusedNamingTheField(string field, object body)
    {
        var problem = await (await (await app.ClientFor("tenant")).PostJson("/v1/communities/1/threads", body)).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"expected an error for {field}: {problem}");
    }

    [Fact]
    public async Task TitlesAreCountedInTextElements()
    {
        var tenant = await app.ClientFor("tenant");
        // 60 emoji with skin-tone modifiers (120 UTF-16 pairs) are 60 characters as a reader counts them.
        var sixtyEmoji = string.Concat(Enumerable.Repeat("👍🏽", 60));
        var thread = await tenant.PostDiscussion(sixtyEmoji, new string('字', 2000));
        Assert.Equal(sixtyEmoji, thread.Text("title"));
        await tenant.PostDiscussion(new string('长', 60));

        var feed = await tenant.GetJson("/v1/communities/1/threads?limit=100");
        var card = feed.GetProperty("items").EnumerateArray().Single(t => t.Id() == thread.Id());
        Assert.Equal(new string('字', 120), card.Text("excerpt"));
    }

    [Fact]
    public async Task SupportsAreIdempotentAndCountedOnTheThreadAndReplies()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("楼道堆物要不要清理?");
        var tenant = await app.ClientFor("tenant");
        var url = $"/v1/threads/{thread.Id()}/support";
        await (await tenant.PutAsync(url, null)).Expect(HttpStatusCode.NoContent);
        await (await tenant.PutAsync(url, null)).Expect(HttpStatusCode.NoContent);
        var seen = await tenant.GetJson($"/v1/threads/{thread.Id()}");
        Assert.Equal(1, seen.GetProperty("supportCount").GetInt32());
        Assert.True(seen.GetProperty("supportedByMe").GetBoolean());
        Assert.False((await (await app.ClientFor("resident")).GetJson($"/v1/threads/{thread.Id()}")).GetProperty("supportedByMe").GetBoolean());

        await (await tenant.DeleteAsync(url)).Expect(HttpStatusCode.NoContent);
        await (await tenant.DeleteAsync(url)).Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (await tenant.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("supportCount").GetInt32());

        var reply = await tenant.PostReply(thread.Id(), "支持清理,消防通道要畅通。");
        var residents = await app.ClientFor("residents");
        await (await residents.PutAsync($"/v1/replies/{reply.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        await (await residents.PutAsync($"/v1/replies/{reply.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        var replies = await residents.GetJson($"/v1/threads/{thread.Id()}/replies");
        var listed = replies.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(1, listed.GetProperty("supportCount").GetInt32());
        Assert.True(listed.GetProperty("supportedByMe").GetBoolean());
        await (await residents.DeleteAsync($"/v1/replies/{reply.Id()}/support")).Expect(HttpStatusCode.NoContent);
        Assert.Equal(0, (await residents.GetJson($"/v1/threads/{thread.Id()}/replies")).GetProperty("items")[0].GetProperty("supportCount").GetInt32());
        await (await residents.PutAsync("/v1/replies/99999999/support", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).PutAsync($"/v1/replies/{reply.Id()}/support", null)).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RepliesComeOldestFirstAndAnswerOnlyRepliesOfTheSameThread()
    {
        var resident = await app.ClientFor("resident");
        var thread = await resident.PostDiscussion("快递柜放哪里合适?");
        var other = await resident.PostDiscussion("另一个话题");
        var otherReply = await resident.PostReply(other.Id(), "无关的回复");
        var tenant = await app.ClientFor("tenant");
        var first = await tenant.PostReply(thread.Id(), "放在大门口");
        var second = await resident.PostReply(thread.Id(), "大门口太挤了", replyTo: first.Id());
        Assert.Equal(first.Id(), second.GetProperty("replyTo").GetInt64());
        Assert.Equal("业主", second.GetProperty("author").Text("role"));
        await tenant.PostReply(thread.Id(), "那就放 5 号楼旁边");

        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "串楼了", replyTo = otherReply.Id() })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = new string('长', 2001) })).ExpectProblem(HttpStatusCode.BadRequest);

        var page1 = await tenant.GetJson($"/v1/threads/{thread.Id()}/replies?limit=2");
        var page2 = await tenant.GetJson($"/v1/threads/{thread.Id()}/replies?limit=2&after={page1.Text("next")}");
        var ids = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Select(r => r.Id()).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(JsonValueKindNull, page2.GetProperty("next").ValueKind);
        Assert.Equal(3, (await tenant.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("replyCount").GetInt32());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task FollowersButNotTheReplierGetAnInboxNoticeOnEachReply()
    {
        var author = await app.ClientFor("follow-author", communityId: 1, role: "resident", unitId: 7);
        var follower = await app.ClientFor("follow-follower", communityId: 1, role: "resident", unitId: 8);
        var replier = await app.ClientFor("follow-replier", communityId: 1, role: "resident", unitId: 9);
        var thread = await author.PostDiscussion("晚上广场舞音量太大");
        await (await follower.PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
        await (await follower.PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
        Assert.True((await follower.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("followedByMe").GetBoolean());

        await replier.PostReply(thread.Id(), "建议九点以后停止");
        bool IsReplyNotice(System.Text.Json.JsonElement n) =>
            n.Text("kind") == "thread_reply" && n.GetProperty("itemId").GetInt64() == thread.Id();
        Assert.Single(await follower.Inbox(), IsReplyNotice);
        Assert.Single(await author.Inbox(), IsReplyNotice);
        Assert.DoesNotContain(await replier.Inbox(), IsReplyNotice);

        // The author replying does not notify the author; unfollowing stops the notices.
        await author.PostReply(thread.Id(), "同意");
        Assert.Single(await author.Inbox(), IsReplyNotice);
        Assert.Equal(2, (await follower.Inbox()).Count(IsReplyNotice));
        await (await follower.DeleteAsync($"/v1/threads/{thread.Id()}/follow")).Expect(HttpStatusCode.NoContent);
        await (await follower.DeleteAsync($"/v1/threads/{thread.Id()}/follow")).Expect(HttpStatusCode.NoContent);
        await replier.PostReply(thread.Id(), "再补充一句");
        Assert.Equal(2, (await follower.Inbox()).Count(IsReplyNotice));
        Assert.Equal(2, (await author.Inbox()).Count(IsReplyNotice));
    }

    [Fact]
    public async Task ALockedThreadTakesNoRepliesOrSupports()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("争吵太多,已锁定");
        // Moderation (next issue) locks; here the row is set directly.
        await app.Service<Database>().WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE threads SET locked = 1 WHERE id = @id;", new { id = thread.Id() }, transaction));
        var tenant = await app.ClientFor("tenant");
        await (await tenant.PostJson($"/v1/threads/{thread.Id()}/replies", new { body = "我还想说" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await tenant.PutAsync($"/v1/threads/{thread.Id()}/support", null)).ExpectProblem(HttpStatusCode.Conflict);
        Assert.True((await tenant.GetJson($"/v1/threads/{thread.Id()}")).GetProperty("locked").GetBoolean());
        await (await tenant.PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task ACreatingPostWithAnIdempotencyKeyCreatesOneThread()
    {
        var tenant = await app.ClientFor("tenant");
        async Task<HttpResponseMessage> Send()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/communities/1/threads")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { kind = "discussion", title = "重发测试", body = "网络不好" }),
            };
            request.Headers.Add("Idempotency-Key", "hall-resend-1");
            return await tenant.SendAsync(request);
        }
        var first = await (await Send()).Expect(HttpStatusCode.Created);
        var again = await (await Send()).Expect(HttpStatusCode.Created);
        Assert.Equal(first.Id(), again.Id());
    }
}
