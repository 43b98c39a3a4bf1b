using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Files;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>
/// Ticket photos: files on disk under the database's folder (<c>photos/</c>) with random names, and
/// a row per photo that says which ticket it belongs to, so only those who may see the ticket get it.
/// </summary>
public sealed class RepairPhotoStore(Database database, FileVault files, TimeProvider time)
{
    private const string Kind = "photos";

    /// <summary>DESIGN.md: photos up to 5 MB each, up to 9 per item.</summary>
    public const long MaxBytes = FileVault.MaxBytes;

    public const int MaxPerTicket = 9;

    public string Folder => files.FolderOf(Kind);

    /// <summary>The type of an image by its first bytes (JPEG, PNG or WebP), never by its name; null for anything else.</summary>
    public static string? ContentTypeOf(ReadOnlySpan<byte> head) =>
        FileTypes.Sniff(head) is { } type && FileTypes.Images.Contains(type) ? type : null;

    /// <summary>Writes the upload to a new random file name; answers the name.</summary>
    public Task<string> SaveAsync(IFormFile file, string contentType, CancellationToken cancellationToken) =>
        files.SaveAsync(Kind, file, contentType, cancellationToken);

    public void Delete(string fileName) => files.Delete(Kind, fileName);

    /// <summary>
    /// Records a saved photo on the ticket (a unit of work for UnitOfWork.CreateAsync): the reporter
    /// and property staff add photos; a ticket holds at most <see cref="MaxPerTicket"/>.
    /// </summary>
    public async Task<Outcome<PhotoCreated>> AddAsync(DbConnection connection, DbTransaction transaction, long ticketId,
        CommunityAccess access, string fileName, string contentType, long size)
    {
        var ticket = await RepairQueries.FindVisibleAsync(connection, transaction, ticketId, access);
        if (ticket is null)
        {
            return Failure.NotFound("Repair ticket");
        }
        if (ticket.ReporterId != access.UserId && !access.Has(Roles.PropertyStaff))
        {
            return Failure.Forbidden("Only the reporter and property staff add photos to a ticket.");
        }
        if (RepairStates.IsFinal(ticket.State))
        {
            return Failure.Conflict($"This ticket is {ticket.State}.");
        }
        if (ticket.PhotoCount >= MaxPerTicket)
        {
            return Failure.Conflict($"A ticket holds at most {MaxPerTicket} photos.");
        }
        // The cap holds with several writers: the ticket row is held first, from the state it was read in
        // (on PostgreSQL a parallel upload waits here), and the INSERT counts again in its own WHERE.
        if (await connection.ExecuteAsync("UPDATE repair_tickets SET state = state WHERE id = @ticketId AND state = @State;",
                new { ticketId, ticket.State }, transaction) != 1)
        {
            return Failure.Conflict("The ticket was just moved by someone else; read it again.");
        }
        var id = await connection.ExecuteScalarAsync<long?>(
            """
            INSERT INTO repair_photos (ticket_id, file_name, content_type, size_bytes, uploaded_by, created_at)
            SELECT @ticketId, @fileName, @contentType, @size, @UserId, @now
            WHERE (SELECT COUNT(*) FROM repair_photos WHERE ticket_id = @ticketId) < @MaxPerTicket
            RETURNING id;
            """, new { ticketId, fileName, contentType, size, access.UserId, now = time.GetUtcNow(), MaxPerTicket }, transaction);
        if (id is null)
        {
            return Failure.Conflict($"A ticket holds at most {MaxPerTicket} photos.");
        }
        return new PhotoCreated(id.Value, $"/v1/photos/{id}");
    }

    public sealed record StoredPhoto(long TicketId, long CommunityId, string FileName, string ContentType);

    public async Task<StoredPhoto?> FindAsync(long photoId)
    {
        await using var connection = await database.OpenReadAsync();
        return await connection.QuerySingleOrDefaultAsync<StoredPhoto>(
            """
            SELECT p.ticket_id AS TicketId, t.community_id AS CommunityId, p.file_name AS FileName, p.content_type AS ContentType
            FROM repair_photos p JOIN repair_tickets t ON t.id = p.ticket_id
            WHERE p.id = @photoId;
            """, new { photoId });
    }

    public string PathOf(string fileName) => files.PathOf(Kind, fileName);
}
