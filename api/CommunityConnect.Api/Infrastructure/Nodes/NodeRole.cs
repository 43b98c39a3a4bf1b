using Hangfire;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Nodes;

/// <summary>
/// What this process does when several run together (issue 19): <c>web</c> serves the api and runs no
/// jobs, <c>worker</c> runs the Hangfire server and answers only <c>/healthz</c>, <c>all</c> (the
/// default, one process) does both. Set by <c>--role web|worker|all</c> or <c>Node:Role</c>.
/// </summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    public const string Web = "web";
    public const string Worker = "worker";
    public const string All = "all";

    public string Role { get; set; } = All;

    public bool IsKnownRole => Role is Web or Worker or All;

    /// <summary>Whether this node runs a Hangfire server (worker, all).</summary>
    public bool RunsJobs => Role is Worker or All;

    /// <summary>Whether this node answers the api, the docs and the dashboard (web, all).</summary>
    public bool ServesApi => Role is Web or All;
}

public static class NodeRole
{
    /// <summary>The one path a worker answers.</summary>
    public const string HealthPath = "/healthz";

    public static IServiceCollection AddNodeRole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NodeOptions>().Bind(configuration.GetSection(NodeOptions.Section))
            // --role on the command line arrives as the top-level key "role" and wins over Node:Role.
            .Configure(o => o.Role = (configuration["role"] ?? o.Role ?? NodeOptions.All).Trim().ToLowerInvariant())
            .Validate(o => o.IsKnownRole, "Node:Role (--role) must be web, worker or all: web serves the api without jobs, " +
                "worker runs the jobs and answers only /healthz, all (the default) does both.")
            .ValidateOnStart();
        services.AddHostedService<NodeRoleAnnouncement>();
        return services;
    }

    /// <summary>On a worker, everything but <see cref="HealthPath"/> is 404 (a problem), before any other middleware.</summary>
    public static WebApplication UseNodeRole(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<NodeOptions>>().Value.ServesApi)
        {
            return app;
        }
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(HealthPath, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status404NotFound,
                    Title = "This node is a worker: it runs jobs and answers only /healthz.",
                },
            });
        });
        return app;
    }

    private sealed class NodeRoleAnnouncement(IOptions<NodeOptions> options, JobStorage storage, ILogger<NodeRoleAnnouncement> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var node = options.Value;
            logger.LogInformation("Node role {Role}: {Api}, {Jobs}", node.Role,
                node.ServesApi ? "serves the api" : "answers only /healthz", node.RunsJobs ? "runs the job server" : "runs no jobs");
            if (!node.RunsJobs && storage is Hangfire.InMemory.InMemoryStorage)
            {
                // In-memory storage is this process's own: nothing another node runs will see its jobs.
                logger.LogWarning("Node role web with in-memory job storage: the jobs this node enqueues run nowhere. " +
                    "Run web nodes only with job storage that the workers share.");
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
