using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>
/// Creating a ballot on a snapshot of the owners register, and reading ballots. The snapshot is the
/// register version current at creation (versions are never changed, only superseded) and the
/// ballot's voting owners: the version's units in scope grouped by identical owner set, with their
/// area, so a later import changes nothing about who may vote or how much each weighs.
/// </summary>
public sealed class BallotStore(Database database, VoterTokens tokens, Inbox.Inbox inbox, TimeProvider time)
{
    private sealed record SnapshotOwner(string OwnerSet, long Units, long AreaCentiSqM);

    private sealed record OwnerParameters(long BallotId, string OwnerSet, string VoterToken, long Units, long AreaCentiSqM);

    /// <summary>The ballot's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long ballotId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM ballots WHERE id = @ballotId;", new { ballotId });
    }

    /// <summary>Creates a ballot (a unit of work): 400 for a building of another community, 409 without a register or owners in scope.</summary>
    public async Task<Outcome<Ballot>> CreateAsync(DbConnection connection, DbTransaction transaction, CommunityAccess access,
        string title, string description, string matter, long? buildingId, DateTimeOffset opensAt, DateTimeOffset closesAt)
    {
        string? buildingNumber = null;
        if (buildingId is not null)
        {
            buildingNumber = await connection.ExecuteScalarAsync<string?>(
                "SELECT number FROM buildings WHERE id = @buildingId AND community_id = @CommunityId;", new { buildingId, access.CommunityId }, transaction);
            if (buildingNumber is null)
            {
                return Failure.Invalid("scope.buildingId is not a building of this community.");
            }
        }
        var versionId = await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM owners_register_versions WHERE community_id = @CommunityId AND state = 'current';", new { access.CommunityId }, transaction);
        if (versionId is null)
        {
            return Failure.Conflict("This community has no owners register yet: import one before opening a ballot.");
        }
        // Voting owners: units with identical owner sets are one (one person's several units, the developer's unsold units, a co-owned unit).
        var owners = (await connection.QueryAsync<SnapshotOwner>(
            """
            SELECT owner_set AS OwnerSet, COUNT(*) AS Units, SUM(area_centi_sq_m) AS AreaCentiSqM
            FROM owners_register_units
            WHERE version_id = @versionId AND (@buildingNumber IS NULL OR building = @buildingNumber)
            GROUP BY owner_set
            ORDER BY owner_set;
            """, new { versionId, buildingNumber }, transaction)).ToList();
        if (owners.Count == 0)
        {
            return Failure.Conflict("The owners register has no units in this scope.");
        }
        var now = time.GetUtcNow();
        var ballotId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO ballots (community_id, title, description, matter, rule, building_id, building_number, register_version_id,
                                 eligible_owners, eligible_area_centi_sq_m, opens_at, closes_at, created_by, created_at)
            VALUES (@CommunityId, @title, @description, @matter, @rule, @buildingId, @buildingNumber, @versionId,
                    @eligibleOwners, @eligibleArea, @opensAt, @closesAt, @UserId, @now)
            RETURNING id;
            """, new
            {
                access.CommunityId, title, description, matter, rule = Matters.RuleOf(matter), buildingId, buildingNumber, versionId,
                eligibleOwners = owners.Count, eligibleArea = owners.Sum(o => o.AreaCentiSqM), opensAt, closesAt, access.UserId, now,
            }, transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO ballot_owners (ballot_id, owner_set, voter_token, units, area_centi_sq_m)
            VALUES (@BallotId, @OwnerSet, @VoterToken, @Units, @AreaCentiSqM);
            """, owners.Select(o => new OwnerParameters(ballotId, o.OwnerSet, tokens.TokenFor(ballotId, o.OwnerSet), o.Units, o.AreaCentiSqM)), transaction);
        var row = (await BallotQueries.FindAsync(connection, transaction, ballotId, access.CommunityId))!;
        await inbox.NotifyUsersAsync(connection, transaction, await ScopeMembersAsync(connection, transaction, row),
            new Notice("ballot_opened", UserText.Cut($"业主表决:{title}", 60),
                $"表决时间至{ShanghaiLabel(closesAt)},请业主在线投票。", access.CommunityId, "ballot", ballotId));
        return await DetailAsync(connection, transaction, row, access.UserId);
    }

    /// <summary>A time as residents read it: Shanghai's wall clock.</summary>
    internal static string ShanghaiLabel(DateTimeOffset at) =>
        at.ToOffset(Jobs.ShanghaiTime.Offset).ToString("yyyy年M月d日 HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Every member of a ballot's scope: the whole community's verified members, or for one building the
    /// members of its units, the owners whose keys are on it, and the owners' committee that runs the vote.
    /// </summary>
    internal static async Task<IReadOnlyList<long>> ScopeMembersAsync(DbConnection connection, DbTransaction? transaction, BallotQueries.Row ballot) =>
        (await connection.QueryAsync<long>(
            """
            SELECT DISTINCT m.user_id FROM memberships m
            WHERE m.community_id = @CommunityId AND m.verification = 'verified'
              AND (@BuildingId IS NULL
                   OR m.role = 'owners_committee'
                   OR m.unit_id IN (SELECT u.id FROM units u WHERE u.building_id = @BuildingId)
                   OR m.owner_key IN (SELECT k.owner_key FROM owners_register_keys k
                                      WHERE k.version_id = @RegisterVersionId AND k.building = @BuildingNumber))
            ORDER BY m.user_id;
            """, new { ballot.CommunityId, ballot.BuildingId, ballot.RegisterVersionId, ballot.BuildingNumber }, transaction)).ToList();

    internal async Task<Ballot> DetailAsync(DbConnection connection, DbTransaction? transaction, BallotQueries.Row row, long userId)
    {
        var mine = new List<MyVotingOwner>();
        foreach (var ownerId in await BallotQueries.OwnersOfUserAsync(connection, transaction, row.Id, userId))
        {
            var owner = await BallotQueries.VotingOwnerAsync(connection, transaction, ownerId);
            mine.Add(new MyVotingOwner(owner.Id, await BallotQueries.UnitsAsync(connection, transaction, row, owner.OwnerSet),
                BallotTally.SquareMetres(owner.AreaCentiSqM),
                await BallotQueries.HasEntryAsync(connection, transaction, row.Id, owner.VoterToken),
                await BallotQueries.HasPendingPaperAsync(connection, transaction, row.Id, owner.Id)));
        }
        return new Ballot(row.Id, row.CommunityId, row.Title, row.Description, row.Matter, row.Rule,
            new BallotScope(row.BuildingId, row.BuildingNumber is null ? null : $"{row.BuildingNumber}号楼"), row.RegisterVersionId,
            row.OpensAt, row.ClosesAt, row.StatusAt(time.GetUtcNow()), row.EligibleOwners, BallotTally.SquareMetres(row.EligibleAreaCentiSqM),
            row.CreatedAt, row.ClosedAt, row.HeadHash, row.Approved, mine);
    }

    public async Task<Ballot?> GetAsync(long ballotId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await BallotQueries.FindAsync(connection, null, ballotId, access.CommunityId);
        return row is null ? null : await DetailAsync(connection, null, row, access.UserId);
    }

    /// <summary>Newest first; the cursor is the id.</summary>
    public async Task<IReadOnlyList<Ballot>> ListAsync(CommunityAccess access, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<BallotQueries.Row>(
            $"""
             SELECT {BallotQueries.Columns}
             WHERE b.community_id = @CommunityId AND (@beforeId IS NULL OR b.id < @beforeId)
             ORDER BY b.id DESC LIMIT @take;
             """, new { access.CommunityId, beforeId, take });
        var ballots = new List<Ballot>();
        foreach (var row in rows)
        {
            ballots.Add(await DetailAsync(connection, null, row, access.UserId));
        }
        return ballots;
    }
}
