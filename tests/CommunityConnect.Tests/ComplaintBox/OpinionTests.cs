using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.ComplaintBox;

public sealed class OpinionTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> CaseOf(JsonElement opinion, string viewer = "secretary") =>
        await (await app.ClientFor(viewer)).GetJson($"/v1/cases/{opinion.GetProperty("caseId").GetInt64()}");

    private static bool Lists(JsonElement page, long opinionId) =>
        page.GetProperty("items").EnumerateArray().Any(o => o.Id() == opinionId);

    [Fact]
    public async Task AnAnonymousComplaintIsACaseForTheRoutedBodyAndShowsNoAuthor()
    {
        var resident = await app.ClientFor("resident");
        var response = await resident.PostJson("/v1/communities/1/opinions", new
        {
            kind = "complaint", category = "property_service", title = "物业电话总是没人接", body = "晚上打物业值班电话没人接,希望改进。",
            anonymous = true, visibility = "public",
        });
        var opinion = await response.Expect(HttpStatusCode.Created);
        Assert.Equal($"/v1/opinions/{opinion.Id()}", response.Headers.Location?.OriginalString);
        Assert.Equal("匿名居民", opinion.Text("author"));
        Assert.Equal(JsonValueKind.Null, opinion.GetProperty("authorId").ValueKind);
        Assert.True(opinion.GetProperty("mine").GetBoolean());
        Assert.Equal("open", opinion.Text("state"));
        Assert.Equal("owners_committee", opinion.Text("responsibleBody"));

        var owners = await app.ClientFor("owners");
        var seen = await owners.GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.Equal("匿名居民", seen.Text("author"));
        Assert.False(seen.GetProperty("mine").GetBoolean());
        var @case = await CaseOf(opinion, "owners");
        Assert.Equal("opinion", @case.Text("kind"));
        Assert.Equal(opinion.Id(), @case.GetProperty("itemId").GetInt64());
        Assert.Equal("owners_committee", @case.Text("responsibleBody"));
        Assert.Equal("匿名居民", @case.GetProperty("history")[0].Text("actor"));
        var inbox = await owners.GetJson("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "case_routed" && n.GetProperty("itemId").GetInt64() == @case.Id());
    }

    [Fact]
    public async Task AQuestionOpensAQuestionCaseAndANamedOpinionShowsItsAuthor()
    {
        var tenant = await app.ClientFor("tenant");
        var question = await tenant.PostOpinion("question", "funds", "维修资金还剩多少?");
        Assert.Equal("刘晓峰", question.Text("author"));
        Assert.Equal(await CommunityApp.UserIdOf(tenant), question.GetProperty("authorId").GetInt64());
        var @case = await CaseOf(question);
        Assert.Equal("question", @case.Text("kind"));
        Assert.Equal("owners_committee", @case.Text("responsibleBody"));
        Assert.Equal("刘晓峰", @case.GetProperty("history")[0].Text("actor"));
    }

    [Fact]
    public async Task PraiseOnlyNotifiesItsBodyAndIsNeverACase()
    {
        var tenant = await app.ClientFor("tenant");
        var praise = await tenant.PostOpinion("praise", "public_facility", "感谢赵师傅连夜修好楼道灯!", anonymous: true, toBody: "property");
        Assert.Equal(JsonValueKind.Null, praise.GetProperty("caseId").ValueKind);
        Assert.Equal("property", praise.Text("toBody"));
        Assert.Equal("closed", praise.Text("state"));

        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM cases WHERE kind IN ('opinion', 'question') AND item_id = @id;", new { id = praise.Id() }));
        var inbox = await (await app.ClientFor("technician")).GetJson("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "opinion_praise" && n.GetProperty("itemId").GetInt64() == praise.Id() && n.Text("title").StartsWith("匿名居民"));
        // Nobody answers praise.
        await (await (await app.ClientFor("property")).PostJson($"/v1/opinions/{praise.Id()}/responses", new { body = "谢谢!", visibility = "public" }))
            .ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task BadInputIsA400ProblemAndCreatesNothing()
    {
        var resident = await app.ClientFor("resident");
        async Task Refused(object body, string field)
        {
            var problem = await (await resident.PostJson("/v1/communities/1/opinions", body)).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{field} not named in {problem}");
        }
        await Refused(new { kind = "rant", category = "pets", body = "x", anonymous = false, visibility = "public" }, "kind");
        await Refused(new { kind = "complaint", category = "unicorns", body = "x", anonymous = false, visibility = "public" }, "category");
        await Refused(new { kind = "complaint", category = "pets", body = "", anonymous = false, visibility = "public" }, "body");
        await Refused(new { kind = "complaint", category = "pets", body = "   ", anonymous = false, visibility = "public" }, "body");
        await Refused(new { kind = "complaint", category = "pets", title = new string('狗', 61), body = "x", anonymous = false, visibility = "public" }, "title");
        await Refused(new { kind = "praise", category = "pets", body = "谢谢居委会", anonymous = false, visibility = "public" }, "toBody");
        await Refused(new { kind = "complaint", category = "pets", body = "x", anonymous = false, visibility = "public", toBody = "property" }, "toBody");
        await Refused(new { kind = "praise", category = "pets", body = "x", anonymous = false, visibility = "public", toBody = "nobody" }, "toBody");
        await Refused(new { kind = "complaint", category = "pets", body = "x", visibility = "public" }, "anonymous");
        await Refused(new { kind = "complaint", category = "pets", body = "x", anonymous = false, visibility = "secret" }, "visibility");
        // Sixty characters is still a title.
        await resident.PostOpinion("suggestion", "pets", "遛狗请拴绳", title: new string('狗', 60));

        await (await resident.GetAsync("/v1/communities/1/opinions?sort=loudest")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/opinions?kind=rant")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/opinions?state=done")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/opinions?category=unicorns")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/opinions?after=garbage")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/opinions?limit=101")).ExpectProblem(HttpStatusCode.BadRequest);
        var opinion = await resident.PostOpinion("complaint", "pets", "狗叫扰民");
        await (await (await app.ClientFor("residents")).PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "", visibility = "public" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("residents")).PostJson($"/v1/opinions/{opinion.Id()}/responses", new { body = "好的", visibility = "hidden" }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.PostJson($"/v1/opinions/{opinion.Id()}/satisfaction", new { comment = "?" })).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PrivateOpinionsAreSeenOnlyByTheAuthorTheResponsibleBodyTheSecretaryAndTheStreet()
    {
        var resident = await app.ClientFor("resident");
        var secret = await resident.PostOpinion("complaint", "neighbor", "楼上邻居深夜噪音,不想公开。", visibility: "private");
        var open = await resident.PostOpinion("complaint", "neighbor", "楼道里堆放杂物。");
        foreach (var allowed in new[] { "resident", "residents", "secretary", "street" })
        {
            var client = await app.ClientFor(allowed);
            await client.GetJson($"/v1/opinions/{secret.Id()}");
            Assert.True(Lists(await client.GetJson("/v1/communities/1/opinions?limit=100"), secret.Id()), allowed);
        }
        foreach (var other in new[] { "tenant", "owners", "property" })
        {
            var client = await app.ClientFor(other);
            await (await client.GetAsync($"/v1/opinions/{secret.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
            var page = await client.GetJson("/v1/communities/1/opinions?limit=100");
            Assert.False(Lists(page, secret.Id()), other);
            Assert.True(Lists(page, open.Id()), other);
        }
        Assert.True(Lists(await resident.GetJson("/v1/me/opinions?limit=100"), secret.Id()));
        // "Me too" is for public opinions.
        await (await (await app.ClientFor("residents")).PutAsync($"/v1/opinions/{secret.Id()}/agree", null)).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task AnotherCommunityFindsNothingAndTheStreetAdminSeesButDoesNotPost()
    {
        var resident = await app.ClientFor("resident");
        var opinion = await resident.PostOpinion("complaint", "sanitation", "垃圾箱房很臭");
        var outsider = await app.ClientFor("resident2");
        await (await outsider.GetAsync($"/v1/opinions/{opinion.Id()}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/communities/1/opinions")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/communities/1/opinions/trends")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/communities/1/audit")).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PutAsync($"/v1/opinions/{opinion.Id()}/agree", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PostJson($"/v1/opinions/{opinion.Id()}/satisfaction", new { satisfied = true })).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PostJson($"/v1/opinions/{opinion.Id()}/unseal", new { reason = "我只是好奇是谁写的这条" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.PostJson("/v1/communities/1/opinions", new { kind = "complaint", category = "pets", body = "x", anonymous = false, visibility = "public" }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await outsider.GetAsync("/v1/opinions/999999")).ExpectProblem(HttpStatusCode.NotFound);
        // Community 2's own list does not show community 1's opinions.
        Assert.False(Lists(await outsider.GetJson("/v1/communities/2/opinions"), opinion.Id()));

        var street = await app.ClientFor("street");
        await street.GetJson($"/v1/opinions/{opinion.Id()}");
        Assert.True(Lists(await street.GetJson("/v1/communities/1/opinions?limit=100"), opinion.Id()));
        await (await street.PostJson("/v1/communities/1/opinions", new { kind = "complaint", category = "pets", body = "x", anonymous = false, visibility = "public" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.PutAsync($"/v1/opinions/{opinion.Id()}/agree", null)).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MeTooIsIdempotentAndSortsTheListWithACursorThatHoldsItsPlace()
    {
        var resident = await app.ClientFor("resident");
        var a = await resident.PostOpinion("suggestion", "greenery", "草坪多种点花");
        var b = await resident.PostOpinion("suggestion", "greenery", "修剪挡窗的树");
        var c = await resident.PostOpinion("suggestion", "greenery", "增加座椅");
        var d = await resident.PostOpinion("suggestion", "greenery", "清理落叶");
        async Task Agree(string handle, JsonElement opinion) =>
            await (await (await app.ClientFor(handle)).PutAsync($"/v1/opinions/{opinion.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        await Agree("tenant", b);
        await Agree("tenant", b); // twice: still one
        await Agree("owners", b);
        await Agree("residents", b);
        await Agree("tenant", d);
        await Agree("owners", d);
        await Agree("tenant", a);
        await Agree("owners", c);
        await (await (await app.ClientFor("owners")).DeleteAsync($"/v1/opinions/{c.Id()}/agree")).Expect(HttpStatusCode.NoContent);
        await (await (await app.ClientFor("owners")).DeleteAsync($"/v1/opinions/{c.Id()}/agree")).Expect(HttpStatusCode.NoContent);

        var tenant = await app.ClientFor("tenant");
        var seenB = await tenant.GetJson($"/v1/opinions/{b.Id()}");
        Assert.Equal(3, seenB.GetProperty("agreeCount").GetInt64());
        Assert.True(seenB.GetProperty("agreed").GetBoolean());
        Assert.Equal(0, (await tenant.GetJson($"/v1/opinions/{c.Id()}")).GetProperty("agreeCount").GetInt64());

        // Agreed: b (3), d (2), a (1), c (0); read one per page through the cursor.
        var order = new List<long>();
        string? next = null;
        do
        {
            var page = await tenant.GetJson($"/v1/communities/1/opinions?category=greenery&sort=agreed&limit=1{(next is null ? "" : $"&after={next}")}");
            order.AddRange(page.GetProperty("items").EnumerateArray().Select(o => o.Id()));
            next = page.GetProperty("next").GetString();
        }
        while (next is not null);
        Assert.Equal([b.Id(), d.Id(), a.Id(), c.Id()], order);

        var recent = await tenant.GetJson("/v1/communities/1/opinions?category=greenery&limit=3");
        Assert.Equal([d.Id(), c.Id(), b.Id()], recent.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        var rest = await tenant.GetJson($"/v1/communities/1/opinions?category=greenery&limit=3&after={recent.Text("next")}");
        Assert.Equal([a.Id()], rest.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);
        // A cursor of one sort is refused by the other.
        await (await tenant.GetAsync($"/v1/communities/1/opinions?category=greenery&sort=agreed&after={recent.Text("next")}"))
            .ExpectProblem(HttpStatusCode.BadRequest);
    }

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
        await using (var connection = new SqliteConnection($"Data Source={app.DatabasePath}"))
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
        await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE audit_log SET reason = 'nothing happened' WHERE id = @auditId;", new { auditId }, transaction)));
        await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("DELETE FROM audit_log WHERE id = @auditId;", new { auditId }, transaction)));
        await using var direct = new SqliteConnection($"Data Source={app.DatabasePath}");
        await direct.OpenAsync();
        await Assert.ThrowsAsync<SqliteException>(() => direct.ExecuteAsync("UPDATE audit_log SET actor_id = actor_id + 1;"));
        await Assert.ThrowsAsync<SqliteException>(() => direct.ExecuteAsync("DELETE FROM audit_log;"));
        var row = await direct.QuerySingleAsync<(string Reason, long ActorId)>("SELECT reason, actor_id FROM audit_log WHERE id = @auditId;", new { auditId });
        Assert.Equal(reason.reason, row.Reason);
        Assert.Equal(await CommunityApp.UserIdOf(secretary), row.ActorId);
    }

    [Fact]
    public async Task TheAuthorFindsTheirOwnOpinionsAnonymousOnesIncluded()
    {
        var author = await app.ClientFor("me-opinions-author", communityId: 1, role: "resident", unitId: 14);
        var named = await author.PostOpinion("suggestion", "community_life", "多办几场亲子活动");
        var anonymous = await author.PostOpinion("complaint", "community_life", "活动通知太晚", anonymous: true, visibility: "private");
        var mine = await author.GetJson("/v1/me/opinions");
        Assert.Equal([anonymous.Id(), named.Id()], mine.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.All(mine.GetProperty("items").EnumerateArray(), o => Assert.True(o.GetProperty("mine").GetBoolean()));
        var page = await author.GetJson("/v1/me/opinions?limit=1");
        Assert.Equal([anonymous.Id()], page.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.Equal([named.Id()], (await author.GetJson($"/v1/me/opinions?limit=1&after={page.Text("next")}")).GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.DoesNotContain((await (await app.ClientFor("tenant")).GetJson("/v1/me/opinions?limit=100")).GetProperty("items").EnumerateArray(),
            o => o.Id() == anonymous.Id() || o.Id() == named.Id());
    }

    [Fact]
    public async Task TheSameIdempotencyKeyPostsOneOpinion()
    {
        var resident = await app.ClientFor("resident");
        HttpRequestMessage Request() => new(HttpMethod.Post, "/v1/communities/1/opinions")
        {
            Content = JsonContent.Create(new { kind = "complaint", category = "water", body = "水压太低", anonymous = true, visibility = "public" }),
            Headers = { { "Idempotency-Key", "opinion-water-1" } },
        };
        var first = await (await resident.SendAsync(Request())).Expect(HttpStatusCode.Created);
        var second = await (await resident.SendAsync(Request())).Expect(HttpStatusCode.Created);
        Assert.Equal(first.Id(), second.Id());
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM cases WHERE kind = 'opinion' AND item_id = @id;", new { id = first.Id() }));
    }
}
