using System.Text.Json;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.ComplaintBox;
using CommunityConnect.Tests.Support;
using Hangfire;
using Hangfire.Storage;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>Its own host: these tests move the clock by days.</summary>
public sealed class AutoCloseTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task AnAnsweredOpinionWithNoReplyForSevenDaysClosesByItselfOnce()
    {
        var resident = await app.ClientFor("resident");
        var committee = await app.ClientFor("residents");
        var quiet = await resident.PostOpinion("complaint", "pets", "楼下狗天天叫", anonymous: true);
        var later = await resident.PostOpinion("suggestion", "community_life", "周末办个跳蚤市场");
        var unanswered = await resident.PostOpinion("question", "community_life", "居委会几点下班?");
        await committee.Answer(quiet.Id(), "已提醒狗主人。");
        var job = app.Service<AutoCloseAnsweredOpinionsJob>();

        app.Clock.Advance(TimeSpan.FromDays(3));
        await committee.Answer(later.Id(), "好主意,已列入下月活动。");
        app.Clock.Advance(TimeSpan.FromDays(4) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));
        Assert.Equal("answered", (await resident.GetJson($"/v1/opinions/{quiet.Id()}")).Text("state"));

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await job.RunAsync(CancellationToken.None));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));

        var closed = await resident.GetJson($"/v1/opinions/{quiet.Id()}");
        Assert.Equal("closed", closed.Text("state"));
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("satisfied").ValueKind);
        var @case = await (await app.ClientFor("secretary")).GetJson($"/v1/cases/{quiet.GetProperty("caseId").GetInt64()}");
        Assert.Equal("closed", @case.Text("state"));
        Assert.Equal("系统", @case.GetProperty("history").EnumerateArray().Last().Text("actor"));
        Assert.Equal("answered", (await resident.GetJson($"/v1/opinions/{later.Id()}")).Text("state"));
        Assert.Equal("open", (await resident.GetJson($"/v1/opinions/{unanswered.Id()}")).Text("state"));
        var inbox = await resident.GetJson("/v1/me/inbox");
        Assert.Single(inbox.GetProperty("items").EnumerateArray(), n => n.Text("kind") == "opinion_closed");

        // A reply after the auto-close is too late.
        await (await resident.PostJson($"/v1/opinions/{quiet.Id()}/satisfaction", new { satisfied = true })).ExpectProblem(System.Net.HttpStatusCode.Conflict);

        app.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(1, await job.RunAsync(CancellationToken.None));
        Assert.Equal("closed", (await resident.GetJson($"/v1/opinions/{later.Id()}")).Text("state"));
    }

    [Fact]
    public void TheJobIsScheduledUnderAStableIdWithNoArguments()
    {
        using var connection = app.Service<JobStorage>().GetConnection();
        var job = connection.GetRecurringJobs().Single(j => j.Id == RecurringJobSchedule.AutoCloseAnsweredOpinions);
        Assert.Equal(typeof(AutoCloseAnsweredOpinionsJob), job.Job.Type);
        Assert.All(job.Job.Args, arg => Assert.IsType<CancellationToken>(arg));
    }
}
