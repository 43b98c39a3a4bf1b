using System.Text.Json;
using CommunityConnect.Api.Features.Inbox;
using Dapper;
using System.Data.Common;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.SubscribeMessages;

/// <summary>
/// Puts a WeChat message in the outbox for each inbox notice that a configured template carries,
/// in the notice's own unit of work, for users who logged in with WeChat (who have an openid).
/// </summary>
public sealed class SubscribeMessageOutbox(IOptionsMonitor<SubscribeMessageOptions> options, TimeProvider time) : INoticeMirror
{
    public async Task MirrorAsync(DbConnection connection, DbTransaction transaction, long userId, long notificationId, Notice notice)
    {
        if (options.CurrentValue.For(notice.Kind) is not { } match)
        {
            return;
        }
        var (key, template) = match;
        var now = time.GetUtcNow();
        var data = template.Fields.ToDictionary(
            field => field.Key,
            field => new { value = TemplateValues.Value(field.Key, field.Value, notice, now) });
        await connection.ExecuteAsync(
            """
            INSERT INTO outbox_messages (user_id, notification_id, template_key, data, page, next_attempt_at, created_at, updated_at)
            SELECT id, @notificationId, @key, @data, @Page, @now, @now, @now
            FROM users WHERE id = @userId AND openid IS NOT NULL;
            """, new { userId, notificationId, key, data = JsonSerializer.Serialize(data), template.Page, now }, transaction);
    }
}
