using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Http;
using Dapper;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>The position of a ledger page: the last seq shown.</summary>
public sealed record SeqCursor(long Seq) : IPageCursor<SeqCursor>
{
    public IEnumerable<object> Parts => [Seq];

    public static SeqCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 1 && CursorPart.Id(parts[0]) is { } seq ? new SeqCursor(seq) : null;
}

/// <summary>What the chain says: the tally, the public ledger, its verification, and the named record for the archive.</summary>
public sealed class LedgerStore(Database database, TimeProvider time)
{
    /// <summary>The live tally from the running totals while open; the frozen one once the job has closed the ballot.</summary>
    public async Task<BallotTally?> TallyAsync(long ballotId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var ballot = await BallotQueries.FindAsync(connection, null, ballotId, communityId);
        if (ballot is null)
        {
            return null;
        }
        var frozen = ballot.Frozen;
        var counts = frozen ?? await BallotQueries.RunningTallyAsync(connection, ballot);
        return BallotTally.Of(ballot.Id, ballot.StatusAt(time.GetUtcNow()), ballot.Rule, counts, frozen is not null);
    }

    /// <summary>Entries by seq after <paramref name="afterSeq"/>, or null when the ballot is not the community's.</summary>
    public async Task<IReadOnlyList<LedgerEntry>?> LedgerAsync(long ballotId, long communityId, long? afterSeq, int take)
    {
        await using var connection = await database.OpenReadAsync();
        if (await BallotQueries.FindAsync(connection, null, ballotId, communityId) is null)
        {
            return null;
        }
        return (await connection.QueryAsync<BallotQueries.EntryRow>(
            $"""
             SELECT {BallotQueries.EntryColumns} FROM ballot_entries
             WHERE ballot_id = @ballotId AND (@afterSeq IS NULL OR seq > @afterSeq)
             ORDER BY seq LIMIT @take;
             """, new { ballotId, afterSeq, take })).Select(r => LedgerEntry.Of(r.ToEntry())).ToList();
    }

    /// <summary>Recomputes the whole chain (and, once closed, compares its head with the one published at closing).</summary>
    public async Task<BallotVerification?> VerifyAsync(long ballotId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await VerifyAsync(connection, ballotId, communityId);
    }

    /// <summary>The same check on any connection (portable SQL: the moved PostgreSQL copy is verified with it, issue 19).</summary>
    internal static async Task<BallotVerification?> VerifyAsync(System.Data.Common.DbConnection connection, long ballotId, long communityId)
    {
        var ballot = await BallotQueries.FindAsync(connection, null, ballotId, communityId);
        if (ballot is null)
        {
            return null;
        }
        var check = BallotChain.Verify(await BallotQueries.ChainAsync(connection, null, ballotId));
        return new BallotVerification(check.Valid, check.Entries, check.Head, check.FirstInvalidSeq, ballot.HeadHash,
            ballot.HeadHash is null ? null : check.Head == ballot.HeadHash);
    }

    public static readonly IReadOnlyList<string> RecordHeader = ["seq", "votingOwnerId", "ownerKeys", "units", "area", "choice", "channel", "castAt"];

    /// <summary>The named record for the legal archive (owner keys, units, choice, online or paper, time), by seq; null when not the community's.</summary>
    public async Task<byte[]?> RecordCsvAsync(long ballotId, long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var ballot = await BallotQueries.FindAsync(connection, null, ballotId, communityId);
        if (ballot is null)
        {
            return null;
        }
        var rows = await connection.QueryAsync<(long Seq, long VotingOwnerId, string OwnerSet, long Area, string Choice, DateTimeOffset CastAt, string Channel)>(
            """
            SELECT e.seq, o.id, o.owner_set, o.area_centi_sq_m, e.choice, e.cast_at, c.channel
            FROM ballot_entries e
            JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
            LEFT JOIN ballot_casts c ON c.ballot_id = e.ballot_id AND c.ballot_owner_id = o.id
            WHERE e.ballot_id = @ballotId
            ORDER BY e.seq;
            """, new { ballotId });
        var units = (await connection.QueryAsync<(string OwnerSet, string Building, string Unit)>(
            """
            SELECT r.owner_set, r.building, r.unit
            FROM ballot_entries e
            JOIN ballot_owners o ON o.ballot_id = e.ballot_id AND o.voter_token = e.voter_token
            JOIN owners_register_units r ON r.version_id = @RegisterVersionId AND r.owner_set = o.owner_set
                                        AND (@BuildingNumber IS NULL OR r.building = @BuildingNumber)
            WHERE e.ballot_id = @Id
            ORDER BY r.building, r.unit;
            """, new { ballot.Id, ballot.RegisterVersionId, ballot.BuildingNumber })).ToLookup(u => u.OwnerSet, u => $"{u.Building}号楼{u.Unit}");
        return CsvFiles.Write(RecordHeader, rows.Select(r => new string?[]
        {
            r.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), r.VotingOwnerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.OwnerSet.Replace(";", " "), string.Join(" ", units[r.OwnerSet]),
            BallotTally.SquareMetres(r.Area).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), r.Choice, r.Channel ?? "",
            BallotChain.FormatTime(r.CastAt),
        }));
    }
}
