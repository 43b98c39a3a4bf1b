using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Api.Infrastructure.Data;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Http;
using Dapper;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>A feed page's rows, the feed sequence it was read at, and the caller's own flags when they were laid over shared rows.</summary>
internal sealed record FeedPage(IReadOnlyList<HallFeed.FeedRow> Rows, long Snapshot, FeedMarks? Mine = null)
{
    public ThreadCard Card(HallFeed.FeedRow row) =>
        Mine is null ? row.ToCard() : row.ToCard(Mine.Supported.Contains(row.Id), Mine.Followed.Contains(row.Id));
}

/// <summary>Which threads of a page the caller supports and follows (read for the page's ids).</summary>
internal sealed record FeedMarks(IReadOnlySet<long> Supported, IReadOnlySet<long> Followed);

/// <summary>
/// The first page of a community's feed, which every member opens first and which is the same for
/// all of them but for their own support and follow flags. The shared rows (published threads
/// only, each with its author's own name: the hall has no sealed authors, and nothing here is
/// per viewer) are kept under the community's feed version, which any change to a thread a card
/// shows, a support or a follow bumps in its own transaction (migration 0020), so a post, a reply
/// or a moderator's move shows on the next read, for every member. The caller's flags are read
/// for the page's ids and laid over it, and the caller's whole answer is kept as bytes under the same version.
/// </summary>
public sealed class FeedFirstPage(
    HallFeed feed, Database database, CommunityVersions versions, IOptions<CacheOptions> options, IOptions<JsonOptions> json)
{
    /// <summary>Reads the shared rows as nobody: no user has id 0, so no row carries anyone's flags.</summary>
    private const long Nobody = 0;

    private readonly CommunityCache<(long CommunityId, int Take), (IReadOnlyList<HallFeed.FeedRow> Rows, long Snapshot)> _pages =
        CommunityCache<(long, int), (IReadOnlyList<HallFeed.FeedRow>, long)>.OfFeed(versions, options.Value);

    /// <summary>The caller's whole answer as UTF-8 JSON, under the same version: about 10 KB each, so fewer of them.</summary>
    private readonly CommunityCache<(long CommunityId, long UserId, int Take), byte[]> _answers =
        new(versions.FeedOf, options.Value.MaxFeedAnswers);

    internal const string MarksSql =
        """
        SELECT thread_id AS ThreadId, 1 AS Supported FROM thread_supports WHERE user_id = @userId AND thread_id IN @ids
        UNION ALL
        SELECT thread_id, 0 FROM thread_follows WHERE user_id = @userId AND thread_id IN @ids;
        """;

    private async Task<FeedPage> GetAsync(long communityId, long userId, int take)
    {
        var version = _pages.VersionOf(communityId);
        if (!_pages.TryGet(communityId, (communityId, take), out var page))
        {
            page = await feed.FeedAsync(communityId, Nobody, kind: null, after: null, take);
            _pages.Put(communityId, (communityId, take), version, page);
        }
        // The caller's flags need no cache of their own: the caller's whole answer is kept under the same key and version.
        return new FeedPage(page.Rows, page.Snapshot, await MarksAsync(userId, page.Rows.Select(r => r.Id).ToList()));
    }

    /// <summary>
    /// The first page as the caller receives it (<paramref name="shape"/> makes the page of cards and its cursor),
    /// serialised once and kept per caller under the feed version: a member who opens the hall again before anything
    /// on it changed gets the same bytes without a card built or a property written. The version is taken before
    /// anything is read, so an answer that raced a change is kept under the version the change replaced, never served.
    /// </summary>
    internal async Task<byte[]> AnswerAsync(long communityId, long userId, int take, Func<FeedPage, Page<ThreadCard>> shape)
    {
        var key = (communityId, userId, take);
        var version = _answers.VersionOf(communityId);
        if (_answers.TryGet(communityId, key, out var answer))
        {
            return answer;
        }
        answer = JsonSerializer.SerializeToUtf8Bytes(shape(await GetAsync(communityId, userId, take)), json.Value.SerializerOptions);
        _answers.Put(communityId, key, version, answer);
        return answer;
    }

    private async Task<FeedMarks> MarksAsync(long userId, IReadOnlyList<long> ids)
    {
        if (ids.Count == 0)
        {
            return new FeedMarks(new HashSet<long>(), new HashSet<long>());
        }
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<(long ThreadId, bool Supported)>(MarksSql, new { userId, ids = SqlLists.OrNone(ids, 0L) })).ToList();
        return new FeedMarks(rows.Where(r => r.Supported).Select(r => r.ThreadId).ToHashSet(),
            rows.Where(r => !r.Supported).Select(r => r.ThreadId).ToHashSet());
    }
}
