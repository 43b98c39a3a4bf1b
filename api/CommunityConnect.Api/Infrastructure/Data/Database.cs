using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using CommunityConnect.Api.Infrastructure.Observability;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The one door to the database. Reads open pooled connections; every write is a unit of work
/// that runs on a single dedicated writer thread, because SQLite allows one writer at a time and
/// requests queueing here is cheaper and fairer than requests fighting over the file lock.
/// </summary>
/// <remarks>
/// Group commit: the writer takes every unit of work waiting at that moment (up to
/// <see cref="MaxBatch"/>) and runs them in one transaction, each inside its own savepoint, so a
/// unit that fails (a failed <see cref="IOutcome"/> or an exception) is rolled back alone while the
/// others go on. The batch commits once, and only then is each caller answered: a write answered
/// as done is on disk at the durability the connection promises (WAL, <c>synchronous=FULL</c>).
/// A commit costs a disk flush; sharing it among the units that arrived together is what lets one
/// writer beat a connection and a transaction per request.
/// On PostgreSQL (<c>Database:Provider=postgres</c>) there is no single writer: each unit of work runs on
/// its own pooled connection and transaction (<see cref="PostgresWriter"/>), since the server itself
/// arbitrates concurrent writers.
/// </remarks>
public sealed class Database : IDisposable
{
    public const int MaxBatch = 256;

    /// <summary>The writer's meter: units, commits, batch sizes and queue waits.</summary>
    public const string MeterName = "CommunityConnect.Database";

    private readonly Channel<WriteItem> _writes = Channel.CreateUnbounded<WriteItem>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;
    private readonly ILogger<Database> _logger;
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _units;
    private readonly Counter<long> _failedUnits;
    private readonly Counter<long> _commits;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueWait;
    private readonly PostgresWriter? _postgres;

    public Database(IOptions<DatabaseOptions> options, IHostEnvironment environment, ILogger<Database> logger)
    {
        _logger = logger;
        FilePath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            ForeignKeys = true,
            Pooling = true,
            // Microsoft.Data.Sqlite retries SQLITE_BUSY until this many seconds have passed.
            DefaultTimeout = 30,
        }.ToString();
        _units = _meter.CreateCounter<long>("cc.db.writer.units", description: "Units of work run by the writer.");
        _failedUnits = _meter.CreateCounter<long>("cc.db.writer.units.failed", description: "Units of work rolled back to their savepoint.");
        _commits = _meter.CreateCounter<long>("cc.db.writer.commits", description: "Transactions the writer committed.");
        _batchSize = _meter.CreateHistogram<int>("cc.db.writer.batch_size", description: "Units of work in one committed transaction.");
        _queueWait = _meter.CreateHistogram<double>("cc.db.writer.queue_wait", unit: "ms", description: "Time a unit of work waited for the writer.");
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "sqlite-writer" };
        // Configured for PostgreSQL there is no SQLite file to write: no writer thread, no file.
        if (options.Value.UsesPostgres)
        {
            var dataSource = NpgsqlDataSource.Create(PostgresConnectionDefaults.Apply(options.Value.PostgresConnectionString!));
            _postgres = new PostgresWriter(dataSource, new PostgresWriter.Instruments(_units, _failedUnits, _commits, _batchSize, _queueWait),
                OnCommittedAsync, logger);
            DataSource = dataSource;
        }
        else
        {
            DataSource = new SqliteDataSource(ConnectionString);
            _writer.Start();
        }
    }

    /// <summary>The engine's data source (SQLite's file or PostgreSQL's pool): what <see cref="OpenReadAsync"/> and <see cref="DbDataSource"/> readers open.</summary>
    public DbDataSource DataSource { get; }

    /// <summary>Whether this database is PostgreSQL (<c>Database:Provider=postgres</c>).</summary>
    public bool UsesPostgres => _postgres is not null;

    public string FilePath { get; }

    /// <summary>This database's own meter (each host has its own, under <see cref="MeterName"/>).</summary>
    internal Meter Meter => _meter;

    public string ConnectionString { get; }

    /// <summary>
    /// Runs after each commit and before the callers of that commit are answered, with the connection that
    /// committed (SQLite: the writer's, on the writer thread; PostgreSQL: the unit's own, outside its transaction):
    /// the cache versions read the bumps of the commit here.
    /// </summary>
    internal event Action<DbConnection>? Committed;

    /// <summary>
    /// On PostgreSQL, awaited after each unit's commit and before its caller is answered, instead of <see cref="Committed"/>:
    /// the cache versions apply the bumps the unit appended (migration 0023) in a transaction of their own.
    /// </summary>
    internal Func<Task>? CommittedAsync { get; set; }

    /// <summary>A pooled read connection; when tracing is on, a <c>db.read</c> span lasts from its opening to its closing.</summary>
    public async Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken = default)
    {
        var connection = DataSource.CreateConnection();
        var activity = Telemetry.Database.StartActivity("db.read");
        if (activity is not null)
        {
            activity.SetTag("db.system.name", UsesPostgres ? "postgresql" : "sqlite");
            connection.StateChange += (_, change) =>
            {
                if (change.CurrentState == ConnectionState.Closed)
                {
                    activity.StopAside();
                }
            };
        }
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception exception)
        {
            activity.Failed(exception);
            activity?.StopAside();
            await connection.DisposeAsync();
            throw;
        }
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction on the writer thread (possibly together with other
    /// units, each in its own savepoint). Its changes are kept when the work returns, unless it returns a
    /// failed <see cref="IOutcome"/>; they are undone when the work fails or throws, so nothing is ever
    /// half-written. The task completes after the commit that holds the changes.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        if (_postgres is not null)
        {
            return _postgres.WriteAsync(work);
        }
        var item = new WriteItem<T>(work);
        if (!_writer.IsAlive || !_writes.Writer.TryWrite(item))
        {
            throw new InvalidOperationException("The database writer has stopped.");
        }
        return item.Completion.Task;
    }

    private void WriterLoop()
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        var reader = _writes.Reader;
        var batch = new List<WriteItem>(MaxBatch);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            RunBatch(connection, batch);
        }
    }

    private void RunBatch(SqliteConnection connection, List<WriteItem> batch)
    {
        var started = Stopwatch.GetTimestamp();
        var done = new List<WriteItem>(batch.Count);
        SqliteTransaction? transaction = null;
        // One span per committed batch, and one per unit under its caller's span (the request or job
        // that wrote), linked to the batch that carried it.
        using var batchActivity = Telemetry.Database.StartActivity("db.writer.batch", ActivityKind.Internal, parentContext: default);
        batchActivity?.SetTag("db.system.name", "sqlite");
        batchActivity?.SetTag("cc.db.writer.batch_size", batch.Count);
        ActivityLink[]? toBatch = batchActivity is null ? null : [new ActivityLink(batchActivity.Context)];
        try
        {
            transaction = connection.BeginTransaction();
            foreach (var item in batch)
            {
                var waited = Stopwatch.GetElapsedTime(item.Enqueued, started).TotalMilliseconds;
                _queueWait.Record(waited);
                _units.Add(1);
                using var unitActivity = Telemetry.Database.StartActivity("db.writer.unit", ActivityKind.Internal, item.Caller, links: toBatch);
                unitActivity?.SetTag("cc.db.writer.queue_wait_ms", waited);
                if (item.Run(connection, transaction))
                {
                    done.Add(item);
                }
                else
                {
                    _failedUnits.Add(1);
                    unitActivity?.SetStatus(ActivityStatusCode.Error, "rolled back to its savepoint");
                }
            }
            transaction.Commit();
            _commits.Add(1);
            _batchSize.Record(batch.Count);
            OnCommitted(connection);
            foreach (var item in done)
            {
                item.Complete();
            }
        }
        catch (Exception exception)
        {
            // The transaction itself failed (the disk, or a savepoint that could not be rolled back):
            // nothing of the batch is kept, and every unit not yet answered hears so.
            _logger.LogError(exception, "A batch of {Count} units of work could not be committed", batch.Count);
            batchActivity.Failed(exception);
            try
            {
                transaction?.Rollback();
            }
            catch (Exception rollbackError)
            {
                _logger.LogError(rollbackError, "Rolling back a failed batch failed too");
            }
            foreach (var item in batch)
            {
                item.Fail(exception);
            }
        }
        finally
        {
            transaction?.Dispose();
        }
    }

    private async Task OnCommittedAsync()
    {
        try
        {
            await (CommittedAsync?.Invoke() ?? Task.CompletedTask);
        }
        catch (Exception exception)
        {
            // The unit is committed: its caller hears so. The next poll applies the bumps and corrects the caches.
            _logger.LogError(exception, "A commit hook failed");
        }
    }

    private void OnCommitted(DbConnection connection)
    {
        try
        {
            Committed?.Invoke(connection);
        }
        catch (Exception exception)
        {
            // The batch is committed: its callers hear so. A stale cache is corrected by the next refresh.
            _logger.LogError(exception, "A commit hook failed");
        }
    }

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        if (_writer.IsAlive)
        {
            _writer.Join(TimeSpan.FromSeconds(10));
        }
        _postgres?.Dispose();
        DataSource.Dispose();
        _meter.Dispose();
    }

    private abstract class WriteItem
    {
        public long Enqueued { get; } = Stopwatch.GetTimestamp();

        /// <summary>The span of whoever queued the work (a request, a job), so that the unit's span sits under it.</summary>
        public ActivityContext Caller { get; } = Activity.Current?.Context ?? default;

        /// <summary>Runs the work in a savepoint; true when its changes stay in the batch, false when it was rolled back (and answered).</summary>
        public abstract bool Run(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>Answers the caller after the commit.</summary>
        public abstract void Complete();

        /// <summary>Answers the caller that the batch failed (no-op when already answered).</summary>
        public abstract void Fail(Exception exception);
    }

    private sealed class WriteItem<T>(Func<DbConnection, DbTransaction, Task<T>> work) : WriteItem
    {
        private const string Savepoint = "unit";
        private T? _result;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool Run(SqliteConnection connection, SqliteTransaction transaction)
        {
            transaction.Save(Savepoint);
            try
            {
                // Microsoft.Data.Sqlite completes its async methods synchronously, so waiting here
                // blocks only this dedicated thread.
                var result = work(connection, transaction).GetAwaiter().GetResult();
                if (result is IOutcome { Failed: true })
                {
                    transaction.Rollback(Savepoint);
                    transaction.Release(Savepoint);
                    Completion.TrySetResult(result);
                    return false;
                }
                transaction.Release(Savepoint);
                _result = result;
                return true;
            }
            catch (Exception exception)
            {
                try
                {
                    transaction.Rollback(Savepoint);
                    transaction.Release(Savepoint);
                }
                catch (Exception rollbackError)
                {
                    // Without its savepoint the batch cannot be trusted: fail it whole.
                    throw new SavepointLost(rollbackError);
                }
                Completion.TrySetException(exception);
                return false;
            }
        }

        public override void Complete() => Completion.TrySetResult(_result!);

        public override void Fail(Exception exception) => Completion.TrySetException(exception);
    }

    private sealed class SavepointLost(Exception inner) : Exception("A unit of work's savepoint could not be rolled back.", inner);
}
