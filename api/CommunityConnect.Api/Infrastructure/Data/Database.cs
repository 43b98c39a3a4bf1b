using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The one door to the database. Reads open pooled connections; every write is a unit of work
/// that runs on a single dedicated writer thread, because SQLite allows one writer at a time and
/// requests queueing here is cheaper and fairer than requests fighting over the file lock.
/// </summary>
public sealed class Database : IDisposable
{
    private readonly Channel<WriteItem> _writes = Channel.CreateUnbounded<WriteItem>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _writer;
    private readonly ILogger<Database> _logger;

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
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "sqlite-writer" };
        _writer.Start();
    }

    public string FilePath { get; }

    public string ConnectionString { get; }

    public async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction on the writer thread. The transaction
    /// commits when the work returns, unless it returns a failed <see cref="IOutcome"/>; it rolls
    /// back when the work fails or throws, so nothing is ever half-written.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work)
    {
        var item = new WriteItem<T>(work);
        if (!_writes.Writer.TryWrite(item))
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
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var item))
            {
                item.Run(connection, _logger);
            }
        }
    }

    public void Dispose()
    {
        _writes.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
    }

    private abstract class WriteItem
    {
        public abstract void Run(SqliteConnection connection, ILogger logger);
    }

    private sealed class WriteItem<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work) : WriteItem
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Run(SqliteConnection connection, ILogger logger)
        {
            SqliteTransaction? transaction = null;
            try
            {
                transaction = connection.BeginTransaction();
                // Microsoft.Data.Sqlite completes its async methods synchronously, so waiting here
                // blocks only this dedicated thread.
                var result = work(connection, transaction).GetAwaiter().GetResult();
                if (result is IOutcome { Failed: true })
                {
                    transaction.Rollback();
                }
                else
                {
                    transaction.Commit();
                }
                Completion.SetResult(result);
            }
            catch (Exception exception)
            {
                try
                {
                    transaction?.Rollback();
                }
                catch (Exception rollbackError)
                {
                    logger.LogError(rollbackError, "Rolling back a failed unit of work failed too");
                }
                Completion.SetException(exception);
            }
            finally
            {
                transaction?.Dispose();
            }
        }
    }
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The SQLite file, relative to the content root unless absolute.</summary>
    public string Path { get; set; } = "data/community.db";
}
