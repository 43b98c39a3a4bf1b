using Npgsql;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// The real PostgreSQL server the PostgreSQL tests run on, named by <c>CC_TEST_POSTGRES</c> (a connection
/// string to a database of a role that may create databases). <c>.ci/run</c> starts one on loopback with
/// <c>.ci/postgres.sh</c> and exports it; locally: <c>eval "$(bash .ci/postgres.sh start /tmp/cc-postgres)"</c>.
/// Without it a PostgreSQL test is skipped, saying so (<c>[SkippableFact]</c>); under <c>CI=true</c> it fails.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "CC_TEST_POSTGRES";

    /// <summary>The server's connection string; skips the calling <c>[SkippableFact]</c> when there is none (fails under CI).</summary>
    public static string RequireServer()
    {
        var server = System.Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(server))
        {
            return server;
        }
        if (string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"CI=true and {Variable} is not set: .ci/run starts PostgreSQL with .ci/postgres.sh and exports it; a CI run never skips the PostgreSQL tests.");
        }
        Skip.If(true, $"PostgreSQL test skipped: no server ({Variable} is not set). " +
            "Start one with: eval \"$(bash .ci/postgres.sh start /tmp/cc-postgres)\" (stop: bash .ci/postgres.sh stop /tmp/cc-postgres).");
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>A new, empty database on the test server for one test (or class), dropped on dispose.</summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _server;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates it (skips the test when there is no server, see <see cref="TestPostgres.RequireServer"/>).</summary>
    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = TestPostgres.RequireServer();
        var database = new PostgresDatabase(server, $"cc_test_{Guid.NewGuid():N}");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\" ENCODING 'UTF8' TEMPLATE template0;", connection);
        await command.ExecuteNonQueryAsync();
        return database;
    }

    /// <summary>Creates it synchronously (a host being built cannot wait); throws when there is no server.</summary>
    public static PostgresDatabase Create()
    {
        var server = System.Environment.GetEnvironmentVariable(TestPostgres.Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException($"{TestProvider.Variable}=postgres needs {TestPostgres.Variable}: start a server with .ci/postgres.sh.");
        }
        var database = new PostgresDatabase(server, $"cc_test_{Guid.NewGuid():N}");
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\" ENCODING 'UTF8' TEMPLATE template0;", connection);
        command.ExecuteNonQuery();
        return database;
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await using (var probe = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE);", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// Which engine the suite runs on: SQLite by default, PostgreSQL with <c>CC_TEST_PROVIDER=postgres</c> (and <c>CC_TEST_POSTGRES</c>
/// naming the server), where every <see cref="CommunityApp"/> gets a database of its own. <c>.ci/run</c> runs the suite both ways.
/// </summary>
public static class TestProvider
{
    public const string Variable = "CC_TEST_PROVIDER";

    public static bool IsPostgres { get; } =
        string.Equals(System.Environment.GetEnvironmentVariable(Variable), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips the calling <c>[SkippableFact]</c> on the PostgreSQL pass, saying why (a test of the SQLite file or its writer).</summary>
    public static void SkipOnPostgres(string reason) => Skip.If(IsPostgres, $"SQLite only: {reason}");

    /// <summary>
    /// <paramref name="sql"/> run with foreign keys unchecked, as a restore or a hand edit behind the app's back would leave the rows:
    /// SQLite's <c>PRAGMA foreign_keys = OFF</c>, PostgreSQL's <c>session_replication_role = replica</c> (the test server's role is a
    /// superuser). Replica mode silences every ordinary trigger, the cache-version triggers (0020) too, so on PostgreSQL every
    /// community's version is bumped afterwards, as those triggers would have done.
    /// </summary>
    public static string WithoutForeignKeys(System.Data.Common.DbConnection connection, string sql) =>
        connection is Microsoft.Data.Sqlite.SqliteConnection
            ? $"PRAGMA foreign_keys = OFF; {sql}"
            : $"SET session_replication_role = replica; {sql} RESET session_replication_role; " +
              "SELECT bump_community_versions('version', ARRAY(SELECT community_id FROM community_versions)); SELECT apply_community_version_bumps();";
}
