using System.Net;
using System.Net.Http.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Identity;

public sealed class WeChatLoginTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task LoginCreatesTheUserOnceAndReturnsTheSameUserForTheSameOpenId()
    {
        var client = _app.CreateClient();
        var first = await (await client.PostJson("/v1/auth/wechat-login", new { code = "code-abc" })).Expect(HttpStatusCode.OK);
        var second = await (await client.PostJson("/v1/auth/wechat-login", new { code = "code-abc" })).Expect(HttpStatusCode.OK);
        var other = await (await client.PostJson("/v1/auth/wechat-login", new { code = "code-xyz" })).Expect(HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("user").GetProperty("id").GetInt64(), second.GetProperty("user").GetProperty("id").GetInt64());
        Assert.NotEqual(first.GetProperty("user").GetProperty("id").GetInt64(), other.GetProperty("user").GetProperty("id").GetInt64());
        Assert.DoesNotContain("session", first.ToString(), StringComparison.OrdinalIgnoreCase);

        client.DefaultRequestHeaders.Authorization = new("Bearer", first.GetProperty("token").GetString());
        var me = await (await client.GetAsync("/v1/me")).Expect(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("user").GetProperty("id").GetInt64(), me.GetProperty("id").GetInt64());
        Assert.Empty(me.GetProperty("memberships").EnumerateArray());
    }

    [Theory]
    [InlineData(40029, HttpStatusCode.Unauthorized)]
    [InlineData(45011, HttpStatusCode.TooManyRequests)]
    [InlineData(40226, HttpStatusCode.Forbidden)]
    public async Task EachMappedErrorCodeAnswersItsProblem(int errorCode, HttpStatusCode expected)
    {
        _app.WeChat.Script("jscode2session", errorCode);
        var response = await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "code-abc" });
        await response.ExpectProblem(expected);
        Assert.Equal(1, _app.WeChat.Calls("jscode2session"));
    }

    [Fact]
    public async Task AnUnknownCodeIsUnauthorized()
    {
        var response = await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "garbage" });
        await response.ExpectProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task BusyIsRetriedUntilWeChatAnswers()
    {
        _app.WeChat.Script("jscode2session", -1, -1);
        var response = await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "code-retry" });
        await response.Expect(HttpStatusCode.OK);
        Assert.Equal(3, _app.WeChat.Calls("jscode2session"));
    }

    [Fact]
    public async Task BusyEveryTimeEndsInServiceUnavailable()
    {
        _app.WeChat.Script("jscode2session", -1, -1, -1, -1, -1);
        var response = await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "code-busy" });
        await response.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(4, _app.WeChat.Calls("jscode2session")); // the first try and three retries
    }

    [Fact]
    public async Task AMissingCodeIsABadRequest()
    {
        var problem = await (await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("code", out _));
    }
}

public sealed class WeChatNotConfiguredTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["WeChat:AppId"] = "";
        _app.Settings["WeChat:AppSecret"] = "";
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task LoginAnswersServiceUnavailableWhileWeChatIsNotConfigured()
    {
        var response = await _app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "code-abc" });
        await response.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, _app.WeChat.Calls("jscode2session"));
    }
}
