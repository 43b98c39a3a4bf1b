namespace CommunityConnect.Jobs.SubscribeMessages;

/// <summary>Implemented by the api's subscribe-message sender.</summary>
public interface ISubscribeMessageOutbox
{
    /// <summary>Ids of pending messages whose time has come.</summary>
    Task<IReadOnlyList<long>> DueAsync(int max, CancellationToken cancellationToken);

    /// <summary>
    /// Claims one message (pending → sending, taking one consent) and sends it; a message another
    /// run claimed, or that is no longer pending, is left alone. Answers whether it was delivered.
    /// </summary>
    Task<bool> DeliverAsync(long messageId, CancellationToken cancellationToken);

    /// <summary>Messages left in "sending" by a crash become "unknown": never resent.</summary>
    Task<int> GiveUpStaleAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Delivers the outbox through WeChat's subscribeMessage.send. Safe to run twice or twice at once:
/// each message is claimed by a guarded update before WeChat is called, so it is sent at most once.
/// </summary>
public sealed class DeliverSubscribeMessagesJob(ISubscribeMessageOutbox outbox)
{
    public const int BatchSize = 100;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await outbox.GiveUpStaleAsync(cancellationToken);
        var delivered = 0;
        foreach (var id in await outbox.DueAsync(BatchSize, cancellationToken))
        {
            if (await outbox.DeliverAsync(id, cancellationToken))
            {
                delivered++;
            }
        }
        return delivered;
    }
}
