using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.DiscussionHall;

public static class ThreadKinds
{
    public const string Discussion = "discussion";
    public const string Solicitation = "solicitation";
    public const string Volunteer = "volunteer";
    public const string Proposal = "proposal";

    public static readonly IReadOnlyList<string> All = [Discussion, Solicitation, Volunteer, Proposal];
}

/// <summary>A thread's own state: solicitations close, proposals are adopted or declined.</summary>
public static class ThreadStates
{
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Adopted = "adopted";
    public const string Declined = "declined";
}

/// <summary>Moderation's verdict on a post: published; pending review (word list, WeChat's check, pre-review); hidden (flags or a moderator).</summary>
public static class ReviewStates
{
    public const string Published = "published";
    public const string Pending = "pending";
    public const string Hidden = "hidden";

    /// <summary>The review state a new post is stored in after the gate's verdict (a refused post is not stored).</summary>
    public static string Of(GateVerdict verdict) => verdict == GateVerdict.Hold ? Pending : Published;
}

public sealed record NewThread(
    [property: Required, OneOf(ThreadKinds.Discussion, ThreadKinds.Solicitation, ThreadKinds.Volunteer, ThreadKinds.Proposal)] string? Kind,
    [property: Required, TextLength(UserText.TitleMax)] string? Title,
    [property: Required, TextLength(UserText.BodyMax)] string? Body,
    [property: Category] string? Category = null,
    DateTimeOffset? Deadline = null,
    [property: Range(1, 10_000)] int? VolunteerCap = null);

/// <summary>Who wrote a post, with the role label shown beside the name ("居委会", "业主").</summary>
public sealed record PostAuthor(string DisplayName, string Role);

/// <summary>One thread in the feed.</summary>
public sealed record ThreadCard(
    long Id, string Kind, string Title, PostAuthor Author, int ReplyCount, int SupportCount, bool SupportedByMe, bool FollowedByMe,
    bool Pinned, bool Locked, DateTimeOffset LastActivityAt, string Excerpt);

/// <summary>The public answer to a proposal.</summary>
public sealed record ProposalDecision(string Outcome, string? Reason, PostAuthor DecidedBy, DateTimeOffset DecidedAt, long? ProjectId);

/// <summary>What a closed solicitation gathered; top replies by support.</summary>
public sealed record SolicitationSummary(int ReplyCount, int ParticipantCount, int SupportCount, IReadOnlyList<ThreadReply> TopReplies);

public sealed record ThreadDetail(
    long Id, long CommunityId, string Kind, string Title, string Body, string? Category, PostAuthor Author,
    string State, string ReviewState, bool Pinned, bool Locked,
    int ReplyCount, int SupportCount, bool SupportedByMe, bool FollowedByMe,
    DateTimeOffset? Deadline, DateTimeOffset? ClosedAt,
    int? VolunteerCap, int? SignupCount, bool SignedUpByMe,
    long? CaseId, string? ResponsibleBody, ProposalDecision? Decision, SolicitationSummary? Summary,
    DateTimeOffset CreatedAt, DateTimeOffset LastActivityAt,
    int SlowModeSeconds, string? HiddenReason, ThreadRouting? Routing = null);

public sealed record NewReply(
    [property: Required, TextLength(UserText.BodyMax)] string? Body,
    long? ReplyTo = null);

public sealed record ThreadReply(
    long Id, long ThreadId, long? ReplyTo, string Body, PostAuthor Author, int SupportCount, bool SupportedByMe,
    string ReviewState, DateTimeOffset CreatedAt);

public sealed record VolunteerSignup(long ThreadId, int SignupCount, int VolunteerCap, DateTimeOffset SignedUpAt);

/// <summary>An adoption's optional reason (a decline's reason is required: <c>ReasonInput</c>).</summary>
public sealed record AdoptInput([property: TextLength(200, Min = 0)] string? Reason = null);

public sealed record ProjectMilestone(long Id, string Title, DateOnly DueDate, bool Done, DateTimeOffset? DoneAt, string? Note);

public sealed record ProjectUpdate(string Text, string By, DateTimeOffset At);

/// <summary>A project on the public progress board.</summary>
public sealed record ProjectCard(
    long Id, long CommunityId, long ThreadId, long CaseId, string Title, string ResponsibleBody,
    int MilestoneCount, int MilestonesDone, int PercentDone, ProjectMilestone? NextDueMilestone, ProjectUpdate? LatestUpdate,
    DateTimeOffset CreatedAt);

public sealed record Project(
    long Id, long CommunityId, long ThreadId, long CaseId, string Title, string ResponsibleBody,
    int MilestoneCount, int MilestonesDone, int PercentDone, ProjectMilestone? NextDueMilestone, ProjectUpdate? LatestUpdate,
    IReadOnlyList<ProjectMilestone> Milestones, DateTimeOffset CreatedAt);

public sealed record NewMilestone(
    [property: Required, TextLength(UserText.TitleMax)] string? Title,
    [property: Required, RegularExpression("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", ErrorMessage = "dueDate must be a date written yyyy-MM-dd.")] string? DueDate);

public sealed record MilestoneUpdate(
    [property: Required] bool? Done,
    [property: TextLength(500, Min = 0)] string? Note = null);
