using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Features.Repairs;
using CommunityConnect.Api.Features.Voting;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The plans of the pages the load benchmark reads most (issue 18), as SQLite makes them for the
/// api's own schema: each page's rows come from a seek on an index that matches its WHERE and its
/// ORDER BY, so a page costs its own rows, not the table's, and nothing is sorted. The SQL is the
/// stores' own constant text, with the parameters their callers pass.
/// </summary>
public sealed class HotQueryPlanTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<IReadOnlyList<string>> PlanOf(string sql, object parameters)
    {
        await app.ClientFor("resident");
        await using var connection = await app.Service<Database>().OpenReadAsync();
        return (await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters))
            .Select(row => row.Detail).ToList();
    }

    /// <summary>
    /// The page's rows come from <paramref name="seek"/>; no table is scanned and nothing is sorted
    /// (Dapper writes an empty IN list as a subquery over no row: a "SCAN CONSTANT ROW" reads no table).
    /// </summary>
    private static void AssertSeeksWithoutSorting(IReadOnlyList<string> plan, string seek)
    {
        Assert.StartsWith(seek, plan[0]);
        Assert.DoesNotContain(plan, step => (step.StartsWith("SCAN", StringComparison.Ordinal) && step != "SCAN CONSTANT ROW") || step.Contains("TEMP B-TREE"));
    }

    private static readonly CommunityAccess Resident = new(userId: 5, communityId: 1, streetId: 1, [(Roles.Resident, 7L)]);

    [Fact]
    public async Task TheFirstFeedPageSeeksTheFeedIndex() =>
        AssertSeeksWithoutSorting(await PlanOf(HallFeed.FeedFirstSql, new { communityId = 1, userId = 0, take = 21 }),
            "SEARCH t USING INDEX ix_threads_feed (community_id=?)");

    [Fact]
    public async Task AThreadPageIsPrimaryKeyLookUps()
    {
        var plan = await PlanOf(ThreadStore.DetailSql, new { threadId = 1, userId = 5 });
        AssertSeeksWithoutSorting(plan, "SEARCH t USING INTEGER PRIMARY KEY (rowid=?)");
        Assert.All(plan.Where(step => step.StartsWith("SEARCH", StringComparison.Ordinal)),
            step => Assert.Matches("PRIMARY KEY|USING (COVERING )?INDEX", step));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheRepairListSeeksItsIndexFromTheCursorForResidentsAndStaff(bool staff)
    {
        var access = staff ? new CommunityAccess(3, 1, 1, [(Roles.PropertyStaff, null)]) : Resident;
        var parameters = RepairQueries.ReaderOf(access,
            new { state = (string?)null, mine = false, assignedToMe = false, before = 5_000L, take = 21 });
        AssertSeeksWithoutSorting(await PlanOf(RepairStore.ListSql, parameters),
            "SEARCH t USING INDEX ix_repair_tickets_list (community_id=? AND id<?)");
    }

    [Fact]
    public async Task TheCaseQueueSeeksItsIndexFromTheCursor()
    {
        var reader = new CaseReader(1, ["key-of-the-caller"], SeesAll: false, Bodies: [Bodies.Property]);
        var parameters = reader.With(new { responsibleBody = Bodies.Property, state = (string?)"open", after = 0L, take = 21 });
        AssertSeeksWithoutSorting(await PlanOf(CaseStore.QueueSql, parameters), "SEARCH c USING INDEX ix_cases_community (community_id=? AND id>?)");
    }

    [Fact]
    public async Task TheInboxSeeksTheRecipientsIndexFromTheCursor() =>
        AssertSeeksWithoutSorting(await PlanOf(InboxStore.ListSql, new { recipientKeys = new[] { "named-key" }, before = 5_000L, take = 21 }),
            "SEARCH notifications USING INDEX ix_notifications_recipient (recipient_key=? AND id<?)");

    [Fact]
    public async Task ABallotsLiveTallyReadsItsBallotAndItsRunningTotalsByPrimaryKey()
    {
        AssertSeeksWithoutSorting(await PlanOf(BallotQueries.FindSql, new { ballotId = 1, communityId = 1 }),
            "SEARCH b USING INTEGER PRIMARY KEY (rowid=?)");
        AssertSeeksWithoutSorting(await PlanOf(BallotQueries.RunningTallySql, new { Id = 1 }),
            "SEARCH ballot_totals USING INDEX sqlite_autoindex_ballot_totals_1 (ballot_id=?)");
    }

    [Fact]
    public async Task TheFeedMarksOfACallerAreLookUpsOnTheirPrimaryKeys()
    {
        var plan = await PlanOf(FeedFirstPage.MarksSql, new { userId = 5, ids = new[] { 1L, 2L, 3L } });
        Assert.All(plan.Where(step => step.StartsWith("SEARCH", StringComparison.Ordinal) || step.StartsWith("SCAN", StringComparison.Ordinal)),
            step => Assert.Matches(@"^SEARCH (thread_supports|thread_follows) USING (COVERING )?INDEX sqlite_autoindex_thread_(supports|follows)_1 \(thread_id=\? AND user_id=\?\)", step));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task AChatMessageReadsOnlyTheUnitsItNamesAndTheResidentsOwn(int named)
    {
        var numbers = new[] { "301", "1202" }.Take(named).ToArray();
        // Not the community's whole register (10,000 units in the load benchmark's community).
        var plan = await PlanOf(Api.Features.Conversations.ConversationStore.PlacesSql, new { communityId = 1, numbers, homeUnitId = 7 });
        Assert.DoesNotContain(plan, step => (step.StartsWith("SCAN", StringComparison.Ordinal) && step != "SCAN CONSTANT ROW") || step.Contains("TEMP B-TREE"));
        Assert.Contains(plan, step => step.StartsWith("SEARCH u USING INTEGER PRIMARY KEY (rowid=?)", StringComparison.Ordinal));
        if (numbers.Length > 0)
        {
            Assert.Contains(plan, step => step.StartsWith("SEARCH u USING COVERING INDEX sqlite_autoindex_units_1 (building_id=? AND number=?)", StringComparison.Ordinal));
        }
    }
}
