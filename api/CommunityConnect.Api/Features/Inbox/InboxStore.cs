using CommunityConnect.Api.Infrastructure.Data;
using Dapper;

namespace CommunityConnect.Api.Features.Inbox;

public sealed record InboxItem(long Id, string Kind, string Title, string Body, long? CommunityId, string? ItemKind, long? ItemId, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt)
{
    public bool Read => ReadAt is not null;
}

public sealed class InboxStore(Database database, TimeProvider time)
{
    private sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public long? CommunityId { get; init; }
        public string? ItemKind { get; init; }
        public long? ItemId { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }

        public InboxItem ToItem() => new(Id, Kind, Title, Body, CommunityId, ItemKind, ItemId, CreatedAt, ReadAt);
    }

    private const string Columns =
        "id AS Id, kind AS Kind, title AS Title, body AS Body, community_id AS CommunityId, item_kind AS ItemKind, item_id AS ItemId, created_at AS CreatedAt, read_at AS ReadAt";

    // A range on ix_notifications_recipient (HotQueryPlanTests checks the plan). With several keys (a
    // caller with anonymous items) SQLite sorts the caller's own notices, never the whole table.
    internal const string ListSql =
        $"""
         SELECT {Columns} FROM notifications
         WHERE recipient_key IN @recipientKeys AND id < @before
         ORDER BY id DESC
         LIMIT @take;
         """;

    /// <summary>
    /// Newest first; <paramref name="beforeId"/> is the cursor. <paramref name="recipientKeys"/>: the
    /// caller's named key and the pseudonyms of their anonymous items (their notices' mailboxes).
    /// </summary>
    public async Task<IReadOnlyList<InboxItem>> ListAsync(string[] recipientKeys, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<Row>(ListSql, new { recipientKeys, before = beforeId ?? long.MaxValue, take });
        return rows.Select(r => r.ToItem()).ToList();
    }

    public async Task<long> UnreadCountAsync(string[] recipientKeys)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM notifications WHERE recipient_key IN @recipientKeys AND read_at IS NULL;", new { recipientKeys });
    }

    /// <summary>Marks a notice read (once; reading again keeps the first time). Null when it is not the caller's.</summary>
    public Task<InboxItem?> MarkReadAsync(string[] recipientKeys, long id) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<Row>(
                $"""
                 UPDATE notifications SET read_at = COALESCE(read_at, @now)
                 WHERE id = @id AND recipient_key IN @recipientKeys
                 RETURNING {Columns};
                 """, new { id, recipientKeys, now = time.GetUtcNow() }, transaction);
            return row?.ToItem();
        });
}
