using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The runner can rebuild a table that others reference (the only way SQLite changes a CHECK), and
/// still refuses a migration that leaves a broken reference.
/// </summary>
public sealed class MigratorTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<SqliteConnection> OpenAsync()
    {
        await app.CreateClient().GetAsync("/healthz");
        var connection = new SqliteConnection(app.Service<Database>().ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task ATableOthersReferenceCanBeRebuiltWithANewCheckKeepingItsRowsAndReferences()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(
            """
            CREATE TABLE parent_things (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b')));
            CREATE TABLE child_things (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent_things (id) ON DELETE CASCADE);
            INSERT INTO parent_things (id, kind) VALUES (1, 'a'), (2, 'b');
            INSERT INTO child_things (id, parent_id) VALUES (10, 1), (20, 2);
            """);

        var applied = await app.Service<Migrator>().ApplyAsync([("9001_rebuild_parent", """
            CREATE TABLE parent_things_new (id INTEGER PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('a', 'b', 'c')));
            INSERT INTO parent_things_new (id, kind) SELECT id, kind FROM parent_things;
            DROP TABLE parent_things;
            ALTER TABLE parent_things_new RENAME TO parent_things;
            INSERT INTO parent_things (id, kind) VALUES (3, 'c');
            """)]);

        Assert.Equal(["9001_rebuild_parent"], applied);
        // The cascade did not fire while the old table was dropped: the children are all still there.
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM child_things;"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM parent_things;"));
        // And the reference is enforced again afterwards.
        await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("INSERT INTO child_things (id, parent_id) VALUES (30, 99);"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys;"));
    }

    [Fact]
    public async Task AMigrationThatLeavesABrokenReferenceAppliesNothing()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(
            """
            CREATE TABLE owners_of_things (id INTEGER PRIMARY KEY);
            CREATE TABLE owned_things (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners_of_things (id));
            INSERT INTO owners_of_things (id) VALUES (1);
            INSERT INTO owned_things (id, owner_id) VALUES (1, 1);
            """);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Service<Migrator>().ApplyAsync([
            ("9002_harmless", "CREATE TABLE harmless_things (id INTEGER PRIMARY KEY);"),
            ("9003_breaks_a_reference", "DELETE FROM owners_of_things;"),
        ]));

        Assert.Contains("foreign-key violation", failure.Message);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM owners_of_things;"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'harmless_things';"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version IN ('9002_harmless', '9003_breaks_a_reference');"));
    }

    [Fact]
    public async Task AJournalOfTheOldRunnerTakesItsChecksumsWithoutRunningAnyScriptAgain()
    {
        await using var connection = await OpenAsync();
        // The old runner's journal: version and applied_at only.
        await connection.ExecuteAsync("ALTER TABLE schema_migrations DROP COLUMN checksum;");
        var before = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;");

        Assert.Empty(await app.Service<Migrator>().MigrateAsync());

        var journal = (await connection.QueryAsync<(string Version, string? Checksum)>(
            "SELECT version, checksum FROM schema_migrations;")).ToDictionary(j => j.Version, j => j.Checksum);
        Assert.Equal(before, journal.Count);
        Assert.All(Migrator.Scripts, script => Assert.Equal(MigrationJournal.Checksum(script.Sql), journal[script.Version]));
        Assert.All(app.Services.GetServices<IDataMigration>(), data => Assert.Null(journal[data.Version]));
        Assert.Empty(await app.Service<Migrator>().MigrateAsync());
    }

    [Fact]
    public async Task AnEditedAppliedScriptStopsTheStartAndNothingIsApplied()
    {
        await using var connection = await OpenAsync();
        var edited = Migrator.Scripts
            .Select(s => s.Version == "0008_moderation" ? (s.Version, s.Sql.Replace("'spam'", "'spam', 'ads'")) : s)
            .Append(("9004_new_things", "CREATE TABLE new_things (id INTEGER PRIMARY KEY);"))
            .ToList();

        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => app.Service<Migrator>().ApplyAsync(edited));

        Assert.Contains("0008_moderation", refusal.Message);
        Assert.Contains("changed after this database applied them", refusal.Message);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'new_things';"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations WHERE version = '9004_new_things';"));
        // A line-ending change alone is not an edit (a checkout with CRLF endings).
        Assert.Empty(await app.Service<Migrator>().ApplyAsync(Migrator.Scripts.Select(s => (s.Version, s.Sql.ReplaceLineEndings("\r\n"))).ToList()));
    }
}
