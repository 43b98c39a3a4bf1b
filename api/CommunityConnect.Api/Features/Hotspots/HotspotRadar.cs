using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.Hotspots;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>
/// The radar's work for one community: its items of the long window that no hotspot holds yet
/// (repair tickets, opinions but praise, routed hall threads) grouped by category and place; a
/// group joins the open hotspot of its category and place, or raises one when distinct residents
/// reach a threshold. Anonymous opinions all count as one resident, whoever wrote them: their
/// author columns are never read (the <c>anonymous</c> flag is the rule).
/// </summary>
public sealed class HotspotRadar(Database database, IntakeAnalyser analyser, CaseStore cases, TimeProvider time, ILogger<HotspotRadar> logger)
    : IHotspotRadar
{
    /// <summary>The author key of a hotspot's case: the radar raised it, no resident did (no user's keyed hash equals it).</summary>
    public const string RadarKey = "system:hotspot-radar";

    /// <summary>The one resident every anonymous report counts as.</summary>
    private const string AnonymousResident = "anonymous";

    private sealed class Candidate
    {
        public string Kind { get; init; } = "";
        public long Id { get; init; }
        public string Category { get; init; } = "";
        public DateTimeOffset ReportedAt { get; init; }
        public long? BuildingId { get; set; }
        public string? Building { get; init; }
        public string? Text { get; init; }
        public long? ResidentId { get; init; }
        public bool Anonymous { get; init; }

        public string Resident => Anonymous || ResidentId is null ? AnonymousResident : $"user:{ResidentId}";
    }

    public async Task<IReadOnlyList<long>> ActiveCommunitiesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return (await connection.QueryAsync<long>(
            """
            SELECT c.id FROM communities c
            WHERE EXISTS (SELECT 1 FROM repair_tickets r WHERE r.community_id = c.id AND r.created_at >= @since)
               OR EXISTS (SELECT 1 FROM opinions o WHERE o.community_id = c.id AND o.created_at >= @since)
               OR EXISTS (SELECT 1 FROM thread_routings t WHERE t.community_id = c.id AND t.analysed_at >= @since AND t.state IS NOT NULL)
            ORDER BY c.id;
            """, new { since })).ToList();
    }

    public async Task<int> SweepCommunityAsync(long communityId, CancellationToken cancellationToken)
    {
        try
        {
            // Opinions say their place only in words: the analyser reads them.
            await analyser.WhenReady.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            logger.LogInformation("The analyser is still loading; the radar waits for the next run.");
            return 0;
        }
        var now = time.GetUtcNow();
        List<Candidate> candidates;
        HotspotSettings settings;
        HashSet<(string Category, long? BuildingId)> open;
        await using (var connection = await database.OpenReadAsync(cancellationToken))
        {
            settings = await HotspotSettingsStore.ReadAsync(connection, null, communityId);
            candidates = await CandidatesAsync(connection, communityId, now.AddDays(-settings.LongWindowDays!.Value));
            open = (await connection.QueryAsync<(string Category, long? BuildingId)>(OpenGroupsSql, new { communityId })).ToHashSet();
        }
        var raised = 0;
        foreach (var group in candidates.GroupBy(c => (c.Category, c.BuildingId)))
        {
            var items = group.ToList();
            // A group with no open hotspot to join and below both thresholds changes nothing: it takes no
            // unit of work (a commit each, every minute, for every quiet corner of every community). The
            // unit still decides on what it reads itself; a hotspot opened meanwhile takes these items next run.
            if (!open.Contains(group.Key) && Reached(items, settings, now) is null)
            {
                continue;
            }
            var outcome = await database.WriteAsync((connection, transaction) =>
                SweepGroupAsync(connection, transaction, communityId, group.Key.Category, group.Key.BuildingId, items, settings, now));
            if (!outcome.Failed && outcome.Value)
            {
                raised++;
            }
        }
        return raised;
    }

    /// <summary>The community's items of the long window that no hotspot holds, each with its category, place and resident.</summary>
    private async Task<List<Candidate>> CandidatesAsync(DbConnection connection, long communityId, DateTimeOffset since)
    {
        var buildings = (await connection.QueryAsync<(long Id, string Number)>(
            "SELECT id, number FROM buildings WHERE community_id = @communityId;", new { communityId })).ToDictionary(b => b.Number, b => b.Id);
        var rows = (await connection.QueryAsync<Candidate>(
            """
            SELECT 'repair' AS Kind, r.id AS Id, r.category AS Category, r.created_at AS ReportedAt,
                   COALESCE(u.building_id, r.building_id) AS BuildingId, NULL AS Building, NULL AS Text, r.reporter_id AS ResidentId, 0 AS Anonymous
            FROM repair_tickets r LEFT JOIN units u ON u.id = r.unit_id
            WHERE r.community_id = @communityId AND r.created_at >= @since AND r.state NOT IN ('cancelled', 'rejected')
              AND NOT EXISTS (SELECT 1 FROM hotspot_items h WHERE h.item_kind = 'repair' AND h.item_id = r.id)
            UNION ALL
            SELECT 'opinion', o.id, o.category, o.created_at, NULL, NULL, COALESCE(o.title || '\n', '') || o.body,
                   CASE WHEN o.anonymous = 1 THEN NULL ELSE o.author_id END, o.anonymous
            FROM opinions o
            WHERE o.community_id = @communityId AND o.created_at >= @since AND o.kind <> 'praise'
              AND NOT EXISTS (SELECT 1 FROM hotspot_items h WHERE h.item_kind = 'opinion' AND h.item_id = o.id)
            UNION ALL
            SELECT 'thread', t.id, r.category, t.created_at, NULL, r.building, NULL, t.author_id, 0
            FROM thread_routings r JOIN threads t ON t.id = r.thread_id
            WHERE r.community_id = @communityId AND r.analysed_at >= @since AND r.state IS NOT NULL
              AND t.review_state = 'published' AND t.created_at >= @since
              AND NOT EXISTS (SELECT 1 FROM hotspot_items h WHERE h.item_kind = 'thread' AND h.item_id = t.id);
            """, new { communityId, since })).ToList();
        foreach (var row in rows)
        {
            var number = row.Kind == "opinion" && row.Text is not null && analyser.TryAnalyse(row.Text, out var analysis) ? analysis.Building : row.Building;
            if (row.Kind != "repair")
            {
                row.BuildingId = number is not null && buildings.TryGetValue(number, out var id) ? id : null;
            }
        }
        return rows;
    }

    /// <summary>
    /// One group of new items: they join the open hotspot of their category and place, or raise one
    /// when a threshold is reached. Claiming the items and raising commit together; an item another
    /// run claimed first undoes the unit (a failed outcome), so nothing is raised or claimed twice.
    /// Answers whether it raised a hotspot.
    /// </summary>
    private async Task<Outcome<bool>> SweepGroupAsync(DbConnection connection, DbTransaction transaction, long communityId, string category, long? buildingId,
        List<Candidate> items, HotspotSettings settings, DateTimeOffset now)
    {
        var open = await connection.QuerySingleOrDefaultAsync<long?>(
            """
            SELECT h.id FROM hotspots h JOIN cases c ON c.id = h.case_id
            WHERE h.community_id = @communityId AND h.category = @category
              AND (h.building_id = @buildingId OR (h.building_id IS NULL AND @buildingId IS NULL))
              AND c.state IN ('open', 'responded')
            ORDER BY h.id DESC LIMIT 1;
            """, new { communityId, category, buildingId }, transaction);
        if (open is { } hotspotId)
        {
            if (!await ClaimAsync(connection, transaction, hotspotId, items))
            {
                return ClaimedElsewhere;
            }
            await RecountAsync(connection, transaction, hotspotId);
            return false;
        }

        if (Reached(items, settings, now) is not { } reached)
        {
            return false;
        }
        var longResidents = items.Select(i => i.Resident).Distinct().Count();
        var newId = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO hotspots (community_id, category, building_id, reached, resident_count, raised_at, last_item_at)
            VALUES (@communityId, @category, @buildingId, @reached, @longResidents, @now, @lastItemAt)
            RETURNING id;
            """, new { communityId, category, buildingId, reached, longResidents, now, lastItemAt = items.Max(i => i.ReportedAt) }, transaction);
        if (!await ClaimAsync(connection, transaction, newId, items))
        {
            return ClaimedElsewhere;
        }
        var body = await cases.RouteAsync(communityId, category);
        var caseId = await cases.OpenAsync(connection, transaction,
            new NewCase(communityId, "hotspot", newId, category, false, RadarKey, Actor.System, body), notifyBody: false);
        await connection.ExecuteAsync("UPDATE hotspots SET case_id = @caseId WHERE id = @newId AND case_id IS NULL;", new { caseId, newId }, transaction);
        var place = await PlaceAsync(connection, transaction, buildingId);
        var notice = new Notice("hotspot_raised", $"热点问题:{place}{CategoryLabels.Of(category)},{longResidents}位居民反映",
            $"{items.Count}条反映已归并为一个热点,由{Bodies.Label(body)}统一答复。", communityId, "hotspot", newId);
        await cases.NotifyBodyAsync(connection, transaction, communityId, body, notice);
        await cases.NotifyBodyAsync(connection, transaction, communityId, Bodies.PartySecretary, notice);
        return true;
    }

    /// <summary>Which threshold the items reach ("short": residents within the short window, "long": within the long one), or null.</summary>
    private static string? Reached(List<Candidate> items, HotspotSettings settings, DateTimeOffset now)
    {
        var shortSince = now.AddHours(-settings.ShortWindowHours!.Value);
        var shortResidents = items.Where(i => i.ReportedAt >= shortSince).Select(i => i.Resident).Distinct().Count();
        var longResidents = items.Select(i => i.Resident).Distinct().Count();
        return shortResidents >= settings.ShortWindowResidents ? "short" : longResidents >= settings.LongWindowResidents ? "long" : null;
    }

    /// <summary>The (category, building) of the community's hotspots whose case is still open: new items join them.</summary>
    private const string OpenGroupsSql =
        """
        SELECT h.category, h.building_id FROM hotspots h JOIN cases c ON c.id = h.case_id
        WHERE h.community_id = @communityId AND c.state IN ('open', 'responded');
        """;

    /// <summary>Another run claimed one of the items first: this unit is undone, the other run's work stands.</summary>
    private static readonly Failure ClaimedElsewhere = Failure.Conflict("Another radar run claimed an item first.");

    /// <summary>Adds the items to the hotspot; false when another run holds one of them already.</summary>
    private static async Task<bool> ClaimAsync(DbConnection connection, DbTransaction transaction, long hotspotId, List<Candidate> items)
    {
        foreach (var item in items)
        {
            var added = await connection.ExecuteAsync(
                """
                INSERT INTO hotspot_items (hotspot_id, item_kind, item_id, reported_at) VALUES (@hotspotId, @Kind, @Id, @ReportedAt)
                ON CONFLICT (item_kind, item_id) DO NOTHING;
                """, new { hotspotId, item.Kind, item.Id, item.ReportedAt }, transaction);
            if (added != 1)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The hotspot's residents, counted again over all its items (anonymous ones as one), and its latest item.</summary>
    private static Task RecountAsync(DbConnection connection, DbTransaction transaction, long hotspotId) =>
        connection.ExecuteAsync(
            $"""
             UPDATE hotspots SET
                 resident_count = (SELECT COUNT(DISTINCT resident) FROM ({HotspotQueries.ResidentsOfItems}) AS items WHERE hotspot_id = @hotspotId),
                 last_item_at = (SELECT MAX(reported_at) FROM hotspot_items WHERE hotspot_id = @hotspotId)
             WHERE id = @hotspotId;
             """, new { hotspotId }, transaction);

    internal static async Task<string> PlaceAsync(DbConnection connection, DbTransaction? transaction, long? buildingId) =>
        buildingId is null
            ? HotspotQueries.CommonArea
            : await connection.ExecuteScalarAsync<string>("SELECT name FROM buildings WHERE id = @buildingId;", new { buildingId }, transaction)
              ?? HotspotQueries.CommonArea;
}
