using System.Data.Common;
using Dapper;

namespace CommunityConnect.Api.Infrastructure.Caching;

/// <summary>
/// On PostgreSQL, applies the cache version bumps that writes append to <c>community_version_bumps</c> (migration 0023)
/// and then reads the versions into this node's copy. A caller whose unit has committed waits for a run that began
/// after its commit; every caller waiting when a run begins is covered by that run, so under load one short transaction
/// serves many units (group commit, for the versions) and no write waits on another's row lock.
/// </summary>
internal sealed class VersionBumps(DbDataSource dataSource, Action<DbConnection> read)
{
    private readonly Lock _sync = new();

    /// <summary>The run that has not begun yet: it covers every commit before it begins.</summary>
    private TaskCompletionSource? _next;

    private bool _running;

    /// <summary>Completes when a run that began after this call has applied the bumps and read the versions.</summary>
    public Task ApplyAsync()
    {
        lock (_sync)
        {
            var run = _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_running)
            {
                _running = true;
                _ = Task.Run(RunAsync);
            }
            return run.Task;
        }
    }

    private async Task RunAsync()
    {
        while (true)
        {
            TaskCompletionSource run;
            lock (_sync)
            {
                if (_next is null)
                {
                    _running = false;
                    return;
                }
                run = _next;
                _next = null;
            }
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await connection.ExecuteScalarAsync<int>("SELECT apply_community_version_bumps();");
                read(connection);
                run.SetResult();
            }
            catch (Exception exception)
            {
                run.SetException(exception);
            }
        }
    }
}
