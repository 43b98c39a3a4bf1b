using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Features.SubscribeMessages;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.SubscribeMessages;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.SubscribeMessages;

/// <summary>An app whose membership notices go out as WeChat subscribe messages, with its log captured.</summary>
public class SubscribeMessageApp : CommunityApp
{
    public CapturingLoggerProvider Logs { get; } = new();

    public SubscribeMessageApp()
    {
        Settings["WeChat:Templates:membership:TemplateId"] = "tmpl-membership";
        Settings["WeChat:Templates:item_progress:TemplateId"] = "tmpl-progress";
        Settings["WeChat:MaxRetries"] = "2";
    }

    protected override void ConfigureMore(IWebHostBuilder builder) =>
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));

    /// <summary>A WeChat user (openid-{suffix}) who asks to join community 1 in <paramref name="unitIds"/>; not yet approved.</summary>
    public async Task<(HttpClient Client, long[] RequestIds)> WeChatApplicantAsync(string suffix, params long[] unitIds)
    {
        var client = CreateClient();
        var login = await (await client.PostJson("/v1/auth/wechat-login", new { code = $"code-{suffix}" })).Expect(HttpStatusCode.OK);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        var ids = new List<long>();
        foreach (var unitId in unitIds)
        {
            var request = await (await client.PostJson("/v1/communities/1/membership-requests", new { unitId, relation = "tenant" })).Expect(HttpStatusCode.Created);
            ids.Add(request.GetProperty("id").GetInt64());
        }
        return (client, ids.ToArray());
    }

    public async Task ApproveAsync(long requestId) =>
        await (await (await ClientFor("residents")).PostJson($"/v1/communities/1/membership-requests/{requestId}/approve", new { })).Expect(HttpStatusCode.OK);

    public Task<int> DeliverAsync() => Service<DeliverSubscribeMessagesJob>().RunAsync(CancellationToken.None);

    public int DeliveredTo(string suffix) => WeChat.DeliveredMessages.Count(m => m["touser"]?.GetValue<string>() == $"openid-{suffix}");

    public async Task<IReadOnlyList<string>> OutboxStatesAsync(string suffix)
    {
        await using var connection = Connection();
        return (await connection.QueryAsync<string>(
            "SELECT o.state FROM outbox_messages o JOIN users u ON u.id = o.user_id WHERE u.openid = @openid ORDER BY o.id;",
            new { openid = $"openid-{suffix}" })).ToList();
    }
}

public sealed class SubscribeMessageTests(SubscribeMessageApp app) : IClassFixture<SubscribeMessageApp>
{
    [Fact]
    public async Task AConsentedNoticeIsDeliveredOnceWithValuesWithinWeChatsLimits()
    {
        var (client, requests) = await app.WeChatApplicantAsync("success", 13);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 1 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);

        await app.DeliverAsync();
        await app.DeliverAsync();

        Assert.Equal(1, app.DeliveredTo("success"));
        var message = app.WeChat.DeliveredMessages.Single(m => m["touser"]!.GetValue<string>() == "openid-success");
        Assert.Equal("tmpl-membership", message["template_id"]!.GetValue<string>());
        Assert.Equal("入住认证已通过", message["data"]!["thing1"]!["value"]!.GetValue<string>());
        Assert.Equal(["sent"], await app.OutboxStatesAsync("success"));
        var subscriptions = await client.GetFromJsonAsync<JsonElement>("/v1/me/subscriptions");
        Assert.Equal(0, subscriptions.EnumerateArray().Single(s => s.GetProperty("templateKey").GetString() == "membership").GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task NoConsentNoMessage()
    {
        var (_, requests) = await app.WeChatApplicantAsync("no-consent", 14);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync();
        Assert.Equal(0, app.DeliveredTo("no-consent"));
        Assert.Equal(["no_consent"], await app.OutboxStatesAsync("no-consent"));
    }

    [Fact]
    public async Task ThreeConsentsThreeMessages()
    {
        var (client, requests) = await app.WeChatApplicantAsync("three", 15, 16, 17, 18);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 2 })).Expect(HttpStatusCode.OK);
        var total = await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 1 })).Expect(HttpStatusCode.OK);
        Assert.Equal(3, total.GetProperty("remaining").GetInt64());
        foreach (var request in requests)
        {
            await app.ApproveAsync(request);
        }
        await app.DeliverAsync();
        Assert.Equal(3, app.DeliveredTo("three"));
        Assert.Equal(["sent", "sent", "sent", "no_consent"], await app.OutboxStatesAsync("three"));
    }

    [Fact]
    public async Task BusyIsRetriedThenSucceeds()
    {
        var (client, requests) = await app.WeChatApplicantAsync("busy", 19);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 1 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync(); // make sure the token is cached, so the script hits the send
        var before = app.WeChat.Calls("subscribe_send");
        Assert.Equal(1, app.DeliveredTo("busy"));

        var (client2, requests2) = await app.WeChatApplicantAsync("busy-2", 20);
        await (await client2.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 1 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests2[0]);
        app.WeChat.Script("subscribe_send", -1);
        await app.DeliverAsync();
        Assert.Equal(1, app.DeliveredTo("busy-2"));
        Assert.Equal(before + 2, app.WeChat.Calls("subscribe_send"));
    }

    [Fact]
    public async Task AGatewayErrorOnASendIsNeverRetriedBecauseWeChatMayHaveDeliveredIt()
    {
        var (client, requests) = await app.WeChatApplicantAsync("gateway", 37, 38);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 2 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync(); // token cached
        var before = app.WeChat.Calls("subscribe_send");
        app.WeChat.Script("subscribe_send", 502);
        await app.ApproveAsync(requests[1]);
        await app.DeliverAsync();
        await app.DeliverAsync();
        Assert.Equal(before + 1, app.WeChat.Calls("subscribe_send"));
        Assert.Equal(["sent", "unknown"], await app.OutboxStatesAsync("gateway"));
    }

    [Fact]
    public async Task AnInvalidTokenIsRefreshedOnceAndTheMessageGoesThrough()
    {
        var (client, requests) = await app.WeChatApplicantAsync("token", 21, 22);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 2 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync();
        var tokensBefore = app.WeChat.Calls("stable_token");

        app.WeChat.InvalidateTokens(); // another server refreshed it: ours answers 40001 now
        await app.ApproveAsync(requests[1]);
        await app.DeliverAsync();
        Assert.Equal(2, app.DeliveredTo("token"));
        Assert.Equal(tokensBefore + 1, app.WeChat.Calls("stable_token"));
    }

    [Fact]
    public async Task ConsentUsedUpOnWeChatsSideIsMarkedAndNotRetried()
    {
        var (client, requests) = await app.WeChatApplicantAsync("used-up", 23);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 2 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync(); // token cached
        var before = app.WeChat.Calls("subscribe_send");
        var (_, more) = await app.WeChatApplicantAsync("used-up", 24);
        app.WeChat.Script("subscribe_send", 43101);
        await app.ApproveAsync(more[0]);
        await app.DeliverAsync();
        await app.DeliverAsync();
        Assert.Equal(before + 1, app.WeChat.Calls("subscribe_send"));
        Assert.Equal(["sent", "consent_used_up"], await app.OutboxStatesAsync("used-up"));
        var subscriptions = await client.GetFromJsonAsync<JsonElement>("/v1/me/subscriptions");
        Assert.Equal(0, subscriptions.EnumerateArray().Single(s => s.GetProperty("templateKey").GetString() == "membership").GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task AMessageWhoseOutcomeIsUnknownIsNeverSentAgain()
    {
        var (client, requests) = await app.WeChatApplicantAsync("crash", 25);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 5 })).Expect(HttpStatusCode.OK);
        await app.ApproveAsync(requests[0]);
        await app.DeliverAsync();
        Assert.Equal(1, app.DeliveredTo("crash"));

        // As if the process died after WeChat answered but before "sent" was written.
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync(
                "UPDATE outbox_messages SET state = 'sending' WHERE user_id = (SELECT id FROM users WHERE openid = 'openid-crash');");
        }
        await app.DeliverAsync();
        app.Clock.Advance(SubscribeMessageSender.StaleAfter + TimeSpan.FromMinutes(1));
        await app.DeliverAsync();
        await app.DeliverAsync();
        Assert.Equal(1, app.DeliveredTo("crash"));
        Assert.Equal(["unknown"], await app.OutboxStatesAsync("crash"));
    }

    [Fact]
    public async Task TwoDeliveryJobsAtOnceSendEachMessageOnce()
    {
        var (client, requests) = await app.WeChatApplicantAsync("parallel", 26, 27, 28, 29, 30);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 5 })).Expect(HttpStatusCode.OK);
        foreach (var request in requests)
        {
            await app.ApproveAsync(request);
        }
        await Task.WhenAll(app.DeliverAsync(), app.DeliverAsync(), app.DeliverAsync());
        Assert.Equal(5, app.DeliveredTo("parallel"));
        Assert.All(await app.OutboxStatesAsync("parallel"), state => Assert.Equal("sent", state));
    }

    [Fact]
    public async Task AResentConsentWithTheSameKeyCountsOnce()
    {
        var client = await app.ClientFor("consent-resend", communityId: 1, role: "resident", unitId: 36);
        HttpRequestMessage Request() => new(HttpMethod.Post, "/v1/me/subscriptions")
        {
            Content = JsonContent.Create(new { templateKey = "item_progress", count = 3 }),
            Headers = { { "Idempotency-Key", "consent-1" } },
        };
        var first = await (await client.SendAsync(Request())).Expect(HttpStatusCode.OK);
        var second = await (await client.SendAsync(Request())).Expect(HttpStatusCode.OK);
        Assert.Equal(3, first.GetProperty("remaining").GetInt64());
        Assert.Equal(3, second.GetProperty("remaining").GetInt64());
        var list = await client.GetFromJsonAsync<JsonElement>("/v1/me/subscriptions");
        Assert.Equal(3, list.EnumerateArray().Single(s => s.GetProperty("templateKey").GetString() == "item_progress").GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task ConsentsNeedAKnownTemplateAndACount()
    {
        var client = await app.ClientFor("resident");
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "lottery", count = 1 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 0 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership" })).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task NoticesToAKeyedRecipientNeverReachTheOutbox()
    {
        // An anonymous author is known only by a keyed hash: inbox only, never WeChat.
        var (client, _) = await app.WeChatApplicantAsync("anonymous", 31);
        var userId = await CommunityApp.UserIdOf(client);
        var key = app.Service<Api.Infrastructure.Auth.RecipientKeys>().ForUser(userId);
        await app.Service<Database>().WriteAsync(async (connection, transaction) =>
        {
            await app.Service<Inbox>().NotifyKeysAsync(connection, transaction, [key],
                new Notice("membership_approved", "入住认证已通过", "匿名意见的回复", 1));
            return true;
        });
        Assert.Empty(await app.OutboxStatesAsync("anonymous"));
        var inbox = await client.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Single(inbox.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AnAnsweredAnonymousOpinionNeverBecomesAWeChatMessageButANamedOneDoes()
    {
        var (client, requests) = await app.WeChatApplicantAsync("opinions", 35);
        await app.ApproveAsync(requests[0]);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "item_progress", count = 5 })).Expect(HttpStatusCode.OK);
        var owners = await app.ClientFor("owners");
        foreach (var anonymous in new[] { true, false })
        {
            var opinion = await (await client.PostJson("/v1/communities/1/opinions", new
            {
                kind = "complaint", category = "property_service", body = "物业费涨了,服务却越来越差,保安经常不在岗。",
                anonymous, visibility = "public",
            })).Expect(HttpStatusCode.Created);
            await (await owners.PostJson($"/v1/opinions/{opinion.GetProperty("id").GetInt64()}/responses",
                new { body = "业委会已约谈物业,下周起保安岗位24小时有人。", visibility = "public" })).Expect(HttpStatusCode.Created);
        }
        await app.DeliverAsync();

        var delivered = app.WeChat.DeliveredMessages.Where(m => m["touser"]!.GetValue<string>() == "openid-opinions").ToList();
        var message = Assert.Single(delivered, m => m["template_id"]!.GetValue<string>() == "tmpl-progress");
        Assert.Contains("业委会", message["data"]!["thing1"]!["value"]!.GetValue<string>());
        // One outbox row for the membership notice (no consent for it) and one for the named answer; none for the anonymous one.
        Assert.Equal(["no_consent", "sent"], await app.OutboxStatesAsync("opinions"));
    }

    [Fact]
    public void ValuesAreCutByTextElementsNotBytes()
    {
        var title = string.Concat(Enumerable.Repeat("👍🏽", 25)); // each is one text element of four UTF-16 units
        var value = TemplateValues.Value("thing1", "title", new Notice("x", title, ""), DateTimeOffset.UnixEpoch);
        Assert.Equal(20, new System.Globalization.StringInfo(value).LengthInTextElements);
        Assert.Equal(string.Concat(Enumerable.Repeat("👍🏽", 20)), value);
        Assert.Equal("已受理", TemplateValues.Value("phrase2", "=已受理", new Notice("x", "", ""), DateTimeOffset.UnixEpoch));
        Assert.Equal("受理中的一", TemplateValues.Value("phrase2", "=受理中的一件事", new Notice("x", "", ""), DateTimeOffset.UnixEpoch));
        Assert.Equal("1970年1月1日 08:00", TemplateValues.Value("time3", "createdAt", new Notice("x", "", ""), DateTimeOffset.UnixEpoch));
    }
}

/// <summary>Strict WeChat: a value that breaks its rules is answered 47003.</summary>
public sealed class SubscribeMessageBadDataTests : IAsyncLifetime
{
    private readonly SubscribeMessageApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        // A character_string field may not hold Chinese: this template is misconfigured on purpose.
        _app.Settings["WeChat:Templates:membership:Fields:character_string2"] = "title";
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task BadDataIsLoggedWithTheTemplateKeyAndNotRetried()
    {
        var (client, requests) = await _app.WeChatApplicantAsync("bad-data", 32);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 3 })).Expect(HttpStatusCode.OK);
        await _app.ApproveAsync(requests[0]);
        await _app.DeliverAsync();
        await _app.DeliverAsync();
        Assert.Equal(0, _app.DeliveredTo("bad-data"));
        Assert.Equal(1, _app.WeChat.Calls("subscribe_send"));
        Assert.Equal(["rejected"], await _app.OutboxStatesAsync("bad-data"));
        Assert.Contains(_app.Logs.Entries, entry => entry.Message.Contains("47003") && entry.Message.Contains("membership"));
    }
}

/// <summary>An access token that expires is refreshed before it is used, not after WeChat refuses it.</summary>
public sealed class SubscribeMessageTokenExpiryTests : IAsyncLifetime
{
    private readonly SubscribeMessageApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        // Six seconds: the app refreshes a token this short-lived half-way (3 s); the fake refuses it after 6 s,
        // which leaves a loaded machine plenty of time between fetching a token and using it.
        _app.WeChat.TokenLifetimeSeconds = 6;
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task AnExpiredTokenIsRefreshedBeforeUse()
    {
        var (client, requests) = await _app.WeChatApplicantAsync("expiry", 33, 34);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = 2 })).Expect(HttpStatusCode.OK);
        await _app.ApproveAsync(requests[0]);
        await _app.DeliverAsync();
        await Task.Delay(TimeSpan.FromSeconds(3.5)); // token lifetimes are real time
        await _app.ApproveAsync(requests[1]);
        await _app.DeliverAsync();
        Assert.Equal(2, _app.DeliveredTo("expiry"));
        Assert.Equal(2, _app.WeChat.Calls("stable_token"));
        Assert.Equal(2, _app.WeChat.Calls("subscribe_send")); // never refused for an expired token
    }
}
