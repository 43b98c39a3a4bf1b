namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>What the radar, the hotspot reads and the answers share.</summary>
public static class HotspotQueries
{
    public const string CommonArea = "公共区域";

    /// <summary>
    /// Each item of each hotspot with the resident behind it: a user for named items, one "anonymous"
    /// for every anonymous opinion, whose author columns are never read (the anonymous flag decides).
    /// Columns: hotspot_id, resident.
    /// </summary>
    public const string ResidentsOfItems =
        """
        SELECT h.hotspot_id AS hotspot_id, 'user:' || r.reporter_id AS resident
        FROM hotspot_items h JOIN repair_tickets r ON h.item_kind = 'repair' AND r.id = h.item_id
        UNION ALL
        SELECT h.hotspot_id, CASE WHEN o.anonymous = 1 THEN 'anonymous' ELSE 'user:' || o.author_id END
        FROM hotspot_items h JOIN opinions o ON h.item_kind = 'opinion' AND o.id = h.item_id
        UNION ALL
        SELECT h.hotspot_id, 'user:' || t.author_id
        FROM hotspot_items h JOIN threads t ON h.item_kind = 'thread' AND t.id = h.item_id
        """;

    /// <summary>
    /// Each item of a hotspot with an excerpt, without its author. Columns: Kind, Id, Excerpt, Anonymous, ReportedAt;
    /// parameter @hotspotId.
    /// </summary>
    public const string ItemsOf =
        """
        SELECT h.item_kind AS Kind, h.item_id AS Id, r.description AS Excerpt, 0 AS Anonymous, h.reported_at AS ReportedAt
        FROM hotspot_items h JOIN repair_tickets r ON h.item_kind = 'repair' AND r.id = h.item_id
        WHERE h.hotspot_id = @hotspotId
        UNION ALL
        SELECT h.item_kind, h.item_id, COALESCE(o.title, o.body), o.anonymous, h.reported_at
        FROM hotspot_items h JOIN opinions o ON h.item_kind = 'opinion' AND o.id = h.item_id
        WHERE h.hotspot_id = @hotspotId
        UNION ALL
        SELECT h.item_kind, h.item_id, t.title, 0, h.reported_at
        FROM hotspot_items h JOIN threads t ON h.item_kind = 'thread' AND t.id = h.item_id
        WHERE h.hotspot_id = @hotspotId
        ORDER BY ReportedAt, Kind, Id
        """;
}
