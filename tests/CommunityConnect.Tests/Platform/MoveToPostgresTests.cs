using System.Globalization;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Features.Voting;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Data.Move;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// <c>move-to-postgres</c> from a real SQLite file the app made to a real PostgreSQL server
/// (<c>CC_TEST_POSTGRES</c>): every row of every table arrives, a sealed author still unseals and a
/// ballot's chain still verifies on the copy, ids go on after the copied ones; a non-empty target, a
/// file behind on migrations or with a broken foreign key are refused with nothing changed; the exit codes.
/// </summary>
public sealed class MoveToPostgresTests(MoveSourceApp app) : IClassFixture<MoveSourceApp>
{
    private async Task<(int Code, string Output, string Error)> MoveAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await MoveToPostgresCommand.InvokeAsync(app.Services, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [SkippableFact]
    public async Task EveryRowOfEveryTableArrivesAndSealsChainsAndIdsStillHoldOnTheCopy()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var data = await app.DataAsync();

        var (code, output, error) = await MoveAsync("--from", app.DatabasePath, "--to", database.ConnectionString);

        Assert.True(code == 0, error);
        await using var sqlite = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False");
        await sqlite.OpenAsync();
        await using var postgres = await database.OpenAsync();
        var tables = (await sqlite.QueryAsync<string>(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations' ORDER BY name;")).ToList();
        Assert.True(tables.Count > 60, $"{tables.Count} tables");
        var totalRows = 0L;
        foreach (var table in tables)
        {
            var columns = (await sqlite.QueryAsync<string>("SELECT name FROM pragma_table_info(@table) ORDER BY cid;", new { table })).ToList();
            var select = $"SELECT {string.Join(", ", columns.Select(c => $"\"{c}\""))} FROM \"{table}\";";
            var expected = await RowsAsync(sqlite, select);
            var actual = await RowsAsync(postgres, select);
            // Every row, every column, as text: the same multiset of rows on both sides.
            Assert.True(expected.SequenceEqual(actual), $"{table}: {expected.Count} rows in SQLite, {actual.Count} on PostgreSQL, or a value differs");
            Assert.Matches($"(?m)^{table} +{expected.Count}$", output);
            totalRows += expected.Count;
        }
        Assert.True(totalRows > 100, $"{totalRows} rows");
        Assert.Contains($"Moved {totalRows} rows in {tables.Count} tables", output);
        Assert.Equal(PostgresMigrator.Scripts.Count + app.Services.GetServices<IDataMigration>().Count(),
            await postgres.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations;"));

        // The party secretary's unsealing reads the copy as it read the file.
        var sealedAuthor = await AuditStore.SealedAuthorAsync(postgres, null, data.AnonymousOpinionId);
        Assert.NotNull(sealedAuthor);
        Assert.Equal(data.AuthorId, app.Service<AuthorSeal>().Unseal(sealedAuthor, data.AnonymousOpinionId));
        Assert.Equal("张桂英", await postgres.ExecuteScalarAsync<string>("SELECT display_name FROM users WHERE id = @AuthorId;", new { data.AuthorId }));

        // The ballot's chain recomputes on the copy and ends at the head published when it closed.
        var verification = await LedgerStore.VerifyAsync(postgres, data.BallotId, communityId: 1);
        Assert.NotNull(verification);
        Assert.True(verification.Valid);
        Assert.Equal(4, verification.Entries);
        Assert.Equal(data.BallotHead, verification.Head);
        Assert.True(verification.MatchesFrozenHead);

        // Rows keyed so as not to tell their order lie in key order on PostgreSQL's heap, not in the order they were filed.
        var pseudonyms = (await postgres.QueryAsync<string>("SELECT pseudonym FROM anonymous_items ORDER BY ctid;")).ToList();
        Assert.True(pseudonyms.Count >= 3, $"{pseudonyms.Count} anonymous items");
        Assert.Equal(pseudonyms.Order(StringComparer.Ordinal), pseudonyms);

        // Ids go on after the copied ones; the append-only trigger is on again after the copy.
        var lastStreet = await sqlite.ExecuteScalarAsync<long>("SELECT MAX(id) FROM streets;");
        Assert.Equal(lastStreet + 1, await postgres.ExecuteScalarAsync<long>("INSERT INTO streets (name) VALUES ('新街道') RETURNING id;"));
        // So do the cache stamps, drawn by the triggers from a sequence of their own.
        var lastStamp = await sqlite.ExecuteScalarAsync<long>("SELECT MAX(changed) FROM community_versions;");
        Assert.True(lastStamp > 0);
        Assert.Equal(lastStamp + 1, await postgres.ExecuteScalarAsync<long>("SELECT nextval('community_versions_changed_seq');"));
        var lastAudit = await sqlite.ExecuteScalarAsync<long>("SELECT MAX(id) FROM audit_log;");
        Assert.True(lastAudit > 0);
        await Assert.ThrowsAsync<PostgresException>(() => postgres.ExecuteAsync("UPDATE audit_log SET reason = 'x' WHERE id = @lastAudit;", new { lastAudit }));
    }

    [SkippableFact]
    public async Task ANonEmptyTargetIsRefusedAndLeftUnchanged()
    {
        await using var migrated = await PostgresDatabase.CreateAsync();
        await app.DataAsync();
        await new PostgresMigrator(
            Options.Create(new DatabaseOptions { Provider = DatabaseOptions.Postgres, PostgresConnectionString = migrated.ConnectionString }),
            app.Services.GetServices<IDataMigration>(), NullLogger<PostgresMigrator>.Instance, app.Clock).MigrateAsync();
        await using (var connection = await migrated.OpenAsync())
        {
            await connection.ExecuteAsync("INSERT INTO streets (name) VALUES ('已有街道');");
        }
        var before = await ContentsAsync(migrated);

        var (code, output, error) = await MoveAsync("--from", app.DatabasePath, "--to", migrated.ConnectionString);

        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains("is not empty", error);
        Assert.Contains("streets", error);
        Assert.DoesNotContain(" rows in ", output);
        Assert.Equal(before, await ContentsAsync(migrated));

        // Without that row it holds only what the migrations put there (the installation's cache version): taken.
        await using (var connection = await migrated.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM streets;");
        }
        (code, output, error) = await MoveAsync("--from", app.DatabasePath, "--to", migrated.ConnectionString);
        Assert.True(code == 0, error);
        Assert.Contains("The target was at this build's migrations already.", output);
        await using (var connection = await migrated.OpenAsync())
        await using (var sqlite = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False"))
        {
            var expected = (await sqlite.QueryAsync<(long, long, long, long)>(
                "SELECT community_id, version, feed_version, changed FROM community_versions ORDER BY community_id;")).ToList();
            Assert.Equal(expected, await connection.QueryAsync<(long, long, long, long)>(
                "SELECT community_id, version, feed_version, changed FROM community_versions ORDER BY community_id;"));
        }

        // A database of something else: refused before the migrator creates a single table.
        await using var other = await PostgresDatabase.CreateAsync();
        await using (var connection = await other.OpenAsync())
        {
            await connection.ExecuteAsync("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('keep me');");
        }
        (code, _, error) = await MoveAsync("--from", app.DatabasePath, "--to", other.ConnectionString);
        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains("notes", error);
        Assert.Equal(["notes:1"], await ContentsAsync(other));
    }

    [SkippableFact]
    public async Task AFileBehindOnMigrationsOrWithABrokenForeignKeyIsRefusedWithNothingWritten()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await app.DataAsync();
        var latest = Migrator.Scripts[^1].Version;
        var behind = await CopyOfTheFileAsync("behind.db", $"DELETE FROM schema_migrations WHERE version = '{latest}';");

        var (code, _, error) = await MoveAsync("--from", behind, "--to", database.ConnectionString);

        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains($"behind this build's migrations (missing {latest})", error);
        Assert.Contains("Start the app once on SQLite", error);
        Assert.Empty(await ContentsAsync(database));

        var broken = await CopyOfTheFileAsync("broken.db", "INSERT INTO communities (street_id, name) VALUES (987654, '无主小区');");
        (code, _, error) = await MoveAsync("--from", broken, "--to", database.ConnectionString);
        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains("1 foreign-key violation(s)", error);
        Assert.Contains("communities", error);
        Assert.Empty(await ContentsAsync(database));
    }

    [SkippableFact]
    public async Task AValueThatDoesNotFitItsColumnRollsTheWholeCopyBackWithoutRepeatingIt()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await app.DataAsync();
        // SQLite keeps a text that is not a number in an INTEGER column; PostgreSQL's bigint cannot take it.
        var odd = await CopyOfTheFileAsync("odd.db", "UPDATE users SET created_at = '13812341234 张桂英' WHERE handle = 'resident';");

        var (code, _, error) = await MoveAsync("--from", odd, "--to", database.ConnectionString);

        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains("users.created_at, row ", error);
        Assert.Contains("SQLite holds a text there, which does not convert to PostgreSQL's bigint", error);
        Assert.DoesNotContain("13812341234", error);
        // The tables copied before users (most of them) went back with it: only the migrations' own rows remain.
        Assert.All(await ContentsAsync(database), table =>
            Assert.True(table.EndsWith(":0", StringComparison.Ordinal) || table.StartsWith("schema_migrations:", StringComparison.Ordinal)
                || table == "community_versions:1", table));
    }

    [SkippableFact]
    public async Task ATargetThatDoesNotExistOrWhoseUserMayNotCopyIsRefusedBeforeTheMigrations()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await app.DataAsync();

        var absent = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = $"cc_absent_{Guid.NewGuid():N}" }.ConnectionString;
        var (code, _, error) = await MoveAsync("--from", app.DatabasePath, "--to", absent);
        Assert.Equal(MoveToPostgresCommand.Refused, code);
        Assert.Contains("does not exist: create it first", error);

        // The database's owner may create the tables but not set session_replication_role: refused before the first table.
        var role = $"cc_mover_{Guid.NewGuid():N}"[..24];
        await using var admin = new NpgsqlConnection(TestPostgres.RequireServer());
        await admin.OpenAsync();
        await admin.ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN; ALTER DATABASE \"{database.Name}\" OWNER TO \"{role}\";");
        try
        {
            var owner = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
            (code, _, error) = await MoveAsync("--from", app.DatabasePath, "--to", owner);
            Assert.Equal(MoveToPostgresCommand.Refused, code);
            Assert.Contains("may not set session_replication_role", error);
            Assert.Contains("Nothing was changed.", error);
            Assert.Empty(await ContentsAsync(database));
        }
        finally
        {
            await admin.ExecuteAsync($"ALTER DATABASE \"{database.Name}\" OWNER TO CURRENT_USER; DROP ROLE \"{role}\";");
        }
    }

    /// <summary>Needs no server: nothing here reaches one.</summary>
    [Fact]
    public async Task TheExitCodesSayWhatHappenedAndThePasswordIsNeverPrinted()
    {
        await app.DataAsync();
        const string Password = "s3cret-Passw0rd";

        Assert.Equal(1, (await MoveAsync("--to", "Host=127.0.0.1;Database=x")).Code);
        Assert.Equal(1, (await MoveAsync("--from")).Code);

        var missing = await MoveAsync("--from", Path.Combine(app.Folder, "nothing-here.db"), "--to", "Host=127.0.0.1;Database=x");
        Assert.Equal(MoveToPostgresCommand.Refused, missing.Code);
        Assert.Contains("There is no SQLite file", missing.Error);

        var malformed = await MoveAsync("--from", app.DatabasePath, "--to", $"Host=127.0.0.1;Password={Password};Nonsense");
        Assert.Equal(MoveToPostgresCommand.Refused, malformed.Code);
        Assert.Contains("not a valid Npgsql connection string", malformed.Error);

        // Nothing listens on port 1: the move fails on the way, and says so without the password.
        var unreachable = await MoveAsync("--from", app.DatabasePath, "--to",
            $"Host=127.0.0.1;Port=1;Database=community;Username=community;Password={Password};Timeout=3");
        Assert.Equal(MoveToPostgresCommand.Failed, unreachable.Code);
        Assert.Contains("'community' on 127.0.0.1:1 as community", unreachable.Output);

        foreach (var (_, output, error) in new[] { malformed, unreachable })
        {
            Assert.DoesNotContain(Password, output + error);
        }
    }

    [SkippableFact]
    public async Task TheApiExecutableRunsTheCommandInProductionWithoutStartingTheHost()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await app.DataAsync();

        var refused = await RunApiAsync("move-to-postgres", "--from", Path.Combine(app.Folder, "nothing-here.db"), "--to", database.ConnectionString);
        var moved = await RunApiAsync("move-to-postgres", "--from", app.DatabasePath, "--to", database.ConnectionString);

        Assert.Equal(MoveToPostgresCommand.Refused, refused.Code);
        Assert.Contains("There is no SQLite file", refused.Error);
        Assert.True(moved.Code == 0, moved.Output + moved.Error);
        Assert.Matches(@"Moved \d+ rows in \d+ tables", moved.Output);
        await using var connection = await database.OpenAsync();
        await using var sqlite = await app.Service<Database>().OpenReadAsync();
        Assert.Equal(await sqlite.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users;"), await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM users;"));
    }

    /// <summary>The api's own executable (<c>dotnet CommunityConnect.Api.dll …</c>) in Production, from a folder of its own.</summary>
    private async Task<(int Code, string Output, string Error)> RunApiAsync(params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            WorkingDirectory = app.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production" },
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>A copy of the app's file (SQLite's backup: consistent while the app runs) with <paramref name="change"/> applied, foreign keys off.</summary>
    private async Task<string> CopyOfTheFileAsync(string name, string change)
    {
        var path = Path.Combine(app.Folder, name);
        await using (var source = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False"))
        await using (var copy = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await source.OpenAsync();
            await copy.OpenAsync();
            source.BackupDatabase(copy);
            await copy.ExecuteAsync("PRAGMA foreign_keys = OFF;");
            await copy.ExecuteAsync(change);
        }
        return path;
    }

    /// <summary>Every table of the database (journal included) with its row count.</summary>
    private static async Task<IReadOnlyList<string>> ContentsAsync(PostgresDatabase database)
    {
        await using var connection = await database.OpenAsync();
        var tables = await connection.QueryAsync<string>(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;");
        var contents = new List<string>();
        foreach (var table in tables)
        {
            contents.Add($"{table}:{await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM \"{table}\";")}");
        }
        return contents;
    }

    /// <summary>Each row as one text (columns in order, each value typed and spelled out), sorted.</summary>
    private static async Task<IReadOnlyList<string>> RowsAsync(System.Data.Common.DbConnection connection, string select)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = select;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values[i] = reader.GetValue(i) switch
                {
                    DBNull => "NULL",
                    long or int or short => "i:" + Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                    double real => "r:" + real.ToString("R", CultureInfo.InvariantCulture),
                    string text => "t:" + text,
                    byte[] bytes => "b:" + Convert.ToHexString(bytes),
                    var other => "?" + other.GetType().Name + ":" + Convert.ToString(other, CultureInfo.InvariantCulture),
                };
            }
            rows.Add(string.Join("\u001f", values));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
