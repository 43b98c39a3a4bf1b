namespace CommunityConnect.Jobs.DiscussionHall;

/// <summary>Implemented by the api's thread store.</summary>
public interface IDueSolicitations
{
    /// <summary>Closes every open solicitation whose deadline has passed; answers how many it closed.</summary>
    Task<int> CloseDueAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Closes opinion solicitations (意见征集) at their deadline. Reads the threads table each time, so
/// running it twice, or late after a restart, closes each solicitation exactly once.
/// </summary>
public sealed class CloseDueSolicitationsJob(IDueSolicitations solicitations)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) => solicitations.CloseDueAsync(cancellationToken);
}
