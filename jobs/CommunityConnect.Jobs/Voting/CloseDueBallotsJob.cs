namespace CommunityConnect.Jobs.Voting;

/// <summary>Implemented by the api's ballot closing store.</summary>
public interface IBallotClosing
{
    /// <summary>Open ballots within 24 hours of closing whose owners have not been reminded yet.</summary>
    Task<IReadOnlyList<long>> RemindersDueAsync(CancellationToken cancellationToken);

    /// <summary>Reminds the owners of one ballot who have not voted, once; false when another run already did or it is not due.</summary>
    Task<bool> RemindAsync(long ballotId, CancellationToken cancellationToken);

    /// <summary>Open ballots whose closing time has passed.</summary>
    Task<IReadOnlyList<long>> DueAsync(CancellationToken cancellationToken);

    /// <summary>Closes one ballot, freezes its tally and publishes the result, if still open and due; false when another run already did.</summary>
    Task<bool> CloseAsync(long ballotId, CancellationToken cancellationToken);
}

/// <summary>
/// The owners' votes' clock: one reminder to owners who have not voted 24 hours before a ballot
/// closes, and closing at closesAt (tally frozen, result and chain head published to the scope). It
/// rebuilds its work from the ballots table and each step is guarded by the state it expects, so
/// running it twice, or late after a restart, reminds and closes each ballot once.
/// </summary>
public sealed class CloseDueBallotsJob(IBallotClosing ballots)
{
    public async Task<(int Reminded, int Closed)> RunAsync(CancellationToken cancellationToken)
    {
        var reminded = 0;
        foreach (var ballotId in await ballots.RemindersDueAsync(cancellationToken))
        {
            if (await ballots.RemindAsync(ballotId, cancellationToken))
            {
                reminded++;
            }
        }
        var closed = 0;
        foreach (var ballotId in await ballots.DueAsync(cancellationToken))
        {
            if (await ballots.CloseAsync(ballotId, cancellationToken))
            {
                closed++;
            }
        }
        return (reminded, closed);
    }
}
