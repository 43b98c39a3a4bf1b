namespace CommunityConnect.Api.Features.ComplaintBox;

/// <summary>What can happen to an opinion.</summary>
public enum OpinionEvent
{
    /// <summary>The responsible body (or the secretary / street office) answers.</summary>
    Answered,

    /// <summary>The author is satisfied with the answer.</summary>
    Satisfied,

    /// <summary>The author is not satisfied with the answer.</summary>
    NotSatisfied,

    /// <summary>Seven days answered without a reply from the author.</summary>
    NoReply,
}

/// <summary>
/// The one table of opinion states (issue 4): <c>open → answered → closed</c>. Praise is closed
/// from the start (it awaits no answer). "Not satisfied" reopens an opinion to the same body once;
/// a second "not satisfied" after that reopening closes it for good, recorded as unsatisfied, so a
/// complaint cannot bounce between the author and the body forever (the secretary sees it in trends).
/// </summary>
public static class OpinionStates
{
    public const string Open = "open";
    public const string Answered = "answered";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> All = [Open, Answered, Closed];

    public const int MaxReopens = 1;

    /// <summary>The state after <paramref name="opinionEvent"/>, or null when the current state forbids it (409).</summary>
    public static string? Next(string current, OpinionEvent opinionEvent, int reopenCount) => (current, opinionEvent) switch
    {
        (Open or Answered, OpinionEvent.Answered) => Answered,
        (Answered, OpinionEvent.Satisfied) => Closed,
        (Answered, OpinionEvent.NotSatisfied) => reopenCount < MaxReopens ? Open : Closed,
        (Answered, OpinionEvent.NoReply) => Closed,
        _ => null,
    };
}
