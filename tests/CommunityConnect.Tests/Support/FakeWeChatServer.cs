using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// A real HTTP server on 127.0.0.1 that speaks WeChat's JSON: errors are HTTP 200 with an errcode.
/// Login codes map to openids (<c>code-XYZ</c> → <c>openid-XYZ</c>); a test can queue errcodes that
/// the next calls of an API answer before it succeeds. Access tokens expire, and a new one invalidates
/// those issued before it (as <c>cgi-bin/token</c> does: one valid token per app); each call is counted,
/// and each use of a token is recorded with the API it was used for.
/// </summary>
public sealed class FakeWeChatServer : IAsyncDisposable
{
    public const string AppId = "wx-test-app";
    public const string AppSecret = "test-secret";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _scripted = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new();
    private WebApplication? _app;
    private int _tokenSerial;

    public string BaseUrl { get; private set; } = "";

    /// <summary>How long a fresh access token lives, in seconds (WeChat: 7200).</summary>
    public int TokenLifetimeSeconds { get; set; } = 7200;

    /// <summary>How long a stable_token call takes to answer (a slow WeChat makes concurrent callers overlap).</summary>
    public TimeSpan TokenFetchDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Every access token issued, in order (the last one is the current one).</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    /// <summary>The force_refresh flag of every stable_token call, in order.</summary>
    public ConcurrentQueue<bool> ForceRefreshes { get; } = new();

    /// <summary>Every call made with an access token: the API, the token it carried and what WeChat made of the token (0: accepted, 40001 invalid, 42001 expired).</summary>
    public ConcurrentQueue<(string Api, string Token, int ErrorCode)> TokenUses { get; } = new();

    /// <summary>Every subscribe message accepted, in order.</summary>
    public ConcurrentQueue<JsonObject> DeliveredMessages { get; } = new();

    /// <summary>Every content-check request, in order.</summary>
    public ConcurrentQueue<JsonObject> ContentChecks { get; } = new();

    /// <summary>What msg_sec_check answers as its suggest: pass, review or risky.</summary>
    public Func<string, string> ContentVerdict { get; set; } = _ => "pass";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/sns/jscode2session", (HttpRequest request) => Answer("jscode2session", () =>
        {
            if (request.Query["appid"] != AppId || request.Query["secret"] != AppSecret)
            {
                return Error(40125, "invalid appsecret");
            }
            var code = request.Query["js_code"].ToString();
            if (!code.StartsWith("code-", StringComparison.Ordinal))
            {
                return Error(40029, "invalid code");
            }
            var suffix = code["code-".Length..];
            return Json(new JsonObject
            {
                ["openid"] = $"openid-{suffix}",
                ["session_key"] = "secret-session-key",
                ["unionid"] = $"unionid-{suffix}",
            });
        }));
        _app.MapPost("/cgi-bin/stable_token", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            if (TokenFetchDelay > TimeSpan.Zero)
            {
                await Task.Delay(TokenFetchDelay);
            }
            return Answer("stable_token", () =>
            {
                ForceRefreshes.Enqueue(body["force_refresh"]?.GetValue<bool>() == true);
                lock (_tokens)
                {
                    var token = $"token-{Interlocked.Increment(ref _tokenSerial)}";
                    _tokens.Clear();
                    _tokens[token] = DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds);
                    IssuedTokens.Enqueue(token);
                    return Json(new JsonObject { ["access_token"] = token, ["expires_in"] = TokenLifetimeSeconds });
                }
            });
        });
        _app.MapPost("/wxa/msg_sec_check", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            return AnswerWithToken("msg_sec_check", request, () =>
            {
                ContentChecks.Enqueue(body);
                var suggest = ContentVerdict(body["content"]?.GetValue<string>() ?? "");
                return Json(new JsonObject
                {
                    ["errcode"] = 0,
                    ["errmsg"] = "ok",
                    ["result"] = new JsonObject { ["suggest"] = suggest, ["label"] = suggest == "pass" ? 100 : 20001 },
                });
            });
        });
        _app.MapPost("/cgi-bin/message/subscribe/send", async (HttpRequest request) =>
        {
            var body = (await JsonNode.ParseAsync(request.Body))!.AsObject();
            return AnswerWithToken("subscribe_send", request, () =>
            {
                if (body["touser"]?.GetValue<string>() is not { Length: > 0 } || body["template_id"]?.GetValue<string>() is not { Length: > 0 }
                    || body["data"] is not JsonObject data || !data.All(field => ValueFits(field.Key, field.Value?["value"]?.GetValue<string>())))
                {
                    return Error(47003, "argument invalid! data.thing1.value exceeds limit");
                }
                DeliveredMessages.Enqueue(body);
                return Json(new JsonObject { ["errcode"] = 0, ["errmsg"] = "ok" });
            });
        });
        await _app.StartAsync();
        BaseUrl = _app.Urls.First();
    }

    /// <summary>The next calls of <paramref name="api"/> answer these errcodes (500–599: that HTTP status), one each, before behaving normally.</summary>
    public void Script(string api, params int[] errorCodes)
    {
        var queue = _scripted.GetOrAdd(api, _ => new ConcurrentQueue<int>());
        foreach (var code in errorCodes)
        {
            queue.Enqueue(code);
        }
    }

    /// <summary>How many times <paramref name="api"/> was called (jscode2session, stable_token, msg_sec_check, subscribe_send).</summary>
    public int Calls(string api) => _calls.GetValueOrDefault(api);

    /// <summary>Makes every token issued so far invalid (as WeChat does when another server refreshes it).</summary>
    public void InvalidateTokens() => _tokens.Clear();

    private IResult Answer(string api, Func<IResult> normal)
    {
        _calls.AddOrUpdate(api, 1, (_, n) => n + 1);
        if (_scripted.TryGetValue(api, out var queue) && queue.TryDequeue(out var code))
        {
            // 500–599 script an HTTP failure (a gateway between us and WeChat), anything else an errcode.
            return code is >= 500 and < 600 ? Results.StatusCode(code) : Error(code, code == -1 ? "system error" : "scripted error");
        }
        return normal();
    }

    private IResult AnswerWithToken(string api, HttpRequest request, Func<IResult> normal) => Answer(api, () =>
    {
        var token = request.Query["access_token"].ToString();
        if (!_tokens.TryGetValue(token, out var expires))
        {
            TokenUses.Enqueue((api, token, 40001));
            return Error(40001, "invalid credential, access_token is invalid or not latest");
        }
        if (expires <= DateTimeOffset.UtcNow)
        {
            TokenUses.Enqueue((api, token, 42001));
            return Error(42001, "access_token expired");
        }
        TokenUses.Enqueue((api, token, 0));
        return normal();
    });

    /// <summary>WeChat's value rules for subscribe-message fields, by the type in the field's key.</summary>
    public static bool ValueFits(string field, string? value)
    {
        if (value is null)
        {
            return false;
        }
        var length = new System.Globalization.StringInfo(value).LengthInTextElements;
        return field.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') switch
        {
            "thing" => length is > 0 and <= 20,
            "phrase" => length is > 0 and <= 5 && value.All(c => c >= '\u4e00' && c <= '\u9fff'),
            "character_string" => length is > 0 and <= 32 && value.All(c => c < 128),
            "time" => System.Text.RegularExpressions.Regex.IsMatch(value, "^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日 [0-9]{2}:[0-9]{2}$"),
            "date" => System.Text.RegularExpressions.Regex.IsMatch(value, "^[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日$"),
            _ => length <= 20,
        };
    }

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");

    private static IResult Error(int code, string message) =>
        Json(new JsonObject { ["errcode"] = code, ["errmsg"] = message });

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
