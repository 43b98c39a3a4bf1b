using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// PostgreSQL's runner: applies <c>Migrations/Postgres/*.sql</c> (one twin per SQLite script, same
/// version) that <c>schema_migrations</c> has not recorded, all in one transaction with their journal
/// rows (<see cref="MigrationJournal"/>: checksums, an edited script stops the start). Several nodes may
/// start at once: an advisory lock held until the commit lets one migrate while the others wait, and
/// those then find nothing to do.
/// </summary>
/// <remarks>
/// Data migrations (<see cref="IDataMigration"/>) were written for and tried on SQLite's old rows only. A database these
/// scripts create has no rows from before any of them, so a new database records every registered data
/// migration as done; an existing one that lacks one stops the start, naming it, instead of skipping it.
/// </remarks>
public sealed class PostgresMigrator(
    IOptions<DatabaseOptions> options, IEnumerable<IDataMigration> dataMigrations, ILogger<PostgresMigrator> logger, TimeProvider time)
{
    /// <summary>The advisory lock every node's migrator takes (any fixed number; this one spells "CCMIGRAT").</summary>
    private const long LockKey = 0x43434D4947524154;

    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = MigrationJournal.LoadScripts("Postgres");

    /// <summary>Applies what is missing; answers the versions it applied (scripts, then data migrations recorded as done).</summary>
    public Task<IReadOnlyList<string>> MigrateAsync() => ApplyAsync(Scripts);

    /// <summary>Applies the scripts of <paramref name="scripts"/> that the database has not recorded, in their order.</summary>
    internal async Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyList<(string Version, string Sql)> scripts)
    {
        await using var connection = new NpgsqlConnection(options.Value.PostgresConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@LockKey);", new { LockKey }, transaction);
        await connection.ExecuteAsync(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text   PRIMARY KEY,
                applied_at bigint NOT NULL,
                checksum   text
            );
            """, transaction: transaction);
        var newDatabase = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;", transaction: transaction) == 0;
        var pending = await MigrationJournal.PendingAsync(connection, transaction, scripts, logger);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var applied = new List<string>();
        foreach (var (version, sql) in pending)
        {
            await connection.ExecuteAsync(sql, transaction: transaction);
            await MigrationJournal.RecordAsync(connection, transaction, version, MigrationJournal.Checksum(sql), now);
            logger.LogInformation("Applied PostgreSQL migration {Version}", version);
            applied.Add(version);
        }
        var recorded = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations;", transaction: transaction)).ToHashSet();
        var missing = dataMigrations.Select(m => m.Version).Where(v => !recorded.Contains(v)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 && !newDatabase)
        {
            throw new InvalidOperationException(
                $"Data migration(s) {string.Join(", ", missing)} have not run on this PostgreSQL database, and data migrations are tried on " +
                "SQLite's old rows only (a new PostgreSQL database records them as done). Nothing was applied.");
        }
        foreach (var version in missing)
        {
            // A new database: there are no rows from before the script the data migration follows.
            await MigrationJournal.RecordAsync(connection, transaction, version, checksum: null, now);
            applied.Add(version);
        }
        await transaction.CommitAsync();
        return applied;
    }
}
