using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>The one classifier of constraint errors, on a real SQLite file with foreign keys on (as the app opens it).</summary>
public sealed class ConstraintViolationsTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-tests", Guid.NewGuid().ToString("N"));
    private SqliteConnection _connection = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "constraints.db"), ForeignKeys = true }.ToString());
        await _connection.OpenAsync();
        await _connection.ExecuteAsync(
            """
            CREATE TABLE parents (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
            CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents (id),
                                   places INTEGER NOT NULL CHECK (places BETWEEN 0 AND 9));
            INSERT INTO parents (id, code) VALUES (1, 'a');
            """);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<ConstraintViolation> ViolationOf(string sql) =>
        ConstraintViolations.Classify(await Assert.ThrowsAsync<SqliteException>(() => _connection.ExecuteAsync(sql)));

    [Fact]
    public async Task EachKindOfConstraintIsToldApart()
    {
        Assert.Equal(ConstraintViolation.Unique, await ViolationOf("INSERT INTO parents (id, code) VALUES (2, 'a');"));
        Assert.Equal(ConstraintViolation.Unique, await ViolationOf("INSERT INTO parents (id, code) VALUES (1, 'b');"));
        Assert.Equal(ConstraintViolation.ForeignKey, await ViolationOf("INSERT INTO children (parent_id, places) VALUES (99, 1);"));
        Assert.Equal(ConstraintViolation.Check, await ViolationOf("INSERT INTO children (parent_id, places) VALUES (1, 10);"));
        Assert.Equal(ConstraintViolation.NotNull, await ViolationOf("INSERT INTO parents (id, code) VALUES (3, NULL);"));
    }

    [Fact]
    public async Task OtherErrorsAreNoConstraintViolation()
    {
        Assert.Equal(ConstraintViolation.None, await ViolationOf("SELECT * FROM no_such_table;"));
        Assert.Equal(ConstraintViolation.None, ConstraintViolations.Classify(new InvalidOperationException("not the database")));
        var wrapped = new InvalidOperationException("wrapped", await Assert.ThrowsAsync<SqliteException>(
            () => _connection.ExecuteAsync("INSERT INTO parents (id, code) VALUES (4, 'a');")));
        Assert.Equal(ConstraintViolation.Unique, ConstraintViolations.Classify(wrapped));
    }
}
