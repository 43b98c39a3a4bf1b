using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;

namespace CommunityConnect.Tests.DiscussionHall;

/// <summary>The hall's feed: order, filters and paging while the hall is busy.</summary>
public sealed class FeedTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<List<long>> AllThreadIdsAsync(HttpClient client, long communityId = 1)
    {
        var ids = new List<long>();
        string? after = null;
        do
        {
            var page = await client.GetJson($"/v1/communities/{communityId}/threads?limit=100{(after is null ? "" : $"&after={after}")}");
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.Id()));
            after = page.GetProperty("next").GetString();
        }
        while (after is not null);
        return ids;
    }

    [Fact]
    public async Task PinnedThreadsComeFirstThenTheLatestActivity()
    {
        var resident = await app.ClientFor("resident2");
        var a = await resident.PostDiscussion("话题甲", communityId: 2);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var b = await resident.PostDiscussion("话题乙", communityId: 2);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var c = await resident.PostDiscussion("话题丙", communityId: 2);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await resident.PostReply(a.Id(), "顶一下");
        Assert.Equal([a.Id(), c.Id(), b.Id()], (await AllThreadIdsAsync(resident, 2)).Where(id => id == a.Id() || id == b.Id() || id == c.Id()));

        // Moderation (next issue) pins; here the row is set directly.
        await SetPinnedAsync(b.Id(), true);
        var feed = await resident.GetJson("/v1/communities/2/threads?limit=100");
        var first = feed.GetProperty("items")[0];
        Assert.Equal(b.Id(), first.Id());
        Assert.True(first.GetProperty("pinned").GetBoolean());

        var card = feed.GetProperty("items").EnumerateArray().Single(t => t.Id() == a.Id());
        Assert.Equal(1, card.GetProperty("replyCount").GetInt32());
        Assert.Equal("孙丽娟", card.GetProperty("author").Text("displayName"));
        Assert.True(card.GetProperty("followedByMe").GetBoolean());
        Assert.False(card.GetProperty("supportedByMe").GetBoolean());
    }

    [Fact]
    public async Task TheFeedFiltersByKindAndRefusesBadParameters()
    {
        var tenant = await app.ClientFor("tenant");
        var proposal = await tenant.PostThread(new { kind = "proposal", title = "增设电瓶车充电棚", body = "避免飞线充电。", category = "parking" });
        await tenant.PostDiscussion("随便聊聊");
        var proposals = await tenant.GetJson("/v1/communities/1/threads?kind=proposal&limit=100");
        Assert.Contains(proposals.GetProperty("items").EnumerateArray(), t => t.Id() == proposal.Id());
        Assert.All(proposals.GetProperty("items").EnumerateArray(), t => Assert.Equal("proposal", t.Text("kind")));

        await (await tenant.GetAsync("/v1/communities/1/threads?kind=poll")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.GetAsync("/v1/communities/1/threads?limit=0")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await tenant.GetAsync("/v1/communities/1/threads?after=not-a-cursor")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// Pages through the feed while, around every page request, new threads are posted and threads
    /// already seen and not yet seen get replies. No thread may show twice, and every thread that
    /// got no reply during paging must show once. With the clock standing still, replies do not
    /// even move threads in the order: only the cursor's snapshot keeps a replied thread from
    /// showing twice.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PagingWhileThreadsAndRepliesArriveShowsNoThreadTwiceAndSkipsNoUnchangedThread(bool clockMoves)
    {
        var posters = new List<HttpClient>();
        for (var i = 0; i < 4; i++)
        {
            posters.Add(await app.ClientFor($"feed-poster-{i}", communityId: 1, role: "resident", unitId: 20 + i));
        }
        for (var i = 0; i < 14; i++)
        {
            await posters[i % posters.Count].PostDiscussion($"讨论 {clockMoves} {i}");
            if (clockMoves)
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var reader = await app.ClientFor("feed-reader", communityId: 1, role: "resident", unitId: 30);
        var before = await AllThreadIdsAsync(reader);

        var random = new Random(clockMoves ? 7 : 11);
        var seen = new List<long>();
        var bumped = new HashSet<long>();
        string? after = null;
        var pages = 0;
        do
        {
            var unseen = before.Except(seen).ToList();
            var bumpUnseen = unseen.Count > 0 ? unseen[random.Next(unseen.Count)] : (long?)null;
            var bumpSeen = seen.Count > 0 ? seen[random.Next(seen.Count)] : (long?)null;
            if (clockMoves)
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
            var writes = new List<Task>
            {
                posters[random.Next(posters.Count)].PostDiscussion($"新帖 {clockMoves} {pages}"),
            };
            foreach (var threadId in new[] { bumpUnseen, bumpSeen }.OfType<long>())
            {
                bumped.Add(threadId);
                writes.Add(posters[random.Next(posters.Count)].PostReply(threadId, $"回复 {pages}"));
            }
            var read = reader.GetJson($"/v1/communities/1/threads?limit=3{(after is null ? "" : $"&after={after}")}");
            await Task.WhenAll([.. writes, read]);
            var page = await read;
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.Id()));
            after = page.GetProperty("next").GetString();
            pages++;
        }
        while (after is not null && pages < 100);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(before.Except(bumped).Except(seen));
        Assert.True(pages > 3);
    }

    [Fact]
    public async Task AThreadUnpinnedWhilePagingIsNotShownAgainFurtherDown()
    {
        var resident = await app.ClientFor("resident2");
        var pinned = await resident.PostDiscussion("置顶公告", communityId: 2);
        for (var i = 0; i < 4; i++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            await resident.PostDiscussion($"普通话题 {i}", communityId: 2);
        }
        await SetPinnedAsync(pinned.Id(), true);
        var page1 = await resident.GetJson("/v1/communities/2/threads?limit=2");
        Assert.Contains(page1.GetProperty("items").EnumerateArray(), t => t.Id() == pinned.Id());

        // Unpinned, it drops below the cursor: without the snapshot in the cursor it would show again.
        await SetPinnedAsync(pinned.Id(), false);
        var seen = page1.GetProperty("items").EnumerateArray().Select(t => t.Id()).ToList();
        var after = page1.GetProperty("next").GetString();
        while (after is not null)
        {
            var page = await resident.GetJson($"/v1/communities/2/threads?limit=2&after={after}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.Id()));
            after = page.GetProperty("next").GetString();
        }
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal((await AllThreadIdsAsync(resident, 2)).Order(), seen.Order());
    }

    /// <summary>Pins or unpins as moderation (next issue) will: the row, and its move in the feed.</summary>
    private Task<bool> SetPinnedAsync(long threadId, bool pinned) =>
        app.Service<Database>().WriteAsync(async (connection, transaction) =>
        {
            var communityId = await connection.ExecuteScalarAsync<long>(
                "UPDATE threads SET pinned = @pinned WHERE id = @threadId RETURNING community_id;", new { threadId, pinned }, transaction);
            await app.Service<HallFeed>().MovedInFeedAsync(connection, transaction, communityId, threadId);
            return true;
        });

    [SkippableTheory]
    [InlineData(HallFeed.FeedFirstSql, "ix_threads_feed (community_id=?)")]
    [InlineData(HallFeed.FeedAfterSql, "ix_threads_feed (community_id=? AND (pinned,last_activity_at")]
    [InlineData(HallFeed.FeedByKindFirstSql, "ix_threads_feed_kind (community_id=? AND kind=?)")]
    [InlineData(HallFeed.FeedByKindAfterSql, "ix_threads_feed_kind (community_id=? AND kind=? AND (pinned,last_activity_at")]
    public async Task TheFeedPageIsOneQuerySeekingItsIndexWithoutSorting(string sql, string search)
    {
        TestProvider.SkipOnPostgres("EXPLAIN QUERY PLAN is SQLite's (HotQueryPlanTests runs on SQLite in both passes)");
        await app.ClientFor("resident");
        await using var connection = await app.Service<Database>().OpenReadAsync();
        var plan = (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + sql,
            new { communityId = 1, userId = 1, kind = "discussion", afterPinned = 0, afterActivity = 0L, afterId = 5L, snapshot = 1L, take = 21 }))
            .Select(row => row.Detail).ToList();
        // The page's rows come from a seek on the index, in the index's order; every other step is a
        // primary-key look-up (the author, the byMe flags, the snapshot).
        Assert.StartsWith($"SEARCH t USING INDEX {search}", plan[0]);
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE") || step.StartsWith("SCAN"));
    }
}
