using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using CommunityConnect.Api.Infrastructure.Observability;
using Npgsql;
using Polly;
using Polly.Retry;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// <see cref="Database.WriteAsync{T}"/> on PostgreSQL: each unit of work on its own pooled connection and
/// READ COMMITTED transaction, committed alone (batch size 1). The server arbitrates concurrent writers,
/// so there is no queue to a single writer; a unit that loses a serialization race or a deadlock (SQLSTATE
/// 40001, 40P01) is rolled back and run again whole, a few times with jittered backoff. At most
/// <see cref="MaxConcurrentUnits"/> run at once, so writes never take the whole pool from the reads.
/// </summary>
internal sealed class PostgresWriter : IDisposable
{
    public const int MaxConcurrentUnits = 32;

    public sealed record Instruments(
        Counter<long> Units, Counter<long> FailedUnits, Counter<long> Commits, Histogram<int> BatchSize, Histogram<double> QueueWait);

    private readonly NpgsqlDataSource _dataSource;
    private readonly Instruments _instruments;
    private readonly Func<Task> _committed;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _slots = new(MaxConcurrentUnits, MaxConcurrentUnits);
    private readonly ResiliencePipeline _retry;

    public PostgresWriter(NpgsqlDataSource dataSource, Instruments instruments, Func<Task> committed, ILogger logger)
    {
        _dataSource = dataSource;
        _instruments = instruments;
        _committed = committed;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<PostgresException>(IsTransient),
                MaxRetryAttempts = 4,
                Delay = TimeSpan.FromMilliseconds(20),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = arguments =>
                {
                    _logger.LogInformation("A unit of work lost a race ({SqlState}); running it again (attempt {Attempt})",
                        (arguments.Outcome.Exception as PostgresException)?.SqlState, arguments.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>serialization_failure and deadlock_detected: the whole transaction is safe to run again.</summary>
    internal static bool IsTransient(PostgresException exception) =>
        exception.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        var enqueued = Stopwatch.GetTimestamp();
        await _slots.WaitAsync();
        try
        {
            var waited = Stopwatch.GetElapsedTime(enqueued).TotalMilliseconds;
            _instruments.QueueWait.Record(waited);
            using var activity = Telemetry.Database.StartActivity("db.writer.unit");
            activity?.SetTag("db.system.name", "postgresql");
            activity?.SetTag("cc.db.writer.queue_wait_ms", waited);
            try
            {
                return await _retry.ExecuteAsync(async _ => await RunOnceAsync(work, activity));
            }
            catch (Exception exception)
            {
                activity.Failed(exception);
                throw;
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<T> RunOnceAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, Activity? activity)
    {
        T result;
        // The connection goes back to the pool before the commit hook, which may wait for the cache versions' run.
        await using (var connection = await _dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted))
        {
            _instruments.Units.Add(1);
            try
            {
                result = await work(connection, transaction);
            }
            catch
            {
                _instruments.FailedUnits.Add(1);
                await RollbackQuietlyAsync(transaction);
                throw;
            }
            if (result is IOutcome { Failed: true })
            {
                _instruments.FailedUnits.Add(1);
                activity?.SetStatus(ActivityStatusCode.Error, "rolled back");
                await transaction.RollbackAsync();
                return result;
            }
            await transaction.CommitAsync();
        }
        _instruments.Commits.Add(1);
        _instruments.BatchSize.Record(1);
        await _committed();
        return result;
    }

    private async Task RollbackQuietlyAsync(NpgsqlTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync();
        }
        catch (Exception rollbackError) when (rollbackError is DbException or InvalidOperationException)
        {
            // The connection is broken: the server has rolled the transaction back already.
            _logger.LogDebug(rollbackError, "Rolling back a failed unit of work failed");
        }
    }

    public void Dispose() => _slots.Dispose();
}
