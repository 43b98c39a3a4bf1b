using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Moderation;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Moderation;

public sealed class ModerationSetupTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task TheSecretaryAppointsAndDismissesResidentsCommitteeModerators()
    {
        var secretary = await app.ClientFor("secretary");
        var committeeId = await CommunityApp.UserIdOf(await app.ClientFor("residents"));
        var residentId = await CommunityApp.UserIdOf(await app.ClientFor("resident"));
        var strangerId = await CommunityApp.UserIdOf(await app.ClientFor("resident2"));

        var list = await (await secretary.PutAsync($"/v1/communities/1/moderators/{committeeId}", null)).Expect(HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), m => m.GetProperty("userId").GetInt64() == committeeId && !m.GetProperty("byOffice").GetBoolean());
        Assert.Contains(list.EnumerateArray(), m => m.GetProperty("role").GetString() == "party_secretary" && m.GetProperty("byOffice").GetBoolean());

        await (await secretary.PutAsync($"/v1/communities/1/moderators/{residentId}", null)).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.PutAsync($"/v1/communities/1/moderators/{strangerId}", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("residents")).PutAsync($"/v1/communities/1/moderators/{committeeId}", null)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/moderators")).ExpectProblem(HttpStatusCode.NotFound);

        // The appointed moderator may read the word list; a resident may not.
        await (await (await app.ClientFor("residents")).GetAsync("/v1/communities/1/moderation/words")).Expect(HttpStatusCode.OK);
        await (await (await app.ClientFor("resident")).GetAsync("/v1/communities/1/moderation/words")).ExpectProblem(HttpStatusCode.Forbidden);

        await (await secretary.DeleteAsync($"/v1/communities/1/moderators/{committeeId}")).Expect(HttpStatusCode.NoContent);
        await (await (await app.ClientFor("residents")).GetAsync("/v1/communities/1/moderation/words")).ExpectProblem(HttpStatusCode.Forbidden);

        var log = await (await secretary.GetAsync("/v1/communities/1/moderation/log")).Expect(HttpStatusCode.OK);
        var actions = log.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Contains("appoint_moderator", actions);
        Assert.Contains("dismiss_moderator", actions);
    }

    [Fact]
    public async Task TheWordListStartsFromTheDefaultAndTheSecretaryReplacesIt()
    {
        var secretary = await app.ClientFor("secretary");
        var community2 = await app.ClientFor("secretary-2", communityId: 2, role: "party_secretary");
        var defaults = await (await community2.GetAsync("/v1/communities/2/moderation/words")).Expect(HttpStatusCode.OK);
        Assert.True(defaults.GetProperty("isDefault").GetBoolean());
        Assert.Contains(defaults.GetProperty("words").EnumerateArray(), w => w.GetProperty("text").GetString() == "傻逼");

        var replaced = await (await community2.PutJson("/v1/communities/2/moderation/words",
            new { words = new[] { new { text = "黑心物业", level = "review" }, new { text = "滚", level = "block" } } })).Expect(HttpStatusCode.OK);
        Assert.False(replaced.GetProperty("isDefault").GetBoolean());
        Assert.Equal(2, replaced.GetProperty("words").GetArrayLength());

        await (await community2.PutJson("/v1/communities/2/moderation/words", new { words = new[] { new { text = "x", level = "ban" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await community2.PutJson("/v1/communities/2/moderation/words", new { words = new[] { new { text = " * ", level = "block" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        await (await secretary.PutJson("/v1/communities/2/moderation/words", new { words = Array.Empty<object>() })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("street")).GetAsync("/v1/communities/2/moderation/words")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task PreReviewIsTheSecretarysSwitch()
    {
        var secretary = await app.ClientFor("secretary");
        Assert.False((await (await secretary.GetAsync("/v1/communities/1/moderation/settings")).Expect(HttpStatusCode.OK)).GetProperty("preReview").GetBoolean());
        await (await (await app.ClientFor("residents")).PutJson("/v1/communities/1/moderation/settings", new { preReview = true })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True((await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = true })).Expect(HttpStatusCode.OK)).GetProperty("preReview").GetBoolean());
        Assert.False((await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = false })).Expect(HttpStatusCode.OK)).GetProperty("preReview").GetBoolean());
    }

    [Fact]
    public async Task LogRowsCannotBeChangedOrDeletedEvenWithSql()
    {
        var secretary = await app.ClientFor("secretary");
        await (await secretary.PutJson("/v1/communities/1/moderation/settings", new { preReview = false })).Expect(HttpStatusCode.OK);
        var database = app.Service<Database>();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync((c, t) => c.ExecuteAsync("UPDATE moderation_log SET reason = 'rewritten';", transaction: t)));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync((c, t) => c.ExecuteAsync("DELETE FROM moderation_log;", transaction: t)));
        await using var connection = app.Connection();
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM moderation_log;") > 0);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM moderation_log WHERE reason = 'rewritten';"));
    }

    [Fact]
    public async Task WeChatsContentCheckRefusesRiskyHoldsReviewAndLetsFailuresThrough()
    {
        var check = app.Service<ContentCheck>();
        app.WeChat.ContentVerdict = text => text.Contains("赌") ? "risky" : text.Contains("微") ? "review" : "pass";
        Assert.Equal(GateVerdict.Refuse, await check.CheckAsync("openid-a", "来赌一把", CancellationToken.None));
        Assert.Equal(GateVerdict.Hold, await check.CheckAsync("openid-a", "加个微", CancellationToken.None));
        Assert.Equal(GateVerdict.Publish, await check.CheckAsync("openid-a", "电梯修好了,谢谢物业", CancellationToken.None));
        var request = app.WeChat.ContentChecks.Last();
        Assert.Equal(2, request["version"]!.GetValue<int>());
        Assert.Equal(3, request["scene"]!.GetValue<int>());
        Assert.Equal("openid-a", request["openid"]!.GetValue<string>());

        app.WeChat.Script("msg_sec_check", 45009, 45009);
        Assert.Equal(GateVerdict.Publish, await check.CheckAsync("openid-a", "来赌一把", CancellationToken.None));
        // No openid (a demo user): nothing to check against.
        Assert.Equal(GateVerdict.Publish, await check.CheckAsync(null, "来赌一把", CancellationToken.None));
    }
}
