namespace CommunityConnect.Api.Features.Cases;

/// <summary>What happened to the item behind a case.</summary>
public enum ItemEvent
{
    /// <summary>The item was created.</summary>
    Created,

    /// <summary>The first visible answer: a ticket accepted, a case response, an opinion answered, a proposal decided.</summary>
    FirstAnswer,

    /// <summary>Ticket resolved, opinion answered, proposal adopted.</summary>
    Resolved,

    /// <summary>Ticket closed, rejected or cancelled; opinion closed; proposal declined.</summary>
    Closed,

    /// <summary>Ticket reopened, or its author not satisfied: the case goes back to the body.</summary>
    Reopened,
}

/// <summary>
/// The one table of how each item moves its case (repairs issue): every item kind reports its
/// events here instead of setting case states itself.
/// </summary>
public static class CaseStateTable
{
    public const string Open = "open";
    public const string Responded = "responded";
    public const string Resolved = "resolved";
    public const string Closed = "closed";

    public static readonly IReadOnlyList<string> States = [Open, Responded, Resolved, Closed];

    /// <summary>The case state after <paramref name="itemEvent"/>; an answer never moves a case backwards.</summary>
    public static string Next(string current, ItemEvent itemEvent) => itemEvent switch
    {
        ItemEvent.Created => Open,
        ItemEvent.FirstAnswer => current == Open ? Responded : current,
        ItemEvent.Resolved => current == Closed ? Closed : Resolved,
        ItemEvent.Closed => Closed,
        ItemEvent.Reopened => Responded,
        _ => throw new ArgumentOutOfRangeException(nameof(itemEvent), itemEvent, null),
    };

    public static string EventName(ItemEvent itemEvent) => itemEvent switch
    {
        ItemEvent.Created => "created",
        ItemEvent.FirstAnswer => "responded",
        ItemEvent.Resolved => "resolved",
        ItemEvent.Closed => "closed",
        ItemEvent.Reopened => "reopened",
        _ => itemEvent.ToString(),
    };
}
