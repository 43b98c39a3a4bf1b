using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// PostgreSQL's migrations (Migrations/Postgres, issue 19) build the schema SQLite's build: the same
/// tables, columns, keys, indexes, append-only guards and journal, so a SQLite migration without its
/// PostgreSQL twin fails here. The SQLite side is this class's app after its start (scripts, data
/// migrations); the PostgreSQL side a new database on the test server (<see cref="TestPostgres"/>).
/// </summary>
public sealed class PostgresSchemaTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private PostgresMigrator MigratorFor(PostgresDatabase database) => new(
        Options.Create(new DatabaseOptions { Provider = DatabaseOptions.Postgres, PostgresConnectionString = database.ConnectionString }),
        app.Services.GetServices<IDataMigration>(), NullLogger<PostgresMigrator>.Instance, app.Clock);

    [Fact]
    public void EverySqliteScriptHasItsPostgresTwinOfTheSameVersion()
    {
        Assert.NotEmpty(PostgresMigrator.Scripts);
        Assert.Equal(Migrator.Scripts.Select(s => s.Version), PostgresMigrator.Scripts.Select(s => s.Version));
    }

    [SkippableFact]
    public async Task BothEnginesHaveTheSameTablesColumnsKeysIndexesGuardsAndJournalAfterAllMigrations()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database).MigrateAsync();
        await app.CreateClient().GetAsync("/healthz");

        await using var sqlite = new SqliteConnection(app.Service<Database>().ConnectionString);
        await using var postgres = await database.OpenAsync();
        var sqliteShape = await SchemaShape.OfSqliteAsync(sqlite);
        var postgresShape = await SchemaShape.OfPostgresAsync(postgres);

        Assert.True(sqliteShape.Columns.Count > 400, $"only {sqliteShape.Columns.Count} columns read from SQLite");
        Assert.Contains("audit_log.audit_log_no_update", postgresShape.Triggers);
        var differences = sqliteShape.DifferencesFrom(postgresShape);
        Assert.True(differences.Count == 0, $"{differences.Count} difference(s) between the engines:\n" + string.Join("\n", differences));
    }

    [SkippableFact]
    public async Task TheComparisonSeesAColumnThatOnlyOneEngineHas()
    {
        // The parity test above could not fail if the shapes were read wrong; here one engine gains a column.
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database).MigrateAsync();
        await using var postgres = await database.OpenAsync();
        await postgres.ExecuteAsync("ALTER TABLE threads ADD COLUMN mood text;");
        await using var sqlite = new SqliteConnection(app.Service<Database>().ConnectionString);
        await app.CreateClient().GetAsync("/healthz");

        var differences = (await SchemaShape.OfSqliteAsync(sqlite)).DifferencesFrom(await SchemaShape.OfPostgresAsync(postgres));

        Assert.Equal(["column threads.mood text: on PostgreSQL, but on SQLite it is missing"], differences);
    }

    [SkippableFact]
    public async Task TheAppendOnlyTablesRefuseUpdateDeleteAndTruncateOnPostgres()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database).MigrateAsync();
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO streets (id, name) VALUES (1, '半淞园路街道');
            INSERT INTO communities (id, street_id, name) VALUES (1, 1, '示范小区');
            INSERT INTO users (id, display_name, created_at) VALUES (1, '党支部书记', 0);
            INSERT INTO audit_log (community_id, action, actor_id, actor_label, item_kind, item_id, reason, at)
            VALUES (1, 'unseal', 1, '党支部书记', 'opinion', 7, '辱骂他人', 0);
            INSERT INTO moderation_log (community_id, actor_id, actor_label, action, at) VALUES (1, 1, '党支部书记', 'hide', 0);
            INSERT INTO account_entries (community_id, account, entry_date, amount_fen, counterparty, purpose, recorded_by, recorded_at)
            VALUES (1, 'common_income', '2026-03-01', 120000, '广告公司', '电梯广告', 1, 0);
            """);

        foreach (var (table, change) in new[]
                 {
                     ("audit_log", "UPDATE audit_log SET reason = '改了'"), ("audit_log", "DELETE FROM audit_log"), ("audit_log", "TRUNCATE audit_log CASCADE"),
                     ("moderation_log", "UPDATE moderation_log SET action = 'show'"), ("moderation_log", "DELETE FROM moderation_log"),
                     ("moderation_log", "TRUNCATE moderation_log CASCADE"),
                     ("account_entries", "UPDATE account_entries SET amount_fen = 1"), ("account_entries", "DELETE FROM account_entries"),
                     ("account_entries", "TRUNCATE account_entries CASCADE"),
                 })
        {
            var refusal = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(change));
            Assert.True(refusal.SqlState == PostgresErrorCodes.RestrictViolation, $"{change}: {refusal.SqlState} {refusal.MessageText}");
            Assert.StartsWith($"{table} rows cannot be", refusal.MessageText);
        }
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "SELECT (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM moderation_log) + (SELECT COUNT(*) FROM account_entries);"));
        Assert.Equal("辱骂他人", await connection.ExecuteScalarAsync<string>("SELECT reason FROM audit_log;"));
    }

    [SkippableFact]
    public async Task TheCacheVersionTriggersBumpTheRightCommunitiesOnPostgres()
    {
        // 0020's twin is plpgsql; the parity test sees its triggers' names, this sees them work.
        await using var database = await PostgresDatabase.CreateAsync();
        await MigratorFor(database).MigrateAsync();
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO streets (id, name) VALUES (1, '半淞园路街道'), (2, '豫园街道');
            INSERT INTO communities (id, street_id, name) VALUES (1, 1, '示范小区'), (2, 1, '隔壁小区'), (3, 2, '别的街道');
            INSERT INTO users (id, display_name, created_at) VALUES (1, '业主', 0), (2, '街道', 0);
            """);
        // The triggers append bumps (0023); the node applies them after each commit, as here after each statement.
        async Task ExecuteAsync(string sql)
        {
            await connection.ExecuteAsync(sql);
            await connection.ExecuteAsync("SELECT apply_community_version_bumps();");
        }
        async Task<(long Version, long Feed)[]> VersionsAsync() => (await connection.QueryAsync<(long, long)>(
            "SELECT version, feed_version FROM community_versions WHERE community_id IN (1, 2, 3) ORDER BY community_id;")).ToArray();
        Assert.Equal([(1L, 1L), (1L, 1L), (1L, 1L)], await VersionsAsync());

        await ExecuteAsync("INSERT INTO memberships (user_id, community_id, role, created_at) VALUES (1, 1, 'owner', 0);");
        Assert.Equal([(2L, 1L), (1L, 1L), (1L, 1L)], await VersionsAsync());
        await ExecuteAsync("INSERT INTO memberships (user_id, street_id, role, created_at) VALUES (2, 1, 'street_admin', 0);");
        Assert.Equal([(3L, 1L), (2L, 1L), (1L, 1L)], await VersionsAsync());
        await ExecuteAsync(
            "INSERT INTO threads (id, community_id, kind, title, body, author_id, author_role, created_at, last_activity_at, feed_seq) VALUES (1, 1, 'discussion', '电梯', '坏了', 1, '业主', 0, 0, 1);");
        await ExecuteAsync("INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES (1, 2, 0);");
        await ExecuteAsync("UPDATE users SET display_name = '老王' WHERE id = 1;");
        Assert.Equal([(3L, 4L), (2L, 1L), (1L, 1L)], await VersionsAsync());
        await ExecuteAsync("DELETE FROM memberships WHERE user_id = 2;");
        Assert.Equal([(4L, 4L), (3L, 1L), (1L, 1L)], await VersionsAsync());

        var stamps = (await connection.QueryAsync<long>("SELECT changed FROM community_versions WHERE changed > 0;")).ToArray();
        Assert.Equal(stamps.Length, stamps.Distinct().Count());

        // Bumps appended by several writes before a run are one increment per community and kind, and none is left.
        await connection.ExecuteAsync("INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES (1, 1, 0);");
        await connection.ExecuteAsync("INSERT INTO memberships (user_id, community_id, role, created_at) VALUES (2, 2, 'owner', 0);");
        await connection.ExecuteAsync("DELETE FROM thread_supports WHERE user_id = 1;");
        Assert.Equal([(4L, 4L), (3L, 1L), (1L, 1L)], await VersionsAsync());
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT apply_community_version_bumps();"));
        Assert.Equal([(4L, 5L), (4L, 1L), (1L, 1L)], await VersionsAsync());
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM community_version_bumps;"));
    }
}
