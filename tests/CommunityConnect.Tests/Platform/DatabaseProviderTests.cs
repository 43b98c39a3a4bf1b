using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// <c>Database:Provider</c> (issue 19): sqlite by default; postgres with <c>ConnectionStrings:Postgres</c>.
/// A bad setting stops the start with a message naming it before any database is touched; a start on
/// PostgreSQL migrates its schema, seeds the demo street and serves.
/// </summary>
public sealed class DatabaseProviderTests : IAsyncLifetime
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

    private async Task<CommunityApp> HostAsync(params (string Key, string Value)[] settings)
    {
        var app = new CommunityApp();
        _apps.Add(app);
        await ((IAsyncLifetime)app).InitializeAsync();
        foreach (var (key, value) in settings)
        {
            app.Settings[key] = value;
        }
        return app;
    }

    [SkippableFact]
    public async Task SqliteIsTheDefaultAndTheDataSourceOpensItsFile()
    {
        TestProvider.SkipOnPostgres("the PostgreSQL pass sets Database:Provider=postgres, so there is no default to see");
        var app = await HostAsync();
        await app.CreateClient().GetAsync("/healthz");

        Assert.False(app.Service<IOptions<DatabaseOptions>>().Value.UsesPostgres);
        await using var connection = await app.Service<DbDataSource>().OpenConnectionAsync();
        Assert.IsType<SqliteConnection>(connection);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM streets;"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys;"));
    }

    [Fact]
    public async Task AnUnknownProviderStopsTheStartNamingTheSetting()
    {
        var app = await HostAsync(("Database:Provider", "mysql"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Database:Provider is 'mysql'", error.ToString());
        Assert.False(File.Exists(app.DatabasePath), "a refused start must not create the database");
    }

    [Fact]
    public async Task PostgresWithoutAConnectionStringStopsTheStartNamingIt()
    {
        var app = await HostAsync(("Database:Provider", "Postgres"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ConnectionStrings:Postgres is empty", error.ToString());
        Assert.False(File.Exists(app.DatabasePath));
    }

    [Fact]
    public async Task AMalformedConnectionStringStopsTheStartWithoutRepeatingIt()
    {
        var app = await HostAsync(("Database:Provider", "postgres"), ("ConnectionStrings:Postgres", "Host=db;Password=s3cret-pass;Port=five"));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("ConnectionStrings:Postgres is not a valid Npgsql connection string", error.ToString());
        Assert.DoesNotContain("s3cret-pass", error.ToString());
        Assert.False(File.Exists(app.DatabasePath));
    }

    [Theory]
    [InlineData("Host=db;Database=cc", 256, 2, true)]
    [InlineData("Host=db;Database=cc;Max Auto Prepare=0", 0, 2, true)]
    [InlineData("Host=db;Database=cc;MaxAutoPrepare=20;Auto Prepare Min Usages=5;No Reset On Close=false", 20, 5, false)]
    public void ThePostgresDefaultsApplyWhereTheConnectionStringIsSilent(string configured, int maxAutoPrepare, int minUsages, bool noReset)
    {
        var applied = new NpgsqlConnectionStringBuilder(PostgresConnectionDefaults.Apply(configured));
        Assert.Equal((maxAutoPrepare, minUsages, noReset), (applied.MaxAutoPrepare, applied.AutoPrepareMinUsages, applied.NoResetOnClose));
        Assert.Equal(("db", "cc"), (applied.Host, applied.Database));
    }

    [SkippableFact]
    public async Task APostgresNodePreparesAStatementItUsesAgainAndKeepsItInThePool()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var app = await HostAsync(("Database:Provider", "postgres"), ("ConnectionStrings:Postgres", database.ConnectionString));
        await app.CreateClient().GetAsync("/healthz");
        var source = app.Service<DbDataSource>();
        await using (var connection = await source.OpenConnectionAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM streets WHERE id > @i;", new { i });
            }
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT COUNT(*) FROM streets WHERE id >%';"));
        }
        // Back in the pool without DISCARD ALL: the next use of that connection finds its statement still prepared.
        await using (var again = await source.OpenConnectionAsync())
        {
            Assert.Equal(1, await again.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE 'SELECT COUNT(*) FROM streets WHERE id >%';"));
        }
    }

    [SkippableFact]
    public async Task APostgresStartMigratesSeedsAndServesWritesAndReads()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var app = await HostAsync(("Database:Provider", "postgres"), ("ConnectionStrings:Postgres", database.ConnectionString));

        // The README's joining tour: a newcomer asks, the residents' committee approves, the newcomer reads the notice.
        var newcomer = await app.ClientFor("newcomer");
        var committee = await app.ClientFor("residents");
        var asked = await newcomer.PostAsJsonAsync("/v1/communities/1/membership-requests", new { unitId = 3, relation = "tenant" });
        Assert.Equal(HttpStatusCode.Created, asked.StatusCode);
        var requestId = (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var approved = await committee.PostAsJsonAsync($"/v1/communities/1/membership-requests/{requestId}/approve", new { });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var inbox = await newcomer.GetFromJsonAsync<JsonElement>("/v1/me/inbox");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), item => item.GetProperty("kind").GetString() == "membership_approved");

        await using var connection = await database.OpenAsync();
        Assert.Equal(PostgresMigrator.Scripts.Count,
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE checksum IS NOT NULL;"));
        Assert.Equal("approved", await connection.ExecuteScalarAsync<string>(
            "SELECT state FROM membership_requests WHERE id = @requestId;", new { requestId }));
        // The demo street has explicit ids; the newcomer's id comes from the identity sequence, past them.
        Assert.Equal(DemoData.Users.Count + 1, await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'newcomer';"));
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = 'hangfire' AND table_name = 'job');"),
            "Hangfire keeps its jobs in the same database, schema hangfire");
        Assert.IsType<Hangfire.PostgreSql.PostgreSqlStorage>(app.Service<Hangfire.JobStorage>());
        Assert.False(File.Exists(app.DatabasePath), "configured for PostgreSQL, the app makes no SQLite file");
    }

    [SkippableFact]
    public async Task OnPostgresTheDataSourceIsNpgsqls()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var app = await HostAsync(("Database:Provider", "postgres"), ("ConnectionStrings:Postgres", database.ConnectionString));
        await app.CreateClient().GetAsync("/healthz");

        var source = app.Service<DbDataSource>();
        await using var connection = await source.OpenConnectionAsync();

        Assert.IsType<NpgsqlDataSource>(source, exactMatch: false);
        Assert.Equal(database.Name, await connection.ExecuteScalarAsync<string>("SELECT current_database();"));
    }
}
