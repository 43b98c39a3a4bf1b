using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>An owner's online vote, appended to the ballot's chain, and their receipt.</summary>
public sealed class VoteStore(Database database, TimeProvider time)
{
    /// <summary>
    /// Casts the vote of the voting owner the caller speaks for (a unit of work): 404, then 403 (not an
    /// owner on the snapshot in scope, or not for that voting owner), 400 (several voting owners and none
    /// named), then 409 (not open, already voted, a paper ballot pending).
    /// </summary>
    public async Task<Outcome<VoteReceipt>> CastAsync(DbConnection connection, DbTransaction transaction, long ballotId, CommunityAccess access,
        string choice, long? votingOwnerId)
    {
        var ballot = await BallotQueries.FindAsync(connection, transaction, ballotId, access.CommunityId);
        if (ballot is null)
        {
            return Failure.NotFound("Ballot");
        }
        var mine = await BallotQueries.OwnersOfUserAsync(connection, transaction, ballotId, access.UserId);
        if (mine.Count == 0)
        {
            return Failure.Forbidden("Only owners on this ballot's register snapshot, in its scope, vote on it.");
        }
        if (votingOwnerId is { } chosen && !mine.Contains(chosen))
        {
            return Failure.Forbidden("You do not speak for this voting owner on this ballot.");
        }
        if (votingOwnerId is null && mine.Count > 1)
        {
            return Failure.Invalid("Your keys belong to several voting owners of this ballot: name one (votingOwnerId).",
                $"votingOwnerId: one of {string.Join(", ", mine)}.");
        }
        var now = time.GetUtcNow();
        if (!ballot.TakesVotesAt(now))
        {
            return Failure.Conflict(ballot.StatusAt(now) == BallotStatuses.Scheduled ? "This ballot is not open yet." : "This ballot is closed.");
        }
        var owner = await BallotQueries.VotingOwnerAsync(connection, transaction, votingOwnerId ?? mine[0]);
        if (await BallotQueries.HasEntryAsync(connection, transaction, ballotId, owner.VoterToken))
        {
            return Failure.Conflict("This voting owner has already voted on this ballot (one vote per voting owner: co-owners and several units vote once).");
        }
        if (await BallotQueries.HasPendingPaperAsync(connection, transaction, ballotId, owner.Id))
        {
            return Failure.Conflict("A paper ballot of this voting owner waits for confirmation: it cannot also vote online.");
        }
        var entry = await BallotQueries.AppendAsync(connection, transaction, ballotId, owner, choice, now, "online", access.UserId, null);
        return entry.Failed ? entry.Failure! : new VoteReceipt(LedgerEntry.Of(entry.Value!));
    }

    /// <summary>The voting owners of the ballot the user speaks for.</summary>
    public async Task<IReadOnlyList<long>> OwnersOfUserAsync(long ballotId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return await BallotQueries.OwnersOfUserAsync(connection, null, ballotId, userId);
    }

    /// <summary>The receipt of a voting owner: its entry in the chain, or null when it has not voted.</summary>
    public async Task<LedgerEntry?> ReceiptAsync(long ballotId, long votingOwnerId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<BallotQueries.EntryRow>(
            """
            SELECT e.seq AS Seq, e.voter_token AS VoterToken, e.choice AS Choice, e.cast_at AS CastAt, e.prev_hash AS PrevHash, e.hash AS Hash
            FROM ballot_entries e JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
            WHERE e.ballot_id = @ballotId AND o.id = @votingOwnerId;
            """, new { ballotId, votingOwnerId });
        return row is null ? null : LedgerEntry.Of(row.ToEntry());
    }
}
