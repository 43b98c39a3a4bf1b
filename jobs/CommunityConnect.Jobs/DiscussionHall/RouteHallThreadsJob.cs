namespace CommunityConnect.Jobs.DiscussionHall;

/// <summary>Implemented by the api's hall routing store.</summary>
public interface IHallThreadRouting
{
    /// <summary>
    /// Reads up to <paramref name="max"/> published discussion threads the job has not read yet, analyses
    /// each and routes the actionable ones; each thread in its own unit of work, guarded by "not read yet",
    /// so a thread is analysed and routed once however often or concurrently this runs. Answers how many
    /// threads it read (0 while the analyser is still loading).
    /// </summary>
    Task<int> RoutePendingAsync(int max, CancellationToken cancellationToken);
}

/// <summary>
/// The every-minute routing of the discussion hall: newly published discussion threads reach the
/// body that must answer them. It rebuilds its work from the threads table (the ones not read yet),
/// so running it twice, late after a restart, or at the same time as another run routes each once.
/// </summary>
public sealed class RouteHallThreadsJob(IHallThreadRouting routing)
{
    public const int BatchSize = 500;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int read;
        do
        {
            read = await routing.RoutePendingAsync(BatchSize, cancellationToken);
            total += read;
        }
        while (read == BatchSize && !cancellationToken.IsCancellationRequested);
        return total;
    }
}
