namespace CommunityConnect.Jobs.ComplaintBox;

/// <summary>Implemented by the api's opinion store.</summary>
public interface IAnsweredOpinions
{
    /// <summary>Closes the opinions answered at least seven days ago with no reply from their author; answers how many.</summary>
    Task<int> CloseUnrepliedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Closes answered opinions whose author did not reply within seven days. Takes no arguments (never
/// an author) and reads the table each time, so running it twice closes nothing twice.
/// </summary>
public sealed class AutoCloseAnsweredOpinionsJob(IAnsweredOpinions opinions)
{
    public static readonly TimeSpan ReplyWindow = TimeSpan.FromDays(7);

    public Task<int> RunAsync(CancellationToken cancellationToken) => opinions.CloseUnrepliedAsync(cancellationToken);
}
