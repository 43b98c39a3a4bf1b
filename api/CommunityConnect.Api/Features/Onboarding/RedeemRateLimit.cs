using System.Threading.RateLimiting;
using CommunityConnect.Api.Infrastructure.Http;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Onboarding;

public sealed class InvitationOptions
{
    public const string Section = "Invitations";

    /// <summary>Redeem tries one signed-in user may make per minute.</summary>
    public int RedeemPerMinutePerUser { get; set; } = 10;

    /// <summary>Redeem tries one address may make per minute (many users behind one address: a street office's network).</summary>
    public int RedeemPerMinutePerIp { get; set; } = 60;
}

/// <summary>
/// Redeem tries are limited per user and per address at once (a chained ASP.NET Core rate limiter), so
/// guessing codes is slow from many accounts on one address and from one account on many addresses.
/// With 256-bit codes guessing is hopeless anyway; the limit keeps the table and the log quiet.
/// One limiter for the app (a singleton): the endpoint filter is made per request.
/// </summary>
public sealed class RedeemLimiter : IDisposable
{
    public RedeemLimiter(IOptions<InvitationOptions> options, IOptions<RateLimitingOptions> rateLimiting)
    {
        if (!rateLimiting.Value.Enabled)
        {
            return;
        }
        var perUser = options.Value.RedeemPerMinutePerUser;
        var perIp = options.Value.RedeemPerMinutePerIp;
        Limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter($"user:{http.User.FindFirst("sub")?.Value}", _ => Window(perUser))),
            PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter($"ip:{http.Connection.RemoteIpAddress}", _ => Window(perIp))));
    }

    /// <summary>Null when rate limits are off.</summary>
    public PartitionedRateLimiter<HttpContext>? Limiter { get; }

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    public void Dispose() => Limiter?.Dispose();
}

/// <summary>The redeem route's filter: 429 problem with Retry-After when either limit is spent.</summary>
public sealed class RedeemRateLimit(RedeemLimiter limiter) : IEndpointFilter
{

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (limiter.Limiter is null)
        {
            return await next(context);
        }
        using var lease = limiter.Limiter.AttemptAcquire(context.HttpContext);
        if (!lease.IsAcquired)
        {
            if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
            }
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many tries to redeem a code; try again later.");
        }
        return await next(context);
    }
}
