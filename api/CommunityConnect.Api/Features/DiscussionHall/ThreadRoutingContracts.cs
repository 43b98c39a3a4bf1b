using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>A routed hall thread: the body that must answer it and where that stands.</summary>
/// <param name="Category">The category of TAXONOMY.md the analyser read (or a moderator set).</param>
/// <param name="ResponsibleBody">The community's routing table applied to the category.</param>
/// <param name="Urgent">A danger now (gas, people trapped, fire, flooding): its case opened at once.</param>
/// <param name="State">routed (waiting for the body), taken_up (a case, see caseId) or dismissed.</param>
/// <param name="DismissReason">Why the body dismissed it.</param>
public sealed record ThreadRouting(string Category, string ResponsibleBody, bool Urgent, string State, string? DismissReason);

/// <summary>A moderator's correction of a thread's routing label.</summary>
public sealed record RoutingCorrectionInput(
    [property: Required, Category] string? Category,
    [property: Required, OneOf(Bodies.Property, Bodies.OwnersCommittee, Bodies.ResidentsCommittee)] string? ResponsibleBody);

/// <summary>
/// The routing of a hall thread, one explicit table: the job routes an actionable thread (or, when
/// urgent, opens its case at once: taken_up); a member of the body takes it up (a case) or dismisses
/// it with a reason; a moderator's correction routes it again (not once it is a case: then the case
/// is transferred instead).
/// </summary>
public static class RoutingStates
{
    public const string Routed = "routed";
    public const string TakenUp = "taken_up";
    public const string Dismissed = "dismissed";

    /// <summary>The intents of TAXONOMY.md that ask a body to act: a repair, a complaint, a question.</summary>
    public static readonly IReadOnlyList<string> ActionableIntents = ["repair", "complaint", "question"];

    /// <summary>The states a body's take-up or dismissal starts from.</summary>
    public static readonly IReadOnlyList<string> Decidable = [Routed];

    /// <summary>The states a moderator's correction starts from, besides none (read, but not actionable).</summary>
    public static readonly IReadOnlyList<string> Correctable = [Routed, Dismissed];

    public static bool IsActionable(string intent) => ActionableIntents.Contains(intent);
}

/// <summary>What the analyser reads in a hall thread (the hall asks; the intake feature answers).</summary>
public sealed record HallTopicReading(string Intent, string Category, string? Building, bool Urgent);

/// <summary>
/// Reads a hall thread's text for the routing job. The intake feature implements it with its
/// analyser; the hall only asks, so the hall does not depend on intake, which sits above it.
/// </summary>
public interface IHallTopicReader
{
    /// <summary>Completes when the reader can read (the analyser loads in the background at start-up).</summary>
    Task WhenReady { get; }

    /// <summary>The reading of <paramref name="text"/>, or null while the reader is not ready.</summary>
    HallTopicReading? TryRead(string text);
}

public static class HallTopics
{
    /// <summary>The text of a thread as the analyser reads it, and as a correction trains it.</summary>
    public static string TextOf(string title, string body) => $"{title}\n{body}";

    public static string Cut(string text) => UserText.Cut(text, 60);
}
