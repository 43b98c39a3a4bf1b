using System.Data.Common;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>
/// A case's clocks (first response, resolution, the next escalation), kept by the escalation
/// feature, which sits above cases: the case store tells them what happened, inside its own unit
/// of work, without knowing how they are counted.
/// </summary>
public interface ICaseClock
{
    /// <summary>Fresh clocks for the body the case is with now (on open, climb and transfer).</summary>
    Task StartAsync(DbConnection connection, DbTransaction transaction, long caseId);

    /// <summary>Moves the clocks after an item event has moved the case.</summary>
    Task OnEventAsync(DbConnection connection, DbTransaction transaction, long caseId, ItemEvent itemEvent);

    /// <summary>A repair waiting for parts: its resolution clock stops.</summary>
    Task PauseAsync(DbConnection connection, DbTransaction transaction, long caseId);

    /// <summary>The repair goes on: the resolution due time moves by the paused working time.</summary>
    Task ResumeAsync(DbConnection connection, DbTransaction transaction, long caseId);
}
