using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Applies the numbered <c>Migrations/*.sql</c> files embedded in this assembly that the database
/// has not recorded in <c>schema_migrations</c>, in order, all in one transaction with their rows
/// there, so starting twice applies nothing twice and a failed script leaves no trace.
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
    private const string ResourcePrefix = "CommunityConnect.Api.Infrastructure.Data.Migrations.";

    public static IReadOnlyList<(string Version, string Sql)> Scripts { get; } = LoadScripts();

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
                    applied_at INTEGER NOT NULL
                );
                """, transaction: transaction);
            var applied = (await connection.QueryAsync<string>(
                "SELECT version FROM schema_migrations;", transaction: transaction)).ToHashSet();
            var newlyApplied = new List<string>();
            foreach (var (version, sql) in scripts)
            {
                if (applied.Contains(version))
                {
                    continue;
                }
                await connection.ExecuteAsync(sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now);",
                    new { version, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
                logger.LogInformation("Applied migration {Version}", version);
                newlyApplied.Add(version);
            }
            if (newlyApplied.Count == 0)
            {
                // Nothing changed: the check would read every row of a large database for nothing
                // (tens of seconds before the first answer on a million replies).
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

    private static IReadOnlyList<(string, string)> LoadScripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                return (Version: name[ResourcePrefix.Length..^".sql".Length], Sql: reader.ReadToEnd());
            })
            .OrderBy(script => script.Version, StringComparer.Ordinal)
            .ToList();
    }
}
