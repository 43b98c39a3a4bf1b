using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>What stands between a post and the hall.</summary>
public enum GateVerdict
{
    Publish,
    Hold,
    Refuse,
}

/// <summary>
/// The door of the hall: whether a new post is published, held for review or refused. Moderation
/// keeps it (its word list, WeChat's content check, pre-review); the hall only asks, so the hall
/// does not depend on moderation, which sits above it and moderates the hall's posts.
/// </summary>
public interface IPostGate
{
    Task<GateVerdict> CheckThreadAsync(long communityId, long authorId, string title, string body, CancellationToken cancellationToken);

    Task<GateVerdict> CheckReplyAsync(long communityId, long authorId, string body, CancellationToken cancellationToken);
}

/// <summary>Who moderates a community's hall (moderation decides it): they see held and hidden posts.</summary>
public interface IHallModerators
{
    Task<bool> IsModeratorAsync(CommunityAccess access);
}
