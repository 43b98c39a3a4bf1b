using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.WeChat;
using CommunityConnect.Jobs.SubscribeMessages;
using Dapper;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace CommunityConnect.Api.Features.SubscribeMessages;

/// <summary>
/// Sends outbox messages through <c>cgi-bin/message/subscribe/send</c>. A message is marked
/// "sending" (and its consent taken) before WeChat is called, so neither a second run nor a crash
/// after WeChat answered can send it again. The WeChat client already retries -1 (busy) with
/// backoff and refreshes the access token once on 40001; what is left is decided here.
/// </summary>
public sealed class SubscribeMessageSender(
    Database database, WeChatClient weChat, IOptionsMonitor<SubscribeMessageOptions> templates, IOptions<WeChatOptions> weChatOptions,
    TimeProvider time, ILogger<SubscribeMessageSender> logger) : ISubscribeMessageOutbox
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan BusyBackoff = TimeSpan.FromMinutes(1);

    private sealed class Claimed
    {
        public long Id { get; init; }
        public string TemplateKey { get; init; } = "";
        public string Data { get; init; } = "";
        public string? Page { get; init; }
        public string OpenId { get; init; } = "";
        public long UserId { get; init; }
    }

    public async Task<IReadOnlyList<long>> DueAsync(int max, CancellationToken cancellationToken)
    {
        if (!weChatOptions.Value.IsConfigured)
        {
            return [];
        }
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            "SELECT id FROM outbox_messages WHERE state = 'pending' AND next_attempt_at <= @now ORDER BY id LIMIT @max;",
            new { now = time.GetUtcNow(), max })).ToList();
    }

    public Task<int> GiveUpStaleAsync(CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            """
            UPDATE outbox_messages SET state = 'unknown', last_error = 'no answer recorded: WeChat may have delivered it', updated_at = @now
            WHERE state = 'sending' AND updated_at <= @staleBefore;
            """, new { now = time.GetUtcNow(), staleBefore = time.GetUtcNow() - StaleAfter }, transaction));

    public async Task<bool> DeliverAsync(long messageId, CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(messageId);
        if (claimed is null)
        {
            return false;
        }
        if (templates.CurrentValue.Templates.GetValueOrDefault(claimed.TemplateKey) is not { TemplateId.Length: > 0 } template)
        {
            await FinishAsync(messageId, "rejected", $"template '{claimed.TemplateKey}' is no longer configured");
            return false;
        }
        try
        {
            await weChat.PostWithAccessTokenAsync("cgi-bin/message/subscribe/send", new
            {
                touser = claimed.OpenId,
                template_id = template.TemplateId,
                page = claimed.Page,
                data = JsonDocument.Parse(claimed.Data).RootElement,
                miniprogram_state = "formal",
                lang = "zh_CN",
            }, cancellationToken);
            await FinishAsync(messageId, "sent", null);
            return true;
        }
        catch (WeChatException e) when (e.ErrorCode == WeChatException.ConsentUsedUp)
        {
            // The user's consent is used up on WeChat's side: ours must say so too. Never retried.
            await database.WriteAsync(async (connection, transaction) =>
            {
                if (!await MarkAsync(connection, transaction, messageId, "consent_used_up", "43101: consent used up"))
                {
                    return false;
                }
                await connection.ExecuteAsync(
                    "UPDATE subscription_consents SET remaining = 0, updated_at = @now WHERE user_id = @UserId AND template_key = @TemplateKey;",
                    new { claimed.UserId, claimed.TemplateKey, now = time.GetUtcNow() }, transaction);
                return true;
            });
            return false;
        }
        catch (WeChatException e) when (e.ErrorCode == WeChatException.Busy)
        {
            // WeChat said busy after the client's retries: not delivered, so it may go again later.
            await ReturnToPendingAsync(messageId, claimed, "-1: busy");
            return false;
        }
        catch (WeChatTokenUnavailableException)
        {
            // Another node was fetching the access token and none came in time: nothing was sent, so it may go again later.
            await ReturnToPendingAsync(messageId, claimed, "no access token yet");
            return false;
        }
        catch (WeChatException e)
        {
            // 47003 (bad data) and the like: retrying cannot help. Log which template, never the values or the user.
            logger.LogWarning("WeChat refused subscribe message {MessageId} of template {TemplateKey}: errcode {ErrorCode}",
                messageId, claimed.TemplateKey, e.ErrorCode);
            await FinishAsync(messageId, "rejected", $"{e.ErrorCode}: {e.Message}");
            return false;
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or TaskCanceledException or WeChatNotConfiguredException)
        {
            // No answer: WeChat may have sent it. Sending again could deliver it twice, so it is not resent.
            logger.LogWarning("Subscribe message {MessageId} of template {TemplateKey} got no answer from WeChat: {Error}",
                messageId, claimed.TemplateKey, e.GetType().Name);
            await FinishAsync(messageId, "unknown", e.GetType().Name);
            return false;
        }
    }

    /// <summary>sending → pending in <see cref="BusyBackoff"/>, with its consent given back: WeChat did not take it.</summary>
    private Task<bool> ReturnToPendingAsync(long messageId, Claimed claimed, string reason) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            // The consent goes back only with the message it was taken for, and only once.
            if (await connection.ExecuteAsync(
                    """
                    UPDATE outbox_messages SET state = 'pending', next_attempt_at = @retryAt, last_error = @reason, updated_at = @now
                    WHERE id = @messageId AND state = 'sending';
                    """, new { messageId, reason, now = time.GetUtcNow(), retryAt = time.GetUtcNow() + BusyBackoff }, transaction) != 1)
            {
                return false;
            }
            await connection.ExecuteAsync(
                "UPDATE subscription_consents SET remaining = remaining + 1, updated_at = @now WHERE user_id = @UserId AND template_key = @TemplateKey;",
                new { claimed.UserId, claimed.TemplateKey, now = time.GetUtcNow() }, transaction);
            return true;
        });

    /// <summary>pending → sending with one consent taken, or pending → no_consent. Null when it was not pending.</summary>
    private Task<Claimed?> ClaimAsync(long messageId) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var message = await connection.QuerySingleOrDefaultAsync<Claimed>(
                """
                SELECT o.id AS Id, o.template_key AS TemplateKey, o.data AS Data, o.page AS Page, u.openid AS OpenId, o.user_id AS UserId
                FROM outbox_messages o JOIN users u ON u.id = o.user_id
                WHERE o.id = @messageId AND o.state = 'pending' AND o.next_attempt_at <= @now;
                """, new { messageId, now }, transaction);
            if (message is null)
            {
                return null;
            }
            // The claim first, from the state it was read in: of two runs (or nodes) only one claims it and takes a consent.
            if (await connection.ExecuteAsync(
                    "UPDATE outbox_messages SET state = 'sending', updated_at = @now WHERE id = @messageId AND state = 'pending' AND next_attempt_at <= @now;",
                    new { messageId, now }, transaction) != 1)
            {
                return null;
            }
            var consented = await connection.ExecuteAsync(
                """
                UPDATE subscription_consents SET remaining = remaining - 1, updated_at = @now
                WHERE user_id = @UserId AND template_key = @TemplateKey AND remaining > 0;
                """, new { message.UserId, message.TemplateKey, now }, transaction);
            if (consented == 0)
            {
                await MarkAsync(connection, transaction, messageId, "no_consent", null);
                return null;
            }
            await connection.ExecuteAsync("UPDATE outbox_messages SET attempts = attempts + 1 WHERE id = @messageId AND state = 'sending';", new { messageId }, transaction);
            return message;
        });

    private Task FinishAsync(long messageId, string state, string? error) =>
        database.WriteAsync((connection, transaction) => MarkAsync(connection, transaction, messageId, state, error));

    /// <summary>
    /// Records how a claimed message ended. Only a message being sent ends, or one the stale sweep gave up on
    /// (WeChat's late answer is the truth); false when it had ended already.
    /// </summary>
    private async Task<bool> MarkAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, long messageId, string state, string? error) =>
        await connection.ExecuteAsync(
            "UPDATE outbox_messages SET state = @state, last_error = @error, updated_at = @now WHERE id = @messageId AND state IN ('sending', 'unknown');",
            new { messageId, state, error, now = time.GetUtcNow() }, transaction) == 1;
}
