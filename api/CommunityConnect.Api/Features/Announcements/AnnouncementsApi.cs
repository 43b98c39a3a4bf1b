using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Files;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Features.Announcements;

/// <summary>通知公告: announcements to the community or some buildings, with read receipts per household.</summary>
public static class AnnouncementsApi
{
    public static IServiceCollection AddAnnouncements(this IServiceCollection services) =>
        services.AddSingleton<AnnouncementReading>()
            .AddSingleton<AnnouncementPublishing>()
            .AddSingleton<AnnouncementReceiptStore>();

    public static RouteGroupBuilder MapAnnouncements(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/announcements").WithTags("Announcements")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Publish).WithName("PublishAnnouncement")
            .WithSummary("Publish an announcement to the community or to some buildings.")
            .WithDescription("The residents' committee, the owners' committee, the property company and the party secretary (residents and the street " +
                "admin: 403). Publishes to the whole community (audience all) or to some of its buildings (audience buildings with " +
                "buildingIds, 400 otherwise), optionally pinned until a future time; the audience's members get an inbox notice, and a WeChat " +
                "subscribe message where they consented.")
            .ProducesProblem(400).ProducesProblem(403);
        community.MapGet("/", List).WithName("ListAnnouncements")
            .WithSummary("Announcements the caller is in the audience of, pinned first, then newest first.")
            .WithDescription("Members of the community and its street's admins. Reads only: a member sees those to the whole community and to the buildings " +
                "they live in, staff, the committees, the secretary and the street admin all of them; read and acknowledged are the caller's " +
                "own; paged by cursor.")
            .ProducesProblem(400);

        var one = v1.MapGroup("/announcements/{announcementId:long}").WithTags("Announcements").RequireAuthorization().ProducesProblem(404);
        one.MapGet("/", Get).WithName("GetAnnouncement")
            .WithSummary("One announcement with its attachments; reading it records the caller's read.")
            .WithDescription("Members of its audience, the staff, committees and secretary of its community and the street admin; for anyone else it does " +
                "not exist (404). Records a member's first read for the receipts (the street admin reads without one).");
        one.MapPut("/acknowledgement", Acknowledge).WithName("AcknowledgeAnnouncement")
            .WithSummary("已知晓: record that the caller has taken note (idempotent, 204).")
            .WithDescription("Members of the audience (the street admin, who is no household: 403). Records the caller's 已知晓 and a read; again: no change. " +
                "409 when the announcement asks for no acknowledgement.")
            .ProducesProblem(403).ProducesProblem(409);
        one.MapGet("/receipts", Receipts).WithName("GetAnnouncementReceipts")
            .WithSummary("Households read, acknowledged and not yet, per building and in total.")
            .WithDescription("Those acting for the publishing body, the party secretary and the street admin (others: 403). Reads only: the audience's " +
                "households, each a unit with at least one verified resident or owner (its owner and tenant count once), read, acknowledged " +
                "and not yet.")
            .ProducesProblem(403);
        one.MapPost("/reminders", Remind).WithName("RemindAnnouncement")
            .WithSummary("Remind the households that have not read it (or not acknowledged it, where required).")
            .WithDescription("Those acting for the publishing body and the party secretary (others: 403). Sends an inbox notice to every verified resident " +
                "and owner of the households that have not read it (or not acknowledged it, where it asks for that); once per announcement, " +
                "409 after.")
            .ProducesProblem(403).ProducesProblem(409);
        one.MapPost("/attachments", AddAttachment).WithName("AddAnnouncementAttachment")
            .WithSummary("Attach an image or a PDF (multipart field `file`; JPEG, PNG, WebP or PDF by their bytes; up to 5 MB, 9 per announcement).")
            .WithDescription("Its author and those acting for the publishing body (others: 403). Stores the file, checked by its bytes whatever its name " +
                "(415 for other bytes, 413 over 5 MB), and adds it to the announcement; 409 for a 10th.")
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(FileVault.RequestLimit))
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        one.MapGet("/attachments/{attachmentId:long}", GetAttachment).WithName("GetAnnouncementAttachment")
            .WithSummary("An attachment's file, for the announcement's audience.")
            .WithDescription("Whoever may see the announcement; for anyone else it does not exist (404). Reads only: the file as stored, with its content " +
                "type, cacheable privately for an hour.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp", "application/pdf");
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Announcement was not found.");

    private static async Task<CommunityAccess?> AccessAsync(long announcementId, HttpContext http, AnnouncementReading reading, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await reading.CommunityOfAsync(announcementId));

    private static async Task<Results<Created<Announcement>, ValidationProblem, ProblemHttpResult>> Publish(
        long communityId, NewAnnouncementInput input, CommunityAccess access, AnnouncementPublishing publishing, AnnouncementReading reading,
        UnitOfWork work, TimeProvider time)
    {
        var publisherBody = Publishers.BodyOf(access);
        if (publisherBody is null)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the committees, the property company and the secretary publish announcements.");
        }
        var errors = new Dictionary<string, string[]>();
        var buildingIds = input.BuildingIds ?? [];
        if (input.Audience == Audiences.Buildings && buildingIds.Count == 0)
        {
            errors["buildingIds"] = ["buildingIds must name at least one building when audience is buildings."];
        }
        else if (input.Audience == Audiences.All && buildingIds.Count > 0)
        {
            errors["buildingIds"] = ["buildingIds is for audience buildings only."];
        }
        else if (buildingIds.Count > 0 && await publishing.ForeignBuildingsAsync(communityId, buildingIds) is { Count: > 0 } foreign)
        {
            errors["buildingIds"] = [$"These are not buildings of the community: {string.Join(", ", foreign)}."];
        }
        if (input.PinnedUntil is { } until && until <= time.GetUtcNow())
        {
            errors["pinnedUntil"] = ["pinnedUntil must be in the future."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var draft = new AnnouncementDraft(communityId, access.UserId, publisherBody, input.Title!.Trim(), input.Body!.Trim(), input.Audience!,
            buildingIds, input.RequiresAcknowledgement!.Value, input.PinnedUntil);
        var outcome = await work.CreateAsync<Announcement>(async (connection, transaction) =>
            {
                var id = await publishing.PublishAsync(connection, transaction, draft);
                return (await reading.DetailAsync(connection, transaction, id, access))!;
            },
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Announcement announcement) => $"/v1/announcements/{announcement.Id}";
    }

    private static async Task<Results<Ok<Page<AnnouncementSummary>>, ValidationProblem>> List(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, AnnouncementReading reading)
    {
        var errors = page.Read(out AnnouncementCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await reading.ListAsync(access, after?.Pinned, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new AnnouncementCursor(r.Pinned, r.Id)));
    }

    private static async Task<Results<Ok<Announcement>, ProblemHttpResult>> Get(
        long announcementId, HttpContext http, AnnouncementReading reading, Tenancy tenancy)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        var announcement = access is null ? null : await reading.ReadAsync(announcementId, access);
        return announcement is null ? NotFound() : TypedResults.Ok(announcement);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Acknowledge(
        long announcementId, HttpContext http, AnnouncementReading reading, Tenancy tenancy)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await reading.AcknowledgeAsync(announcementId, access);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AnnouncementReceipts>, ProblemHttpResult>> Receipts(
        long announcementId, HttpContext http, AnnouncementReading reading, AnnouncementReceiptStore receipts, Tenancy tenancy)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await receipts.ReceiptsAsync(announcementId, access);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Created<ReminderSent>, ProblemHttpResult>> Remind(
        long announcementId, HttpContext http, AnnouncementReading reading, AnnouncementReceiptStore receipts, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var location = $"/v1/announcements/{announcementId}/receipts";
        var outcome = await work.CreateAsync((connection, transaction) => receipts.RemindAsync(connection, transaction, announcementId, access), _ => location);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(location, outcome.Value);
    }

    private static async Task<Results<Created<AnnouncementAttachment>, ProblemHttpResult>> AddAttachment(
        long announcementId, IFormFile file, HttpContext http, AnnouncementReading reading, AnnouncementPublishing publishing, Tenancy tenancy,
        FileVault files, UnitOfWork work, Infrastructure.Data.Database database)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        // 404 and 403 before the upload is looked at; the unit of work checks them again on the writer.
        await using (var connection = await database.OpenReadAsync())
        {
            var found = await reading.FindAsync(connection, null, announcementId, access);
            if (found is null)
            {
                return NotFound();
            }
            if (found.AuthorId != access.UserId && !Publishers.ActsFor(access, found.PublisherBody))
            {
                return TypedResults.Problem(statusCode: 403, title: "Only the publisher adds attachments to an announcement.");
            }
        }
        var outcome = await files.UploadAsync(AnnouncementPublishing.AttachmentKind, file, FileTypes.ImagesAndPdf, "a JPEG, PNG or WebP image or a PDF",
            (fileName, contentType) => work.CreateAsync(
                (connection, transaction) => publishing.AddAttachmentAsync(connection, transaction, announcementId, access, fileName, contentType, file.Length),
                attachment => attachment.Url),
            http.RequestAborted);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(outcome.Value!.Url, outcome.Value);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetAttachment(
        long announcementId, long attachmentId, HttpContext http, AnnouncementReading reading, AnnouncementPublishing publishing, Tenancy tenancy, FileVault files)
    {
        var access = await AccessAsync(announcementId, http, reading, tenancy);
        var stored = access is null ? null : await publishing.FindAttachmentAsync(announcementId, attachmentId, access);
        return stored is null
            ? TypedResults.Problem(statusCode: 404, title: "Attachment was not found.")
            : files.Serve(http, AnnouncementPublishing.AttachmentKind, stored.FileName, stored.ContentType);
    }
}
