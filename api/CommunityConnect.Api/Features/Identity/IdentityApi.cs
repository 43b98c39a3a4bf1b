using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.WeChat;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace CommunityConnect.Api.Features.Identity;

public static class IdentityApi
{
    public static IServiceCollection AddIdentity(this IServiceCollection services) =>
        services.AddSingleton<IdentityStore>();

    public static RouteGroupBuilder MapIdentity(this RouteGroupBuilder v1)
    {
        var auth = v1.MapGroup("/auth").WithTags("Identity").AllowAnonymous();
        auth.MapPost("/wechat-login", WeChatLogin).WithName("WeChatLogin")
            .WithSummary("Log in with a wx.login code; creates the user on first login.")
            .WithDescription("Anyone, without a token; limited per IP address per minute (429). Exchanges the code from wx.login with " +
                "WeChat for the user's openid, creates the user on their first login (a user of no community, who then " +
                "asks to join one), and answers a bearer token with who they are. 401 for an invalid or expired code, 403 " +
                "when WeChat blocks the user, 503 when WeChat login is not configured or WeChat does not answer.")
            .RequireRateLimiting(RateLimitingSetup.Login)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(502).ProducesProblem(503);
        auth.MapPost("/dev-login", DevLogin).WithName("DevLogin")
            .WithSummary("Demo login by handle (only where Auth:DevLogin is on); creates a new handle with the role given.")
            .WithDescription("Anyone, without a token, but only where Auth:DevLogin is on (Development); elsewhere 404. An existing " +
                "handle logs in as it is; a new handle is created: with communityId and role (default resident; a " +
                "resident or owner needs unitId) as a verified member, with role street_admin and streetId as that " +
                "street's admin, with communityId and ownerKey alone as a verified resident and owner holding that key of " +
                "the community's owners register (living in its first unit), or with neither as a user of no community. 400 " +
                "when the community, unit, street or owner key does not exist.")
            .ProducesProblem(404);

        v1.MapGet("/me", GetMe).WithTags("Identity").WithName("GetMe").RequireAuthorization()
            .WithSummary("Who I am: name, own phone, unread count and memberships.")
            .WithDescription("Any signed-in user, about themself. Reads only: name, own phone unmasked, unread notifications and every " +
                "verified membership (community, street, role, unit); 401 when the token's account no longer exists.");
        return v1;
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> WeChatLogin(
        WeChatLoginRequest request, WeChatClient weChat, IdentityStore store, TokenService tokens, InboxStore inbox,
        AnonymousAuthors keys, ILogger<WeChatClient> logger, CancellationToken cancellationToken)
    {
        WeChatSession session;
        try
        {
            session = await weChat.CodeToSessionAsync(request.Code, cancellationToken);
        }
        catch (WeChatNotConfiguredException)
        {
            return TypedResults.Problem(statusCode: 503, title: "WeChat login is not configured on this server.");
        }
        catch (WeChatException e)
        {
            logger.LogWarning("WeChat login refused: errcode {ErrorCode}", e.ErrorCode);
            return e.ErrorCode switch
            {
                WeChatException.InvalidCode => TypedResults.Problem(statusCode: 401, title: "The login code is invalid or expired; call wx.login again."),
                WeChatException.TooManyCalls => TypedResults.Problem(statusCode: 429, title: "WeChat is limiting logins right now; try again shortly."),
                WeChatException.UserBlocked => TypedResults.Problem(statusCode: 403, title: "WeChat has blocked this user from logging in."),
                WeChatException.Busy => TypedResults.Problem(statusCode: 503, title: "WeChat is busy; try again shortly."),
                _ => TypedResults.Problem(statusCode: 502, title: "WeChat refused the login.", detail: $"errcode {e.ErrorCode}"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "WeChat did not answer the login");
            return TypedResults.Problem(statusCode: 503, title: "WeChat did not answer; try again shortly.");
        }
        var userId = await store.FindOrCreateByOpenIdAsync(session.OpenId, session.UnionId);
        return TypedResults.Ok(await LoginAsync(userId, store, tokens, inbox, keys));
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> DevLogin(
        DevLoginRequest request, IOptions<AuthOptions> options, IdentityStore store, TokenService tokens, InboxStore inbox, AnonymousAuthors keys)
    {
        if (!options.Value.DevLogin)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not found.");
        }
        var userId = await store.FindByHandleAsync(request.Handle);
        if (userId is null)
        {
            var created = await store.CreateDevUserAsync(request);
            if (created.Failed)
            {
                return created.Failure!.ToResult();
            }
            userId = created.Value;
        }
        return TypedResults.Ok(await LoginAsync(userId.Value, store, tokens, inbox, keys));
    }

    private static async Task<LoginResponse> LoginAsync(long userId, IdentityStore store, TokenService tokens, InboxStore inbox, AnonymousAuthors keys)
    {
        var me = (await store.GetMeAsync(userId, await inbox.UnreadCountAsync((await keys.KeysOfAsync(userId)).All)))!;
        return new LoginResponse(tokens.Issue(me.Id, me.DisplayName), me);
    }

    private static async Task<Results<Ok<Me>, ProblemHttpResult>> GetMe(HttpContext http, IdentityStore store, InboxStore inbox, AnonymousAuthors keys)
    {
        var userId = http.User.RequiredUserId();
        var me = await store.GetMeAsync(userId, await inbox.UnreadCountAsync((await keys.KeysOfAsync(userId)).All));
        return me is null ? TypedResults.Problem(statusCode: 401, title: Accounts.Gone) : TypedResults.Ok(me);
    }
}
