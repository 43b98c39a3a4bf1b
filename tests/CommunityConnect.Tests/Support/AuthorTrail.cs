using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// Reads a database file the way a leaked backup is read: with SQL alone, no key. It finds the rows
/// that name a person (their users row, a column that references users with their id, or a value
/// equal to their named key, openid, phone or name) and the rows one join from those, then tries
/// every equality join from a set of rows (an anonymous item's) to them:
/// <list type="bullet">
/// <item>a typed join: a foreign key (either way) or an item reference (<c>kind</c>/<c>item_kind</c> + <c>item_id</c>);</item>
/// <item>a value join: any token-like text (a key, a hash, a seal, a nonce) equal to any column of such a row.</item>
/// </list>
/// Rows every member shares (the street, community, buildings, units) and other people's users rows
/// are not steps: that the author lives in the community is not a link to their item.
/// </summary>
public sealed class AuthorTrail
{
    public sealed record Row(string Table, IReadOnlyDictionary<string, object?> Values)
    {
        public override string ToString() => $"{Table}({string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"))})";
    }

    private sealed record ForeignKey(string Table, string Column, string Parent, string ParentColumn);

    private static readonly HashSet<string> Shared = ["streets", "communities", "buildings", "units", "users", "schema_migrations"];

    private static readonly Dictionary<string, string> ItemTables = new()
    {
        ["repair"] = "repair_tickets", ["opinion"] = "opinions", ["question"] = "opinions", ["proposal"] = "threads",
        ["thread"] = "threads", ["case"] = "cases",
    };

    private static readonly Regex TokenLike = new("^[A-Za-z0-9_+/=.-]{16,}$");

    private readonly List<Row> _rows = [];
    private readonly List<ForeignKey> _foreignKeys = [];

    public IReadOnlyList<Row> Rows => _rows;

    /// <summary>The trail in the app's database, whichever the engine (starts the app if it has not started).</summary>
    public static async Task<AuthorTrail> ReadAsync(CommunityApp app)
    {
        await using var connection = app.Connection();
        return await ReadAsync(connection);
    }

    /// <summary>The trail in a SQLite file, read without starting any app (a database as old code left it).</summary>
    public static async Task<AuthorTrail> ReadAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Mode=ReadOnly;Pooling=False");
        return await ReadAsync(connection);
    }

    private static async Task<AuthorTrail> ReadAsync(System.Data.Common.DbConnection connection)
    {
        var trail = new AuthorTrail();
        await connection.OpenAsync();
        var tables = await DatabaseTables.NamesAsync(connection);
        foreach (var table in tables)
        {
            foreach (var row in await connection.QueryAsync($"SELECT * FROM \"{table}\";"))
            {
                trail._rows.Add(new Row(table, new Dictionary<string, object?>((IDictionary<string, object?>)row)));
            }
            foreach (var fk in await connection.QueryAsync<(string From, string Table, string? To)>(connection is SqliteConnection
                ? $"SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('{table}');"
                : $"""
                  SELECT k.column_name, u.table_name, u.column_name
                  FROM information_schema.table_constraints c
                  JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
                  JOIN information_schema.constraint_column_usage u ON u.constraint_name = c.constraint_name AND u.table_schema = c.table_schema
                  WHERE c.constraint_type = 'FOREIGN KEY' AND c.table_schema = 'public' AND c.table_name = '{table}';
                  """))
            {
                trail._foreignKeys.Add(new ForeignKey(table, fk.From, fk.Table, fk.To ?? "id"));
            }
        }
        return trail;
    }

    public static bool IsTokenLike(object? value) => value is string s && TokenLike.IsMatch(s) && !s.All(c => c is >= 'a' and <= 'z' or '_');

    /// <summary>Rows that name the person directly.</summary>
    public HashSet<Row> Naming(long userId, params string?[] identifiers)
    {
        var texts = identifiers.OfType<string>().ToHashSet();
        var userColumns = _foreignKeys.Where(f => f.Parent == "users").Select(f => (f.Table, f.Column)).ToHashSet();
        return _rows.Where(r =>
                (r.Table == "users" && Equals(r.Values["id"], userId))
                || r.Values.Any(v => (userColumns.Contains((r.Table, v.Key)) && v.Value is long id && id == userId)
                                     || (v.Value is string s && texts.Contains(s))))
            .ToHashSet();
    }

    /// <summary>The rows one typed join from <paramref name="row"/> (parents and children), shared rows left out.</summary>
    public IEnumerable<Row> Neighbours(Row row)
    {
        foreach (var fk in _foreignKeys.Where(f => f.Table == row.Table))
        {
            var value = row.Values[fk.Column];
            foreach (var parent in _rows.Where(p => p.Table == fk.Parent && value is not null && Equals(p.Values[fk.ParentColumn], value)))
            {
                yield return parent;
            }
        }
        foreach (var fk in _foreignKeys.Where(f => f.Parent == row.Table))
        {
            var value = row.Values[fk.ParentColumn];
            foreach (var child in _rows.Where(c => c.Table == fk.Table && value is not null && Equals(c.Values[fk.Column], value)))
            {
                yield return child;
            }
        }
        if (ItemOf(row) is { } item)
        {
            foreach (var target in _rows.Where(t => t.Table == item.Table && Equals(t.Values["id"], item.Id)))
            {
                yield return target;
            }
        }
        foreach (var referrer in _rows.Where(r => ItemOf(r) is { } i && i.Table == row.Table && row.Values.TryGetValue("id", out var id) && Equals(id, i.Id)))
        {
            yield return referrer;
        }
    }

    private static (string Table, long Id)? ItemOf(Row row)
    {
        var kind = row.Values.GetValueOrDefault("item_kind") ?? (row.Table == "cases" ? row.Values["kind"] : null);
        return kind is string k && ItemTables.TryGetValue(k, out var table) && row.Values.GetValueOrDefault("item_id") is long id ? (table, id) : null;
    }

    /// <summary>The rows that name the person, and those one more join away.</summary>
    public HashSet<Row> NamingOrOneJoinAway(long userId, params string?[] identifiers)
    {
        var naming = Naming(userId, identifiers);
        var all = new HashSet<Row>(naming);
        foreach (var row in naming)
        {
            all.UnionWith(Neighbours(row).Where(n => !Shared.Contains(n.Table)));
        }
        return all;
    }

    /// <summary>Every equality join from <paramref name="anonymous"/> that reaches a row naming the person or one join from it.</summary>
    public IReadOnlyList<string> Leaks(IEnumerable<Row> anonymous, long userId, params string?[] identifiers)
    {
        var targets = NamingOrOneJoinAway(userId, identifiers);
        var leaks = new List<string>();
        foreach (var row in anonymous)
        {
            if (targets.Contains(row))
            {
                leaks.Add($"{row} is itself a row of the person");
            }
            foreach (var neighbour in Neighbours(row).Where(targets.Contains))
            {
                leaks.Add($"{row} joins {neighbour}");
            }
            foreach (var (column, value) in row.Values.Where(v => IsTokenLike(v.Value)))
            {
                foreach (var target in targets.Where(t => !ReferenceEquals(t, row) && t.Values.Values.Any(v => Equals(v, value))))
                {
                    leaks.Add($"{row.Table}.{column} = {value} is in {target}");
                }
            }
        }
        return leaks;
    }
}
