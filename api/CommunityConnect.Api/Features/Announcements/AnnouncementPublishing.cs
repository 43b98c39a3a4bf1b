using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Files;
using CommunityConnect.Api.Infrastructure.Text;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Announcements;

/// <summary>
/// Publishing an announcement (from its endpoint, a published statement or a survey's results) and
/// its attachments. Publishing notifies the audience in the same unit of work; the inbox mirrors the
/// notice into WeChat subscribe messages where the member consented.
/// </summary>
public sealed class AnnouncementPublishing(Database database, AnnouncementReading reading, Inbox.Inbox inbox, TimeProvider time)
{
    public const string AttachmentKind = "attachments";
    public const int MaxAttachments = 9;

    /// <summary>Buildings of <paramref name="buildingIds"/> that are not the community's (400 when any).</summary>
    public async Task<IReadOnlyList<long>> ForeignBuildingsAsync(long communityId, IReadOnlyList<long> buildingIds)
    {
        await using var connection = await database.OpenReadAsync();
        var known = (await connection.QueryAsync<long>(
            "SELECT id FROM buildings WHERE community_id = @communityId AND id IN @buildingIds;",
            new { communityId, buildingIds = SqlLists.OrNone(buildingIds, 0L) })).ToHashSet();
        return buildingIds.Where(id => !known.Contains(id)).Distinct().ToList();
    }

    /// <summary>Publishes inside the caller's unit of work and notifies the audience; answers the announcement id.</summary>
    public async Task<long> PublishAsync(DbConnection connection, DbTransaction transaction, AnnouncementDraft draft)
    {
        var now = time.GetUtcNow();
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO announcements (community_id, author_id, publisher_body, title, body, audience, requires_ack, pinned_until, created_at)
            VALUES (@CommunityId, @AuthorId, @PublisherBody, @Title, @Body, @Audience, @RequiresAcknowledgement, @PinnedUntil, @now)
            RETURNING id;
            """, new { draft.CommunityId, draft.AuthorId, draft.PublisherBody, draft.Title, draft.Body, draft.Audience, draft.RequiresAcknowledgement, draft.PinnedUntil, now },
            transaction);
        foreach (var buildingId in draft.BuildingIds.Distinct())
        {
            await connection.ExecuteAsync(
                "INSERT INTO announcement_buildings (announcement_id, building_id) VALUES (@id, @buildingId);", new { id, buildingId }, transaction);
        }
        // Everyone of the community for 'all'; the households of the buildings otherwise.
        var audience = await connection.QueryAsync<long>(
            $"""
            SELECT DISTINCT m.user_id FROM memberships m
            WHERE m.community_id = @CommunityId AND m.verification = 'verified' AND m.user_id <> @AuthorId
              AND (@Audience = 'all'
                   OR ({Households.HouseholdMember}
                       AND m.unit_id IN (SELECT u.id FROM units u JOIN announcement_buildings ab ON ab.building_id = u.building_id
                                         WHERE ab.announcement_id = @id)));
            """, new { draft.CommunityId, draft.AuthorId, draft.Audience, id }, transaction);
        var ask = draft.RequiresAcknowledgement ? "(请阅读后点击已知晓)" : "";
        await inbox.NotifyUsersAsync(connection, transaction, audience,
            new Notice("announcement_published", UserText.Cut($"{Bodies.Label(draft.PublisherBody)}通知:{draft.Title}", 60),
                UserText.Cut(draft.Body, 60) + ask, draft.CommunityId, "announcement", id));
        return id;
    }

    /// <summary>
    /// Records an uploaded attachment (a unit of work): the author and those acting for the publishing
    /// body add them, at most <see cref="MaxAttachments"/>.
    /// </summary>
    public async Task<Outcome<AnnouncementAttachment>> AddAttachmentAsync(DbConnection connection, DbTransaction transaction,
        long announcementId, CommunityAccess access, string fileName, string contentType, long size)
    {
        var found = await reading.FindAsync(connection, transaction, announcementId, access);
        if (found is null)
        {
            return Failure.NotFound("Announcement");
        }
        if (found.AuthorId != access.UserId && !Publishers.ActsFor(access, found.PublisherBody))
        {
            return Failure.Forbidden("Only the publisher adds attachments to an announcement.");
        }
        var count = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM announcement_attachments WHERE announcement_id = @announcementId;", new { announcementId }, transaction);
        if (count >= MaxAttachments)
        {
            return Failure.Conflict($"An announcement holds at most {MaxAttachments} attachments.");
        }
        // The cap holds with several writers: the announcement row is held first (on PostgreSQL a parallel
        // upload waits here), and the INSERT counts again in its own WHERE.
        await connection.ExecuteAsync("UPDATE announcements SET reminded_at = reminded_at WHERE id = @announcementId;", new { announcementId }, transaction);
        var id = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO announcement_attachments (announcement_id, file_name, content_type, size_bytes, uploaded_by, created_at)
            SELECT @announcementId, @fileName, @contentType, @size, @UserId, @now
            WHERE (SELECT COUNT(*) FROM announcement_attachments WHERE announcement_id = @announcementId) < @MaxAttachments
            RETURNING id;
            """, new { announcementId, fileName, contentType, size, access.UserId, now = time.GetUtcNow(), MaxAttachments }, transaction);
        if (id is null)
        {
            return Failure.Conflict($"An announcement holds at most {MaxAttachments} attachments.");
        }
        return new AnnouncementAttachment(id.Value, contentType, size, AnnouncementReading.AttachmentUrl(announcementId, id.Value));
    }

    public sealed record StoredAttachment(string FileName, string ContentType);

    /// <summary>An attachment of an announcement the caller sees; null otherwise.</summary>
    public async Task<StoredAttachment?> FindAttachmentAsync(long announcementId, long attachmentId, CommunityAccess access)
    {
        await using var connection = await database.OpenReadAsync();
        if (await reading.FindAsync(connection, null, announcementId, access) is null)
        {
            return null;
        }
        return await connection.QuerySingleOrDefaultAsync<StoredAttachment>(
            """
            SELECT file_name AS FileName, content_type AS ContentType FROM announcement_attachments
            WHERE id = @attachmentId AND announcement_id = @announcementId;
            """, new { announcementId, attachmentId });
    }
}
