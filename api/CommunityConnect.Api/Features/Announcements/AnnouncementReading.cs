using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Announcements;

/// <summary>Members read announcements: the list (pinned first), one announcement (which records the read), 已知晓.</summary>
public sealed class AnnouncementReading(Database database, TimeProvider time)
{
    public static string AttachmentUrl(long announcementId, long attachmentId) => $"/v1/announcements/{announcementId}/attachments/{attachmentId}";

    private const string Columns =
        """
         a.id AS Id, a.community_id AS CommunityId, a.title AS Title, a.body AS Body, a.audience AS Audience,
         a.requires_ack AS RequiresAcknowledgement, a.pinned_until AS PinnedUntil, a.publisher_body AS PublisherBody,
         a.author_id AS AuthorId, u.display_name AS Author, a.created_at AS CreatedAt, a.reminded_at AS RemindedAt,
         r.read_at AS ReadAt, r.acknowledged_at AS AcknowledgedAt
         FROM announcements a
         JOIN users u ON u.id = a.author_id
         LEFT JOIN announcement_reads r ON r.announcement_id = a.id AND r.user_id = @userId
         """;

    public sealed class Row
    {
        public long Id { get; init; }
        public long CommunityId { get; init; }
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string Audience { get; init; } = "";
        public bool RequiresAcknowledgement { get; init; }
        public DateTimeOffset? PinnedUntil { get; init; }
        public string PublisherBody { get; init; } = "";
        public long AuthorId { get; init; }
        public string Author { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset? RemindedAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }
        public DateTimeOffset? AcknowledgedAt { get; init; }

        public bool PinnedAt(DateTimeOffset now) => PinnedUntil is { } until && until > now;

        public AnnouncementSummary ToSummary(DateTimeOffset now) => new(Id, CommunityId, Title, Audience, RequiresAcknowledgement, PinnedAt(now), PinnedUntil,
            PublisherBody, Author, CreatedAt, ReadAt is not null, AcknowledgedAt is not null);
    }

    /// <summary>The announcement's community, for the tenancy check before anything else.</summary>
    public async Task<long?> CommunityOfAsync(long announcementId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.ExecuteScalarAsync<long?>("SELECT community_id FROM announcements WHERE id = @announcementId;", new { announcementId });
    }

    /// <summary>The announcement if the caller sees it (<see cref="AnnouncementRules.Visible"/>); null otherwise.</summary>
    public Task<Row?> FindAsync(DbConnection connection, DbTransaction? transaction, long announcementId, CommunityAccess access) =>
        connection.QuerySingleOrDefaultAsync<Row>(
            $"""
             SELECT {Columns}
             WHERE a.id = @announcementId AND a.community_id = @CommunityId AND {AnnouncementRules.Visible};
             """,
            new { announcementId, access.CommunityId, userId = access.UserId, wholeCommunity = AnnouncementRules.WholeCommunity(access), unitIds = SqlLists.OrNone(access.UnitIds, 0L) },
            transaction);

    /// <summary>Pinned (pinnedUntil still ahead) first, then newest first; the cursor is (pinned, id).</summary>
    public async Task<IReadOnlyList<AnnouncementSummary>> ListAsync(CommunityAccess access, bool? afterPinned, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        var now = time.GetUtcNow();
        var rows = await connection.QueryAsync<Row>(
            $"""
             SELECT {Columns}
             WHERE a.community_id = @CommunityId AND {AnnouncementRules.Visible}
               AND (@afterId IS NULL
                    OR (CASE WHEN a.pinned_until > @now THEN 1 ELSE 0 END) < @afterPinned
                    OR ((CASE WHEN a.pinned_until > @now THEN 1 ELSE 0 END) = @afterPinned AND a.id < @afterId))
             ORDER BY CASE WHEN a.pinned_until > @now THEN 1 ELSE 0 END DESC, a.id DESC
             LIMIT @take;
             """,
            new
            {
                access.CommunityId, userId = access.UserId, wholeCommunity = AnnouncementRules.WholeCommunity(access), unitIds = SqlLists.OrNone(access.UnitIds, 0L),
                now, afterPinned = afterPinned == true ? 1 : 0, afterId, take,
            });
        return rows.Select(r => r.ToSummary(now)).ToList();
    }

    /// <summary>One announcement the caller sees, recording their read (members only; the street office reads without a receipt).</summary>
    public async Task<Announcement?> ReadAsync(long announcementId, CommunityAccess access)
    {
        Row? row;
        await using (var connection = await database.OpenReadAsync())
        {
            row = await FindAsync(connection, null, announcementId, access);
        }
        if (row is null)
        {
            return null;
        }
        if (row.ReadAt is null && access.IsMember)
        {
            await database.WriteAsync(async (connection, transaction) =>
                await connection.ExecuteAsync(
                    """
                    INSERT INTO announcement_reads (announcement_id, user_id, read_at) VALUES (@announcementId, @UserId, @now)
                    ON CONFLICT (announcement_id, user_id) DO NOTHING;
                    """, new { announcementId, access.UserId, now = time.GetUtcNow() }, transaction));
        }
        await using var read = await database.OpenReadAsync();
        return await DetailAsync(read, null, announcementId, access);
    }

    /// <summary>One announcement as the caller sees it, on the caller's connection (also inside a unit of work); null when hidden.</summary>
    public async Task<Announcement?> DetailAsync(DbConnection connection, DbTransaction? transaction, long announcementId, CommunityAccess access)
    {
        var row = await FindAsync(connection, transaction, announcementId, access);
        if (row is null)
        {
            return null;
        }
        var buildings = await connection.QueryAsync<AnnouncementBuilding>(
            """
            SELECT b.id AS Id, b.name AS Name FROM announcement_buildings ab JOIN buildings b ON b.id = ab.building_id
            WHERE ab.announcement_id = @announcementId ORDER BY b.id;
            """, new { announcementId }, transaction);
        var attachments = await connection.QueryAsync<(long Id, string ContentType, long Size)>(
            "SELECT id, content_type, size_bytes FROM announcement_attachments WHERE announcement_id = @announcementId ORDER BY id;",
            new { announcementId }, transaction);
        return new Announcement(row.Id, row.CommunityId, row.Title, row.Body, row.Audience, buildings.ToList(), row.RequiresAcknowledgement,
            row.PinnedAt(time.GetUtcNow()), row.PinnedUntil, row.PublisherBody, row.Author, row.CreatedAt,
            attachments.Select(a => new AnnouncementAttachment(a.Id, a.ContentType, a.Size, AttachmentUrl(announcementId, a.Id))).ToList(),
            row.ReadAt, row.AcknowledgedAt);
    }

    /// <summary>已知晓: 404 for who does not see it, 403 for the street office (not a household), 409 where it asks for none.</summary>
    public Task<Outcome<bool>> AcknowledgeAsync(long announcementId, CommunityAccess access) =>
        database.WriteAsync<Outcome<bool>>(async (connection, transaction) =>
        {
            var row = await FindAsync(connection, transaction, announcementId, access);
            if (row is null)
            {
                return Failure.NotFound("Announcement");
            }
            if (!access.IsMember)
            {
                return Failure.Forbidden("Only members of the community acknowledge announcements.");
            }
            if (!row.RequiresAcknowledgement)
            {
                return Failure.Conflict("This announcement does not ask for acknowledgement.");
            }
            var now = time.GetUtcNow();
            await connection.ExecuteAsync(
                """
                INSERT INTO announcement_reads (announcement_id, user_id, read_at, acknowledged_at) VALUES (@announcementId, @UserId, @now, @now)
                ON CONFLICT (announcement_id, user_id) DO UPDATE SET acknowledged_at = COALESCE(announcement_reads.acknowledged_at, excluded.acknowledged_at);
                """, new { announcementId, access.UserId, now }, transaction);
            return true;
        });
}
