namespace CommunityConnect.Jobs.Repairs;

/// <summary>Implemented by the api's repair store.</summary>
public interface IUnratedRepairTickets
{
    /// <summary>Closes the tickets resolved more than 7 days ago and still unrated; answers how many it closed.</summary>
    Task<int> CloseUnratedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// DESIGN.md: an unrated ticket closes by itself 7 days after its resolution. Reads the tickets each
/// time and closes only those still resolved and due, so running it twice (or after a restart) is harmless.
/// </summary>
public sealed class AutoCloseUnratedTicketsJob(IUnratedRepairTickets tickets)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) => tickets.CloseUnratedAsync(cancellationToken);
}
