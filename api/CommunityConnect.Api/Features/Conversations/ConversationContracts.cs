using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Conversations;

/// <summary>What a draft would become: a repair ticket, a complaint-box opinion, a hall proposal, or a question.</summary>
public static class DraftKinds
{
    public const string Repair = "repair";
    public const string Opinion = "opinion";
    public const string Proposal = "proposal";
    public const string Question = "question";

    public static readonly IReadOnlyList<string> All = [Repair, Opinion, Proposal, Question];

    /// <summary>The draft kind of an analysed intent; null for chit-chat (intent other).</summary>
    public static string? Of(string intent) => intent switch
    {
        Intents.Repair => Repair,
        Intents.Complaint => Opinion,
        Intents.Proposal => Proposal,
        Intents.Question => Question,
        _ => null,
    };
}

/// <summary>A message to the assistant: 1 to 2,000 characters, or the text of a quick reply.</summary>
public sealed record NewConversationMessage([property: Required, TextLength(UserText.BodyMax), ReadableText] string? Text);

/// <summary>The assistant's reply: its text and the quick replies the resident may tap (sent back as the next message's text).</summary>
public sealed record AssistantReply(string Text, IReadOnlyList<string> QuickReplies);

/// <summary>
/// What the assistant has understood so far. <c>responsibleBody</c> follows the community's routing
/// table; <c>missing</c> names what a filing still needs (location, category, description).
/// </summary>
public sealed record DraftView(
    string Kind, string Category, string ResponsibleBody, string? Building, string? Unit, string? CommonArea, bool Urgent, string Summary,
    IReadOnlyList<string> Missing);

/// <summary>
/// What a conversation filed. <c>kind</c> is repair, opinion or proposal; <c>id</c> names the item,
/// except for an anonymous opinion, which the conversation does not point to (the resident finds it
/// under "my opinions"); <c>meToo</c> is set when the resident joined an open ticket instead of filing a second one.
/// </summary>
public sealed record FiledItem(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Anonymous = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? MeToo = null);

/// <summary>The answer to one message: the reply, the draft (null when there is none), the state, and what was filed.</summary>
public sealed record ConversationTurn(long ConversationId, AssistantReply Reply, DraftView? Draft, string State, FiledItem? Filed);

/// <summary>One message of a conversation; <c>author</c> is resident or assistant.</summary>
public sealed record ConversationMessage(long Id, string Author, string Text, IReadOnlyList<string> QuickReplies, DateTimeOffset CreatedAt);

/// <summary>A conversation replayed: its messages oldest first (none once redacted), its draft, state and what it filed.</summary>
public sealed record Conversation(
    long Id, long CommunityId, string State, DraftView? Draft, FiledItem? Filed, IReadOnlyList<ConversationMessage> Messages,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A conversation in "my conversations": its state, what it is about (if it still says) and its last reply.</summary>
public sealed record ConversationSummary(
    long Id, long CommunityId, string State, string? Kind, string? Summary, FiledItem? Filed, string? LastReply,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Where a page of "my conversations" ends: the last one's activity time and id (latest first).</summary>
public sealed record ConversationCursor(DateTimeOffset UpdatedAt, long Id) : IPageCursor<ConversationCursor>
{
    public IEnumerable<object> Parts => [UpdatedAt.ToUnixTimeMilliseconds(), Id];

    public static ConversationCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 2 && CursorPart.Instant(parts[0]) is { } at && CursorPart.Id(parts[1]) is { } id ? new ConversationCursor(at, id) : null;
}

/// <summary>One entry of a community's FAQ: the question, the words that find it, its category (optional) and the answer.</summary>
public sealed record FaqEntryInput(
    [property: Required, TextLength(200)] string? Question,
    [property: Required, TextLength(UserText.BodyMax)] string? Answer,
    [property: Required, MaxLength(20)] IReadOnlyList<string?>? Keywords,
    [property: Category] string? Category = null);

/// <summary>A community's whole FAQ, replacing the one before (at most 100 entries).</summary>
public sealed record FaqInput([property: Required, MaxLength(FaqLimits.MaxEntries)] IReadOnlyList<FaqEntryInput?>? Entries);

public static class FaqLimits
{
    public const int MaxEntries = 100;
    public const int MaxKeywordLength = 20;
}

public sealed record FaqEntry(long Id, string Question, string Answer, IReadOnlyList<string> Keywords, string? Category);

/// <summary>A community's FAQ as the assistant answers from it.</summary>
public sealed record Faq(long CommunityId, IReadOnlyList<FaqEntry> Entries, DateTimeOffset? UpdatedAt);
