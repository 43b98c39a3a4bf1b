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
}

/// <summary>All of the app's rate limits, in one place.</summary>
public static class RateLimitingSetup
{
    public const string Login = "login";

    public static IServiceCollection AddCommunityRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitingOptions>().Bind(configuration.GetSection(RateLimitingOptions.Section))
            .Validate(o => o.LoginPerMinutePerIp >= 1, "RateLimiting:LoginPerMinutePerIp must be at least 1.")
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
        });
        return services;
    }
}
