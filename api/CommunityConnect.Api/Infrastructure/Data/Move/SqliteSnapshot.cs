using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Infrastructure.Data.Move;

/// <summary>
/// Why the move stops: the message says what was found and what to do. Nothing is committed to the
/// target when it is thrown (either nothing was written yet, or the one copy transaction rolls back).
/// </summary>
public sealed class MoveRefusedException(string message) : Exception(message);

/// <summary>
/// The SQLite file as one snapshot: opened read-only, inside one read transaction, so every table is
/// read as it stood at the same moment (WAL: a running app may go on writing; the move sees none of it).
/// It checks that the file is at this build's migrations and that its foreign keys hold before anything
/// is copied.
/// </summary>
internal sealed class SqliteSnapshot : IAsyncDisposable
{
    public const string Journal = "schema_migrations";

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    private SqliteSnapshot(SqliteConnection connection, SqliteTransaction transaction, string path)
    {
        _connection = connection;
        _transaction = transaction;
        Path = path;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    public static async Task<SqliteSnapshot> OpenAsync(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new MoveRefusedException($"There is no SQLite file at {full} (--from).");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            await connection.OpenAsync();
            // Deferred: a read transaction (a read-only connection cannot take the write lock). Its first
            // read fixes the snapshot that every later read of this move sees.
            var transaction = connection.BeginTransaction(deferred: true);
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_schema;", transaction: transaction);
            return new SqliteSnapshot(connection, transaction, full);
        }
        catch (SqliteException error)
        {
            await connection.DisposeAsync();
            throw new MoveRefusedException($"{full} does not open as a SQLite database ({error.Message}).");
        }
    }

    /// <summary>
    /// Refuses a file whose journal lacks a migration this build knows (scripts and data migrations), holds
    /// one it does not know (a newer build wrote it), or records a script whose checksum differs from this build's.
    /// </summary>
    public async Task CheckJournalAsync(IReadOnlyCollection<string> dataMigrationVersions)
    {
        if (await ScalarAsync<long>($"SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = '{Journal}';") == 0)
        {
            throw new MoveRefusedException(
                $"{Path} has no migration journal ({Journal}): it is not a CommunityConnect database, or the app never started on it.");
        }
        var hasChecksums = await ScalarAsync<long>($"SELECT COUNT(*) FROM pragma_table_info('{Journal}') WHERE name = 'checksum';") == 1;
        var recorded = (await _connection.QueryAsync<(string Version, string? Checksum)>(
                hasChecksums ? $"SELECT version, checksum FROM {Journal};" : $"SELECT version, NULL FROM {Journal};", transaction: _transaction))
            .ToDictionary(row => row.Version, row => row.Checksum, StringComparer.Ordinal);
        var known = Migrator.Scripts.Select(s => s.Version).Concat(dataMigrationVersions).ToHashSet(StringComparer.Ordinal);
        var missing = known.Where(v => !recorded.ContainsKey(v)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            throw new MoveRefusedException(
                $"{Path} is behind this build's migrations (missing {string.Join(", ", missing)}). Start the app once on SQLite with this " +
                $"build (Database:Provider=sqlite, Database:Path={Path}) so that it migrates the file, stop it, and run move-to-postgres again. " +
                "Nothing was written to PostgreSQL.");
        }
        var unknown = recorded.Keys.Where(v => !known.Contains(v)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new MoveRefusedException(
                $"{Path} records migration(s) this build does not know ({string.Join(", ", unknown)}): a newer build wrote it. " +
                "Run move-to-postgres from that build. Nothing was written to PostgreSQL.");
        }
        var edited = Migrator.Scripts
            .Where(s => recorded[s.Version] is { } checksum && !string.Equals(checksum, MigrationJournal.Checksum(s.Sql), StringComparison.Ordinal))
            .Select(s => s.Version)
            .ToList();
        if (edited.Count > 0)
        {
            throw new MoveRefusedException(
                $"{Path} applied migration script(s) {string.Join(", ", edited)} as they were before an edit: this build's schema is not " +
                "the file's. Nothing was written to PostgreSQL.");
        }
    }

    /// <summary>Refuses a file with a foreign-key violation: PostgreSQL would hold the same broken reference without checking it.</summary>
    public async Task CheckForeignKeysAsync()
    {
        var violations = (await _connection.QueryAsync<(string Table, long? RowId, string Parent)>(
            "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check;", transaction: _transaction)).ToList();
        if (violations.Count > 0)
        {
            var first = violations[0];
            throw new MoveRefusedException(
                $"{Path} has {violations.Count} foreign-key violation(s) (PRAGMA foreign_key_check), the first in {first.Table} " +
                $"row {first.RowId} → {first.Parent}. Repair them on SQLite first. Nothing was written to PostgreSQL.");
        }
    }

    /// <summary>The file's tables (not SQLite's own), by name.</summary>
    public async Task<IReadOnlyList<string>> TablesAsync() =>
        (await _connection.QueryAsync<string>(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name;",
            transaction: _transaction)).ToList();

    /// <summary>A table's stored columns (generated ones are not copied: PostgreSQL computes its own).</summary>
    public async Task<IReadOnlyList<string>> ColumnsAsync(string table) =>
        (await _connection.QueryAsync<string>(
            "SELECT name FROM pragma_table_xinfo(@table) WHERE hidden = 0 ORDER BY cid;", new { table }, _transaction)).ToList();

    public Task<long> CountAsync(string table) => ScalarAsync<long>($"SELECT COUNT(*) FROM {Quote(table)};");

    /// <summary>
    /// Every row of a table, the columns in the order given; values as SQLite stores them (long, double, string,
    /// byte[], DBNull). A <c>WITHOUT ROWID</c> table (the anonymous items, keyrings and survey answers, keyed by
    /// random or keyed-hash ids so that nothing tells their insertion order) is read in the order of its key:
    /// PostgreSQL's heap keeps rows in the order they were copied, and that order must not say more than SQLite's did.
    /// </summary>
    public async Task<SqliteDataReader> ReadAsync(string table, IReadOnlyList<string> columns)
    {
        var withoutRowId = await ScalarAsync<long>(
            $"SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = '{table.Replace("'", "''", StringComparison.Ordinal)}';") == 1;
        var key = withoutRowId
            ? (await _connection.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) WHERE pk > 0 ORDER BY pk;", new { table }, _transaction)).ToList()
            : [];
        var command = _connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(Quote))} FROM {Quote(table)}" +
            (key.Count > 0 ? $" ORDER BY {string.Join(", ", key.Select(Quote))};" : ";");
        return await command.ExecuteReaderAsync();
    }

    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private Task<T?> ScalarAsync<T>(string sql) => _connection.ExecuteScalarAsync<T>(sql, transaction: _transaction);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
