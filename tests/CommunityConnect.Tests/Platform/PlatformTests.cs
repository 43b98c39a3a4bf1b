using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Housekeeping;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityConnect.Tests.Platform;

public sealed class PlatformTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task HealthAnswersOkWhenTheDatabaseAnswers()
    {
        var health = await (await app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal("ok", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheDocsPageIsServed()
    {
        var response = await app.CreateClient().GetAsync("/docs");
        if (response.StatusCode == HttpStatusCode.MovedPermanently || response.StatusCode == HttpStatusCode.Redirect)
        {
            response = await app.CreateClient().GetAsync(response.Headers.Location);
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [SkippableFact]
    public async Task TheDatabaseIsInWalModeWithForeignKeys()
    {
        TestProvider.SkipOnPostgres("SQLite journal mode and foreign-key pragma");
        await app.CreateClient().GetAsync("/healthz");
        await using var connection = app.Connection();
        await connection.OpenAsync();
        Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode;"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys;"));
    }

    [Fact]
    public async Task MigrationsRunTwiceApplyOnce()
    {
        await app.CreateClient().GetAsync("/healthz");
        // Either engine's runner (PostgreSQL's twins under the same versions on the PostgreSQL pass).
        var postgres = app.Service<Database>().UsesPostgres;
        Assert.Empty(postgres ? await app.Service<PostgresMigrator>().MigrateAsync() : await app.Service<Migrator>().MigrateAsync());
        await using var connection = app.Connection();
        var versions = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations ORDER BY version;")).ToList();
        Assert.Empty(await app.Service<DataMigrator>().MigrateAsync());
        var dataMigrations = app.Services.GetServices<IDataMigration>().Select(m => m.Version);
        Assert.Equal((postgres ? PostgresMigrator.Scripts : Migrator.Scripts).Select(s => s.Version).Concat(dataMigrations).Order(StringComparer.Ordinal), versions);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM streets;"));
    }

    [Fact]
    public async Task AJobEnqueuedThroughTheClientRunsOnTheInProcessServer()
    {
        await app.CreateClient().GetAsync("/healthz");
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync(
                "INSERT INTO idempotency_records (key_hash, request_hash, status, body, created_at, expires_at) VALUES ('old', 'x', 201, '{}', 0, 1);");
        }
        var jobId = app.Service<IBackgroundJobClient>().Enqueue<PurgeExpiredIdempotencyRecordsJob>(job => job.RunAsync(CancellationToken.None));
        var monitor = app.Service<JobStorage>().GetMonitoringApi();
        var state = await TestClock.PollAsync(
            () => Task.FromResult(monitor.JobDetails(jobId)?.History.FirstOrDefault()?.StateName),
            state => state is "Succeeded" or "Failed");
        Assert.Equal("Succeeded", state);
        await using var check = app.Connection();
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records WHERE key_hash = 'old';"));
    }

    [Fact]
    public async Task TheJobsDashboardRefusesAnonymousCallersWithoutLoopback()
    {
        // The in-memory test server has no remote address, so it is not loopback.
        var response = await app.CreateClient().GetAsync("/jobs");
        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, response.StatusCode.ToString());
        var resident = await app.ClientFor("resident");
        var residentResponse = await resident.GetAsync("/jobs");
        Assert.True(residentResponse.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
        var street = await app.ClientFor("street");
        Assert.Equal(HttpStatusCode.OK, (await street.GetAsync("/jobs")).StatusCode);
    }

    [Fact]
    public async Task TheRecurringJobsAreRegistered()
    {
        await app.CreateClient().GetAsync("/healthz");
        using var connection = app.Service<JobStorage>().GetConnection();
        var ids = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Select(j => j.Id).ToList();
        Assert.Contains(CommunityConnect.Jobs.RecurringJobSchedule.PurgeIdempotencyRecords, ids);
    }

    [Fact]
    public async Task LimitsOutOfRangeAreABadRequest()
    {
        var resident = await app.ClientFor("resident");
        var problem = await (await resident.GetAsync("/v1/me/inbox?limit=500")).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
        await (await resident.GetAsync("/v1/me/inbox?after=%%%")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnotherUsersNotificationIsNotFound()
    {
        var resident = await app.ClientFor("resident");
        await (await resident.PostAsync("/v1/me/inbox/99999/read", null)).ExpectProblem(HttpStatusCode.NotFound);
    }
}

/// <summary>A real Kestrel host on 127.0.0.1, for what the in-memory server cannot show (remote addresses).</summary>
public sealed class KestrelHostTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["RateLimiting:Enabled"] = "true";
        _app.Settings["RateLimiting:LoginPerMinutePerIp"] = "3";
        _app.UseKestrel(0);
        _app.StartServer();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task TheJobsDashboardAnswersLoopbackCallers()
    {
        var response = await _app.CreateClient().GetAsync("/jobs");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ARequestForwardedByAProxyOnThisMachineIsNotALoopbackCaller()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/jobs") { Headers = { { "X-Forwarded-For", "203.0.113.7" } } };
        var response = await _app.CreateClient().SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, response.StatusCode.ToString());
    }

    [Fact]
    public async Task WeChatLoginIsRateLimitedPerAddressAndDevLoginIsNot()
    {
        var client = _app.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            await (await client.PostJson("/v1/auth/wechat-login", new { code = $"code-limit-{i}" })).Expect(HttpStatusCode.OK);
        }
        var limited = await client.PostJson("/v1/auth/wechat-login", new { code = "code-limit-4" });
        await limited.ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null);
        for (var i = 0; i < 5; i++)
        {
            await (await client.PostJson("/v1/auth/dev-login", new { handle = "resident" })).Expect(HttpStatusCode.OK);
        }
    }
}
