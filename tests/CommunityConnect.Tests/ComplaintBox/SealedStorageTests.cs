using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>
/// Sealed in storage too (issue 12): one person's named repairs, opinions, proposal and followed
/// thread beside their anonymous opinion, answered and escalated, with its notices and their
/// satisfaction reply. Read from the database file alone, no equality join leads from the anonymous
/// rows to anything of theirs; they still follow the opinion.
/// </summary>
public sealed class SealedStorageTests(SealedStorageTests.MirroringApp app) : IClassFixture<SealedStorageTests.MirroringApp>
{
    /// <summary>Notices about a user's own items go out as WeChat messages too, so the outbox has rows to search.</summary>
    public sealed class MirroringApp : CommunityApp
    {
        public MirroringApp()
        {
            Settings["WeChat:Templates:item_progress:TemplateId"] = "tmpl-progress";
            Settings["WeChat:Templates:case_escalated:TemplateId"] = "tmpl-escalated";
        }
    }

    private const string OpenId = "openid-zhang-guiying-sealed";

    [Fact]
    public async Task NoEqualityJoinLeadsFromAnAnonymousOpinionToItsAuthorAndTheAuthorStillFollowsIt()
    {
        var author = await app.ClientFor("resident");
        var authorId = await CommunityApp.UserIdOf(author);
        await app.Service<Database>().WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE users SET openid = @OpenId WHERE id = @authorId;", new { OpenId, authorId }, transaction));
        var owners = await app.ClientFor("owners");
        var residents = await app.ClientFor("residents");
        var tenant = await app.ClientFor("tenant");

        // Named: two repairs, a named opinion answered, a proposal, a thread they follow, a "me too".
        await Report(author, new { category = "water", description = "厨房水管漏水,地上都是水", unitId = await UnitOf(author) });
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await ReportCommonArea(author);
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        var named = await author.PostOpinion("complaint", "property_service", "电梯经常停运,物业不回应。");
        await owners.Answer(named.Id(), "已督促物业维保。");
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await author.PostThread(new { kind = "proposal", title = "增设电瓶车充电棚", body = "避免飞线充电。", category = "parking" });
        var thread = await tenant.PostDiscussion("小区门口的快递柜");
        await (await author.PutAsync($"/v1/threads/{thread.Id()}/follow", null)).Expect(HttpStatusCode.NoContent);
        await tenant.PostReply(thread.Id(), "我也觉得应该加一个。");
        var tenantOpinion = await tenant.PostOpinion("suggestion", "community_life", "周末办个旧物交换吧。");
        await (await author.PutAsync($"/v1/opinions/{tenantOpinion.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        app.Clock.Advance(TimeSpan.FromMinutes(3));

        // Anonymous: filed with an Idempotency-Key, "me too" by its own author, escalated by them once the
        // first-response time passed, answered by the next body, and their satisfaction reply.
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/communities/1/opinions")
        {
            Content = JsonContent.Create(new { kind = "complaint", category = "property_service", title = "保洁缺勤", body = "楼道一周没人打扫。", anonymous = true, visibility = "private" }),
            Headers = { { "Idempotency-Key", "sealed-anon-1" } },
        };
        var anonymous = await (await author.SendAsync(request)).Expect(HttpStatusCode.Created);
        var caseId = anonymous.GetProperty("caseId").GetInt64();
        await (await author.PutAsync($"/v1/opinions/{anonymous.Id()}/agree", null)).ExpectProblem(HttpStatusCode.Conflict); // private: no "me too"
        var due = (await author.GetJson($"/v1/cases/{caseId}")).GetProperty("firstResponseDue").GetDateTimeOffset();
        app.Clock.SetUtcNow(due.AddMinutes(1));
        var escalated = await (await author.PostJson($"/v1/cases/{caseId}/escalate", new { reason = "一直没人理" })).Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", escalated.Text("responsibleBody"));
        await residents.Answer(anonymous.Id(), "已安排保洁每日打卡。", "private");
        var replied = await author.Reply(anonymous.Id(), true, "现在干净了");
        Assert.Equal("closed", replied.Text("state"));
        Assert.True(replied.GetProperty("mine").GetBoolean());

        // The author still follows it: "my opinions" (named and anonymous), its notices, and only they.
        var mine = (await author.GetJson("/v1/me/opinions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([anonymous.Id(), named.Id()], mine.Select(o => o.Id()));
        Assert.All(mine, o => Assert.True(o.GetProperty("mine").GetBoolean()));
        var inbox = (await author.GetJson("/v1/me/inbox?limit=100")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(inbox, n => n.Text("kind") == "case_escalated" && n.GetProperty("itemId").GetInt64() == caseId);
        var answered = Assert.Single(inbox, n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == anonymous.Id());
        Assert.Contains(inbox, n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == named.Id());
        await (await author.PostAsync($"/v1/me/inbox/{answered.Id()}/read", null)).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain((await tenant.GetJson("/v1/me/inbox?limit=100")).GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == anonymous.Id());
        Assert.DoesNotContain((await tenant.GetJson($"/v1/communities/1/opinions?limit=100")).GetProperty("items").EnumerateArray(),
            o => o.Id() == anonymous.Id()); // private
        Assert.True((await author.GetJson($"/v1/communities/1/opinions?limit=100")).GetProperty("items").EnumerateArray()
            .Single(o => o.Id() == anonymous.Id()).GetProperty("mine").GetBoolean());

        // The database file alone.
        var namedKey = app.Service<RecipientKeys>().ForUser(authorId);
        var trail = await AuthorTrail.ReadAsync(app);
        var opinionRow = trail.Rows.Single(r => r.Table == "opinions" && Equals(r.Values["id"], anonymous.Id()));
        var pseudonym = (string)opinionRow.Values["author_key"]!;
        Assert.NotEqual(namedKey, pseudonym);
        var anonymousRows = trail.Rows.Where(r =>
            r == opinionRow
            || (r.Table == "cases" && Equals(r.Values["id"], caseId))
            || (r.Table == "case_history" && Equals(r.Values["case_id"], caseId))
            || (r.Table == "notifications" && Equals(r.Values["recipient_key"], pseudonym))
            || (r.Table == "opinion_agreements" && Equals(r.Values["user_key"], pseudonym))
            || (r.Table == "anonymous_items" && Equals(r.Values["pseudonym"], pseudonym))
            || r.Table == "anonymous_keyrings" // every keyring: none may join to the person's named rows
            || (r.Table == "idempotency_records" && Equals(r.Values["location"], $"/v1/opinions/{anonymous.Id()}"))).ToList();
        var notices = anonymousRows.Where(r => r.Table == "notifications").ToList();
        Assert.Equal(["case_escalated", "opinion_answered"], notices.Select(n => (string)n.Values["kind"]!).Order());
        Assert.Single(anonymousRows, r => r.Table == "idempotency_records");
        Assert.Single(anonymousRows, r => r.Table == "anonymous_items");
        // Their keyring: a holder of its own purpose (not the named key, not the pseudonym) equal to no other
        // stored value, and a sealed blob that contains neither the pseudonym nor the holder in the clear.
        var holder = app.Service<AnonymousKeyrings>().HolderOf(authorId);
        var keyring = Assert.Single(anonymousRows, r => r.Table == "anonymous_keyrings" && Equals(r.Values["holder"], holder));
        Assert.NotEqual(namedKey, holder);
        Assert.NotEqual(pseudonym, holder);
        Assert.DoesNotContain(trail.Rows, r => r != keyring && r.Values.Values.Any(v => Equals(v, holder)));
        var sealedKeyring = Assert.IsType<byte[]>(keyring.Values["sealed"]);
        var clear = System.Text.Encoding.Latin1.GetString(sealedKeyring);
        Assert.DoesNotContain(pseudonym, clear, StringComparison.Ordinal);
        Assert.DoesNotContain(holder, clear, StringComparison.Ordinal);
        Assert.Equal([pseudonym], app.Service<AnonymousKeyrings>().Open(holder, sealedKeyring));
        Assert.Equal(pseudonym, anonymousRows.Single(r => r.Table == "cases").Values["author_key"]);
        Assert.True(anonymousRows.Count(r => r.Table == "case_history") >= 5);
        // Its notices were never mirrored to WeChat: no outbox row points at them.
        Assert.DoesNotContain(trail.Rows, r => r.Table == "outbox_messages" && notices.Any(n => Equals(n.Values["id"], r.Values["notification_id"])));

        var identifiers = new[] { namedKey, OpenId, "13812341234", "张桂英" };
        // The trail does find the person's named rows, and the rows one join from them.
        var theirs = trail.NamingOrOneJoinAway(authorId, identifiers);
        Assert.Contains(theirs, r => r.Table == "repair_tickets");
        Assert.Contains(theirs, r => r.Table == "threads" && Equals(r.Values["kind"], "proposal"));
        Assert.Contains(theirs, r => r.Table == "opinions" && Equals(r.Values["id"], named.Id()));
        Assert.Contains(theirs, r => r.Table == "cases" && Equals(r.Values["author_key"], namedKey));
        Assert.Contains(theirs, r => r.Table == "outbox_messages");
        Assert.Contains(theirs, r => r.Table == "opinion_agreements" && Equals(r.Values["user_key"], namedKey));
        Assert.Contains(theirs, r => r.Table == "notifications" && Equals(r.Values["recipient_key"], namedKey));
        Assert.Empty(trail.Leaks(anonymousRows, authorId, identifiers));
    }
}
