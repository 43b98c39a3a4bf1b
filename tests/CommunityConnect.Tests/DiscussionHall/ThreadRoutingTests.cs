using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityConnect.Tests.DiscussionHall;

/// <summary>The routing job of the hall (issue 14 §1): hall topics reach the body that must answer them.</summary>
public sealed class ThreadRoutingTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private Task<int> Route() => app.Service<RouteHallThreadsJob>().RunAsync(CancellationToken.None);

    private async Task<JsonElement> Thread(long threadId, string handle = "resident") =>
        await (await app.ClientFor(handle)).GetJson($"/v1/threads/{threadId}");

    private async Task<int> Notices(string handle, string kind, long itemId) =>
        (await (await app.ClientFor(handle)).Inbox()).Count(n => n.Text("kind") == kind && n.GetProperty("itemId").GetInt64() == itemId);

    private async Task<long> RoutedThread(string title, string body, string handle = "resident")
    {
        var thread = await (await app.ClientFor(handle)).PostDiscussion(title, body);
        await Route();
        return thread.Id();
    }

    [Fact]
    public async Task AHallTopicAboutABrokenStairwayLampIsRoutedToThePropertyCompanyWhoseStaffTakeItUpAsACaseWithItsClocks()
    {
        var threadId = await RoutedThread("楼道灯坏了一个月没人管", "3号楼楼道灯坏了一个月了,晚上回家黑漆漆的,希望尽快来修一下。");

        var routing = (await Thread(threadId)).GetProperty("routing");
        Assert.Equal("electric", routing.Text("category"));
        Assert.Equal("property", routing.Text("responsibleBody"));
        Assert.False(routing.GetProperty("urgent").GetBoolean());
        Assert.Equal("routed", routing.Text("state"));
        Assert.Equal(1, await Notices("property", "thread_routed", threadId));
        Assert.Equal(1, await Notices("technician", "thread_routed", threadId));
        Assert.Equal(0, await Notices("owners", "thread_routed", threadId));

        var response = await (await app.ClientFor("property")).PostJson($"/v1/threads/{threadId}/take-up", new { });
        var taken = await response.Expect(HttpStatusCode.Created);
        var caseId = taken.GetProperty("caseId").GetInt64();
        Assert.Equal($"/v1/cases/{caseId}", response.Headers.Location!.OriginalString);
        Assert.Equal("taken_up", taken.GetProperty("routing").Text("state"));

        var opened = app.Clock.GetUtcNow();
        var detail = await (await app.ClientFor("property")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("thread", detail.Text("kind"));
        Assert.Equal(threadId, detail.GetProperty("itemId").GetInt64());
        Assert.Equal("property", detail.Text("responsibleBody"));
        Assert.Equal("open", detail.Text("state"));
        Assert.Equal(Jobs.Escalation.WorkingCalendar.ShanghaiDefault.AddWorkingMinutes(opened, 480), detail.GetProperty("firstResponseDue").GetDateTimeOffset());
        Assert.True(detail.GetProperty("resolveDue").GetDateTimeOffset() > detail.GetProperty("firstResponseDue").GetDateTimeOffset());
        Assert.Equal(caseId, (await Thread(threadId)).GetProperty("caseId").GetInt64());
        // The author sees the case of their topic; the staff got one notice in all (no second one for the case).
        await (await app.ClientFor("resident")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal(1, await Notices("resident", "thread_taken_up", caseId));
        Assert.Equal(0, await Notices("property", "case_routed", caseId));
        Assert.Equal(1, await Notices("property", "thread_routed", threadId));

        await (await (await app.ClientFor("technician")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AGasSmellPostedInTheHallOpensAnUrgentCaseAtOnce()
    {
        var threadId = await RoutedThread("楼道里好大一股煤气味", "5号楼三楼楼道里煤气味很重,好像哪里漏气了,大家注意!", "tenant");

        var thread = await Thread(threadId, "tenant");
        var routing = thread.GetProperty("routing");
        Assert.Equal("gas", routing.Text("category"));
        Assert.True(routing.GetProperty("urgent").GetBoolean());
        Assert.Equal("taken_up", routing.Text("state"));
        var caseId = thread.GetProperty("caseId").GetInt64();
        var detail = await (await app.ClientFor("property")).GetJson($"/v1/cases/{caseId}");
        Assert.True(detail.GetProperty("urgent").GetBoolean());
        Assert.Equal("thread", detail.Text("kind"));
        Assert.Equal(app.Clock.GetUtcNow().AddMinutes(30), detail.GetProperty("firstResponseDue").GetDateTimeOffset());
        Assert.Equal(1, await Notices("property", "thread_routed", threadId));
        await (await (await app.ClientFor("property")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ADismissalKeepsItsReason()
    {
        var threadId = await RoutedThread("小区门口的路灯不亮", "西门外面那盏路灯好几天不亮了,晚上走路不方便。");
        Assert.Equal("routed", (await Thread(threadId)).GetProperty("routing").Text("state"));

        var dismissed = await (await (await app.ClientFor("property")).PostJson($"/v1/threads/{threadId}/routing/dismiss",
            new { reason = "西门外的路灯属于市政,已转告街道。" })).Expect(HttpStatusCode.OK);
        Assert.Equal("dismissed", dismissed.GetProperty("routing").Text("state"));
        var routing = (await Thread(threadId)).GetProperty("routing");
        Assert.Equal("dismissed", routing.Text("state"));
        Assert.Equal("西门外的路灯属于市政,已转告街道。", routing.Text("dismissReason"));
        Assert.Equal(1, await Notices("resident", "thread_routing_dismissed", threadId));

        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/threads/{threadId}/routing/dismiss", new { reason = "再说一次" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await property.PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("西门外的路灯属于市政,已转告街道。", (await Thread(threadId)).GetProperty("routing").Text("dismissReason"));
    }

    [Fact]
    public async Task RunningTheJobTwiceChangesNothingAndSendsNoSecondNotice()
    {
        var threadId = await RoutedThread("2号楼电梯按钮失灵", "2号楼电梯的5楼按钮按了没反应,好几天了。");
        var first = (await Thread(threadId)).GetProperty("routing").GetRawText();
        await using var connection = app.Connection();
        var analysedAt = await connection.ExecuteScalarAsync<long>("SELECT routing_analysed_at FROM threads WHERE id = @threadId;", new { threadId });

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Task.WhenAll(Route(), Route());
        await Route();

        Assert.Equal(first, (await Thread(threadId)).GetProperty("routing").GetRawText());
        Assert.Equal(analysedAt, await connection.ExecuteScalarAsync<long>("SELECT routing_analysed_at FROM threads WHERE id = @threadId;", new { threadId }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM thread_routings WHERE thread_id = @threadId;", new { threadId }));
        Assert.Equal(1, await Notices("property", "thread_routed", threadId));
    }

    [Fact]
    public async Task AHeldPostIsRoutedOnlyOncePublished()
    {
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = true })).Expect(HttpStatusCode.OK);
        long threadId;
        try
        {
            var held = await (await app.ClientFor("tenant")).PostDiscussion("1号楼下水道堵了", "1号楼门口的下水道堵了,一下雨就积水。");
            Assert.Equal("pending", held.Text("reviewState"));
            threadId = held.Id();
        }
        finally
        {
            await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = false })).Expect(HttpStatusCode.OK);
        }
        await Route();
        Assert.Equal(JsonValueKind.Null, (await Thread(threadId, "tenant")).GetProperty("routing").ValueKind);
        Assert.Equal(0, await Notices("property", "thread_routed", threadId));

        await (await secretary.PostJson($"/v1/threads/{threadId}/approve", new { })).Expect(HttpStatusCode.OK);
        await Route();
        Assert.Equal("routed", (await Thread(threadId, "tenant")).GetProperty("routing").Text("state"));
        Assert.Equal(1, await Notices("property", "thread_routed", threadId));
    }

    [Fact]
    public async Task ATopicThatAsksNoBodyToActIsReadButNotRouted()
    {
        var threadId = await RoutedThread("周末一起打羽毛球", "周六上午小区球场,有兴趣的邻居一起来玩!");
        Assert.Equal(JsonValueKind.Null, (await Thread(threadId)).GetProperty("routing").ValueKind);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AModeratorsCorrectionRoutesTheThreadToTheRightBodyAndIsKeptForTraining()
    {
        var threadId = await RoutedThread("楼上的狗天天半夜叫", "3号楼楼上那家的狗每天半夜叫个不停,根本睡不着。");
        Assert.Equal("neighbor", (await Thread(threadId)).GetProperty("routing").Text("category"));

        var corrected = await (await (await app.ClientFor("secretary")).PutJson($"/v1/threads/{threadId}/routing",
            new { category = "pets", responsibleBody = "residents_committee" })).Expect(HttpStatusCode.OK);
        var routing = corrected.GetProperty("routing");
        Assert.Equal("pets", routing.Text("category"));
        Assert.Equal("residents_committee", routing.Text("responsibleBody"));
        Assert.Equal("routed", routing.Text("state"));
        // The same body: no second notice. Another body: it is told.
        Assert.Equal(1, await Notices("residents", "thread_routed", threadId));
        await (await (await app.ClientFor("secretary")).PutJson($"/v1/threads/{threadId}/routing",
            new { category = "pets", responsibleBody = "owners_committee" })).Expect(HttpStatusCode.OK);
        Assert.Equal(1, await Notices("owners", "thread_routed", threadId));
        await (await (await app.ClientFor("secretary")).PutJson($"/v1/threads/{threadId}/routing",
            new { category = "pets", responsibleBody = "residents_committee" })).Expect(HttpStatusCode.OK);

        var kept = await app.Service<RoutingCorrections>().LatestAsync(CancellationToken.None);
        var correction = Assert.Single(kept, c => c.ThreadId == threadId);
        Assert.Equal("pets", correction.Category);
        Assert.Contains("半夜叫", correction.Text);

        // The next start trains on it: a build of its own, not the one of the files alone.
        var plain = await ActivatorUtilities.CreateInstance<IntakeEngineSource>(app.Services, Array.Empty<object>())
            .LoadAsync(CancellationToken.None);
        Assert.NotSame(app.Service<IntakeAnalyser>().Engine, plain.Engine);

        await (await (await app.ClientFor("property")).PutJson($"/v1/threads/{threadId}/routing",
            new { category = "pets", responsibleBody = "residents_committee" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/threads/{threadId}/take-up", new { })).Expect(HttpStatusCode.Created);
        await (await (await app.ClientFor("secretary")).PutJson($"/v1/threads/{threadId}/routing",
            new { category = "pets", responsibleBody = "residents_committee" })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task BadInputOtherBodiesAndOtherCommunitiesAreRefusedAndChangeNothing()
    {
        var threadId = await RoutedThread("2号楼水管漏水", "2号楼二楼的水管一直在滴水。");
        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/threads/{threadId}/routing/dismiss", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.PostJson($"/v1/threads/{threadId}/routing/dismiss", new { reason = "" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await property.PostJson($"/v1/threads/{threadId}/routing/dismiss", new { reason = new string('长', 201) })).ExpectProblem(HttpStatusCode.BadRequest);

        var secretary = await app.ClientFor("secretary");
        var put = $"/v1/threads/{threadId}/routing";
        await (await secretary.PutJson(put, new { category = "neighbor" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson(put, new { responsibleBody = "property" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson(put, new { category = "lifts", responsibleBody = "property" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson(put, new { category = "elevator", responsibleBody = "party_secretary" })).ExpectProblem(HttpStatusCode.BadRequest);

        // Residents and the other bodies may not act for the property company; another community does not see the thread.
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("owners")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("owners")).PostJson($"/v1/threads/{threadId}/routing/dismiss", new { reason = "不归我们管" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/threads/{threadId}/take-up", new { })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).PutJson(put, new { category = "neighbor", responsibleBody = "residents_committee" }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await property.PostJson("/v1/threads/999999/take-up", new { })).ExpectProblem(HttpStatusCode.NotFound);

        var routing = (await Thread(threadId)).GetProperty("routing");
        Assert.Equal("routed", routing.Text("state"));
        Assert.Equal("property", routing.Text("responsibleBody"));
        Assert.Equal(JsonValueKind.Null, (await Thread(threadId)).GetProperty("caseId").ValueKind);

        // A thread the job has not read yet cannot be taken up or corrected.
        var fresh = await (await app.ClientFor("resident")).PostDiscussion("2号楼门禁坏了", "2号楼的门禁刷卡没反应。");
        await (await property.PostJson($"/v1/threads/{fresh.Id()}/take-up", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PutJson($"/v1/threads/{fresh.Id()}/routing", new { category = "access", responsibleBody = "property" }))
            .ExpectProblem(HttpStatusCode.Conflict);
    }
}

/// <summary>The routing job on the real in-process Hangfire server.</summary>
public sealed class ThreadRoutingEndToEndTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AThreadIsRoutedWhenTheRecurringJobIsTriggered()
    {
        var thread = await (await app.ClientFor("resident")).PostDiscussion("5号楼水管漏水", "5号楼一楼的水管一直在滴水,地上都湿了。");
        var threadId = thread.Id();
        // The analyser loads in the background after start-up (seconds on a busy machine); the job waits for it too.
        await app.Service<IntakeAnalyser>().WhenReady;
        ((IRecurringJobManagerV2)app.Service<IRecurringJobManager>()).TriggerJob(RecurringJobSchedule.RouteHallThreads);

        var state = await TestClock.PollAsync(async () =>
        {
            await using var connection = app.Connection();
            return await connection.ExecuteScalarAsync<string?>("SELECT state FROM thread_routings WHERE thread_id = @threadId;", new { threadId });
        }, state => state is not null, TimeSpan.FromSeconds(90));
        Assert.Equal("routed", state);
    }
}
