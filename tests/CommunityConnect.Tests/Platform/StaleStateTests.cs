using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Escalation;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The write path with several writers (issue 19): a state change read by one writer and made first by
/// another leaves the stale one nothing to do. Each test reads an item, lets the state move under it,
/// then hands the stale read to the store's step directly, on the real database: no row changes, no
/// history, no notice, no outbox message.
/// </summary>
public sealed class StaleStateTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    /// <summary>Everything a state change writes after its UPDATE: history rows, inbox notices, outbox messages.</summary>
    private async Task<(long Notices, long CaseHistory, long Outbox)> FootprintAsync()
    {
        await using var connection = app.Connection();
        return await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT (SELECT COUNT(*) FROM notifications), (SELECT COUNT(*) FROM case_history), (SELECT COUNT(*) FROM outbox_messages);");
    }

    private async Task<T> ReadAsync<T>(string sql, object parameters)
    {
        await using var connection = app.Connection();
        return await connection.QuerySingleAsync<T>(sql, parameters);
    }

    private async Task<CommunityAccess> AccessOf(string handle, params string[] roles)
    {
        var userId = await CommunityApp.UserIdOf(await app.ClientFor(handle));
        return new CommunityAccess(userId, 1, 1, roles.Select(role => (role, (long?)null)));
    }

    [Fact]
    public async Task AStaleSolicitationCloseChangesNothingAndTellsNoFollowerTwice()
    {
        var committee = await app.ClientFor("residents");
        var thread = await committee.PostThread(new
        {
            kind = "solicitation", title = "垃圾分类投放点调整意见", body = "投放点挪到哪里合适?", deadline = app.Clock.GetUtcNow().AddHours(1),
        });
        await (await (await app.ClientFor("tenant")).PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
        app.Clock.Advance(TimeSpan.FromHours(2));
        // Another node's run closes it first, and tells the followers.
        await app.Service<CloseDueSolicitationsJob>().RunAsync(CancellationToken.None);
        var closedAt = await ReadAsync<long>("SELECT closed_at FROM threads WHERE id = @id;", new { id = thread.Id() });
        var before = await FootprintAsync();

        // This run read it as open and due before that.
        var store = app.Service<SolicitationStore>();
        var closed = await app.Service<Database>().WriteAsync((connection, transaction) =>
            store.CloseAsync(connection, transaction, thread.Id(), 1, thread.Text("title")));

        Assert.False(closed);
        Assert.Equal(before, await FootprintAsync());
        Assert.Equal(closedAt, await ReadAsync<long>("SELECT closed_at FROM threads WHERE id = @id;", new { id = thread.Id() }));
        Assert.Single(await (await app.ClientFor("tenant")).Inbox(), n => n.Text("kind") == "solicitation_closed" && n.GetProperty("itemId").GetInt64() == thread.Id());
    }

    [Fact]
    public async Task AStaleAutoCloseLeavesAReopenedOpinionOpenAndSilent()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("complaint", "property_service", "地库照明坏了一半");
        await (await app.ClientFor("owners")).Answer(opinion.Id(), "已通知物业更换灯管。");
        app.Clock.Advance(TimeSpan.FromDays(8));
        var cutoff = app.Clock.GetUtcNow() - CommunityConnect.Jobs.ComplaintBox.AutoCloseAnsweredOpinionsJob.ReplyWindow;
        OpinionQueries.OpinionRow read;
        await using (var connection = app.Connection())
        {
            read = (await OpinionQueries.FindAsync(connection, null, opinion.Id(), 1, new AuthorKeys("", [])))!;
        }
        Assert.Equal(OpinionStates.Answered, read.State);

        // The author says "not satisfied" first: the opinion is open again, with the body.
        await resident.Reply(opinion.Id(), false, "还是很暗");
        var before = await FootprintAsync();

        var store = app.Service<OpinionAnswerStore>();
        var closed = await app.Service<Database>().WriteAsync((connection, transaction) => store.CloseUnrepliedAsync(connection, transaction, read, cutoff));

        Assert.False(closed);
        Assert.Equal(before, await FootprintAsync());
        Assert.Equal("open", await ReadAsync<string>("SELECT state FROM opinions WHERE id = @id;", new { id = opinion.Id() }));
        Assert.Equal("responded", await ReadAsync<string>("SELECT state FROM cases WHERE id = @id;", new { id = opinion.GetProperty("caseId").GetInt64() }));
    }

    [Fact]
    public async Task AStaleReplyToAnAnswerIsAConflictAndReopensNothing()
    {
        var tenant = await app.ClientFor("tenant");
        var opinion = await tenant.PostOpinion("suggestion", "property_service", "快递柜旁加个雨棚");
        await (await app.ClientFor("owners")).Answer(opinion.Id(), "下月施工。");
        var tenantId = await CommunityApp.UserIdOf(tenant);
        var viewer = new OpinionViewer(await AccessOf("tenant", "resident"), new AuthorKeys(app.Service<RecipientKeys>().ForUser(tenantId), []), "刘晓峰");
        OpinionQueries.OpinionRow read;
        await using (var connection = app.Connection())
        {
            read = (await OpinionQueries.FindAsync(connection, null, opinion.Id(), 1, viewer.Keys))!;
        }

        // From another phone, a moment earlier: satisfied, which closes it.
        await tenant.Reply(opinion.Id(), true);
        var before = await FootprintAsync();

        var store = app.Service<OpinionAnswerStore>();
        var outcome = await app.Service<Database>().WriteAsync((connection, transaction) =>
            store.ReplyAsync(connection, transaction, read, viewer, satisfied: false, comment: "不满意"));

        Assert.Equal((int)HttpStatusCode.Conflict, outcome.Failure?.Status);
        Assert.Equal(before, await FootprintAsync());
        Assert.Equal(("closed", 0L, "satisfied"), await ReadAsync<(string, long, string)>(
            "SELECT state, reopen_count, closed_reason FROM opinions WHERE id = @id;", new { id = opinion.Id() }));
    }

    [Fact]
    public async Task AStaleDeclineOfADecidedProposalIsAConflictAndTellsNobody()
    {
        var proposal = await (await app.ClientFor("resident")).PostThread(new
        {
            kind = "proposal", title = "维修资金补建充电桩", body = "用维修资金在地库补建充电桩。", category = "funds",
        });
        await (await (await app.ClientFor("tenant")).PutAsync($"/v1/threads/{proposal.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
        ThreadStore.ThreadState read;
        await using (var connection = app.Connection())
        {
            await connection.OpenAsync();
            read = (await ThreadStore.LoadAsync(connection, null!, proposal.Id()))!;
        }

        // Another member of the owners' committee declines it first.
        await (await (await app.ClientFor("owners")).PostJson($"/v1/threads/{proposal.Id()}/decline", new { reason = "今年资金已有安排。" }))
            .Expect(HttpStatusCode.OK);
        var before = await FootprintAsync();

        var store = app.Service<ProjectStore>();
        var access = await AccessOf("stale-owners-member", "owners_committee");
        var outcome = await app.Service<Database>().WriteAsync((connection, transaction) =>
            store.DeclineAsync(connection, transaction, access, read, "重复的决定"));

        Assert.Equal((int)HttpStatusCode.Conflict, outcome.Failure?.Status);
        Assert.Equal(before, await FootprintAsync());
        Assert.Equal(("declined", "今年资金已有安排。"), await ReadAsync<(string, string)>(
            "SELECT state, decision_reason FROM threads WHERE id = @id;", new { id = proposal.Id() }));
    }

    [Fact]
    public async Task AStaleEscalationStepClimbsNothingAndTellsNobody()
    {
        var caseId = await app.OpenCaseAsync("tenant", "electric");
        app.Clock.Advance(TimeSpan.FromDays(15));
        // One run climbs it from level 0.
        Assert.True(await app.Service<EscalationStore>().EscalateAsync(caseId, 0, CancellationToken.None));
        var before = await FootprintAsync();

        // Another run read it at level 0 too.
        Assert.False(await app.Service<EscalationStore>().EscalateAsync(caseId, 0, CancellationToken.None));

        Assert.Equal(before, await FootprintAsync());
        Assert.Equal((1L, "owners_committee"), await ReadAsync<(long, string)>(
            "SELECT escalation_level, responsible_body FROM cases WHERE id = @caseId;", new { caseId }));
        Assert.Equal(1L, await ReadAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @caseId AND event = 'escalated';", new { caseId }));
    }

    [Fact]
    public async Task TwoConcurrentDecisionsOnOneProposalGiveOneSuccessAndOneConflict()
    {
        var author = await app.ClientFor("resident");
        var proposal = await author.PostThread(new
        {
            kind = "proposal", title = "公共收益补贴电梯年检", body = "用公共收益补贴电梯年检费用。", category = "funds",
        });
        var first = await app.ClientFor("owners");
        var second = await app.ClientFor("concurrent-owners-member", communityId: 1, role: "owners_committee");

        var responses = await Task.WhenAll(
            first.PostJson($"/v1/threads/{proposal.Id()}/decline", new { reason = "资金不足。" }),
            second.PostJson($"/v1/threads/{proposal.Id()}/decline", new { reason = "另有安排。" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        await responses.Single(r => r.StatusCode == HttpStatusCode.Conflict).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Single(await author.Inbox(), n => n.Text("kind") == "proposal_decided" && n.GetProperty("itemId").GetInt64() == proposal.Id());
        var caseId = proposal.GetProperty("caseId").GetInt64();
        Assert.Equal(1L, await ReadAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = @caseId AND event = 'closed';", new { caseId }));
    }
}
