using System.Net;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.DiscussionHall;
using Hangfire;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.DiscussionHall;

public sealed class SolicitationTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task ASolicitationClosesAtItsDeadlineRefusesRepliesAndShowsItsSummary()
    {
        var committee = await app.ClientFor("residents");
        var thread = await committee.PostThread(new
        {
            kind = "solicitation",
            title = "小区文明公约修订意见征集",
            body = "请大家对新版文明公约提出意见,本周五截止。",
            category = "community_life",
            deadline = app.Clock.GetUtcNow().AddHours(2),
        });
        var threadId = thread.Id();
        Assert.Equal("居委会", thread.GetProperty("author").Text("role"));
        Assert.Equal(JsonValueKindNull, thread.GetProperty("summary").ValueKind);

        var resident = await app.ClientFor("resident");
        var tenant = await app.ClientFor("tenant");
        var neighbour = await app.ClientFor("solicit-neighbour", communityId: 1, role: "resident", unitId: 15);
        var first = await resident.PostReply(threadId, "建议加上宠物拴绳的条款。");
        var second = await tenant.PostReply(threadId, "高空抛物要写进去。");
        await resident.PostReply(threadId, "再补充:电瓶车不进楼道。");
        var fourth = await neighbour.PostReply(threadId, "同意以上几条。");
        foreach (var client in new[] { tenant, neighbour, committee })
        {
            await (await client.PutAsync($"/v1/replies/{second.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        }
        foreach (var client in new[] { neighbour, committee })
        {
            await (await client.PutAsync($"/v1/replies/{fourth.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        }
        await (await tenant.PutAsync($"/v1/replies/{first.Id()}/support", null)).Expect(HttpStatusCode.NoContent);
        await (await tenant.PutAsync($"/v1/threads/{threadId}/support", null)).Expect(HttpStatusCode.NoContent);
        await (await neighbour.PutAsync($"/v1/threads/{threadId}/follow", null)).Expect(HttpStatusCode.NoContent);

        app.Clock.Advance(TimeSpan.FromHours(2));
        // From the deadline on, replies are refused even before the job has run.
        await (await tenant.PostJson($"/v1/threads/{threadId}/replies", new { body = "还来得及吗?" })).ExpectProblem(HttpStatusCode.Conflict);

        var job = app.Service<CloseDueSolicitationsJob>();
        await job.RunAsync(CancellationToken.None);
        Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // nothing left to close the second time

        await (await tenant.PostJson($"/v1/threads/{threadId}/replies", new { body = "还来得及吗?" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await tenant.PutAsync($"/v1/replies/{fourth.Id()}/support", null)).ExpectProblem(HttpStatusCode.Conflict);
        var closed = await tenant.GetJson($"/v1/threads/{threadId}");
        Assert.Equal("closed", closed.Text("state"));
        var summary = closed.GetProperty("summary");
        Assert.Equal(4, summary.GetProperty("replyCount").GetInt32());
        Assert.Equal(3, summary.GetProperty("participantCount").GetInt32());
        Assert.Equal(1, summary.GetProperty("supportCount").GetInt32());
        var top = summary.GetProperty("topReplies").EnumerateArray().ToList();
        Assert.Equal([second.Id(), fourth.Id(), first.Id()], top.Select(r => r.Id()));
        Assert.Equal(3, top[0].GetProperty("supportCount").GetInt32());

        // Followers (the author and the neighbour) hear once that it closed, however often the job runs.
        await job.RunAsync(CancellationToken.None);
        Assert.Single(await neighbour.Inbox(), n => n.Text("kind") == "solicitation_closed" && n.GetProperty("itemId").GetInt64() == threadId);
        Assert.Single(await committee.Inbox(), n => n.Text("kind") == "solicitation_closed" && n.GetProperty("itemId").GetInt64() == threadId);
    }

    [Fact]
    public async Task AnOpenSolicitationIsLeftAloneByTheJob()
    {
        var thread = await (await app.ClientFor("residents")).PostThread(new
        {
            kind = "solicitation", title = "健身器材更新意见", body = "换哪些器材?", deadline = app.Clock.GetUtcNow().AddDays(3),
        });
        await app.Service<CloseDueSolicitationsJob>().RunAsync(CancellationToken.None);
        var tenant = await app.ClientFor("tenant");
        Assert.Equal("open", (await tenant.GetJson($"/v1/threads/{thread.Id()}")).Text("state"));
        await tenant.PostReply(thread.Id(), "想要一个乒乓球台。");
    }

    [Fact]
    public async Task TheClosingJobRunsEveryMinute()
    {
        await app.CreateClient().GetAsync("/healthz");
        using var connection = app.Service<JobStorage>().GetConnection();
        var job = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection),
            j => j.Id == RecurringJobSchedule.CloseDueSolicitations);
        Assert.Equal(Cron.Minutely(), job.Cron);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
