using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.DiscussionHall;

/// <summary>Proposals (自治议题): routed as cases, decided by their body or the secretary, adopted ones run as projects.</summary>
public sealed class ProposalTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> ProposeAsync(string category, string title = "增设电瓶车充电棚", string handle = "resident") =>
        await (await app.ClientFor(handle)).PostThread(new { kind = "proposal", title, body = "楼道里飞线充电太危险,建议在 5 号楼旁增设充电棚。", category });

    [Theory]
    [InlineData("parking", "residents_committee")]
    [InlineData("elevator", "residents_committee")]
    [InlineData("funds", "owners_committee")]
    [InlineData("pets", "residents_committee")]
    public async Task AProposalIsACaseRoutedByTheProposalRule(string category, string body)
    {
        var proposal = await ProposeAsync(category);
        Assert.Equal(body, proposal.Text("responsibleBody"));
        Assert.Equal(category, proposal.Text("category"));
        var caseId = proposal.GetProperty("caseId").GetInt64();
        var staff = await app.ClientFor(body == "owners_committee" ? "owners" : "residents");
        var @case = await staff.GetJson($"/v1/cases/{caseId}");
        Assert.Equal("proposal", @case.Text("kind"));
        Assert.Equal(proposal.Id(), @case.GetProperty("itemId").GetInt64());
        Assert.Equal(body, @case.Text("responsibleBody"));
        Assert.Equal("open", @case.Text("state"));
    }

    [Fact]
    public async Task AnAdoptedProposalBecomesAProjectWhoseMilestonesShowItsProgress()
    {
        var proposal = await ProposeAsync("parking");
        var threadId = proposal.Id();
        var tenant = await app.ClientFor("tenant");
        await (await tenant.PutAsync($"/v1/threads/{threadId}/support", null)).Expect(HttpStatusCode.NoContent);
        await (await tenant.PutAsync($"/v1/threads/{threadId}/follow", null)).Expect(HttpStatusCode.NoContent);

        // Not the routed body (the owners' committee), a resident, the street office: 403.
        await (await (await app.ClientFor("owners")).PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await tenant.PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("street")).PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.NotFound);

        var committee = await app.ClientFor("residents");
        var response = await committee.PostJson($"/v1/threads/{threadId}/adopt", new { reason = "居民支持度高,纳入今年实事项目。" });
        var project = await response.Expect(HttpStatusCode.Created);
        Assert.Equal($"/v1/projects/{project.Id()}", response.Headers.Location?.ToString());
        Assert.Equal("residents_committee", project.Text("responsibleBody"));
        Assert.Equal(0, project.GetProperty("percentDone").GetInt32());

        await (await committee.PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await committee.PostJson($"/v1/threads/{threadId}/decline", new { reason = "改主意了" })).ExpectProblem(HttpStatusCode.Conflict);

        var thread = await tenant.GetJson($"/v1/threads/{threadId}");
        Assert.Equal("adopted", thread.Text("state"));
        var decision = thread.GetProperty("decision");
        Assert.Equal("adopted", decision.Text("outcome"));
        Assert.Equal("居民支持度高,纳入今年实事项目。", decision.Text("reason"));
        Assert.Equal("居委会", decision.GetProperty("decidedBy").Text("role"));
        Assert.Equal(project.Id(), decision.GetProperty("projectId").GetInt64());
        Assert.Equal(1, thread.GetProperty("supportCount").GetInt32());

        var @case = await committee.GetJson($"/v1/cases/{thread.GetProperty("caseId").GetInt64()}");
        Assert.Equal("resolved", @case.Text("state"));
        Assert.Equal(["created", "responded", "resolved"], @case.GetProperty("history").EnumerateArray().Select(h => h.Text("event")));

        bool IsDecision(JsonElement n) => n.Text("kind") == "proposal_decided" && n.GetProperty("itemId").GetInt64() == threadId;
        Assert.Single(await tenant.Inbox(), IsDecision);
        Assert.Single(await (await app.ClientFor("resident")).Inbox(), IsDecision);
        Assert.DoesNotContain(await committee.Inbox(), IsDecision);

        // Milestones: by the deciding body (or the secretary), not by residents.
        var projectUrl = $"/v1/projects/{project.Id()}";
        var today = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime);
        var survey = await (await committee.PostJson($"{projectUrl}/milestones", new { title = "选址与居民意见征询", dueDate = today.AddDays(14).ToString("yyyy-MM-dd") }))
            .Expect(HttpStatusCode.Created);
        var build = await (await (await app.ClientFor("secretary")).PostJson($"{projectUrl}/milestones", new { title = "充电棚建成投用", dueDate = today.AddDays(60).ToString("yyyy-MM-dd") }))
            .Expect(HttpStatusCode.Created);
        await (await tenant.PostJson($"{projectUrl}/milestones", new { title = "我来加一个", dueDate = "2030-01-01" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await committee.PostJson($"{projectUrl}/milestones", new { title = "日期不对", dueDate = "2026-02-30" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await committee.PostJson($"{projectUrl}/milestones", new { title = "日期格式", dueDate = "下个月" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await committee.PostJson($"{projectUrl}/milestones", new { title = "", dueDate = "2030-01-01" })).ExpectProblem(HttpStatusCode.BadRequest);

        await (await tenant.PatchAsJsonAsync($"{projectUrl}/milestones/{survey.Id()}", new { done = true })).ExpectProblem(HttpStatusCode.Forbidden);
        var done = await (await committee.PatchAsJsonAsync($"{projectUrl}/milestones/{survey.Id()}", new { done = true, note = "选定 5 号楼东侧空地" }))
            .Expect(HttpStatusCode.OK);
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.Equal("选定 5 号楼东侧空地", done.Text("note"));
        await (await committee.PatchAsJsonAsync($"{projectUrl}/milestones/999999", new { done = true })).ExpectProblem(HttpStatusCode.NotFound);

        var progress = await tenant.GetJson(projectUrl);
        Assert.Equal(50, progress.GetProperty("percentDone").GetInt32());
        Assert.Equal(2, progress.GetProperty("milestones").GetArrayLength());
        Assert.Equal(build.Id(), progress.GetProperty("nextDueMilestone").Id());
        Assert.Contains("选定 5 号楼东侧空地", progress.GetProperty("latestUpdate").Text("text"));

        var board = await tenant.GetJson("/v1/communities/1/projects");
        var card = board.GetProperty("items").EnumerateArray().Single(p => p.Id() == project.Id());
        Assert.Equal(50, card.GetProperty("percentDone").GetInt32());
        Assert.Equal("充电棚建成投用", card.GetProperty("nextDueMilestone").Text("title"));
        Assert.Equal(today.AddDays(60).ToString("yyyy-MM-dd"), card.GetProperty("nextDueMilestone").Text("dueDate"));

        await (await committee.PatchAsJsonAsync($"{projectUrl}/milestones/{build.Id()}", new { done = true })).Expect(HttpStatusCode.OK);
        progress = await tenant.GetJson(projectUrl);
        Assert.Equal(100, progress.GetProperty("percentDone").GetInt32());
        Assert.Equal(JsonValueKind.Null, progress.GetProperty("nextDueMilestone").ValueKind);

        // The board is public to the community and the street office, not to another community.
        await (await (await app.ClientFor("street")).GetAsync(projectUrl)).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/1/projects")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("resident2")).GetAsync(projectUrl)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/projects")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheOwnersCommitteeDeclinesAFundsProposalWithAReason()
    {
        var proposal = await ProposeAsync("funds", "公共收益用于更换小区大门", "tenant");
        var threadId = proposal.Id();
        var follower = await app.ClientFor("resident");
        await (await follower.PutAsync($"/v1/threads/{threadId}/follow", null)).Expect(HttpStatusCode.NoContent);

        var owners = await app.ClientFor("owners");
        await (await (await app.ClientFor("residents")).PostJson($"/v1/threads/{threadId}/decline", new { reason = "不归我们" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await owners.PostJson($"/v1/threads/{threadId}/decline", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await owners.PostJson($"/v1/threads/{threadId}/decline", new { reason = "" })).ExpectProblem(HttpStatusCode.BadRequest);

        var declined = await (await owners.PostJson($"/v1/threads/{threadId}/decline", new { reason = "大门去年刚修过,公共收益今年优先用于屋顶防水。" }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("declined", declined.Text("state"));
        Assert.Equal("declined", declined.GetProperty("decision").Text("outcome"));
        Assert.Equal("业委会", declined.GetProperty("decision").GetProperty("decidedBy").Text("role"));
        Assert.Equal(JsonValueKind.Null, declined.GetProperty("decision").GetProperty("projectId").ValueKind);
        await (await owners.PostJson($"/v1/threads/{threadId}/decline", new { reason = "再说一遍" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("secretary")).PostJson($"/v1/threads/{threadId}/adopt", new { })).ExpectProblem(HttpStatusCode.Conflict);

        var @case = await owners.GetJson($"/v1/cases/{proposal.GetProperty("caseId").GetInt64()}");
        Assert.Equal("closed", @case.Text("state"));
        Assert.Equal(["created", "responded", "closed"], @case.GetProperty("history").EnumerateArray().Select(h => h.Text("event")));
        Assert.Contains(await follower.Inbox(), n => n.Text("kind") == "proposal_decided" && n.GetProperty("itemId").GetInt64() == threadId);
        Assert.Contains(await (await app.ClientFor("tenant")).Inbox(), n => n.Text("kind") == "proposal_decided" && n.GetProperty("itemId").GetInt64() == threadId);
    }

    [Fact]
    public async Task TheSecretaryMayDecideAnyProposalButOnlyProposalsAreDecided()
    {
        var proposal = await ProposeAsync("pets", "小区设宠物活动区");
        var secretary = await app.ClientFor("secretary");
        var project = await (await secretary.PostJson($"/v1/threads/{proposal.Id()}/adopt", new { })).Expect(HttpStatusCode.Created);
        Assert.Equal("residents_committee", project.Text("responsibleBody")); // the committee runs what the secretary adopted
        Assert.Equal("党支部", (await secretary.GetJson($"/v1/threads/{proposal.Id()}")).GetProperty("decision").GetProperty("decidedBy").Text("role"));

        var discussion = await (await app.ClientFor("tenant")).PostDiscussion("只是聊聊");
        await (await secretary.PostJson($"/v1/threads/{discussion.Id()}/adopt", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PostJson("/v1/threads/99999999/adopt", new { })).ExpectProblem(HttpStatusCode.NotFound);
        await (await secretary.GetAsync("/v1/projects/99999999")).ExpectProblem(HttpStatusCode.NotFound);
    }
}
