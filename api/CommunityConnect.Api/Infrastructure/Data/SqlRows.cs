using System.Data.Common;
using System.Text;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// Many rows in one statement (<c>VALUES (…), (…)</c>): one round trip instead of one a row, which matters on PostgreSQL, across a
/// socket. The parameters are added straight to the command (Dapper's <c>DynamicParameters</c> checks each name against those already
/// added). SQLite is in-process, and Microsoft.Data.Sqlite finds each parameter of a statement by name, one by one, so its cost grows
/// with the square of a statement's parameters: there a statement takes few rows.
/// </summary>
public static class SqlRows
{
    /// <summary>Rows a statement takes on this engine: many across PostgreSQL's socket, few in SQLite's process.</summary>
    public static int RowsPerStatement(DbConnection connection) => connection is Microsoft.Data.Sqlite.SqliteConnection ? 20 : 500;

    /// <summary>Runs <paramref name="sql"/> (see <see cref="ExecuteAsync"/>) over all <paramref name="rows"/>, as many statements as the engine wants.</summary>
    public static async Task<int> ExecuteAllAsync(DbConnection connection, DbTransaction transaction, string sql,
        IEnumerable<object[]> rows, params (string Name, object Value)[] shared)
    {
        var changed = 0;
        foreach (var part in rows.Chunk(RowsPerStatement(connection)))
        {
            changed += await ExecuteAsync(connection, transaction, sql, part, shared);
        }
        return changed;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> with <c>{rows}</c> replaced by one <c>(@r0c0, @r0c1, …)</c> tuple per row of <paramref name="rows"/>
    /// (a <c>VALUES</c> list whose columns read as <c>column1</c>, <c>column2</c>, … on both engines), and <paramref name="shared"/>
    /// as named parameters; answers the rows the statement changed.
    /// </summary>
    public static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql,
        IReadOnlyList<object[]> rows, params (string Name, object Value)[] shared)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        foreach (var (name, value) in shared)
        {
            Add(command, name, value);
        }
        var values = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            values.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < rows[r].Length; c++)
            {
                var name = $"r{r}c{c}";
                Add(command, name, rows[r][c]);
                values.Append(c == 0 ? "@" : ", @").Append(name);
            }
            values.Append(')');
        }
        command.CommandText = sql.Replace("{rows}", values.ToString(), StringComparison.Ordinal);
        return await command.ExecuteNonQueryAsync();
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
