using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>The SQL that several voting use cases share: a ballot's row, who speaks for which voting owner, the chain's end.</summary>
internal static class BallotQueries
{
    internal sealed class Row
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Title { get; init; } = "";
        public string Description { get; init; } = "";
        public string Matter { get; init; } = "";
        public string Rule { get; init; } = "";
        public long? BuildingId { get; init; }
        public string? BuildingNumber { get; init; }
        public long RegisterVersionId { get; init; }
        public long EligibleOwners { get; init; }
        public long EligibleAreaCentiSqM { get; init; }
        public DateTimeOffset OpensAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string State { get; init; } = "";
        public long CreatedBy { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RemindedAt { get; init; }
        public DateTimeOffset? ClosedAt { get; init; }
        public long? YesOwners { get; init; }
        public long? YesAreaCentiSqM { get; init; }
        public long? NoOwners { get; init; }
        public long? NoAreaCentiSqM { get; init; }
        public long? AbstainOwners { get; init; }
        public long? AbstainAreaCentiSqM { get; init; }
        public bool? Approved { get; init; }
        public string? HeadHash { get; init; }

        public string StatusAt(DateTimeOffset now) => BallotStates.StatusAt(State, OpensAt, ClosesAt, now);

        public bool TakesVotesAt(DateTimeOffset now) => BallotStates.TakesVotes(State, OpensAt, ClosesAt, now);

        public Count Eligible => new(EligibleOwners, EligibleAreaCentiSqM);

        /// <summary>The tally frozen at closing, or null while open.</summary>
        public TallyCounts? Frozen => State == BallotStates.Closed
            ? new TallyCounts(Eligible, new Count(YesOwners ?? 0, YesAreaCentiSqM ?? 0), new Count(NoOwners ?? 0, NoAreaCentiSqM ?? 0),
                new Count(AbstainOwners ?? 0, AbstainAreaCentiSqM ?? 0))
            : null;
    }

    internal const string Columns =
        """
        b.id AS Id, b.community_id AS CommunityId, b.title AS Title, b.description AS Description, b.matter AS Matter, b.rule AS Rule,
        b.building_id AS BuildingId, b.building_number AS BuildingNumber, b.register_version_id AS RegisterVersionId,
        b.eligible_owners AS EligibleOwners, b.eligible_area_centi_sq_m AS EligibleAreaCentiSqM, b.opens_at AS OpensAt, b.closes_at AS ClosesAt,
        b.state AS State, b.created_by AS CreatedBy, b.created_at AS CreatedAt, b.reminded_at AS RemindedAt, b.closed_at AS ClosedAt,
        b.yes_owners AS YesOwners, b.yes_area_centi_sq_m AS YesAreaCentiSqM, b.no_owners AS NoOwners, b.no_area_centi_sq_m AS NoAreaCentiSqM,
        b.abstain_owners AS AbstainOwners, b.abstain_area_centi_sq_m AS AbstainAreaCentiSqM, b.approved AS Approved, b.head_hash AS HeadHash
        FROM ballots b
        """;

    internal const string FindSql = $"SELECT {Columns} WHERE b.id = @ballotId AND b.community_id = @communityId;";

    /// <summary>A ballot of a community; a ballot of another community is not found.</summary>
    internal static Task<Row?> FindAsync(DbConnection connection, DbTransaction? transaction, long ballotId, long communityId) =>
        connection.QuerySingleOrDefaultAsync<Row>(FindSql, new { ballotId, communityId }, transaction);

    /// <summary>
    /// The one rule of who speaks for a voting owner: a verified owner of the community holding an owner
    /// key that the ballot's register version puts on a unit whose owner set is a voting owner of the
    /// ballot (in its scope). A co-owner speaks for the unit's owner set; an owner of several units for
    /// their one owner set. Parameters: @ballotId; filter the result by user or by voting owner.
    /// </summary>
    internal const string Speakers =
        """
        SELECT DISTINCT m.user_id AS UserId, o.id AS VotingOwnerId
        FROM ballots b
        JOIN memberships m ON m.community_id = b.community_id AND m.role = 'owner' AND m.verification = 'verified' AND m.owner_key IS NOT NULL
        JOIN owners_register_keys k ON k.version_id = b.register_version_id AND k.owner_key = m.owner_key
        JOIN owners_register_units r ON r.version_id = k.version_id AND r.building = k.building AND r.unit = k.unit
        JOIN ballot_owners o ON o.ballot_id = b.id AND o.owner_set = r.owner_set
        WHERE b.id = @ballotId
        """;

    /// <summary>The voting owners of the ballot the user speaks for (ids, lowest first).</summary>
    internal static async Task<IReadOnlyList<long>> OwnersOfUserAsync(DbConnection connection, DbTransaction? transaction, long ballotId, long userId) =>
        (await connection.QueryAsync<long>(
            $"SELECT s.VotingOwnerId FROM ({Speakers}) s WHERE s.UserId = @userId ORDER BY s.VotingOwnerId;", new { ballotId, userId }, transaction)).ToList();

    /// <summary>The voting owners of the ballot a register owner key belongs to (ids, lowest first), as a paper ballot names its owner.</summary>
    internal static async Task<IReadOnlyList<long>> OwnersOfKeyAsync(DbConnection connection, DbTransaction? transaction, long ballotId, string ownerKey) =>
        (await connection.QueryAsync<long>(
            """
            SELECT DISTINCT o.id
            FROM ballots b
            JOIN owners_register_keys k ON k.version_id = b.register_version_id AND k.owner_key = @ownerKey
            JOIN owners_register_units r ON r.version_id = k.version_id AND r.building = k.building AND r.unit = k.unit
            JOIN ballot_owners o ON o.ballot_id = b.id AND o.owner_set = r.owner_set
            WHERE b.id = @ballotId
            ORDER BY o.id;
            """, new { ballotId, ownerKey }, transaction)).ToList();

    internal sealed record VotingOwnerRow(long Id, string OwnerSet, string VoterToken, long Units, long AreaCentiSqM);

    internal static Task<VotingOwnerRow> VotingOwnerAsync(DbConnection connection, DbTransaction? transaction, long votingOwnerId) =>
        connection.QuerySingleAsync<VotingOwnerRow>(
            "SELECT id AS Id, owner_set AS OwnerSet, voter_token AS VoterToken, units AS Units, area_centi_sq_m AS AreaCentiSqM FROM ballot_owners WHERE id = @votingOwnerId;",
            new { votingOwnerId }, transaction);

    /// <summary>The units of a voting owner in the ballot's scope, as "3号楼502" labels.</summary>
    internal static async Task<IReadOnlyList<string>> UnitsAsync(DbConnection connection, DbTransaction? transaction, Row ballot, string ownerSet) =>
        (await connection.QueryAsync<(string Building, string Unit)>(
            """
            SELECT building, unit FROM owners_register_units
            WHERE version_id = @RegisterVersionId AND owner_set = @ownerSet AND (@BuildingNumber IS NULL OR building = @BuildingNumber)
            ORDER BY building, unit;
            """, new { ballot.RegisterVersionId, ownerSet, ballot.BuildingNumber }, transaction)).Select(u => $"{u.Building}号楼{u.Unit}").ToList();

    internal const string EntryColumns =
        "seq AS Seq, voter_token AS VoterToken, choice AS Choice, cast_at AS CastAt, prev_hash AS PrevHash, hash AS Hash";

    internal sealed class EntryRow
    {
        public long Seq { get; init; }
        public string VoterToken { get; init; } = "";
        public string Choice { get; init; } = "";
        public DateTimeOffset CastAt { get; init; }
        public string PrevHash { get; init; } = "";
        public string Hash { get; init; } = "";

        public ChainEntry ToEntry() => new(Seq, VoterToken, Choice, CastAt, PrevHash, Hash);
    }

    /// <summary>Whether the voting owner has an entry in the chain (voted online or a confirmed paper ballot).</summary>
    internal static Task<bool> HasEntryAsync(DbConnection connection, DbTransaction? transaction, long ballotId, string voterToken) =>
        connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM ballot_entries WHERE ballot_id = @ballotId AND voter_token = @voterToken);", new { ballotId, voterToken }, transaction);

    /// <summary>Whether a paper ballot for the voting owner waits for its second member.</summary>
    internal static Task<bool> HasPendingPaperAsync(DbConnection connection, DbTransaction? transaction, long ballotId, long votingOwnerId) =>
        connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM paper_votes WHERE ballot_id = @ballotId AND ballot_owner_id = @votingOwnerId AND state = 'pending');",
            new { ballotId, votingOwnerId }, transaction);

    /// <summary>
    /// Appends a vote to the chain and records who cast it; a 409, and nothing written, when the ballot no
    /// longer takes votes or the voting owner has voted. The chain needs its appends one after another,
    /// whatever the number of writers: the first statement is a guarded UPDATE of the ballot row that
    /// names the state it expects (open, inside its voting period). On PostgreSQL it holds the row until
    /// commit, so a second append (or the closing job) waits, then finds the owner's vote or the chain's
    /// new head; on SQLite the single writer already orders them. (ballot_id, seq) and
    /// (ballot_id, voter_token) stay the last line against a forked chain or a second vote.
    /// </summary>
    internal static async Task<Outcome<ChainEntry>> AppendAsync(DbConnection connection, DbTransaction transaction, long ballotId,
        VotingOwnerRow owner, string choice, DateTimeOffset now, string channel, long castBy, long? paperVoteId)
    {
        if (await connection.ExecuteAsync(
                "UPDATE ballots SET state = state WHERE id = @ballotId AND state = 'open' AND opens_at <= @now AND closes_at > @now;",
                new { ballotId, now }, transaction) != 1)
        {
            return Failure.Conflict("This ballot is closed.");
        }
        if (await HasEntryAsync(connection, transaction, ballotId, owner.VoterToken))
        {
            return Failure.Conflict("This voting owner has already voted on this ballot.");
        }
        var last = await connection.QuerySingleOrDefaultAsync<EntryRow>(
            $"SELECT {EntryColumns} FROM ballot_entries WHERE ballot_id = @ballotId ORDER BY seq DESC LIMIT 1;", new { ballotId }, transaction);
        var entry = BallotChain.Next(last?.ToEntry(), owner.VoterToken, choice, now);
        await connection.ExecuteAsync(
            """
            INSERT INTO ballot_entries (ballot_id, seq, voter_token, choice, cast_at, prev_hash, hash)
            VALUES (@ballotId, @Seq, @VoterToken, @Choice, @CastAt, @PrevHash, @Hash);
            INSERT INTO ballot_casts (ballot_id, ballot_owner_id, seq, channel, cast_by, paper_vote_id)
            VALUES (@ballotId, @ownerId, @Seq, @channel, @castBy, @paperVoteId);
            INSERT INTO ballot_totals (ballot_id, choice, owners, area_centi_sq_m)
            VALUES (@ballotId, @Choice, 1, @area)
            ON CONFLICT (ballot_id, choice) DO UPDATE SET owners = ballot_totals.owners + 1, area_centi_sq_m = ballot_totals.area_centi_sq_m + excluded.area_centi_sq_m;
            """, new
            {
                ballotId, entry.Seq, entry.VoterToken, entry.Choice, entry.CastAt, entry.PrevHash, entry.Hash, ownerId = owner.Id, channel, castBy,
                paperVoteId, area = owner.AreaCentiSqM,
            },
            transaction);
        return entry;
    }

    internal const string RunningTallySql = "SELECT choice, owners, area_centi_sq_m FROM ballot_totals WHERE ballot_id = @Id;";

    /// <summary>
    /// The live tally: the running totals that every append adds to (three rows, whatever the turnout).
    /// </summary>
    internal static async Task<TallyCounts> RunningTallyAsync(DbConnection connection, Row ballot)
    {
        var rows = (await connection.QueryAsync<(string Choice, long Owners, long Area)>(RunningTallySql, new { ballot.Id }))
            .ToDictionary(r => r.Choice, r => new Count(r.Owners, r.Area));
        return new TallyCounts(ballot.Eligible, rows.GetValueOrDefault(VoteChoices.Yes), rows.GetValueOrDefault(VoteChoices.No),
            rows.GetValueOrDefault(VoteChoices.Abstain));
    }

    /// <summary>
    /// The tally recounted from the chain, each entry's voting owner found by its token with its area:
    /// what the closing job freezes, so the decision rests on the chain itself and not on the running totals.
    /// </summary>
    internal static async Task<TallyCounts> ChainTallyAsync(DbConnection connection, DbTransaction? transaction, Row ballot)
    {
        var rows = (await connection.QueryAsync<(string Choice, long Owners, long Area)>(
            """
            SELECT e.choice, COUNT(*), COALESCE(SUM(o.area_centi_sq_m), 0)
            FROM ballot_entries e
            JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
            WHERE e.ballot_id = @Id
            GROUP BY e.choice;
            """, new { ballot.Id }, transaction)).ToDictionary(r => r.Choice, r => new Count(r.Owners, r.Area));
        return new TallyCounts(ballot.Eligible, rows.GetValueOrDefault(VoteChoices.Yes), rows.GetValueOrDefault(VoteChoices.No),
            rows.GetValueOrDefault(VoteChoices.Abstain));
    }

    internal static async Task<IReadOnlyList<ChainEntry>> ChainAsync(DbConnection connection, DbTransaction? transaction, long ballotId) =>
        (await connection.QueryAsync<EntryRow>($"SELECT {EntryColumns} FROM ballot_entries WHERE ballot_id = @ballotId ORDER BY seq;",
            new { ballotId }, transaction)).Select(r => r.ToEntry()).ToList();
}
