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

        await using var connection = app.Connection();
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
        await using var connection = app.Connection();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM cases WHERE kind = 'opinion' AND item_id = @id;", new { id = first.Id() }));
    }
}
