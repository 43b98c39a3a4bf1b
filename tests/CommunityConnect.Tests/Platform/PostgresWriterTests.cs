using System.Data.Common;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// <see cref="Database.WriteAsync{T}"/> on PostgreSQL (<see cref="PostgresWriter"/>): each unit of work in its own transaction,
/// a failed unit undone alone, a unit that loses a deadlock run again whole, and the cache versions read after each commit.
/// On a real server (<c>CC_TEST_POSTGRES</c>); the SQLite writer has <see cref="GroupCommitTests"/>.
/// </summary>
public sealed class PostgresWriterTests : IAsyncLifetime
{
    private PostgresDatabase _database = null!;
    private CommunityApp _app = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await ((IAsyncLifetime)_app).DisposeAsync();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private async Task<Database> StartAsync()
    {
        _database = await PostgresDatabase.CreateAsync();
        // A web node: no job server, so the writer meter counts only this test's units.
        _app = new WebNodeApp();
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["Database:Provider"] = "postgres";
        _app.Settings["ConnectionStrings:Postgres"] = _database.ConnectionString;
        await _app.CreateClient().GetAsync("/healthz");
        var database = _app.Service<Database>();
        Assert.True(database.UsesPostgres);
        await using var connection = await _database.OpenAsync();
        await connection.ExecuteAsync("CREATE TABLE scratch (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, n bigint NOT NULL DEFAULT 0);");
        return database;
    }

    [SkippableFact]
    public async Task ConcurrentUnitsCommitEachAloneAndABrokenOneTakesNothingWithIt()
    {
        var database = await StartAsync();
        using var metrics = new WriterMetrics(database);

        // 100 units at once, every tenth breaking the unique code after writing a row of its own.
        var units = Enumerable.Range(1, 100).Select(i => database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("INSERT INTO scratch (id, code) VALUES (@id, @code);", new { id = 1000 + i, code = $"own-{i}" }, transaction);
            return await connection.ExecuteAsync("INSERT INTO scratch (id, code) VALUES (@i, @code);", new { i, code = i % 10 == 0 ? "own-1" : $"code-{i}" }, transaction);
        })).ToList();
        var settled = await Task.WhenAll(units.Select(async unit =>
        {
            try
            {
                return (await unit, (DbException?)null);
            }
            catch (DbException error)
            {
                return (0, error);
            }
        }));

        Assert.Equal(90, settled.Count(s => s.Item2 is null));
        Assert.All(settled.Where(s => s.Item2 is not null), s => Assert.Equal(ConstraintViolation.Unique, ConstraintViolations.Classify(s.Item2!)));
        await using var connection = await _database.OpenAsync();
        // A broken unit's first row went with it: 90 units × 2 rows.
        Assert.Equal(180, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch;"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch WHERE id IN (1010, 1020, 1100);"));
        Assert.Equal(100, metrics["cc.db.writer.units"]);
        Assert.Equal(10, metrics["cc.db.writer.units.failed"]);
        Assert.Equal(90, metrics["cc.db.writer.commits"]);
        Assert.Equal(1, metrics["cc.db.writer.batch_size.max"]);
    }

    [SkippableFact]
    public async Task AFailedOutcomeIsUndoneAndItsCallerHearsTheFailure()
    {
        var database = await StartAsync();

        var outcome = await database.WriteAsync<Outcome<long>>(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("INSERT INTO scratch (id, code) VALUES (1, 'kept?');", transaction: transaction);
            return Failure.Conflict("changed my mind");
        });

        Assert.Equal(409, outcome.Failure!.Status);
        await using var connection = await _database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM scratch;"));
    }

    [SkippableFact]
    public async Task TwoUnitsThatDeadlockBothCommitTheLoserRunAgainWhole()
    {
        var database = await StartAsync();
        await database.WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("INSERT INTO scratch (id, code) VALUES (1, 'a'), (2, 'b');", transaction: transaction));
        var firstLocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondLocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = 0;

        // Each takes one row, waits until the other holds the other row, then asks for it: a deadlock the server breaks (40P01).
        Task<int> Unit(long mine, long theirs, TaskCompletionSource locked, TaskCompletionSource other) =>
            database.WriteAsync(async (connection, transaction) =>
            {
                Interlocked.Increment(ref attempts);
                await connection.ExecuteAsync("UPDATE scratch SET n = n + 1 WHERE id = @mine;", new { mine }, transaction);
                locked.TrySetResult();
                await other.Task.WaitAsync(TimeSpan.FromSeconds(30));
                return await connection.ExecuteAsync("UPDATE scratch SET n = n + 10 WHERE id = @theirs;", new { theirs }, transaction);
            });

        var results = await Task.WhenAll(Unit(1, 2, firstLocked, secondLocked), Unit(2, 1, secondLocked, firstLocked));

        Assert.Equal(new[] { 1, 1 }, results);
        Assert.Equal(3, attempts);
        await using var connection = await _database.OpenAsync();
        var counts = (await connection.QueryAsync<long>("SELECT n FROM scratch ORDER BY id;")).ToArray();
        Assert.Equal(new[] { 11L, 11L }, counts);
    }
}
