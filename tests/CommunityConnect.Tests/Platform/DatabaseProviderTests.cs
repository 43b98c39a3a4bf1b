using System.Data.Common;
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
/// PostgreSQL migrates its schema and then stops, saying the features do not run there yet.
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

    [Fact]
    public async Task SqliteIsTheDefaultAndTheDataSourceOpensItsFile()
    {
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

    [SkippableFact]
    public async Task APostgresStartMigratesTheSchemaThenStopsSayingTheFeaturesAreNotThereYet()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var app = await HostAsync(("Database:Provider", "postgres"), ("ConnectionStrings:Postgres", database.ConnectionString));

        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("the features do not run on PostgreSQL yet", error.ToString());
        await using var connection = await database.OpenAsync();
        Assert.Equal(PostgresMigrator.Scripts.Count,
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE checksum IS NOT NULL;"));
        Assert.False(File.Exists(app.DatabasePath), "configured for PostgreSQL, the app makes no SQLite file");
    }

    [SkippableFact]
    public async Task OnPostgresTheDataSourceIsNpgsqls()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var services = new ServiceCollection()
            .AddSingleton(Options.Create(new DatabaseOptions { Provider = "postgres", PostgresConnectionString = database.ConnectionString }))
            .AddDataSource()
            .BuildServiceProvider();
        await using var _ = services;

        var source = services.GetRequiredService<DbDataSource>();
        await using var connection = await source.OpenConnectionAsync();

        Assert.IsType<NpgsqlDataSource>(source, exactMatch: false);
        Assert.Equal(database.Name, await connection.ExecuteScalarAsync<string>("SELECT current_database();"));
    }
}
