using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Announcements;

/// <summary>Read receipts per building and in total, and the one reminder to the households that have not read (or acknowledged).</summary>
public sealed class AnnouncementReceiptStore(Database database, AnnouncementReading reading, Inbox.Inbox inbox, TimeProvider time)
{
    private sealed class HouseholdRow
    {
        public long UnitId { get; init; }
        public long BuildingId { get; init; }
        public string Building { get; init; } = "";
        public bool HasRead { get; init; }
        public bool HasAcknowledged { get; init; }
    }

    private const string HouseholdsSql =
        $"""
         SELECT u.id AS UnitId, u.building_id AS BuildingId, (SELECT hb.name FROM buildings hb WHERE hb.id = u.building_id) AS Building,
                {AnnouncementRules.HouseholdRead} AS HasRead, {AnnouncementRules.HouseholdAcknowledged} AS HasAcknowledged
         {AnnouncementRules.HouseholdsFrom}
           AND a.id = @announcementId
         GROUP BY u.id, u.building_id
         ORDER BY u.building_id, u.id;
         """;

    private static async Task<IReadOnlyList<HouseholdRow>> HouseholdsAsync(DbConnection connection, DbTransaction? transaction, long announcementId) =>
        (await connection.QueryAsync<HouseholdRow>(HouseholdsSql, new { announcementId }, transaction)).ToList();

    /// <summary>404 for who does not see it; 403 unless the caller acts for the publishing body or is the street admin.</summary>
    public async Task<Outcome<AnnouncementReceipts>> ReceiptsAsync(long announcementId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        var row = await reading.FindAsync(connection, null, announcementId, access);
        if (row is null)
        {
            return Failure.NotFound("Announcement");
        }
        if (!Publishers.ActsFor(access, row.PublisherBody) && !access.IsStreetAdmin)
        {
            return Failure.Forbidden("Receipts are for the publisher of the announcement.");
        }
        var households = await HouseholdsAsync(connection, null, announcementId);
        var buildings = new List<BuildingReceipts>();
        foreach (var building in households.GroupBy(h => (h.BuildingId, h.Building)))
        {
            var counts = Count(building.ToList(), row.RequiresAcknowledgement);
            buildings.Add(new BuildingReceipts(building.Key.BuildingId, building.Key.Building, counts.Households, counts.Read, counts.Acknowledged, counts.NotYet));
        }
        return new AnnouncementReceipts(announcementId, row.RequiresAcknowledgement, buildings, Count(households, row.RequiresAcknowledgement), row.RemindedAt);
    }

    private static ReceiptCounts Count(IReadOnlyList<HouseholdRow> households, bool requiresAcknowledgement)
    {
        var read = households.Count(h => h.HasRead);
        var acknowledged = households.Count(h => h.HasAcknowledged);
        return new ReceiptCounts(households.Count, read, acknowledged, households.Count - (requiresAcknowledgement ? acknowledged : read));
    }

    /// <summary>
    /// Reminds the households that have not read it (or not acknowledged it, where required): every
    /// verified resident and owner of those units. Once per announcement (409 after); 404 / 403 as receipts.
    /// </summary>
    public async Task<Outcome<ReminderSent>> RemindAsync(DbConnection connection, DbTransaction transaction, long announcementId, CommunityAccess access)
    {
        var row = await reading.FindAsync(connection, transaction, announcementId, access);
        if (row is null)
        {
            return Failure.NotFound("Announcement");
        }
        if (!Publishers.ActsFor(access, row.PublisherBody))
        {
            return Failure.Forbidden("Only the publisher of the announcement sends its reminder.");
        }
        var now = time.GetUtcNow();
        var marked = await connection.ExecuteAsync(
            "UPDATE announcements SET reminded_at = @now WHERE id = @announcementId AND reminded_at IS NULL;",
            new { announcementId, now }, transaction);
        if (marked != 1)
        {
            return Failure.Conflict("This announcement has already been reminded once.");
        }
        var pending = (await HouseholdsAsync(connection, transaction, announcementId))
            .Where(h => row.RequiresAcknowledgement ? !h.HasAcknowledged : !h.HasRead)
            .Select(h => h.UnitId).ToArray();
        var recipients = (await connection.QueryAsync<long>(
            $"SELECT DISTINCT m.user_id FROM memberships m WHERE m.unit_id IN @pending AND {Households.HouseholdMember};", new { pending = SqlLists.OrNone(pending, 0L) }, transaction)).ToList();
        var what = row.RequiresAcknowledgement ? "请阅读并点击已知晓" : "请及时阅读";
        await inbox.NotifyUsersAsync(connection, transaction, recipients,
            new Notice("announcement_reminder", UserText.Cut($"提醒:{Bodies.Label(row.PublisherBody)}通知《{row.Title}》", 60), what,
                row.CommunityId, "announcement", announcementId));
        return new ReminderSent(announcementId, pending.Length, recipients.Count, now);
    }
}
