namespace CommunityConnect.Jobs.Housekeeping;

/// <summary>Implemented by the api's idempotency store.</summary>
public interface IIdempotencyRecords
{
    /// <summary>Deletes the records whose 24 hours have passed; answers how many.</summary>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Deletes expired idempotency records. Reads the table each time, so running it twice (or
/// after a restart) is harmless.
/// </summary>
public sealed class PurgeExpiredIdempotencyRecordsJob(IIdempotencyRecords records)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) => records.PurgeExpiredAsync(cancellationToken);
}
