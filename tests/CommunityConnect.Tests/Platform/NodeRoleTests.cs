using System.Net;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Nodes;
using CommunityConnect.Jobs.Housekeeping;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Hangfire.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// <c>--role web|worker|all</c>: a web node serves the api and runs no job server, a worker runs the
/// jobs and answers only /healthz, and a role that is none of these stops the start with a message.
/// Each test starts its own host with its role.
/// </summary>
public sealed class NodeRoleTests : IAsyncLifetime
{
    private readonly List<CommunityApp> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private async Task<CommunityApp> HostAsync(string? role)
    {
        var app = new CommunityApp();
        await ((IAsyncLifetime)app).InitializeAsync();
        if (role is not null)
        {
            app.Settings["Node:Role"] = role;
        }
        _apps.Add(app);
        return app;
    }

    private static async Task InsertExpiredIdempotencyRecordAsync(CommunityApp app)
    {
        await using var connection = app.Connection();
        await connection.ExecuteAsync(
            "INSERT INTO idempotency_records (key_hash, request_hash, status, body, created_at, expires_at) VALUES ('old', 'x', 201, '{}', 0, 1);");
    }

    private static string EnqueuePurge(CommunityApp app) =>
        app.Service<IBackgroundJobClient>().Enqueue<PurgeExpiredIdempotencyRecordsJob>(job => job.RunAsync(CancellationToken.None));

    private static Task<string?> StateOf(CommunityApp app, string jobId) =>
        Task.FromResult(app.Service<JobStorage>().GetMonitoringApi().JobDetails(jobId)?.History.FirstOrDefault()?.StateName);

    [Fact]
    public async Task AWebNodeServesTheApiAndRunsNoJobServer()
    {
        var web = await HostAsync("web");
        await (await (await web.ClientFor("resident")).GetAsync("/v1/me")).Expect(HttpStatusCode.OK);
        var jobId = EnqueuePurge(web);

        // The same wait in which a node of role all has registered its server and run the job.
        var all = await HostAsync(null);
        await all.CreateClient().GetAsync("/healthz");
        var allJobId = EnqueuePurge(all);
        var ran = await TestClock.PollAsync(() => StateOf(all, allJobId), state => state is "Succeeded" or "Failed", TimeSpan.FromSeconds(120));
        Assert.Equal("Succeeded", ran);
        Assert.NotEmpty(all.Service<JobStorage>().GetMonitoringApi().Servers());

        Assert.Empty(web.Service<JobStorage>().GetMonitoringApi().Servers());
        Assert.Equal("Enqueued", await StateOf(web, jobId));
        // Registering the recurring jobs needs no server, and every node does it (by stable id).
        using var connection = web.Service<JobStorage>().GetConnection();
        Assert.Contains(CommunityConnect.Jobs.RecurringJobSchedule.PurgeIdempotencyRecords,
            Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Select(j => j.Id));
    }

    [Fact]
    public async Task EveryHostBuildsItsJobsFromItsOwnServices()
    {
        // A web node configures Hangfire when it starts but builds no job until it is asked to: the window in which a
        // process-wide JobActivator.Current, set by the host that started next, would have built its jobs from that host.
        var web = await HostAsync("web");
        await web.CreateClient().GetAsync("/healthz");
        var next = await HostAsync(null);
        await next.CreateClient().GetAsync("/healthz");

        foreach (var app in new[] { web, next })
        {
            using var connection = app.Service<JobStorage>().GetConnection();
            var job = new BackgroundJob("1", Job.FromExpression<PurgeExpiredIdempotencyRecordsJob>(j => j.RunAsync(CancellationToken.None)), TestClock.Start.UtcDateTime);
            using var scope = app.Service<JobActivator>().BeginScope(new JobActivatorContext(connection, job, new JobCancellationToken(false)));
            Assert.IsType<PurgeExpiredIdempotencyRecordsJob>(scope.Resolve(typeof(PurgeExpiredIdempotencyRecordsJob)));
            var services = (IServiceProvider)scope.Resolve(typeof(IServiceProvider));
            Assert.Same(app.Service<Database>(), services.GetRequiredService<Database>());
        }
    }

    [Fact]
    public async Task AWorkerAnswersOnlyHealth()
    {
        var worker = await HostAsync("worker");
        var client = worker.CreateClient();
        var health = await (await client.GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal("ok", health.GetProperty("status").GetString());
        foreach (var path in new[] { "/v1/me", "/v1/communities/1/opinions", "/v1/admin/metrics", "/openapi/v1.json", "/docs", "/jobs" })
        {
            await (await client.GetAsync(path)).ExpectProblem(HttpStatusCode.NotFound);
        }
        await (await client.PostJson("/v1/auth/dev-login", new { handle = "street" })).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AWorkerRunsTheJobs()
    {
        var worker = await HostAsync("worker");
        await worker.CreateClient().GetAsync("/healthz");
        await InsertExpiredIdempotencyRecordAsync(worker);
        var jobId = EnqueuePurge(worker);
        var state = await TestClock.PollAsync(() => StateOf(worker, jobId), state => state is "Succeeded" or "Failed");
        Assert.Equal("Succeeded", state);
        Assert.NotEmpty(worker.Service<JobStorage>().GetMonitoringApi().Servers());
        await using var check = worker.Connection();
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records WHERE key_hash = 'old';"));
    }

    [Fact]
    public async Task AnUnknownRoleStopsTheStartAndSaysWhichRolesThereAre()
    {
        var app = await HostAsync("boss");
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Node:Role (--role) must be web, worker or all", error.ToString());
        Assert.False(File.Exists(app.DatabasePath), "a refused start must not create the database");
    }

    [Theory]
    [InlineData(new[] { "--role", "worker" }, null, "worker")]
    [InlineData(new[] { "--role=Web" }, "worker", "web")]
    [InlineData(new string[0], "web", "web")]
    [InlineData(new string[0], null, "all")]
    public void TheRoleComesFromTheCommandLineBeforeNodeRole(string[] args, string? configured, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Node:Role"] = configured })
            .AddCommandLine(args)
            .Build();
        using var services = new ServiceCollection().AddNodeRole(configuration).BuildServiceProvider();
        Assert.Equal(expected, services.GetRequiredService<IOptions<NodeOptions>>().Value.Role);
    }
}
