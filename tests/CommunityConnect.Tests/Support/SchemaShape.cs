using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// What of a schema must be the same on SQLite and PostgreSQL for the features' SQL to read the same
/// rows: each table's columns in order with their type family and nullability, primary keys and unique
/// constraints (what ON CONFLICT names), the named indexes (unique, partial), the triggers and the journal.
/// Types compare by family: SQLite's INTEGER is PostgreSQL's bigint, TEXT text, BLOB bytea; anything
/// else shows as itself, so a type outside the mapping is a difference until the mapping learns it.
/// </summary>
public sealed record SchemaShape(
    IReadOnlyList<string> Columns, IReadOnlySet<string> Keys, IReadOnlySet<string> Indexes, IReadOnlySet<string> Triggers, IReadOnlySet<string> Journal)
{
    public static async Task<SchemaShape> OfSqliteAsync(SqliteConnection connection)
    {
        var columns = (await connection.QueryAsync<(string Table, string Column, string Type, long NotNull, long Pk)>(
            """
            SELECT m.name, p.name, p.type, p."notnull", p.pk
            FROM sqlite_schema m JOIN pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
            ORDER BY m.name, p.cid;
            """)).Select(c => Column(c.Table, c.Column, SqliteFamily(c.Type), c.NotNull == 1 || c.Pk > 0)).ToList();
        var primaryKeys = (await connection.QueryAsync<(string Table, string Column)>(
            """
            SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.pk > 0
            ORDER BY m.name, p.pk;
            """)).GroupBy(k => k.Table).Select(g => $"{g.Key} PRIMARY KEY ({string.Join(", ", g.Select(k => k.Column))})");
        var uniques = (await connection.QueryAsync<(string Table, string Index, string Column)>(
            """
            SELECT m.name, il.name, ii.name
            FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND il.origin = 'u'
            ORDER BY m.name, il.name, ii.seqno;
            """)).GroupBy(u => (u.Table, u.Index)).Select(g => $"{g.Key.Table} UNIQUE ({string.Join(", ", g.Select(u => u.Column))})");
        var indexes = (await connection.QueryAsync<(string Table, string Index, long Unique, long Partial)>(
            """
            SELECT m.name, il.name, il."unique", il.partial
            FROM sqlite_schema m JOIN pragma_index_list(m.name) il
            WHERE m.type = 'table' AND il.origin = 'c';
            """)).Select(i => Index(i.Table, i.Index, i.Unique == 1, i.Partial == 1));
        var triggers = await connection.QueryAsync<string>("SELECT tbl_name || '.' || name FROM sqlite_schema WHERE type = 'trigger';");
        return new SchemaShape(columns, primaryKeys.Concat(uniques).ToHashSet(), indexes.ToHashSet(), triggers.ToHashSet(), await JournalAsync(connection));
    }

    public static async Task<SchemaShape> OfPostgresAsync(NpgsqlConnection connection)
    {
        var columns = (await connection.QueryAsync<(string Table, string Column, string Type, string Nullable)>(
            """
            SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
            FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
            ORDER BY c.table_name, c.ordinal_position;
            """)).Select(c => Column(c.Table, c.Column, PostgresFamily(c.Type), c.Nullable == "NO")).ToList();
        var keys = (await connection.QueryAsync<(string Table, string Kind, string Constraint, string Column)>(
            """
            SELECT t.relname, c.contype::text, c.conname, a.attname
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
            WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u')
            ORDER BY t.relname, c.conname, k.position;
            """)).GroupBy(k => (k.Table, k.Kind, k.Constraint))
            .Select(g => $"{g.Key.Table} {(g.Key.Kind == "p" ? "PRIMARY KEY" : "UNIQUE")} ({string.Join(", ", g.Select(k => k.Column))})");
        var indexes = (await connection.QueryAsync<(string Table, string Index, bool Unique, bool Partial)>(
            """
            SELECT t.relname, i.relname, x.indisunique, x.indpred IS NOT NULL
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid);
            """)).Select(i => Index(i.Table, i.Index, i.Unique, i.Partial));
        var triggers = await connection.QueryAsync<string>(
            """
            SELECT c.relname || '.' || t.tgname FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND NOT t.tgisinternal;
            """);
        return new SchemaShape(columns, keys.ToHashSet(), indexes.ToHashSet(), triggers.ToHashSet(), await JournalAsync(connection));
    }

    /// <summary>Every way <paramref name="postgres"/> differs from this (SQLite's) shape, one readable line each; PostgreSQL may have more triggers (TRUNCATE guards).</summary>
    public IReadOnlyList<string> DifferencesFrom(SchemaShape postgres)
    {
        var differences = new List<string>();
        var sqliteTables = Columns.GroupBy(TableOf).ToDictionary(g => g.Key, g => g.ToList());
        var postgresTables = postgres.Columns.GroupBy(TableOf).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var table in sqliteTables.Keys.Except(postgresTables.Keys).Order())
        {
            differences.Add($"table {table}: on SQLite only (a SQLite migration without its PostgreSQL twin in Migrations/Postgres?)");
        }
        foreach (var table in postgresTables.Keys.Except(sqliteTables.Keys).Order())
        {
            differences.Add($"table {table}: on PostgreSQL only");
        }
        foreach (var table in sqliteTables.Keys.Intersect(postgresTables.Keys).Order())
        {
            var (mine, theirs) = (sqliteTables[table], postgresTables[table]);
            foreach (var column in mine.Except(theirs))
            {
                differences.Add($"column {column}: on SQLite, but on PostgreSQL {Describe(theirs, NameOf(column))}");
            }
            foreach (var column in theirs.Except(mine))
            {
                differences.Add($"column {column}: on PostgreSQL, but on SQLite {Describe(mine, NameOf(column))}");
            }
            if (!mine.Except(theirs).Any() && !theirs.Except(mine).Any() && !mine.SequenceEqual(theirs))
            {
                differences.Add($"table {table}: the same columns in another order (SQLite: {string.Join(", ", mine.Select(NameOf))})");
            }
        }
        Compare("key", Keys, postgres.Keys, differences);
        Compare("index", Indexes, postgres.Indexes, differences);
        differences.AddRange(Triggers.Except(postgres.Triggers).Order().Select(t => $"trigger {t}: on SQLite only"));
        Compare("journal version", Journal, postgres.Journal, differences);
        return differences;
    }

    private static void Compare(string what, IReadOnlySet<string> sqlite, IReadOnlySet<string> postgres, List<string> differences)
    {
        differences.AddRange(sqlite.Except(postgres).Order().Select(x => $"{what} {x}: on SQLite only"));
        differences.AddRange(postgres.Except(sqlite).Order().Select(x => $"{what} {x}: on PostgreSQL only"));
    }

    private static string Column(string table, string column, string family, bool notNull) => $"{table}.{column} {family}{(notNull ? " NOT NULL" : "")}";

    private static string Index(string table, string index, bool unique, bool partial) =>
        $"{table}.{index}{(unique ? " UNIQUE" : "")}{(partial ? " WHERE …" : "")}";

    private static string TableOf(string column) => column[..column.IndexOf('.')];

    private static string NameOf(string column) => column[(column.IndexOf('.') + 1)..column.IndexOf(' ')];

    private static string Describe(List<string> columns, string name) =>
        columns.FirstOrDefault(c => NameOf(c) == name) is { } found ? $"it is {found}" : "it is missing";

    private static string SqliteFamily(string declared) => declared.ToUpperInvariant() switch
    {
        "INTEGER" => "integer",
        "TEXT" => "text",
        "BLOB" => "blob",
        var other => $"sqlite {other}",
    };

    private static string PostgresFamily(string type) => type switch
    {
        "bigint" => "integer",
        "text" => "text",
        "bytea" => "blob",
        var other => $"postgres {other}",
    };

    private static async Task<IReadOnlySet<string>> JournalAsync(DbConnection connection) =>
        (await connection.QueryAsync<string>("SELECT version FROM schema_migrations;")).ToHashSet();
}
