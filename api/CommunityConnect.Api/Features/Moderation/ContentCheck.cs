using System.Text.Json;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.WeChat;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Moderation;

/// <summary>
/// WeChat's content check (<c>wxa/msg_sec_check</c>, version 2, scene 3 "forum"): <c>risky</c>
/// is refused, <c>review</c> held. When WeChat is not configured, fails, or the author has no
/// openid, the post goes on (the word list still applies) and the failure is logged.
/// </summary>
public sealed class ContentCheck(WeChatClient weChat, IOptions<WeChatOptions> options, ILogger<ContentCheck> logger)
{
    public async Task<GateVerdict> CheckAsync(string? openId, string text, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured || string.IsNullOrEmpty(openId))
        {
            return GateVerdict.Publish;
        }
        try
        {
            var answer = await weChat.PostWithAccessTokenAsync("wxa/msg_sec_check",
                new { content = text, version = 2, scene = 3, openid = openId }, cancellationToken);
            var suggest = answer.TryGetProperty("result", out var result) && result.TryGetProperty("suggest", out var s) ? s.GetString() : null;
            return suggest switch
            {
                "risky" => GateVerdict.Refuse,
                "review" => GateVerdict.Hold,
                _ => GateVerdict.Publish,
            };
        }
        catch (Exception e) when (e is WeChatException or WeChatTokenUnavailableException or HttpRequestException or JsonException or TimeoutException
                                       or Polly.Timeout.TimeoutRejectedException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("WeChat content check failed ({Error}); the post goes on with the word list only", e.GetType().Name + (e is WeChatException w ? $" {w.ErrorCode}" : ""));
            return GateVerdict.Publish;
        }
    }
}
