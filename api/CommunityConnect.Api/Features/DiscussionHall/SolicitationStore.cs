using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.DiscussionHall;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>Opinion solicitations (意见征集) close at their deadline; the summary is read with the thread (<see cref="ThreadStore"/>).</summary>
public sealed class SolicitationStore(Database database, Inbox.Inbox inbox, TimeProvider time) : IDueSolicitations
{
    /// <summary>
    /// The closing job's step: closes every open solicitation whose deadline has passed and tells
    /// its followers. Reads the table each time, so a second run finds nothing left to do.
    /// </summary>
    public Task<int> CloseDueAsync(CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var due = (await connection.QueryAsync<(long Id, long CommunityId, string Title)>(
                """
                SELECT id, community_id, title FROM threads
                WHERE kind = 'solicitation' AND state = 'open' AND deadline <= @now
                ORDER BY deadline, id;
                """, new { now }, transaction)).ToList();
            var closed = 0;
            foreach (var (threadId, communityId, title) in due)
            {
                if (await CloseAsync(connection, transaction, threadId, communityId, title))
                {
                    closed++;
                }
            }
            return closed;
        });

    /// <summary>
    /// Closes one solicitation read as open and due, then tells its followers. False, and nothing written,
    /// when it is no longer open (another run or node closed it first and told the followers).
    /// </summary>
    internal async Task<bool> CloseAsync(DbConnection connection, DbTransaction transaction, long threadId, long communityId, string title)
    {
        if (await connection.ExecuteAsync(
                "UPDATE threads SET state = 'closed', closed_at = deadline WHERE id = @threadId AND state = 'open';", new { threadId }, transaction) != 1)
        {
            return false;
        }
        await inbox.NotifyUsersAsync(connection, transaction, await ThreadStore.FollowersAsync(connection, transaction, threadId),
            new Notice("solicitation_closed", $"意见征集「{UserText.Cut(title, 20)}」已结束", "征集已截止,结果汇总已公布在帖子里。", communityId, "thread", threadId));
        return true;
    }
}
