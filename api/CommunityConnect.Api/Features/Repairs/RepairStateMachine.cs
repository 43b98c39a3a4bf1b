using CommunityConnect.Api.Features.Cases;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>The states of a repair ticket (DESIGN.md, "The items").</summary>
public static class RepairStates
{
    public const string Submitted = "submitted";
    public const string Accepted = "accepted";
    public const string Assigned = "assigned";
    public const string InProgress = "in_progress";
    public const string Paused = "paused";
    public const string Resolved = "resolved";
    public const string Closed = "closed";
    public const string Rejected = "rejected";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Submitted, Accepted, Assigned, InProgress, Paused, Resolved, Closed, Rejected, Cancelled];

    /// <summary>States in which nothing more happens to the ticket (a closed one may still be reopened for a while).</summary>
    public static bool IsFinal(string state) => state is Closed or Rejected or Cancelled;
}

/// <summary>Who makes a transition.</summary>
public enum RepairParty
{
    /// <summary>The resident the ticket was reported for.</summary>
    Reporter,

    /// <summary>Any property_staff member of the ticket's community.</summary>
    PropertyStaff,

    /// <summary>The system (the auto-close job), never a caller.</summary>
    System,
}

/// <summary>One allowed move of a ticket.</summary>
/// <param name="Action">The action name, as in <c>POST /v1/repairs/{ticketId}/{action}</c>.</param>
/// <param name="From">The states it may start from.</param>
/// <param name="To">The state it leads to.</param>
/// <param name="By">Who may make it.</param>
/// <param name="ReasonRequired">Whether it takes <c>{ reason }</c> (else an optional <c>{ note }</c>).</param>
/// <param name="CaseEvent">What it means for the ticket's case (CaseStateTable), if anything.</param>
public sealed record RepairTransition(string Action, IReadOnlyList<string> From, string To, IReadOnlyList<RepairParty> By, bool ReasonRequired, ItemEvent? CaseEvent);

/// <summary>
/// The one place that lists every transition of a repair ticket and who may make it. Endpoints and
/// the auto-close job ask it; nothing else decides whether a ticket may move.
/// </summary>
public static class RepairStateMachine
{
    public const string Accept = "accept";
    public const string Assign = "assign";
    public const string Start = "start";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Resolve = "resolve";
    public const string Reject = "reject";
    public const string Cancel = "cancel";
    public const string Reopen = "reopen";
    public const string Rate = "rate";
    public const string AutoClose = "auto_close";

    /// <summary>A resident may reopen a ticket within this long of its resolution (DESIGN.md).</summary>
    public static readonly TimeSpan ReopenWindow = TimeSpan.FromDays(7);

    /// <summary>A resolved ticket still unrated this long after its resolution closes by itself (DESIGN.md).</summary>
    public static readonly TimeSpan RatingWindow = TimeSpan.FromDays(7);

    private static readonly RepairParty[] Staff = [RepairParty.PropertyStaff];
    private static readonly RepairParty[] Reporter = [RepairParty.Reporter];

    public static readonly IReadOnlyList<RepairTransition> Transitions =
    [
        new(Accept, [RepairStates.Submitted], RepairStates.Accepted, Staff, false, ItemEvent.FirstAnswer),
        new(Assign, [RepairStates.Accepted], RepairStates.Assigned, Staff, false, null),
        new(Start, [RepairStates.Assigned], RepairStates.InProgress, Staff, false, null),
        // Waiting for parts.
        new(Pause, [RepairStates.InProgress], RepairStates.Paused, Staff, true, null),
        new(Resume, [RepairStates.Paused], RepairStates.InProgress, Staff, false, null),
        new(Resolve, [RepairStates.InProgress], RepairStates.Resolved, Staff, false, ItemEvent.Resolved),
        new(Reject, [RepairStates.Submitted], RepairStates.Rejected, Staff, true, ItemEvent.Closed),
        // Before the property company has accepted it.
        new(Cancel, [RepairStates.Submitted], RepairStates.Cancelled, Reporter, false, ItemEvent.Closed),
        // Within ReopenWindow of the resolution; back to the service desk.
        new(Reopen, [RepairStates.Resolved, RepairStates.Closed], RepairStates.Accepted, Reporter, true, ItemEvent.Reopened),
        // Rating closes the ticket (POST /rating); so does the auto-close job after RatingWindow.
        new(Rate, [RepairStates.Resolved], RepairStates.Closed, Reporter, false, ItemEvent.Closed),
        new(AutoClose, [RepairStates.Resolved], RepairStates.Closed, [RepairParty.System], false, ItemEvent.Closed),
    ];

    /// <summary>The actions a caller starts with <c>POST /v1/repairs/{ticketId}/{action}</c>.</summary>
    public static readonly IReadOnlyList<string> Actions = [Accept, Assign, Start, Pause, Resume, Resolve, Reject, Cancel, Reopen];

    public static RepairTransition Get(string action) =>
        Transitions.Single(t => t.Action == action);

    /// <summary>The parties the caller is, for this ticket.</summary>
    public static IReadOnlySet<RepairParty> PartiesOf(bool isReporter, bool isPropertyStaff)
    {
        var parties = new HashSet<RepairParty>();
        if (isReporter)
        {
            parties.Add(RepairParty.Reporter);
        }
        if (isPropertyStaff)
        {
            parties.Add(RepairParty.PropertyStaff);
        }
        return parties;
    }

    /// <summary>
    /// Whether the transition may happen now, in DESIGN.md's order: the role first (403: may never),
    /// then the state (409: not now). The caller has already been found able to see the ticket (else 404).
    /// </summary>
    public static Verdict Check(RepairTransition transition, IReadOnlySet<RepairParty> parties, string state, DateTimeOffset? resolvedAt, DateTimeOffset now)
    {
        if (!transition.By.Any(parties.Contains))
        {
            return Verdict.Forbidden;
        }
        if (!transition.From.Contains(state))
        {
            return Verdict.NotNow;
        }
        if (transition.Action == Reopen && (resolvedAt is null || now - resolvedAt.Value > ReopenWindow))
        {
            return Verdict.WindowPassed;
        }
        return Verdict.Allowed;
    }

    public enum Verdict
    {
        Allowed,
        Forbidden,
        NotNow,
        WindowPassed,
    }
}
