using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>
/// The owners register (业主名册): imports a file as a new version and answers who holds which key.
/// A large file would hold the single writer for seconds, so the new version is built in chunks,
/// each its own unit of work, while it is 'building' (invisible to every reader), and becomes the
/// current version in one short unit of work at the end; earlier versions stay, for ballots that took
/// a snapshot of them.
/// </summary>
public sealed class OwnersRegisterStore(Database database, TimeProvider time, ILogger<OwnersRegisterStore> logger)
{
    public const int ChunkRows = 5_000;

    private sealed record SummaryRow(long Version, long Buildings, long Units, long Owners, long TotalAreaCentiSqM, DateTimeOffset CreatedAt)
    {
        public OwnersRegisterSummary ToSummary() => new(Version, Buildings, Units, Owners, TotalAreaCentiSqM / 100m, CreatedAt);
    }

    private const string SummaryColumns = "id AS version, buildings, units, owners, total_area_centi_sq_m, created_at";

    public async Task<OwnersRegisterSummary?> CurrentAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QuerySingleOrDefaultAsync<SummaryRow>(
            $"SELECT {SummaryColumns} FROM owners_register_versions WHERE community_id = @communityId AND state = 'current';",
            new { communityId }))?.ToSummary();
    }

    /// <summary>Imports a checked file as the community's new current version (buildings and units it names are created).</summary>
    public async Task<OwnersRegisterSummary> ImportAsync(long communityId, long? importedBy, RegisterFile file)
    {
        var versionId = await database.WriteAsync(async (connection, transaction) =>
        {
            var id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO owners_register_versions (community_id, state, created_by, created_at, buildings, units, owners, total_area_centi_sq_m)
                VALUES (@communityId, 'building', @importedBy, @now, @Buildings, @units, @Owners, @TotalAreaCentiSqM)
                RETURNING id;
                """, new { communityId, importedBy, now = time.GetUtcNow(), file.Buildings, units = file.Rows.Count, file.Owners, file.TotalAreaCentiSqM },
                transaction);
            await connection.ExecuteAsync(
                """
                INSERT INTO buildings (community_id, number, name) VALUES (@communityId, @number, @name)
                ON CONFLICT (community_id, number) DO NOTHING;
                """, file.Rows.Select(r => r.Building).Distinct().Select(number => new { communityId, number, name = $"{number}号楼" }), transaction);
            return id;
        });
        try
        {
            foreach (var chunk in file.Rows.Chunk(ChunkRows))
            {
                await database.WriteAsync(async (connection, transaction) =>
                {
                    await AddChunkAsync(connection, transaction, communityId, versionId, chunk);
                    return true;
                });
            }
            return await database.WriteAsync(async (connection, transaction) =>
            {
                await MakeCurrentAsync(connection, transaction, communityId, versionId);
                return (await connection.QuerySingleAsync<SummaryRow>(
                    $"SELECT {SummaryColumns} FROM owners_register_versions WHERE id = @versionId;", new { versionId }, transaction)).ToSummary();
            });
        }
        catch (Exception e)
        {
            logger.LogError(e, "Importing owners register version {VersionId} of community {CommunityId} failed; removing what was built", versionId, communityId);
            await database.WriteAsync((connection, transaction) => DropVersionAsync(connection, transaction, versionId));
            throw;
        }
    }

    /// <summary>Many rows a statement (<see cref="SqlRows"/>), not one round trip per row.</summary>
    private static async Task AddChunkAsync(DbConnection connection, DbTransaction transaction, long communityId, long versionId, RegisterRow[] chunk)
    {
        var units = chunk.Select(r => new object[] { r.Building, r.Unit, r.Floor, r.AreaCentiSqM, r.OwnerSet }).ToList();
        await SqlRows.ExecuteAllAsync(connection, transaction,
            """
            INSERT INTO owners_register_units (version_id, building, unit, floor, area_centi_sq_m, owner_set)
            SELECT @versionId, v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES {rows}) AS v;
            """, units, ("versionId", versionId));
        await SqlRows.ExecuteAllAsync(connection, transaction,
            """
            INSERT INTO owners_register_keys (version_id, owner_key, building, unit)
            SELECT @versionId, v.column1, v.column2, v.column3 FROM (VALUES {rows}) AS v;
            """, chunk.SelectMany(r => r.Keys.Select(k => new object[] { k, r.Building, r.Unit })), ("versionId", versionId));
        // Units the community does not have yet: nobody refers to them until the version is current.
        await SqlRows.ExecuteAllAsync(connection, transaction,
            """
            INSERT INTO units (community_id, building_id, number, floor, area_centi_sq_m)
            SELECT @communityId, b.id, v.column2, v.column3, v.column4
            FROM (VALUES {rows}) AS v JOIN buildings b ON b.number = v.column1
            WHERE b.community_id = @communityId
            ON CONFLICT (building_id, number) DO NOTHING;
            """, units, ("communityId", communityId));
    }

    /// <summary>The switch: the version becomes current, the one before it superseded, and the units take its areas and floors.</summary>
    private static async Task MakeCurrentAsync(DbConnection connection, DbTransaction transaction, long communityId, long versionId)
    {
        await connection.ExecuteAsync(
            "UPDATE owners_register_versions SET state = 'superseded' WHERE community_id = @communityId AND state = 'current';",
            new { communityId }, transaction);
        var switched = await connection.ExecuteAsync(
            "UPDATE owners_register_versions SET state = 'current' WHERE id = @versionId AND community_id = @communityId AND state = 'building';",
            new { versionId, communityId }, transaction);
        if (switched != 1)
        {
            throw new InvalidOperationException($"Owners register version {versionId} was not being built.");
        }
        await connection.ExecuteAsync(
            """
            UPDATE units SET area_centi_sq_m = r.area_centi_sq_m, floor = r.floor
            FROM owners_register_units r
            JOIN buildings b ON b.community_id = @communityId AND b.number = r.building
            WHERE r.version_id = @versionId AND units.building_id = b.id AND units.number = r.unit
              AND (units.area_centi_sq_m <> r.area_centi_sq_m OR units.floor <> r.floor);
            """, new { communityId, versionId }, transaction);
    }

    private static async Task<bool> DropVersionAsync(DbConnection connection, DbTransaction transaction, long versionId)
    {
        await connection.ExecuteAsync(
            """
            DELETE FROM owners_register_keys WHERE version_id = @versionId;
            DELETE FROM owners_register_units WHERE version_id = @versionId;
            DELETE FROM owners_register_versions WHERE id = @versionId AND state = 'building';
            """, new { versionId }, transaction);
        return true;
    }

    /// <summary>The id of the community's current register version, or null when it has none.</summary>
    public async Task<long?> CurrentVersionIdAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>(
            "SELECT id FROM owners_register_versions WHERE community_id = @communityId AND state = 'current';", new { communityId });
    }

    /// <summary>The owner keys the user holds in the community (through verified owner memberships).</summary>
    public async Task<IReadOnlyList<string>> KeysOfUserAsync(long communityId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<string>(
            """
            SELECT DISTINCT owner_key FROM memberships
            WHERE community_id = @communityId AND user_id = @userId AND role = 'owner' AND verification = 'verified' AND owner_key IS NOT NULL
            ORDER BY owner_key;
            """, new { communityId, userId })).ToList();
    }

    /// <summary>
    /// The voting owners (owner sets) of a register version that the user's keys take part in: a user
    /// holding one key of a co-owned unit speaks for that unit's owner set.
    /// </summary>
    public async Task<IReadOnlyList<string>> VotingOwnersOfUserAsync(long versionId, long userId)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<string>(
            """
            SELECT DISTINCT u.owner_set
            FROM owners_register_versions v
            JOIN memberships m ON m.community_id = v.community_id AND m.user_id = @userId AND m.role = 'owner'
                              AND m.verification = 'verified' AND m.owner_key IS NOT NULL
            JOIN owners_register_keys k ON k.version_id = v.id AND k.owner_key = m.owner_key
            JOIN owners_register_units u ON u.version_id = k.version_id AND u.building = k.building AND u.unit = k.unit
            WHERE v.id = @versionId
            ORDER BY u.owner_set;
            """, new { versionId, userId })).ToList();
    }

    /// <summary>The units of the community that a key owns in the current register (unit ids, lowest first).</summary>
    public static async Task<IReadOnlyList<long>> UnitsOfKeyAsync(DbConnection connection, DbTransaction? transaction, long communityId, string ownerKey) =>
        (await connection.QueryAsync<long>(
            """
            SELECT un.id
            FROM owners_register_versions v
            JOIN owners_register_keys k ON k.version_id = v.id AND k.owner_key = @ownerKey
            JOIN buildings b ON b.community_id = v.community_id AND b.number = k.building
            JOIN units un ON un.building_id = b.id AND un.number = k.unit
            WHERE v.community_id = @communityId AND v.state = 'current'
            ORDER BY un.id;
            """, new { communityId, ownerKey }, transaction)).ToList();
}
