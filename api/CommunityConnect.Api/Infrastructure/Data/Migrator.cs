using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Applies the numbered <c>Migrations/*.sql</c> files embedded in this assembly (SQLite's; PostgreSQL's
/// twins are <see cref="PostgresMigrator"/>'s) that the database has not recorded in
/// <c>schema_migrations</c>, in order, all in one transaction with their rows (and checksums, see
/// <see cref="MigrationJournal"/>) there, so starting twice applies nothing twice, a failed script
/// leaves no trace and an edited one stops the start.
/// </summary>
/// <remarks>
/// SQLite can change a <c>CHECK</c> only by rebuilding the table (create the new one, copy, drop, rename),
/// and with foreign keys on, dropping a table that others reference deletes through them. So the
/// scripts run with foreign keys off, on a connection of their own before the app serves anything, and
/// <c>PRAGMA foreign_key_check</c> must find no violation before the transaction commits: the rule is
/// still enforced, at the end of the migration instead of at every statement (SQLite's own procedure for
/// schema changes, https://sqlite.org/lang_altertable.html#otheralter).
/// </remarks>
public sealed class Migrator(Database database, ILogger<Migrator> logger, TimeProvider time)
{
    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = MigrationJournal.LoadScripts(folder: null);

    /// <summary>Applies what is missing; answers the versions it applied.</summary>
    public Task<IReadOnlyList<string>> MigrateAsync() => ApplyAsync(Scripts);

    /// <summary>Applies the scripts of <paramref name="scripts"/> that the database has not recorded, in their order.</summary>
    internal async Task<IReadOnlyList<string>> ApplyAsync(IReadOnlyList<(string Version, string Sql)> scripts)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync();
        // WAL is a property of the file: set once, it stays. The foreign-key switch is ignored inside a
        // transaction, so it is set before the transaction begins (and back on before the connection
        // returns to the pool).
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;");
        try
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            await connection.ExecuteAsync(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    TEXT    PRIMARY KEY,
                    applied_at INTEGER NOT NULL,
                    checksum   TEXT
                );
                """, transaction: transaction);
            // A journal of the old runner (version and applied_at only) gets the column; its rows get their checksums below.
            if (await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum';", transaction: transaction) == 0)
            {
                await connection.ExecuteAsync("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT;", transaction: transaction);
            }
            var pending = await MigrationJournal.PendingAsync(connection, transaction, scripts, logger);
            var newlyApplied = new List<string>();
            foreach (var (version, sql) in pending)
            {
                await connection.ExecuteAsync(sql, transaction: transaction);
                await MigrationJournal.RecordAsync(connection, transaction, version, MigrationJournal.Checksum(sql),
                    time.GetUtcNow().ToUnixTimeMilliseconds());
                logger.LogInformation("Applied migration {Version}", version);
                newlyApplied.Add(version);
            }
            if (newlyApplied.Count == 0)
            {
                // No script ran: the check would read every row of a large database for nothing (tens of
                // seconds before the first answer on a million replies). The journal may have taken checksums.
                await transaction.CommitAsync();
                return newlyApplied;
            }
            var violations = (await connection.QueryAsync<(string Table, long? RowId, string Parent)>(
                "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check;", transaction: transaction)).ToList();
            if (violations.Count > 0)
            {
                var first = violations[0];
                throw new InvalidOperationException(
                    $"Migrations {string.Join(", ", newlyApplied)} leave {violations.Count} foreign-key violation(s), " +
                    $"the first in {first.Table} row {first.RowId} → {first.Parent}; nothing was applied.");
            }
            await transaction.CommitAsync();
            return newlyApplied;
        }
        finally
        {
            await connection.ExecuteAsync("PRAGMA foreign_keys = ON;");
        }
    }
}
