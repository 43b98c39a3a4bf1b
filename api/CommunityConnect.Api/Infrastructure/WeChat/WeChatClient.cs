using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using CommunityConnect.Api.Infrastructure.Observability;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace CommunityConnect.Api.Infrastructure.WeChat;

public sealed class WeChatOptions
{
    public const string Section = "WeChat";

    public string BaseUrl { get; set; } = "https://api.weixin.qq.com";
    public string? AppId { get; set; }
    public string? AppSecret { get; set; }

    /// <summary>Login promises an answer within 10 seconds, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);
    public int MaxRetries { get; set; } = 3;
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Refresh the access token this long before WeChat says it expires.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a node may take to fetch the shared access token before another node may take over (longer than a whole WeChat call).</summary>
    public TimeSpan TokenLeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a node waiting for another node's new access token reads the shared row.</summary>
    public TimeSpan TokenPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(AppId) && !string.IsNullOrWhiteSpace(AppSecret);
}

/// <summary>WeChat said no: its <c>errcode</c> and <c>errmsg</c>.</summary>
public sealed class WeChatException(int errorCode, string? message)
    : Exception($"WeChat answered errcode {errorCode}: {message}")
{
    public int ErrorCode { get; } = errorCode;

    public const int Busy = -1;
    public const int InvalidToken = 40001;
    public const int ExpiredToken = 42001;
    public const int InvalidCode = 40029;
    public const int ConsentUsedUp = 43101;
    public const int TooManyCalls = 45011;
    public const int BadData = 47003;
    public const int UserBlocked = 40226;
}

public sealed class WeChatNotConfiguredException() : Exception("WeChat:AppId and WeChat:AppSecret are not configured.");

public sealed record WeChatSession(string OpenId, string? UnionId);

/// <summary>
/// Typed client for WeChat's server API. WeChat answers errors as HTTP 200 with an <c>errcode</c>;
/// the resilience pipeline (see <see cref="WeChatSetup"/>) reads it so that <c>-1</c> (busy) is retried
/// like a 503, and this client turns every other errcode into a <see cref="WeChatException"/>.
/// The app's access token is <see cref="WeChatAccessToken"/>'s (shared by the nodes through the database);
/// this client asks it for a new one once when WeChat rejects one (40001 invalid, 42001 expired).
/// </summary>
public sealed class WeChatClient(HttpClient http, IOptions<WeChatOptions> options, WeChatAccessToken accessToken)
{
    private WeChatOptions Options => options.Value;

    /// <summary><c>sns/jscode2session</c>: a login code for the user's openid. The session_key stays here.</summary>
    public Task<WeChatSession> CodeToSessionAsync(string code, CancellationToken cancellationToken) =>
        TracedAsync("jscode2session", () => CodeToSessionOnceAsync(code, cancellationToken));

    private async Task<WeChatSession> CodeToSessionOnceAsync(string code, CancellationToken cancellationToken)
    {
        EnsureConfigured();
        var url = $"sns/jscode2session?appid={Uri.EscapeDataString(Options.AppId!)}&secret={Uri.EscapeDataString(Options.AppSecret!)}" +
                  $"&js_code={Uri.EscapeDataString(code)}&grant_type=authorization_code";
        var answer = await ReadAsync<SessionAnswer>(await http.GetAsync(url, cancellationToken), cancellationToken);
        if (string.IsNullOrEmpty(answer.OpenId))
        {
            throw new WeChatException(answer.ErrCode == 0 ? -2 : answer.ErrCode, "jscode2session returned no openid");
        }
        return new WeChatSession(answer.OpenId, string.IsNullOrEmpty(answer.UnionId) ? null : answer.UnionId);
    }

    /// <summary>
    /// POSTs <paramref name="payload"/> to a <c>?access_token=</c> API. On 40001 (token invalid) or
    /// 42001 (expired) it gets a new token once and tries again.
    /// </summary>
    public Task<JsonElement> PostWithAccessTokenAsync(string path, object payload, CancellationToken cancellationToken) =>
        TracedAsync(path.Split('?')[0], () => PostWithTokenRefreshAsync(path, payload, cancellationToken));

    private async Task<JsonElement> PostWithTokenRefreshAsync(string path, object payload, CancellationToken cancellationToken)
    {
        EnsureConfigured();
        WeChatAccessToken.Fetch fetch = force => FetchStableTokenAsync(force, cancellationToken);
        var token = await accessToken.GetAsync(fetch, cancellationToken);
        try
        {
            return await PostOnceAsync(path, token.Value, payload, cancellationToken);
        }
        catch (WeChatException e) when (e.ErrorCode is WeChatException.InvalidToken or WeChatException.ExpiredToken)
        {
            token = await accessToken.RefreshAfterRejectionAsync(token, fetch, cancellationToken);
            return await PostOnceAsync(path, token.Value, payload, cancellationToken);
        }
    }

    private async Task<JsonElement> PostOnceAsync(string path, string token, object payload, CancellationToken cancellationToken)
    {
        var separator = path.Contains('?') ? '&' : '?';
        var response = await http.PostAsJsonAsync($"{path}{separator}access_token={Uri.EscapeDataString(token)}", payload, cancellationToken);
        return await ReadAsync<JsonElement>(response, cancellationToken);
    }

    /// <summary><c>cgi-bin/stable_token</c>: the app's access token and how long it lives.</summary>
    private Task<(string Token, TimeSpan Lifetime)> FetchStableTokenAsync(bool forceRefresh, CancellationToken cancellationToken) =>
        TracedAsync("cgi-bin/stable_token", () => FetchStableTokenOnceAsync(forceRefresh, cancellationToken));

    private async Task<(string Token, TimeSpan Lifetime)> FetchStableTokenOnceAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var response = await http.PostAsJsonAsync("cgi-bin/stable_token", new
        {
            grant_type = "client_credential",
            appid = Options.AppId,
            secret = Options.AppSecret,
            force_refresh = forceRefresh,
        }, cancellationToken);
        var answer = await ReadAsync<TokenAnswer>(response, cancellationToken);
        if (string.IsNullOrEmpty(answer.AccessToken))
        {
            throw new WeChatException(answer.ErrCode, "stable_token returned no access_token");
        }
        return (answer.AccessToken, TimeSpan.FromSeconds(answer.ExpiresIn > 0 ? answer.ExpiresIn : 7200));
    }

    /// <summary>
    /// One span and one duration per WeChat API call, retries included, tagged with the API's path and
    /// its errcode; never with the query (it holds the secret, the login code or the access token).
    /// </summary>
    private static async Task<T> TracedAsync<T>(string api, Func<Task<T>> call)
    {
        using var activity = Telemetry.WeChat.StartActivity($"WeChat {api}", ActivityKind.Client);
        activity?.SetTag("wechat.api", api);
        var started = Stopwatch.GetTimestamp();
        var errorCode = "0";
        try
        {
            return await call();
        }
        catch (WeChatException e)
        {
            errorCode = e.ErrorCode.ToString(CultureInfo.InvariantCulture);
            activity?.SetTag("wechat.errcode", e.ErrorCode);
            activity?.SetStatus(ActivityStatusCode.Error, $"errcode {errorCode}");
            throw;
        }
        catch (Exception e)
        {
            errorCode = "error";
            activity.Failed(e);
            throw;
        }
        finally
        {
            Telemetry.WeChatDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("wechat.api", api), new KeyValuePair<string, object?>("wechat.errcode", errorCode));
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"WeChat answered HTTP {(int)response.StatusCode}", null, response.StatusCode);
            }
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var errorCode = WeChatErrors.ReadErrorCode(text);
            if (errorCode is { } code and not 0)
            {
                using var document = JsonDocument.Parse(text);
                var message = document.RootElement.TryGetProperty("errmsg", out var m) ? m.GetString() : null;
                throw new WeChatException(code, message);
            }
            return JsonSerializer.Deserialize<T>(text)!;
        }
    }

    private void EnsureConfigured()
    {
        if (!Options.IsConfigured)
        {
            throw new WeChatNotConfiguredException();
        }
    }

    private sealed class SessionAnswer
    {
        [JsonPropertyName("openid")] public string? OpenId { get; init; }
        [JsonPropertyName("unionid")] public string? UnionId { get; init; }
        [JsonPropertyName("errcode")] public int ErrCode { get; init; }
    }

    private sealed class TokenAnswer
    {
        [JsonPropertyName("access_token")] public string? AccessToken { get; init; }
        [JsonPropertyName("expires_in")] public int ExpiresIn { get; init; }
        [JsonPropertyName("errcode")] public int ErrCode { get; init; }
    }
}

public static class WeChatErrors
{
    /// <summary>The errcode of a WeChat answer, or null when it has none (or is not JSON).</summary>
    public static int? ReadErrorCode(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("errcode", out var code)
                   && code.TryGetInt32(out var value)
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public static class WeChatSetup
{
    public static IServiceCollection AddWeChat(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WeChatOptions>().Bind(configuration.GetSection(WeChatOptions.Section))
            .Validate(o => Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || uri.Scheme == "http"),
                "WeChat:BaseUrl must be an absolute http(s) URL.")
            .Validate(o => o.MaxRetries is >= 0 and <= 10, "WeChat:MaxRetries must be 0 to 10.")
            .Validate(o => o.AttemptTimeout > TimeSpan.Zero && o.TotalTimeout >= o.AttemptTimeout,
                "WeChat:TotalTimeout must be at least WeChat:AttemptTimeout, both positive.")
            .Validate(o => o.TokenLeaseDuration > o.TotalTimeout,
                "WeChat:TokenLeaseDuration must be longer than WeChat:TotalTimeout, or a node still fetching the token loses its lease.")
            .Validate(o => o.TokenPollInterval > TimeSpan.Zero && o.TokenPollInterval < o.TokenLeaseDuration,
                "WeChat:TokenPollInterval must be positive and shorter than WeChat:TokenLeaseDuration.")
            .Validate(o => o.TokenRefreshMargin >= TimeSpan.Zero, "WeChat:TokenRefreshMargin must not be negative.")
            .ValidateOnStart();
        // Token lifetimes and leases are real time, whatever domain clock the app registered.
        services.AddKeyedSingleton(WeChatAccessToken.ClockKey, TimeProvider.System);
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<AccessTokenSeal>();
        services.AddSingleton<WeChatAccessToken>();
        services.AddHttpClient<WeChatClient>((provider, http) =>
            {
                var baseUrl = provider.GetRequiredService<IOptions<WeChatOptions>>().Value.BaseUrl;
                http.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
                // The pipeline below owns the timeouts.
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddResilienceHandler("wechat", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<WeChatOptions>>().Value;
                // Retry delays and timeouts are real time, whatever domain clock the app registered.
                pipeline.TimeProvider = TimeProvider.System;
                pipeline
                    .AddTimeout(o.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(o.MaxRetries, 1),
                        Delay = o.RetryBaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldHandle = args => o.MaxRetries == 0
                            ? ValueTask.FromResult(false)
                            : IsTransientAsync(args.Outcome, args.Context.GetRequestMessage()),
                    })
                    .AddTimeout(o.AttemptTimeout);
            });
        return services;
    }

    /// <summary>
    /// Transient: a network error, a timed-out attempt, HTTP 5xx/408/429, or errcode -1 (system busy)
    /// in a 200. A subscribe message is the exception: WeChat may have delivered one whose answer was
    /// lost, so it is retried only when the request never left (no connection) or WeChat said busy.
    /// </summary>
    private static async ValueTask<bool> IsTransientAsync(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
        {
            return true;
        }
        var sendsMessage = request?.RequestUri?.AbsolutePath.EndsWith("/message/subscribe/send", StringComparison.Ordinal) == true;
        if (outcome.Exception is HttpRequestException or TimeoutRejectedException)
        {
            return !sendsMessage;
        }
        if (outcome.Result is not { } response)
        {
            return false;
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            return !sendsMessage;
        }
        await response.Content.LoadIntoBufferAsync();
        return WeChatErrors.ReadErrorCode(await response.Content.ReadAsStringAsync()) == WeChatException.Busy;
    }
}
