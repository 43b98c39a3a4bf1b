using System.Globalization;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.Voting;
using Dapper;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>The reminder 24 hours before closing and the closing itself, for <see cref="CloseDueBallotsJob"/>.</summary>
public sealed class BallotClosing(Database database, Inbox.Inbox inbox, TimeProvider time) : IBallotClosing
{
    public static readonly TimeSpan ReminderBefore = TimeSpan.FromHours(24);

    public async Task<IReadOnlyList<long>> RemindersDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var now = time.GetUtcNow();
        return (await connection.QueryAsync<long>(
            """
            SELECT id FROM ballots
            WHERE state = 'open' AND reminded_at IS NULL AND opens_at <= @now AND closes_at > @now AND closes_at <= @horizon
            ORDER BY closes_at;
            """, new { now, horizon = now + ReminderBefore })).ToList();
    }

    /// <summary>Marks the reminder sent (guarded, so once) and tells every owner who speaks for a voting owner that has not voted.</summary>
    public Task<bool> RemindAsync(long ballotId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var marked = await connection.ExecuteAsync(
                """
                UPDATE ballots SET reminded_at = @now
                WHERE id = @ballotId AND state = 'open' AND reminded_at IS NULL AND opens_at <= @now AND closes_at > @now AND closes_at <= @horizon;
                """, new { ballotId, now, horizon = now + ReminderBefore }, transaction);
            if (marked != 1)
            {
                return false;
            }
            var ballot = await connection.QuerySingleAsync<BallotQueries.Row>($"SELECT {BallotQueries.Columns} WHERE b.id = @ballotId;", new { ballotId }, transaction);
            var users = await connection.QueryAsync<long>(
                $"""
                 SELECT DISTINCT s.UserId FROM ({BallotQueries.Speakers}) s
                 JOIN ballot_owners o ON o.id = s.VotingOwnerId
                 WHERE NOT EXISTS (SELECT 1 FROM ballot_entries e WHERE e.ballot_id = o.ballot_id AND e.voter_token = o.voter_token)
                   AND NOT EXISTS (SELECT 1 FROM paper_votes p WHERE p.ballot_id = o.ballot_id AND p.ballot_owner_id = o.id AND p.state = 'pending')
                 ORDER BY s.UserId;
                 """, new { ballotId }, transaction);
            await inbox.NotifyUsersAsync(connection, transaction, users,
                new Notice("ballot_reminder", UserText.Cut($"表决即将截止:{ballot.Title}", 60),
                    $"表决将于{BallotStore.ShanghaiLabel(ballot.ClosesAt)}截止,您尚未投票。", ballot.CommunityId, "ballot", ballotId));
            return true;
        });

    public async Task<IReadOnlyList<long>> DueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            "SELECT id FROM ballots WHERE state = 'open' AND closes_at <= @now ORDER BY closes_at;", new { now = time.GetUtcNow() })).ToList();
    }

    /// <summary>
    /// Freezes the tally and the chain's head and publishes the result to every member of the scope,
    /// in one unit of work guarded by the state it expects, so two runs close and publish once.
    /// </summary>
    public Task<bool> CloseAsync(long ballotId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var ballot = await connection.QuerySingleOrDefaultAsync<BallotQueries.Row>(
                $"SELECT {BallotQueries.Columns} WHERE b.id = @ballotId AND b.state = 'open' AND b.closes_at <= @now;", new { ballotId, now }, transaction);
            if (ballot is null)
            {
                return false;
            }
            var counts = await BallotQueries.ChainTallyAsync(connection, transaction, ballot);
            var decision = Article278.Decide(ballot.Rule, counts);
            var chain = await BallotQueries.ChainAsync(connection, transaction, ballotId);
            var head = chain.Count == 0 ? BallotChain.Genesis : chain[^1].Hash;
            var closed = await connection.ExecuteAsync(
                """
                UPDATE ballots SET state = 'closed', closed_at = @now,
                    yes_owners = @yesOwners, yes_area_centi_sq_m = @yesArea, no_owners = @noOwners, no_area_centi_sq_m = @noArea,
                    abstain_owners = @abstainOwners, abstain_area_centi_sq_m = @abstainArea,
                    quorum_met = @QuorumMet, approved = @Approved, entries = @entries, head_hash = @head
                WHERE id = @ballotId AND state = 'open' AND closes_at <= @now;
                """, new
                {
                    now, yesOwners = counts.Yes.Owners, yesArea = counts.Yes.AreaCentiSqM, noOwners = counts.No.Owners, noArea = counts.No.AreaCentiSqM,
                    abstainOwners = counts.Abstain.Owners, abstainArea = counts.Abstain.AreaCentiSqM, decision.QuorumMet, decision.Approved,
                    entries = chain.Count, head, ballotId,
                }, transaction);
            if (closed != 1)
            {
                return false;
            }
            var tally = BallotTally.Of(ballotId, BallotStatuses.Closed, ballot.Rule, counts, true);
            var outcome = !decision.QuorumMet ? "参与未达法定人数和面积,未形成决定" : decision.Approved ? "表决通过" : "表决未通过";
            var body = string.Create(CultureInfo.InvariantCulture,
                $"{outcome}。参与{tally.ParticipatingOwners}/{tally.EligibleOwners}户、面积{tally.ParticipatingArea:0.00}/{tally.EligibleArea:0.00}㎡;" +
                $"同意{tally.YesOwners}户{tally.YesArea:0.00}㎡,反对{tally.NoOwners}户{tally.NoArea:0.00}㎡,弃权{tally.AbstainOwners}户{tally.AbstainArea:0.00}㎡。" +
                $"共{chain.Count}票,链尾哈希{head}。");
            await inbox.NotifyUsersAsync(connection, transaction, await BallotStore.ScopeMembersAsync(connection, transaction, ballot),
                new Notice("ballot_result", UserText.Cut($"表决结果:{ballot.Title}", 60), body, ballot.CommunityId, "ballot", ballotId));
            return true;
        });
}
