namespace CommunityConnect.Api.Features.Conversations;

public static class ConversationStates
{
    /// <summary>The assistant is gathering what a filing needs (or has nothing yet).</summary>
    public const string Collecting = "collecting";

    /// <summary>The draft is complete; the assistant has summarised it (or offered "me too") and waits for a yes.</summary>
    public const string Confirming = "confirming";

    /// <summary>Final: a ticket, an opinion or a proposal was filed, or a "me too" added.</summary>
    public const string Filed = "filed";

    /// <summary>A question answered from the FAQ, or chit-chat answered. Not final: the resident may go on.</summary>
    public const string Answered = "answered";

    /// <summary>Final: the resident gave up (算了, 不用了).</summary>
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Collecting, Confirming, Filed, Answered, Cancelled];

    public static bool IsFinal(string state) => state is Filed or Cancelled;
}

/// <summary>
/// The one place that says how a conversation may move. Each resident message moves it once, from
/// the state it was read in; the store's UPDATE names that state (and the turn) and checks the row
/// count, so two messages racing cannot both move it.
/// </summary>
public static class ConversationStateMachine
{
    private static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Allowed = new Dictionary<string, IReadOnlySet<string>>
    {
        [ConversationStates.Collecting] = new HashSet<string>
        {
            ConversationStates.Collecting, ConversationStates.Confirming, ConversationStates.Answered, ConversationStates.Cancelled,
        },
        [ConversationStates.Confirming] = new HashSet<string>
        {
            ConversationStates.Confirming, ConversationStates.Collecting, ConversationStates.Filed, ConversationStates.Answered,
            ConversationStates.Cancelled,
        },
        [ConversationStates.Answered] = new HashSet<string>
        {
            ConversationStates.Answered, ConversationStates.Collecting, ConversationStates.Confirming, ConversationStates.Cancelled,
        },
        [ConversationStates.Filed] = new HashSet<string>(),
        [ConversationStates.Cancelled] = new HashSet<string>(),
    };

    /// <summary>Whether a message may move a conversation from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanMove(string from, string to) => Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Whether the conversation still takes messages (409 otherwise).</summary>
    public static bool TakesMessages(string state) => !ConversationStates.IsFinal(state);
}
