using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>Where a feed page starts: the last thread of the previous page and the feed sequence at the first page.</summary>
public sealed record FeedCursor(bool Pinned, DateTimeOffset LastActivityAt, long Id, long Snapshot) : IPageCursor<FeedCursor>
{
    public IEnumerable<object> Parts => [Pinned ? 1 : 0, LastActivityAt.ToUnixTimeMilliseconds(), Id, Snapshot];

    public static FeedCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 4 && CursorPart.Flag(parts[0]) is { } pinned && CursorPart.Instant(parts[1]) is { } activity
        && CursorPart.Id(parts[2]) is { } id && CursorPart.Count(parts[3]) is { } snapshot
            ? new FeedCursor(pinned, activity, id, snapshot)
            : null;
}

/// <summary>
/// The hall's feed: its pages (pinned first, then latest activity, one query a page) and each
/// thread's place in it (new activity moves a thread up; moderation moving one is recorded so that
/// cursors handed out earlier skip it instead of showing it twice).
/// </summary>
public sealed class HallFeed(Database database, TimeProvider time)
{
    public const int ExcerptLength = 120;

    private const string FeedColumns =
        """
        SELECT t.id AS Id, t.kind AS Kind, t.title AS Title, t.body AS Body, u.display_name AS AuthorName, t.author_role AS AuthorRole,
               t.reply_count AS ReplyCount, t.support_count AS SupportCount, t.pinned AS Pinned, t.locked AS Locked,
               t.last_activity_at AS LastActivityAt,
               EXISTS (SELECT 1 FROM thread_supports s WHERE s.thread_id = t.id AND s.user_id = @userId) AS SupportedByMe,
               EXISTS (SELECT 1 FROM thread_follows f WHERE f.thread_id = t.id AND f.user_id = @userId) AS FollowedByMe,
               (SELECT q.value FROM thread_feed_sequence q WHERE q.community_id = @communityId) AS Snapshot
        FROM threads t JOIN users u ON u.id = t.author_id
        WHERE t.community_id = @communityId AND t.review_state = 'published'
        """;

    private const string FeedByKind =
        """

          AND t.kind = @kind
        """;

    // Keyset on (pinned, last activity, id), newest first, as a range on the index. Later pages also
    // skip threads that moved in the feed after the first page was read (feed_seq > snapshot): a
    // thread that did not move keeps its place, so none is skipped, and one that moved shows at most
    // once. (README "Discussion hall": feed paging.)
    private const string FeedAfter =
        """

          AND (t.pinned, t.last_activity_at, t.id) < (@afterPinned, @afterActivity, @afterId)
          AND t.feed_seq <= @snapshot
        """;

    private const string FeedOrder =
        """

        ORDER BY t.pinned DESC, t.last_activity_at DESC, t.id DESC
        LIMIT @take;
        """;

    // One query per page, each served by its index without sorting (FeedTests checks the plans).
    internal const string FeedFirstSql = FeedColumns + FeedOrder;
    internal const string FeedAfterSql = FeedColumns + FeedAfter + FeedOrder;
    internal const string FeedByKindFirstSql = FeedColumns + FeedByKind + FeedOrder;
    internal const string FeedByKindAfterSql = FeedColumns + FeedByKind + FeedAfter + FeedOrder;

    internal sealed class FeedRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string AuthorName { get; init; } = "";
        public string AuthorRole { get; init; } = "";
        public int ReplyCount { get; init; }
        public int SupportCount { get; init; }
        public bool Pinned { get; init; }
        public bool Locked { get; init; }
        public DateTimeOffset LastActivityAt { get; init; }
        public bool SupportedByMe { get; init; }
        public bool FollowedByMe { get; init; }
        public long? Snapshot { get; init; }

        public ThreadCard ToCard() => ToCard(SupportedByMe, FollowedByMe);

        public ThreadCard ToCard(bool supportedByMe, bool followedByMe) => new(Id, Kind, Title, new PostAuthor(AuthorName, AuthorRole),
            ReplyCount, SupportCount, supportedByMe, followedByMe, Pinned, Locked, LastActivityAt, UserText.Cut(Body, ExcerptLength));
    }

    /// <summary>A feed page (take + 1 rows) and the feed sequence it was read at.</summary>
    internal async Task<(IReadOnlyList<FeedRow> Rows, long Snapshot)> FeedAsync(long communityId, long userId, string? kind, FeedCursor? after, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<FeedRow>((kind is null, after is null) switch
        {
            (true, true) => FeedFirstSql,
            (true, false) => FeedAfterSql,
            (false, true) => FeedByKindFirstSql,
            (false, false) => FeedByKindAfterSql,
        }, new
        {
            communityId,
            userId,
            kind,
            afterPinned = after is null ? (long?)null : after.Pinned ? 1 : 0,
            afterActivity = after?.LastActivityAt,
            afterId = after?.Id,
            snapshot = after?.Snapshot,
            take,
        })).ToList();
        return (rows, after?.Snapshot ?? rows.FirstOrDefault()?.Snapshot ?? 0);
    }

    /// <summary>Moves a thread to the top of its community's feed (new activity), under a new feed sequence value.</summary>
    internal async Task BumpAsync(DbConnection connection, DbTransaction transaction, long communityId, long threadId)
    {
        var seq = await NextSequenceAsync(connection, transaction, communityId);
        await connection.ExecuteAsync(
            "UPDATE threads SET last_activity_at = @now, feed_seq = @seq WHERE id = @threadId;",
            new { threadId, seq, now = time.GetUtcNow() }, transaction);
    }

    /// <summary>
    /// Records that a thread changed its place in the feed without new activity (moderation pins,
    /// unpins, hides or restores it), so feed cursors handed out earlier skip it rather than show it twice.
    /// </summary>
    public async Task MovedInFeedAsync(DbConnection connection, DbTransaction transaction, long communityId, long threadId)
    {
        var seq = await NextSequenceAsync(connection, transaction, communityId);
        await connection.ExecuteAsync("UPDATE threads SET feed_seq = @seq WHERE id = @threadId;", new { threadId, seq }, transaction);
    }

    /// <summary>The community's next feed sequence value (a new thread takes one too).</summary>
    internal static Task<long> NextSequenceAsync(DbConnection connection, DbTransaction transaction, long communityId) =>
        connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO thread_feed_sequence (community_id, value) VALUES (@communityId, 1)
            ON CONFLICT (community_id) DO UPDATE SET value = thread_feed_sequence.value + 1
            RETURNING value;
            """, new { communityId }, transaction);
}
