using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Text;

namespace CommunityConnect.Api.Features.Announcements;

public static class Audiences
{
    public const string All = "all";
    public const string Buildings = "buildings";
}

/// <summary>The bodies that publish announcements, and which one a caller publishes for.</summary>
public static class Publishers
{
    /// <summary>The body a caller publishes for: the most official role they hold; null for residents and the street.</summary>
    public static string? BodyOf(CommunityAccess access) =>
        access.Has(Roles.PartySecretary) ? Bodies.PartySecretary
        : access.Has(Roles.ResidentsCommittee) ? Bodies.ResidentsCommittee
        : access.Has(Roles.OwnersCommittee) ? Bodies.OwnersCommittee
        : access.Has(Roles.PropertyStaff) ? Bodies.Property
        : null;

    /// <summary>Those who act for the body that published: its members, and the secretary who oversees all three.</summary>
    public static bool ActsFor(CommunityAccess access, string publisherBody) =>
        access.Has(Bodies.RoleOf(publisherBody)) || access.Has(Roles.PartySecretary);
}

public sealed record NewAnnouncementInput(
    [property: Required, TextLength(UserText.TitleMax)] string? Title,
    [property: Required, TextLength(UserText.BodyMax)] string? Body,
    [property: Required, OneOf(Audiences.All, Audiences.Buildings)] string? Audience,
    IReadOnlyList<long>? BuildingIds,
    [property: Required] bool? RequiresAcknowledgement,
    DateTimeOffset? PinnedUntil);

/// <summary>An announcement to publish inside a unit of work (from the endpoint, a statement or a survey's results).</summary>
public sealed record AnnouncementDraft(
    long CommunityId, long AuthorId, string PublisherBody, string Title, string Body, string Audience,
    IReadOnlyList<long> BuildingIds, bool RequiresAcknowledgement, DateTimeOffset? PinnedUntil);

public sealed record AnnouncementBuilding(long Id, string Name);

public sealed record AnnouncementAttachment(long Id, string ContentType, long SizeBytes, string Url);

/// <summary>An announcement in a list; <see cref="Read"/> and <see cref="Acknowledged"/> are the caller's own.</summary>
public sealed record AnnouncementSummary(
    long Id, long CommunityId, string Title, string Audience, bool RequiresAcknowledgement, bool Pinned, DateTimeOffset? PinnedUntil,
    string PublisherBody, string Author, DateTimeOffset CreatedAt, bool Read, bool Acknowledged);

public sealed record Announcement(
    long Id, long CommunityId, string Title, string Body, string Audience, IReadOnlyList<AnnouncementBuilding> Buildings,
    bool RequiresAcknowledgement, bool Pinned, DateTimeOffset? PinnedUntil, string PublisherBody, string Author, DateTimeOffset CreatedAt,
    IReadOnlyList<AnnouncementAttachment> Attachments, DateTimeOffset? ReadAt, DateTimeOffset? AcknowledgedAt);

/// <summary>
/// Households (units with at least one verified resident or owner) of the audience: how many read
/// it, how many acknowledged it, and how many have not yet done what it asks (read, or acknowledge
/// where it requires acknowledgement).
/// </summary>
public sealed record ReceiptCounts(int Households, int Read, int Acknowledged, int NotYet);

public sealed record BuildingReceipts(long BuildingId, string Building, int Households, int Read, int Acknowledged, int NotYet);

public sealed record AnnouncementReceipts(
    long AnnouncementId, bool RequiresAcknowledgement, IReadOnlyList<BuildingReceipts> Buildings, ReceiptCounts Total, DateTimeOffset? RemindedAt);

public sealed record ReminderSent(long AnnouncementId, int Households, int Recipients, DateTimeOffset RemindedAt);

/// <summary>A position in the announcements list: pinned ones first, then newest first.</summary>
public sealed record AnnouncementCursor(bool Pinned, long Id) : IPageCursor<AnnouncementCursor>
{
    public IEnumerable<object> Parts => [Pinned ? 1 : 0, Id];

    public static AnnouncementCursor? FromParts(IReadOnlyList<string> parts) =>
        parts.Count == 2 && CursorPart.Flag(parts[0]) is { } pinned && CursorPart.Id(parts[1]) is { } id ? new AnnouncementCursor(pinned, id) : null;
}
