namespace CommunityConnect.Jobs.Escalation;

/// <summary>A case whose clock has run out, and the level it was at when found.</summary>
public sealed record DueCase(long CaseId, int EscalationLevel);

/// <summary>Implemented by the api's escalation store.</summary>
public interface ICaseEscalations
{
    /// <summary>Cases whose next escalation time has passed (an indexed query on next_escalation_at).</summary>
    Task<IReadOnlyList<DueCase>> DueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Climbs one rung if the case is still at <paramref name="fromLevel"/> and still due; writes the
    /// history row and the notifications in the same unit of work. False when another run already did.
    /// </summary>
    Task<bool> EscalateAsync(long caseId, int fromLevel, CancellationToken cancellationToken);
}

/// <summary>
/// The every-minute sweep. It rebuilds its work from the cases table, and each step is guarded by
/// the level the case was at, so running it twice, twice at once, or again after a crash escalates
/// each due case once.
/// </summary>
public sealed class EscalationSweepJob(ICaseEscalations cases, TimeProvider time)
{
    public const int BatchSize = 500;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var escalated = 0;
        var due = await cases.DueAsync(time.GetUtcNow(), BatchSize, cancellationToken);
        foreach (var item in due)
        {
            if (await cases.EscalateAsync(item.CaseId, item.EscalationLevel, cancellationToken))
            {
                escalated++;
            }
        }
        return escalated;
    }
}
