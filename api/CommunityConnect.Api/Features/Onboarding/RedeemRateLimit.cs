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
/// </summary>
public sealed class RedeemRateLimit : IEndpointFilter, IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext>? _limiter;

    public RedeemRateLimit(IOptions<InvitationOptions> options, IOptions<RateLimitingOptions> rateLimiting)
    {
        if (!rateLimiting.Value.Enabled)
        {
            return;
        }
        var perUser = options.Value.RedeemPerMinutePerUser;
        var perIp = options.Value.RedeemPerMinutePerIp;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter($"user:{http.User.FindFirst("sub")?.Value}", _ => Window(perUser))),
            PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetFixedWindowLimiter($"ip:{http.Connection.RemoteIpAddress}", _ => Window(perIp))));
    }

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 };

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_limiter is null)
        {
            return await next(context);
        }
        using var lease = _limiter.AttemptAcquire(context.HttpContext);
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

    public void Dispose() => _limiter?.Dispose();
}
