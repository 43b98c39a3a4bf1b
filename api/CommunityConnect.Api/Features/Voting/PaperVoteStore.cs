using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>
/// Paper ballots with four eyes: one owners' committee member enters an owner's signed paper ballot
/// with its photo (pending), a second member confirms it (it enters the chain and counts) or rejects
/// it with a reason. The member who entered it can do neither.
/// </summary>
public sealed class PaperVoteStore(Database database, TimeProvider time)
{
    public const string PhotoKind = "ballot-papers";

    private sealed class Row
    {
        public long Id { get; init; }
        public long BallotId { get; init; }
        public long CommunityId { get; init; }
        public long BallotOwnerId { get; init; }
        public string OwnerKey { get; init; } = "";
        public string Choice { get; init; } = "";
        public string PhotoFile { get; init; } = "";
        public string PhotoType { get; init; } = "";
        public string State { get; init; } = "";
        public long EnteredBy { get; init; }
        public DateTimeOffset EnteredAt { get; init; }
        public long? DecidedBy { get; init; }
        public DateTimeOffset? DecidedAt { get; init; }
        public string? Reason { get; init; }
        public long? Seq { get; init; }

        public PaperVote ToPaperVote() => new(Id, BallotId, BallotOwnerId, OwnerKey, Choice, State, EnteredBy, EnteredAt, DecidedBy, DecidedAt,
            Reason, Seq, PhotoUrl(Id));
    }

    public static string PhotoUrl(long paperVoteId) => $"/v1/paper-votes/{paperVoteId}/photo";

    private const string Columns =
        """
        p.id AS Id, p.ballot_id AS BallotId, b.community_id AS CommunityId, p.ballot_owner_id AS BallotOwnerId, p.owner_key AS OwnerKey,
        p.choice AS Choice, p.photo_file AS PhotoFile, p.photo_type AS PhotoType, p.state AS State, p.entered_by AS EnteredBy,
        p.entered_at AS EnteredAt, p.decided_by AS DecidedBy, p.decided_at AS DecidedAt, p.reason AS Reason, p.seq AS Seq
        FROM paper_votes p JOIN ballots b ON b.id = p.ballot_id
        """;

    private static Task<Row?> FindAsync(DbConnection connection, DbTransaction? transaction, long paperVoteId, long communityId) =>
        connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} WHERE p.id = @paperVoteId AND b.community_id = @communityId;",
            new { paperVoteId, communityId }, transaction);

    /// <summary>The paper ballot's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long paperVoteId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT b.community_id FROM paper_votes p JOIN ballots b ON b.id = p.ballot_id WHERE p.id = @paperVoteId;", new { paperVoteId });
    }

    /// <summary>
    /// Enters a paper ballot (a unit of work, after its photo is saved): 404, 400 (a key not on this
    /// ballot, or on several of its voting owners with none named), 409 (not open, the owner has voted
    /// or has a paper ballot already).
    /// </summary>
    public async Task<Outcome<PaperVote>> EnterAsync(DbConnection connection, DbTransaction transaction, long ballotId, CommunityAccess access,
        string ownerKey, string choice, long? votingOwnerId, string photoFile, string photoType)
    {
        var ballot = await BallotQueries.FindAsync(connection, transaction, ballotId, access.CommunityId);
        if (ballot is null)
        {
            return Failure.NotFound("Ballot");
        }
        var owners = await BallotQueries.OwnersOfKeyAsync(connection, transaction, ballotId, ownerKey);
        if (owners.Count == 0 || (votingOwnerId is { } named && !owners.Contains(named)))
        {
            return Failure.Invalid("ownerKey is not an owner key of this ballot's register snapshot in its scope (or not of that voting owner).");
        }
        if (votingOwnerId is null && owners.Count > 1)
        {
            return Failure.Invalid("This owner key belongs to several voting owners of this ballot: name one (votingOwnerId).",
                $"votingOwnerId: one of {string.Join(", ", owners)}.");
        }
        var now = time.GetUtcNow();
        if (!ballot.TakesVotesAt(now))
        {
            return Failure.Conflict(ballot.StatusAt(now) == BallotStatuses.Scheduled ? "This ballot is not open yet." : "This ballot is closed.");
        }
        var owner = await BallotQueries.VotingOwnerAsync(connection, transaction, votingOwnerId ?? owners[0]);
        if (await BallotQueries.HasEntryAsync(connection, transaction, ballotId, owner.VoterToken))
        {
            return Failure.Conflict("This voting owner has already voted on this ballot: a paper ballot cannot be entered for it.");
        }
        var id = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO paper_votes (ballot_id, ballot_owner_id, owner_key, choice, photo_file, photo_type, entered_by, entered_at)
            VALUES (@ballotId, @ownerId, @ownerKey, @choice, @photoFile, @photoType, @UserId, @now)
            ON CONFLICT (ballot_id, ballot_owner_id) WHERE state IN ('pending', 'confirmed') DO NOTHING
            RETURNING id;
            """, new { ballotId, ownerId = owner.Id, ownerKey, choice, photoFile, photoType, access.UserId, now }, transaction);
        if (id is null)
        {
            return Failure.Conflict("A paper ballot of this voting owner is already entered.");
        }
        return (await FindAsync(connection, transaction, id.Value, access.CommunityId))!.ToPaperVote();
    }

    /// <summary>
    /// The second member's decision (a unit of work): 404, 403 (the member who entered it), 409 (not
    /// pending, or the ballot no longer takes votes). Confirming appends the vote to the chain.
    /// </summary>
    public async Task<Outcome<PaperVote>> DecideAsync(DbConnection connection, DbTransaction transaction, long paperVoteId, CommunityAccess access,
        bool confirm, string? reason)
    {
        var paper = await FindAsync(connection, transaction, paperVoteId, access.CommunityId);
        if (paper is null)
        {
            return Failure.NotFound("Paper ballot");
        }
        if (paper.EnteredBy == access.UserId)
        {
            return Failure.Forbidden("Four eyes: the member who entered a paper ballot cannot confirm or reject it; a second member does.");
        }
        var now = time.GetUtcNow();
        var to = confirm ? PaperVoteStates.Confirmed : PaperVoteStates.Rejected;
        var moved = await connection.ExecuteAsync(
            """
            UPDATE paper_votes SET state = @to, decided_by = @UserId, decided_at = @now, reason = @reason
            WHERE id = @paperVoteId AND state = 'pending';
            """, new { to, access.UserId, now, reason, paperVoteId }, transaction);
        if (moved != 1)
        {
            return Failure.Conflict($"This paper ballot is {paper.State}, not pending.");
        }
        if (confirm)
        {
            var ballot = (await BallotQueries.FindAsync(connection, transaction, paper.BallotId, access.CommunityId))!;
            if (!ballot.TakesVotesAt(now))
            {
                return Failure.Conflict("This ballot is closed: the paper ballot can no longer be counted.");
            }
            var owner = await BallotQueries.VotingOwnerAsync(connection, transaction, paper.BallotOwnerId);
            if (await BallotQueries.HasEntryAsync(connection, transaction, paper.BallotId, owner.VoterToken))
            {
                return Failure.Conflict("This voting owner has already voted on this ballot.");
            }
            var appended = await BallotQueries.AppendAsync(connection, transaction, paper.BallotId, owner, paper.Choice, now, "paper", access.UserId, paperVoteId);
            if (appended.Failed)
            {
                return appended.Failure!;
            }
            var entry = appended.Value!;
            await connection.ExecuteAsync("UPDATE paper_votes SET seq = @Seq WHERE id = @paperVoteId AND state = 'confirmed';",
                new { entry.Seq, paperVoteId }, transaction);
        }
        return (await FindAsync(connection, transaction, paperVoteId, access.CommunityId))!.ToPaperVote();
    }

    /// <summary>The paper ballots of a ballot, oldest first (the cursor is the id).</summary>
    public async Task<IReadOnlyList<PaperVote>> ListAsync(long ballotId, long communityId, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<Row>(
            $"""
             SELECT {Columns}
             WHERE p.ballot_id = @ballotId AND b.community_id = @communityId AND (@afterId IS NULL OR p.id > @afterId)
             ORDER BY p.id LIMIT @take;
             """, new { ballotId, communityId, afterId, take })).Select(r => r.ToPaperVote()).ToList();
    }

    /// <summary>The stored photo of a paper ballot of the community: (file, type), or null.</summary>
    public async Task<(string File, string Type)?> PhotoAsync(long paperVoteId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await FindAsync(connection, null, paperVoteId, communityId);
        return row is null ? null : (row.PhotoFile, row.PhotoType);
    }
}
