using System.Net;
using CommunityConnect.Api.Infrastructure.Errors;
using CommunityConnect.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// A node with no database connection to be had answers 503 with Retry-After as a problem, not 500: its pool
/// exhausted (every connection busy for the pool's Timeout), or the server refusing another client (SQLSTATE
/// 53300, here a role's connection limit). Real errors from a real PostgreSQL server, through the app's own
/// problem setup (<see cref="ProblemSetup"/>) on a real host.
/// </summary>
public sealed class DatabaseBusyTests : IAsyncLifetime
{
    private PostgresDatabase? _database;
    private WebApplication? _host;
    private NpgsqlDataSource? _pool;
    private string? _limitedRole;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>These make PostgreSQL databases of their own whatever the suite's provider: the SQLite pass runs them, the PostgreSQL pass would only repeat them.</summary>
    private static Task<PostgresDatabase> CreateDatabaseAsync()
    {
        Skip.If(TestProvider.IsPostgres, "Runs in the SQLite pass (it makes its own PostgreSQL database); the PostgreSQL pass would only repeat it.");
        return PostgresDatabase.CreateAsync();
    }

    [SkippableFact]
    public async Task AnExhaustedPoolIsA503WithRetryAfter()
    {
        _database = await CreateDatabaseAsync();
        // One connection, and one second to wait for it.
        _pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { MaxPoolSize = 1, Timeout = 1 }.ConnectionString);
        var client = await HostAsync(_pool);
        await (await client.GetAsync("/read")).Expect(HttpStatusCode.OK);

        await using (var held = await _pool.OpenConnectionAsync())
        {
            var busy = await client.GetAsync("/read");
            await ExpectBusy(busy);
        }
        await (await client.GetAsync("/read")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task AServerThatRefusesAnotherClientIsA503WithRetryAfter()
    {
        _database = await CreateDatabaseAsync();
        _limitedRole = $"cc_busy_{Guid.NewGuid():N}"[..24];
        await ExecuteAsync($"CREATE ROLE \"{_limitedRole}\" LOGIN CONNECTION LIMIT 0;");
        // No pooling: every request asks the server for a connection of its own, which the role's limit refuses (53300).
        _pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Username = _limitedRole, Pooling = false }.ConnectionString);
        var client = await HostAsync(_pool);

        await ExpectBusy(await client.GetAsync("/read"));

        await ExecuteAsync($"ALTER ROLE \"{_limitedRole}\" CONNECTION LIMIT -1;");
        await (await client.GetAsync("/read")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task AnyOtherDatabaseErrorIsStillNotPassedOffAsBusy()
    {
        _database = await CreateDatabaseAsync();
        _pool = NpgsqlDataSource.Create(_database.ConnectionString);
        var client = await HostAsync(_pool);
        var response = await client.GetAsync("/broken");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(response.Headers.Contains("Retry-After"));
    }

    private static async Task ExpectBusy(HttpResponseMessage response)
    {
        var problem = await response.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("The database is busy.", problem.Text("title"));
        Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
    }

    private async Task<HttpClient> HostAsync(NpgsqlDataSource pool)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblems();
        _host = builder.Build();
        _host.UseProblems();
        _host.MapGet("/read", async () =>
        {
            await using var connection = await pool.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT 1;", connection);
            return Results.Ok(await command.ExecuteScalarAsync());
        });
        _host.MapGet("/broken", async () =>
        {
            await using var connection = await pool.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("SELECT * FROM no_such_table;", connection);
            return Results.Ok(await command.ExecuteScalarAsync());
        });
        await _host.StartAsync();
        return _host.GetTestClient();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestPostgres.RequireServer());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
        if (_limitedRole is not null)
        {
            await ExecuteAsync($"DROP ROLE IF EXISTS \"{_limitedRole}\";");
        }
    }
}
