using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>
/// Reading hotspots. A hotspot is seen by whoever sees its case (<see cref="CaseAccess.Visible"/>):
/// the members of every body it is or was with, the party secretary and the street admin; the radar
/// is its author, so no resident does. One rule, in the WHERE, for the list and the item route.
/// </summary>
public sealed class HotspotStore(Database database)
{
    private sealed class HotspotRow
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Category { get; init; } = "";
        public long? BuildingId { get; init; }
        public string? BuildingName { get; init; }
        public string Reached { get; init; } = "";
        public int ResidentCount { get; init; }
        public int ItemCount { get; init; }
        public long CaseId { get; init; }
        public string ResponsibleBody { get; init; } = "";
        public string State { get; init; } = "";
        public DateTimeOffset RaisedAt { get; init; }
        public DateTimeOffset LastItemAt { get; init; }

        public string Place => BuildingName ?? HotspotQueries.CommonArea;

        public HotspotCard ToCard() => new(Id, CommunityId, Category, BuildingId, Place, Reached, ResidentCount, ItemCount, CaseId, ResponsibleBody, State,
            RaisedAt, LastItemAt);
    }

    private const string Columns =
        """
        h.id AS Id, h.community_id AS CommunityId, h.category AS Category, h.building_id AS BuildingId, b.name AS BuildingName,
        h.reached AS Reached, h.resident_count AS ResidentCount,
        (SELECT COUNT(*) FROM hotspot_items i WHERE i.hotspot_id = h.id) AS ItemCount,
        c.id AS CaseId, c.responsible_body AS ResponsibleBody, c.state AS State, h.raised_at AS RaisedAt, h.last_item_at AS LastItemAt
        FROM hotspots h JOIN cases c ON c.id = h.case_id LEFT JOIN buildings b ON b.id = h.building_id
        """;

    public sealed class HotspotItemRow
    {
        public string Kind { get; init; } = "";
        public long Id { get; init; }
        public string Excerpt { get; init; } = "";
        public bool Anonymous { get; init; }
        public DateTimeOffset ReportedAt { get; init; }
    }

    /// <summary>The hotspot's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long hotspotId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM hotspots WHERE id = @hotspotId;", new { hotspotId });
    }

    /// <summary>The community's hotspots the reader sees, newest first.</summary>
    public async Task<IReadOnlyList<HotspotCard>> ListAsync(CaseReader reader, long? beforeId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = await connection.QueryAsync<HotspotRow>(
            $"""
             SELECT {Columns}
             WHERE h.community_id = @CommunityId AND {CaseAccess.Visible} AND (@beforeId IS NULL OR h.id < @beforeId)
             ORDER BY h.id DESC
             LIMIT @take;
             """, reader.With(new { beforeId, take }));
        return rows.Select(r => r.ToCard()).ToList();
    }

    /// <summary>The hotspot with its items (without authors), or null when the reader does not see it (404).</summary>
    public async Task<Hotspot?> GetAsync(long hotspotId, CaseReader reader)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleOrDefaultAsync<HotspotRow>(
            $"""
             SELECT {Columns}
             WHERE h.id = @hotspotId AND {CaseAccess.Visible};
             """, reader.With(new { hotspotId }));
        if (row is null)
        {
            return null;
        }
        var items = await ItemsAsync(connection, null, hotspotId);
        return new Hotspot(row.Id, row.CommunityId, row.Category, row.BuildingId, row.Place, row.Reached, row.ResidentCount, row.ItemCount, row.CaseId,
            row.ResponsibleBody, row.State, row.RaisedAt, row.LastItemAt,
            items.Select(i => new HotspotItem(i.Kind, i.Id, Infrastructure.Text.UserText.Cut(i.Excerpt, 60), i.Anonymous, i.ReportedAt)).ToList());
    }

    internal static async Task<IReadOnlyList<HotspotItemRow>> ItemsAsync(DbConnection connection, DbTransaction? transaction, long hotspotId) =>
        (await connection.QueryAsync<HotspotItemRow>(HotspotQueries.ItemsOf, new { hotspotId }, transaction)).ToList();
}
