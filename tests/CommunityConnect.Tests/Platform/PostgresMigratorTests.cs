using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// PostgreSQL's runner on a real server: a second run applies nothing, an edited script stops it with
/// nothing applied, two nodes starting at once apply each script once, and data migrations are recorded
/// as done on a new database but never skipped on an existing one. The app (SQLite) lends its data migrations.
/// </summary>
public sealed class PostgresMigratorTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private PostgresMigrator MigratorFor(PostgresDatabase database, IEnumerable<IDataMigration>? dataMigrations = null) => new(
        Options.Create(new DatabaseOptions { Provider = DatabaseOptions.Postgres, PostgresConnectionString = database.ConnectionString }),
        dataMigrations ?? app.Services.GetServices<IDataMigration>(), NullLogger<PostgresMigrator>.Instance, app.Clock);

    private IReadOnlyList<string> DataMigrationVersions =>
        app.Services.GetServices<IDataMigration>().Select(m => m.Version).Order(StringComparer.Ordinal).ToList();

    [SkippableFact]
    public async Task MigratingTwiceAppliesEveryScriptOnceWithItsChecksum()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        var first = await MigratorFor(database).MigrateAsync();
        var second = await MigratorFor(database).MigrateAsync();

        Assert.Equal(PostgresMigrator.Scripts.Select(s => s.Version).Concat(DataMigrationVersions), first);
        Assert.Empty(second);
        await using var connection = await database.OpenAsync();
        var journal = (await connection.QueryAsync<(string Version, long AppliedAt, string? Checksum)>(
            "SELECT version, applied_at, checksum FROM schema_migrations ORDER BY version;")).ToList();
        Assert.Equal(first.Order(StringComparer.Ordinal), journal.Select(j => j.Version));
        Assert.All(journal, j => Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), j.AppliedAt));
        Assert.Equal(PostgresMigrator.Scripts.Select(s => MigrationJournal.Checksum(s.Sql)),
            journal.Where(j => j.Checksum is not null).Select(j => j.Checksum));
        Assert.Equal(DataMigrationVersions, journal.Where(j => j.Checksum is null).Select(j => j.Version));
    }

    [SkippableFact]
    public async Task AnEditedAppliedScriptStopsTheRunnerAndNothingIsApplied()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database).MigrateAsync();
        var edited = PostgresMigrator.Scripts
            .Select(s => s.Version == "0005_discussion_hall" ? (s.Version, s.Sql + "\nCREATE INDEX ix_threads_title ON threads (title);") : s)
            .Append(("9001_new_table", "CREATE TABLE new_things (id bigint PRIMARY KEY);"))
            .ToList();

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => MigratorFor(database).ApplyAsync(edited));

        Assert.Contains("0005_discussion_hall", refusal.Message);
        Assert.Contains("changed after this database applied them", refusal.Message);
        Assert.DoesNotContain("0001_foundation", refusal.Message);
        await using var connection = await database.OpenAsync();
        Assert.Null(await connection.ExecuteScalarAsync<string>("SELECT to_regclass('new_things')::text;"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = '9001_new_table';"));
        // A line-ending change alone is not an edit (a checkout with CRLF endings).
        var crlf = PostgresMigrator.Scripts.Select(s => (s.Version, s.Sql.ReplaceLineEndings("\r\n"))).ToList();
        Assert.Empty(await MigratorFor(database).ApplyAsync(crlf));
    }

    [SkippableFact]
    public async Task TwoNodesStartingAtOnceApplyEachScriptOnce()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        var runs = await Task.WhenAll(MigratorFor(database).MigrateAsync(), MigratorFor(database).MigrateAsync());

        Assert.Single(runs, applied => applied.Count == 0);
        Assert.Single(runs, applied => applied.Count == PostgresMigrator.Scripts.Count + DataMigrationVersions.Count);
        await using var connection = await database.OpenAsync();
        Assert.Equal(PostgresMigrator.Scripts.Count + DataMigrationVersions.Count,
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;"));
    }

    [SkippableFact]
    public async Task AnExistingDatabaseMissingADataMigrationStopsTheRunnerInsteadOfSkippingIt()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database, dataMigrations: []).MigrateAsync();

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => MigratorFor(database).MigrateAsync());

        Assert.All(DataMigrationVersions, version => Assert.Contains(version, refusal.Message));
        await using var connection = await database.OpenAsync();
        Assert.Equal(PostgresMigrator.Scripts.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;"));
    }
}
