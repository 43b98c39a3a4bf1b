using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data.Move;

/// <summary>One table as moved: its rows in the SQLite snapshot, copied, and counted on PostgreSQL before the commit (all equal).</summary>
public sealed record MovedTable(string Name, long Rows);

/// <summary>What the move did: the target's migrations it applied first, and every table it copied.</summary>
public sealed record MoveReport(string Target, IReadOnlyList<string> Migrations, IReadOnlyList<MovedTable> Tables);

/// <summary>
/// Moves a community's data from the SQLite file into an empty PostgreSQL database (issue 19): the file
/// is read as one snapshot and checked (migrations at this build's, foreign keys clean), the target is
/// refused unless every app table is empty, migrated with <see cref="PostgresMigrator"/> (all twins),
/// and then every table is copied with binary COPY in one PostgreSQL transaction, the identity sequences
/// set past the copied ids and the row counts compared before the commit. Any refusal leaves the target
/// without a single copied row.
/// </summary>
/// <remarks>
/// The copy runs with <c>SET LOCAL session_replication_role = replica</c>: foreign keys are not checked
/// row by row (tables go in name order, not dependency order; SQLite's <c>foreign_key_check</c> has vouched
/// for them) and triggers do not fire (the append-only tables refuse changes, and nothing here is a change
/// of a row the app made). Setting it takes a superuser or, on PostgreSQL 15 and later,
/// <c>GRANT SET ON PARAMETER session_replication_role TO …</c>.
/// </remarks>
public sealed class MoveToPostgres(IEnumerable<IDataMigration> dataMigrations, ILoggerFactory loggers, TimeProvider time)
{
    /// <summary>
    /// Tables a PostgreSQL script fills itself (a top-level <c>INSERT INTO</c>: <c>community_versions</c>' installation
    /// row, say): a new database holds those rows before any data. They do not make a target non-empty, and
    /// the copy replaces them with the file's rows of the same table (which its own migrations seeded alike).
    /// </summary>
    internal static IReadOnlySet<string> SeededTables { get; } = PostgresMigrator.Scripts
        .SelectMany(script => Regex.Matches(script.Sql, @"^INSERT INTO (\w+)", RegexOptions.Multiline | RegexOptions.IgnoreCase))
        .Select(match => match.Groups[1].Value)
        .ToHashSet(StringComparer.Ordinal);

    public async Task<MoveReport> RunAsync(string sqlitePath, string postgresConnectionString, CancellationToken cancellationToken = default)
    {
        var target = new NpgsqlConnectionStringBuilder(postgresConnectionString) { CommandTimeout = 0 };
        var described = Describe(target);
        await using var source = await SqliteSnapshot.OpenAsync(sqlitePath);
        var migrations = dataMigrations.ToList();
        await source.CheckJournalAsync(migrations.Select(m => m.Version).ToList());
        await source.CheckForeignKeysAsync();
        var tables = (await source.TablesAsync()).Where(t => t != SqliteSnapshot.Journal).ToList();

        // Before the migrator touches it: a database that does not exist, that has rows, or whose user may not take the
        // copy's replica role stays exactly as it was.
        await using (var probe = new NpgsqlConnection(target.ConnectionString))
        {
            await OpenTargetAsync(probe, described, cancellationToken);
            await RefuseRowsAsync(probe, null, described, await PostgresTablesAsync(probe, null));
            await using var trial = await probe.BeginTransactionAsync(cancellationToken);
            await ReplicaRoleAsync(probe, trial, "Nothing was changed.");
            await trial.RollbackAsync(cancellationToken);
        }
        IReadOnlyList<string> applied;
        try
        {
            applied = await new PostgresMigrator(
                Options.Create(new DatabaseOptions { Provider = DatabaseOptions.Postgres, PostgresConnectionString = target.ConnectionString }),
                migrations, loggers.CreateLogger<PostgresMigrator>(), time).MigrateAsync();
        }
        catch (InvalidOperationException error)
        {
            throw new MoveRefusedException($"The PostgreSQL database {described} does not migrate: {error.Message}");
        }

        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ReplicaRoleAsync(connection, transaction, "Only the migrations were applied.");
        var targetTables = await PostgresTablesAsync(connection, transaction);
        CheckSameTables(tables, targetTables, described);
        // No other session (an app started too early) writes while the copy runs.
        await connection.ExecuteAsync(
            $"LOCK TABLE {string.Join(", ", targetTables.Select(SqliteSnapshot.Quote))} IN ACCESS EXCLUSIVE MODE;", transaction: transaction);
        await RefuseRowsAsync(connection, transaction, described, targetTables);
        var columns = (await connection.QueryAsync<(string Table, string Name, string DataType, string IsIdentity, string? Default)>(
                """
                SELECT table_name, column_name, data_type, is_identity, column_default
                FROM information_schema.columns
                WHERE table_schema = current_schema() AND is_generated = 'NEVER'
                ORDER BY table_name, ordinal_position;
                """, transaction: transaction))
            .Select(c => new PostgresColumn(c.Table, c.Name, c.DataType,
                c.IsIdentity == "YES" || (c.Default?.StartsWith("nextval(", StringComparison.Ordinal) ?? false)))
            .ToLookup(c => c.Table);

        var moved = new List<MovedTable>();
        foreach (var table in tables)
        {
            var tableColumns = await MatchColumnsAsync(source, table, columns[table].ToList());
            if (SeededTables.Contains(table))
            {
                await connection.ExecuteAsync($"DELETE FROM {SqliteSnapshot.Quote(table)};", transaction: transaction);
            }
            var copied = await CopyAsync(source, connection, table, tableColumns, cancellationToken);
            var inSnapshot = await source.CountAsync(table);
            var onTarget = await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {SqliteSnapshot.Quote(table)};", transaction: transaction);
            if (copied != inSnapshot || onTarget != inSnapshot)
            {
                throw new MoveRefusedException(
                    $"{table}: the snapshot holds {inSnapshot} rows, {copied} were copied and PostgreSQL counts {onTarget}. Nothing was committed.");
            }
            moved.Add(new MovedTable(table, inSnapshot));
        }
        await SetSequencesAsync(connection, transaction, columns.SelectMany(c => c).ToList());
        await transaction.CommitAsync(cancellationToken);
        // Statistics for the planner now, not when autovacuum gets round to it: a freshly loaded table has none, and
        // the first hours of the app on it would otherwise run on guesses (a thread page took 5 times as long).
        await connection.ExecuteAsync("ANALYZE;");
        return new MoveReport(described, applied, moved);
    }

    /// <summary>The target as it may be printed: database, host and port, user; never the password.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder target) =>
        $"'{target.Database ?? target.Username}' on {target.Host}:{target.Port} as {target.Username ?? "(default user)"}";

    private static async Task<IReadOnlyList<string>> PostgresTablesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction) =>
        (await connection.QueryAsync<string>(
            $"""
             SELECT table_name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '{SqliteSnapshot.Journal}'
             ORDER BY table_name;
             """, transaction: transaction)).ToList();

    private static async Task RefuseRowsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string described, IReadOnlyList<string> tables)
    {
        tables = tables.Where(t => !SeededTables.Contains(t)).ToList();
        if (tables.Count == 0)
        {
            return;
        }
        var filled = (await connection.QueryAsync<string>(
            string.Join(" UNION ALL ", tables.Select(t =>
                $"SELECT '{t.Replace("'", "''", StringComparison.Ordinal)}' WHERE EXISTS (SELECT 1 FROM {SqliteSnapshot.Quote(t)})")) + ";",
            transaction: transaction)).ToList();
        if (filled.Count > 0)
        {
            throw new MoveRefusedException(
                $"The PostgreSQL database {described} is not empty: {filled.Count} table(s) hold rows ({string.Join(", ", filled.Take(8))}" +
                $"{(filled.Count > 8 ? ", …" : "")}). move-to-postgres copies into an empty database only: a new one (CREATE DATABASE), " +
                "or one the migrations alone have filled; do not start the app on it before the move. Nothing was changed.");
        }
    }

    /// <summary>
    /// Opens the target; a database that does not exist or a server that refuses the user is a refusal (nothing was
    /// changed, the command is to be corrected), while a server that does not answer stays a failure on the way.
    /// </summary>
    private static async Task OpenTargetAsync(NpgsqlConnection connection, string described, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            throw new MoveRefusedException(
                $"The PostgreSQL database {described} does not exist: create it first (CREATE DATABASE …). Nothing was changed.");
        }
        catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.InvalidPassword
            or PostgresErrorCodes.InvalidAuthorizationSpecification or PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new MoveRefusedException(
                $"The PostgreSQL server refused the connection to {described} ({error.SqlState}: {error.MessageText}). Nothing was changed.");
        }
    }

    private static async Task ReplicaRoleAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string outcome)
    {
        try
        {
            await connection.ExecuteAsync("SET LOCAL session_replication_role = replica;", transaction: transaction);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new MoveRefusedException(
                "The PostgreSQL user may not set session_replication_role, which the copy needs (foreign keys and the append-only " +
                "triggers are not applied to copied rows). Run the move as a superuser, or on PostgreSQL 15 and later: " +
                "GRANT SET ON PARAMETER session_replication_role TO <user>. " + outcome);
        }
    }

    /// <summary>
    /// Every sequence past the values copied: an identity or serial column's past its largest value (the next
    /// id follows it; 1 on an empty table), and a sequence of its own that a trigger draws from (named
    /// <c>{table}_{column}_seq</c>, as <c>community_versions_changed_seq</c> stamps <c>changed</c>) past that column's.
    /// A sequence tied to no column by either rule stops the move: it would hand out values the copy already holds.
    /// </summary>
    private static async Task SetSequencesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PostgresColumn> columns)
    {
        foreach (var identity in columns.Where(c => c.IsIdentity))
        {
            await connection.ExecuteScalarAsync<long>(
                $"""
                 SELECT setval(pg_get_serial_sequence(@table, @column),
                               COALESCE((SELECT MAX({SqliteSnapshot.Quote(identity.Name)}) FROM {SqliteSnapshot.Quote(identity.Table)}), 0) + 1, false);
                 """, new { table = SqliteSnapshot.Quote(identity.Table), column = identity.Name }, transaction);
        }
        var standalone = await connection.QueryAsync<string>(
            """
            SELECT s.relname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
            WHERE s.relkind = 'S' AND n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_depend d
                              WHERE d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i'))
            ORDER BY s.relname;
            """, transaction: transaction);
        foreach (var sequence in standalone)
        {
            var column = columns.FirstOrDefault(c => !c.IsIdentity && $"{c.Table}_{c.Name}_seq" == sequence
                && c.DataType is "bigint" or "integer" or "smallint")
                ?? throw new MoveRefusedException(
                    $"Sequence {sequence} belongs to no column (nor is it named {{table}}_{{column}}_seq after an integer column): the move " +
                    "cannot tell what to set it past. Nothing was committed.");
            await connection.ExecuteScalarAsync<long>(
                $"SELECT setval(@sequence::regclass, COALESCE((SELECT MAX({SqliteSnapshot.Quote(column.Name)}) FROM {SqliteSnapshot.Quote(column.Table)}), 0) + 1, false);",
                new { sequence = SqliteSnapshot.Quote(sequence) }, transaction);
        }
    }

    private static void CheckSameTables(IReadOnlyList<string> source, IReadOnlyList<string> target, string described)
    {
        var onlySource = source.Except(target, StringComparer.Ordinal).ToList();
        var onlyTarget = target.Except(source, StringComparer.Ordinal).ToList();
        if (onlySource.Count > 0 || onlyTarget.Count > 0)
        {
            throw new MoveRefusedException(
                $"The SQLite file and {described} do not have the same tables after migrating" +
                (onlySource.Count > 0 ? $"; only in SQLite: {string.Join(", ", onlySource)}" : "") +
                (onlyTarget.Count > 0 ? $"; only in PostgreSQL: {string.Join(", ", onlyTarget)}" : "") +
                ". Nothing was copied.");
        }
    }

    /// <summary>The target's columns in its order, when both sides have the same set of names and the move converts to each type.</summary>
    private static async Task<IReadOnlyList<PostgresColumn>> MatchColumnsAsync(SqliteSnapshot source, string table, IReadOnlyList<PostgresColumn> target)
    {
        var sourceColumns = await source.ColumnsAsync(table);
        var names = target.Select(c => c.Name).ToList();
        var onlySource = sourceColumns.Except(names, StringComparer.Ordinal).ToList();
        var onlyTarget = names.Except(sourceColumns, StringComparer.Ordinal).ToList();
        if (onlySource.Count > 0 || onlyTarget.Count > 0)
        {
            throw new MoveRefusedException(
                $"Table {table} has different columns on the two sides" +
                (onlySource.Count > 0 ? $"; only in SQLite: {string.Join(", ", onlySource)}" : "") +
                (onlyTarget.Count > 0 ? $"; only in PostgreSQL: {string.Join(", ", onlyTarget)}" : "") +
                ". Nothing was committed.");
        }
        if (target.FirstOrDefault(c => c.DbType is null) is { } unknown)
        {
            throw new MoveRefusedException(
                $"{table}.{unknown.Name} is {unknown.DataType} on PostgreSQL, a type move-to-postgres does not convert to. Nothing was committed.");
        }
        return target;
    }

    private static async Task<long> CopyAsync(
        SqliteSnapshot source, NpgsqlConnection connection, string table, IReadOnlyList<PostgresColumn> columns, CancellationToken cancellationToken)
    {
        var names = columns.Select(c => c.Name).ToList();
        long rows = 0;
        await using var reader = await source.ReadAsync(table, names);
        try
        {
            await using var importer = await connection.BeginBinaryImportAsync(
                $"COPY {SqliteSnapshot.Quote(table)} ({string.Join(", ", names.Select(SqliteSnapshot.Quote))}) FROM STDIN (FORMAT BINARY)",
                cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows++;
                await importer.StartRowAsync(cancellationToken);
                for (var i = 0; i < columns.Count; i++)
                {
                    var value = reader.GetValue(i);
                    if (value is DBNull)
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                    else
                    {
                        await columns[i].WriteAsync(importer, value, rows, cancellationToken);
                    }
                }
            }
            await importer.CompleteAsync(cancellationToken);
        }
        catch (ConversionException error)
        {
            throw new MoveRefusedException($"{error.Message} Nothing was committed.");
        }
        catch (PostgresException error)
        {
            // MessageText and the constraint's name only: the detail would repeat the row's values.
            throw new MoveRefusedException(
                $"PostgreSQL refused the copy of {table}: {error.SqlState} {error.MessageText}" +
                (error.ConstraintName is { } constraint ? $" (constraint {constraint})" : "") + ". Nothing was committed.");
        }
        return rows;
    }
}
