using System.Net;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Nodes;
using CommunityConnect.Api.Infrastructure.Observability;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Housekeeping;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using CommunityConnect.Api.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Jobs;

public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public int WorkerCount { get; set; } = 2;

    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Hangfire's own poll interval for scheduled and recurring jobs.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(15);
}

public static class JobsSetup
{
    /// <summary>
    /// Hangfire in the api process on in-memory storage (SQLite) or on the PostgreSQL database itself, schema <c>hangfire</c>
    /// (<c>Database:Provider=postgres</c>, shared by every node): the tables are the truth, and recurring jobs rebuild their work from them.
    /// The job server runs only on nodes whose role runs jobs (<see cref="NodeOptions.RunsJobs"/>); every node registers the
    /// recurring jobs (by stable id, so registering twice changes nothing) and may enqueue.
    /// </summary>
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.Section))
            .Validate(o => o.WorkerCount >= 1, "Jobs:WorkerCount must be at least 1.")
            .ValidateOnStart();
        // Each host its own storage, from its own container: JobStorage.Current is one per process, and when
        // several hosts start at once (the tests) the last to set it would otherwise serve them all.
        services.AddSingleton<JobStorage>(provider =>
        {
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            if (!database.UsesPostgres)
            {
                return new Hangfire.InMemory.InMemoryStorage();
            }
            var jobs = provider.GetRequiredService<IOptions<JobsOptions>>().Value;
            var options = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY wakes a worker when a job is enqueued; the poll is the fallback.
                EnableLongPolling = true,
                QueuePollInterval = jobs.SchedulePollingInterval,
            };
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(database.PostgresConnectionString!, options), options);
        });
        // Each host its own job activator for the same reason: AddHangfire would register JobActivator.Current, which every
        // host's configuration overwrites with an activator on its own container, so a job could be built from another
        // host's services (and run against that host's database).
        services.AddSingleton<JobActivator>(provider => new AspNetCoreJobActivator(provider.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((provider, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogProvider(provider.GetRequiredService<ILoggerFactory>()))
            .UseStorage(provider.GetRequiredService<JobStorage>()));
        services.AddHangfireServer((provider, server) =>
        {
            var options = provider.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = options.WorkerCount;
            server.ShutdownTimeout = options.ShutdownTimeout;
            server.SchedulePollingInterval = options.SchedulePollingInterval;
            // This server's own filters beside the global ones: GlobalJobFilters is one per process, shared by every host in it.
            server.FilterProvider = new JobFilterProviderCollection(JobFilterProviders.Providers, new JobFilterCollection { new JobTelemetryFilter() });
        });
        StartServerOnlyOnJobNodes(services);
        services.AddSingleton<IIdempotencyRecords, IdempotencyRecordStore>();
        services.AddTransient<PurgeExpiredIdempotencyRecordsJob>();
        services.AddHostedService<RecurringJobRegistration>();
        return services;
    }

    /// <summary>
    /// Replaces the hosted service <c>AddHangfireServer</c> registered with one that is that server on a node whose role runs jobs
    /// and nothing on a web node. Decided when the host starts, once configuration (and --role) is final.
    /// </summary>
    private static void StartServerOnlyOnJobNodes(IServiceCollection services)
    {
        // AddHangfireServer has just added it: the last registration.
        var server = services[^1];
        if (server.ServiceType != typeof(IHostedService) || server.ImplementationFactory is null)
        {
            throw new InvalidOperationException("AddHangfireServer did not register its hosted service last.");
        }
        services.RemoveAt(services.Count - 1);
        services.AddTransient<IHostedService>(provider => provider.GetRequiredService<IOptions<NodeOptions>>().Value.RunsJobs
            ? (IHostedService)server.ImplementationFactory!(provider)
            : new NoJobServer());
    }

    private sealed class NoJobServer : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The dashboard at /jobs: for loopback callers and street admins.</summary>
    public static WebApplication MapJobsDashboard(this WebApplication app)
    {
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new LoopbackOrStreetAdminFilter()],
            DashboardTitle = "CommunityConnect jobs",
        });
        return app;
    }

    private sealed class RecurringJobRegistration(IRecurringJobManager manager) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            RecurringJobSchedule.Register(manager);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class LoopbackOrStreetAdminFilter : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var remote = http.Connection.RemoteIpAddress;
            // Loopback means someone on this machine, unless a reverse proxy on this machine forwarded the request.
            var forwarded = http.Request.Headers.ContainsKey("X-Forwarded-For") || http.Request.Headers.ContainsKey("Forwarded");
            if (remote is not null && IPAddress.IsLoopback(remote) && !forwarded)
            {
                return true;
            }
            var userId = http.User.UserId();
            if (userId is null)
            {
                return false;
            }
            return await http.RequestServices.GetRequiredService<Tenancy>().IsAnyStreetAdminAsync(userId.Value, http.RequestAborted);
        }
    }
}
