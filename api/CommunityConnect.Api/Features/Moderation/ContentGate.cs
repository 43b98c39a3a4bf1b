using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Auth;

namespace CommunityConnect.Api.Features.Moderation;

/// <summary>
/// The door of the hall: the community's word list, WeChat's content check and, for new threads,
/// pre-review (先审后发). Refused posts answer 422 without naming the word; held posts are stored
/// with <c>reviewState: "pending"</c> until a moderator approves them.
/// </summary>
public sealed class ContentGate(ModerationStore store, ContentCheck weChat, Accounts accounts) : IPostGate
{
    public async Task<GateVerdict> CheckThreadAsync(long communityId, long authorId, string title, string body, CancellationToken cancellationToken)
    {
        var verdict = await CheckTextAsync(communityId, authorId, cancellationToken, title, body);
        if (verdict == GateVerdict.Publish && (await store.SettingsAsync(communityId)).PreReview)
        {
            return GateVerdict.Hold;
        }
        return verdict;
    }

    public Task<GateVerdict> CheckReplyAsync(long communityId, long authorId, string body, CancellationToken cancellationToken) =>
        CheckTextAsync(communityId, authorId, cancellationToken, body);

    private async Task<GateVerdict> CheckTextAsync(long communityId, long authorId, CancellationToken cancellationToken, params string[] texts)
    {
        var level = (await store.WordsAsync(communityId)).Match(texts);
        if (level == WordLevels.Block)
        {
            return GateVerdict.Refuse;
        }
        var openId = (await accounts.FindAsync(authorId, cancellationToken))?.OpenId;
        var weChatVerdict = await weChat.CheckAsync(openId, string.Join("\n", texts), cancellationToken);
        if (weChatVerdict == GateVerdict.Refuse)
        {
            return GateVerdict.Refuse;
        }
        return level == WordLevels.Review || weChatVerdict == GateVerdict.Hold ? GateVerdict.Hold : GateVerdict.Publish;
    }
}
