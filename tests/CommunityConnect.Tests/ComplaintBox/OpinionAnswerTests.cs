using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>Answering an opinion, its author's satisfaction, a transfer, and unsealing an anonymous author.</summary>
public sealed class OpinionAnswerTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> CaseOf(JsonElement opinion, string viewer = "secretary") =>
        await (await app.ClientFor(viewer)).GetJson($"/v1/cases/{opinion.GetProperty("caseId").GetInt64()}");

    [Fact]
    public async Task TheResponsibleBodyAnswersTheFirstAnswerResolvesTheCaseAndSatisfactionClosesIt()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("complaint", "property_service", "保安巡逻不到位", anonymous: true);
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "我来回答", visibility = "public" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("property")).PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "我们会改进", visibility = "public" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await resident.PostJson($"/v1/opinions/{opinion.Id()}/satisfaction", new { satisfied = true })).ExpectProblem(HttpStatusCode.Conflict);

        var owners = await app.ClientFor("owners");
        var answer = await owners.Answer(opinion.Id(), "已约谈物业,增加夜间巡逻两次。");
        Assert.Equal("owners_committee", answer.Text("authorBody"));
        Assert.Equal("李文华", answer.Text("author"));
        var answered = await resident.GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.Equal("answered", answered.Text("state"));
        Assert.Single(answered.GetProperty("answers").EnumerateArray());
        var @case = await CaseOf(opinion);
        Assert.Equal("resolved", @case.Text("state"));
        Assert.Equal(["created", "response", "responded", "resolved"], @case.GetProperty("history").EnumerateArray().Select(h => h.Text("event")));
        await using (var connection = app.Connection())
        {
            Assert.NotNull(await connection.ExecuteScalarAsync<long?>("SELECT responded_at FROM cases WHERE id = @id;", new { id = @case.Id() }));
        }
        var inbox = await resident.GetJson("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == opinion.Id() && n.Text("body").Contains("夜间巡逻"));

        await (await owners.PostJson($"/v1/opinions/{opinion.Id()}/satisfaction", new { satisfied = true })).ExpectProblem(HttpStatusCode.Forbidden);
        var closed = await resident.Reply(opinion.Id(), true, "谢谢");
        Assert.Equal("closed", closed.Text("state"));
        Assert.True(closed.GetProperty("satisfied").GetBoolean());
        Assert.Equal("closed", (await CaseOf(opinion)).Text("state"));
        Assert.Equal("匿名居民", (await CaseOf(opinion)).GetProperty("history").EnumerateArray().Last().Text("actor"));
        await (await resident.PostJson($"/v1/opinions/{opinion.Id()}/satisfaction", new { satisfied = false })).ExpectProblem(HttpStatusCode.Conflict);
        await (await owners.PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "补充说明", visibility = "public" })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task APrivateAnswerIsShownOnlyToThePrivateAudience()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("question", "funds", "公共收益怎么用的?");
        var owners = await app.ClientFor("owners");
        await owners.Answer(opinion.Id(), "明细已单独发给您。", visibility: "private");
        await owners.Answer(opinion.Id(), "年度账目将在公告栏公示。");
        Assert.Equal(2, (await resident.GetJson($"/v1/opinions/{opinion.Id()}")).GetProperty("answers").GetArrayLength());
        Assert.Equal(2, (await (await app.ClientFor("street")).GetJson($"/v1/opinions/{opinion.Id()}")).GetProperty("answers").GetArrayLength());
        var seenByTenant = await (await app.ClientFor("tenant")).GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.Equal(["年度账目将在公告栏公示。"], seenByTenant.GetProperty("answers").EnumerateArray().Select(a => a.Text("body")));
        Assert.Equal("answered", seenByTenant.Text("state"));
    }

    [Fact]
    public async Task NotSatisfiedReopensOnceToTheSameBodyAndTheSecondTimeCloses()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("complaint", "pets", "小区里狗不拴绳", anonymous: true);
        var committee = await app.ClientFor("residents");
        await committee.Answer(opinion.Id(), "已张贴文明养犬告示。");

        var reopened = await resident.Reply(opinion.Id(), false, "告示没用,还是不拴绳");
        Assert.Equal("open", reopened.Text("state"));
        Assert.True(reopened.GetProperty("reopened").GetBoolean());
        Assert.Equal("residents_committee", reopened.Text("responsibleBody"));
        var @case = await CaseOf(opinion);
        Assert.Equal("responded", @case.Text("state"));
        Assert.Equal("residents_committee", @case.Text("responsibleBody"));
        var reopenedEvent = @case.GetProperty("history").EnumerateArray().Last();
        Assert.Equal("reopened", reopenedEvent.Text("event"));
        Assert.Equal("匿名居民", reopenedEvent.Text("actor"));
        Assert.Contains((await committee.GetJson("/v1/me/inbox")).GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "opinion_reopened" && n.GetProperty("itemId").GetInt64() == opinion.Id());

        await committee.Answer(opinion.Id(), "已上门劝导狗主人,并将加强巡查。");
        Assert.Equal("answered", (await resident.GetJson($"/v1/opinions/{opinion.Id()}")).Text("state"));
        Assert.Equal("resolved", (await CaseOf(opinion)).Text("state"));

        var closed = await resident.Reply(opinion.Id(), false, "还是不满意");
        Assert.Equal("closed", closed.Text("state"));
        Assert.False(closed.GetProperty("satisfied").GetBoolean());
        Assert.Equal("closed", (await CaseOf(opinion)).Text("state"));
    }

    [Fact]
    public async Task ATransferredOpinionIsAnsweredByItsNewBody()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("complaint", "parking", "邻居长期占用我的车位", anonymous: true, visibility: "private");
        Assert.Equal("property", opinion.Text("responsibleBody"));
        var property = await app.ClientFor("property");
        await (await property.PostJson($"/v1/cases/{opinion.GetProperty("caseId").GetInt64()}/transfer",
            new { toBody = "residents_committee", reason = "车位纠纷属于邻里矛盾,请居委会协调" })).Expect(HttpStatusCode.OK);

        var committee = await app.ClientFor("residents");
        var moved = await committee.GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.Equal("residents_committee", moved.Text("responsibleBody"));
        var answer = await committee.Answer(opinion.Id(), "已约双方协商,占位车辆已移走。");
        Assert.Equal("residents_committee", answer.Text("authorBody"));
        Assert.Equal("answered", (await resident.GetJson($"/v1/opinions/{opinion.Id()}")).Text("state"));
        Assert.Equal("resolved", (await CaseOf(opinion)).Text("state"));
        // The property company had it: it still sees the private opinion and, as on every case
        // (one rule: CaseAccess.AnsweringBodyAsync), may still answer it, under its own name.
        await property.GetJson($"/v1/opinions/{opinion.Id()}");
        var earlier = await property.Answer(opinion.Id(), "物业配合居委会处理。", visibility: "private");
        Assert.Equal("property", earlier.Text("authorBody"));
    }

    [Fact]
    public async Task OnlyTheSecretaryUnsealsWithAReasonAndTheAuditRowCannotBeChanged()
    {
        var resident = await app.ClientFor("resident");
        var residentId = await CommunityApp.UserIdOf(resident);
        var opinion = await resident.PostOpinion("complaint", "security", "某某保安收钱放人进小区", anonymous: true);
        var reason = new { reason = "被投诉人报案称该内容涉嫌诬告,派出所来函要求核实" };
        foreach (var refused in new[] { "owners", "residents", "property", "resident", "street" })
        {
            await (await (await app.ClientFor(refused)).PostJson($"/v1/opinions/{opinion.Id()}/unseal", reason)).ExpectProblem(HttpStatusCode.Forbidden);
        }
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PostJson($"/v1/opinions/{opinion.Id()}/unseal", new { reason = "想知道" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PostJson($"/v1/opinions/{opinion.Id()}/unseal", new { })).ExpectProblem(HttpStatusCode.BadRequest);

        var unsealed = await (await secretary.PostJson($"/v1/opinions/{opinion.Id()}/unseal", reason)).Expect(HttpStatusCode.OK);
        Assert.Equal(residentId, unsealed.GetProperty("author").Id());
        Assert.Equal("张桂英", unsealed.GetProperty("author").Text("displayName"));
        var auditId = unsealed.GetProperty("auditId").GetInt64();
        // Unsealing reveals it to the secretary only: the opinion still shows "匿名居民".
        Assert.Equal("匿名居民", (await secretary.GetJson($"/v1/opinions/{opinion.Id()}")).Text("author"));

        var named = await resident.PostOpinion("complaint", "security", "门岗登记太松");
        await (await secretary.PostJson($"/v1/opinions/{named.Id()}/unseal", reason)).ExpectProblem(HttpStatusCode.Conflict);

        foreach (var reader in new[] { "secretary", "street" })
        {
            var audit = await (await app.ClientFor(reader)).GetJson("/v1/communities/1/audit");
            var entry = audit.GetProperty("items").EnumerateArray().Single(e => e.Id() == auditId);
            Assert.Equal("unseal_opinion_author", entry.Text("action"));
            Assert.Equal(opinion.Id(), entry.GetProperty("itemId").GetInt64());
            Assert.Equal(reason.reason, entry.Text("reason"));
            Assert.Equal(await CommunityApp.UserIdOf(secretary), entry.GetProperty("actorId").GetInt64());
        }
        await (await (await app.ClientFor("owners")).GetAsync("/v1/communities/1/audit")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await resident.GetAsync("/v1/communities/1/audit")).ExpectProblem(HttpStatusCode.Forbidden);

        // Through the app's own writer connection and through a plain connection to its file: refused, row unchanged.
        var database = app.Service<Database>();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE audit_log SET reason = 'nothing happened' WHERE id = @auditId;", new { auditId }, transaction)));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("DELETE FROM audit_log WHERE id = @auditId;", new { auditId }, transaction)));
        await using var direct = app.Connection();
        await direct.OpenAsync();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => direct.ExecuteAsync("UPDATE audit_log SET actor_id = actor_id + 1;"));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => direct.ExecuteAsync("DELETE FROM audit_log;"));
        var row = await direct.QuerySingleAsync<(string Reason, long ActorId)>("SELECT reason, actor_id FROM audit_log WHERE id = @auditId;", new { auditId });
        Assert.Equal(reason.reason, row.Reason);
        Assert.Equal(await CommunityApp.UserIdOf(secretary), row.ActorId);
    }
}
