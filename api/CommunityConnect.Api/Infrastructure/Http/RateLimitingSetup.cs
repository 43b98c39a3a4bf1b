using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Http;

public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Off switches every limit (for load tests).</summary>
    public bool Enabled { get; set; } = true;

    public int LoginPerMinutePerIp { get; set; } = 30;

    /// <summary>New discussion-hall threads one member may post (per window).</summary>
    public int ThreadsPerMember { get; set; } = 1;

    public TimeSpan ThreadWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Replies one member may post (per window).</summary>
    public int RepliesPerMember { get; set; } = 1;

    public TimeSpan ReplyWindow { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>All of the app's rate limits, in one place.</summary>
public static class RateLimitingSetup
{
    public const string Login = "login";
    public const string PostThread = "post-thread";
    public const string PostReply = "post-reply";

    public static IServiceCollection AddCommunityRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section))
            .Validate(o => o.LoginPerMinutePerIp >= 1 && o.ThreadsPerMember >= 1 && o.RepliesPerMember >= 1,
                "RateLimiting limits must be at least 1.")
            .Validate(o => o.ThreadWindow > TimeSpan.Zero && o.ReplyWindow > TimeSpan.Zero, "RateLimiting windows must be positive.")
            .ValidateOnStart();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitingOptions>>((limiter, configured) =>
        {
            var options = configured.Value;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                }
                var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests; try again later." },
                });
            };
            limiter.AddPolicy(Login, http => !options.Enabled
                ? RateLimitPartition.GetNoLimiter("off")
                : RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.LoginPerMinutePerIp,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.AddPolicy(PostThread, http => PerMember(http, options, options.ThreadsPerMember, options.ThreadWindow));
            limiter.AddPolicy(PostReply, http => PerMember(http, options, options.RepliesPerMember, options.ReplyWindow));
        });
        return services;
    }

    /// <summary>A fixed window per signed-in member (per address for anyone else).</summary>
    private static RateLimitPartition<string> PerMember(HttpContext http, RateLimitingOptions options, int permits, TimeSpan window)
    {
        if (!options.Enabled)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }
        var member = http.User.FindFirst("sub")?.Value is { } id ? $"user:{id}" : $"ip:{http.Connection.RemoteIpAddress}";
        return RateLimitPartition.GetFixedWindowLimiter(member, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        });
    }
}
