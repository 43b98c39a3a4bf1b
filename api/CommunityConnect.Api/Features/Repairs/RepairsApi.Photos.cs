using System.Text.RegularExpressions;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Reports;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Repairs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Features.Repairs;

/// <summary>The photo handlers of the repairs routes (see the route list in RepairsApi.cs).</summary>
public static partial class RepairsApi
{
    private static async Task<Results<Created<PhotoCreated>, ProblemHttpResult>> AddPhoto(
        long ticketId, IFormFile file, HttpContext http, RepairStore store, RepairPhotoStore photos, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        var ticket = access is null ? null : await store.GetAsync(ticketId, access);
        if (ticket is null)
        {
            return NotFound();
        }
        if (ticket.ReporterId != access!.UserId && !access.Has(Roles.PropertyStaff))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the reporter and property staff add photos to a ticket.");
        }
        if (file.Length > RepairPhotoStore.MaxBytes)
        {
            return TypedResults.Problem(statusCode: 413, title: $"A photo may be at most {RepairPhotoStore.MaxBytes / 1024 / 1024} MB.");
        }
        var head = new byte[12];
        int read;
        await using (var stream = file.OpenReadStream())
        {
            read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, http.RequestAborted);
        }
        var contentType = RepairPhotoStore.ContentTypeOf(head.AsSpan(0, read));
        if (contentType is null)
        {
            return TypedResults.Problem(statusCode: 415, title: "A photo must be a JPEG, PNG or WebP image.", detail: "The file's bytes are not an image of these types, whatever its name.");
        }
        if (ticket.Photos.Count >= RepairPhotoStore.MaxPerTicket)
        {
            return TypedResults.Problem(statusCode: 409, title: $"A ticket holds at most {RepairPhotoStore.MaxPerTicket} photos.");
        }
        var fileName = await photos.SaveAsync(file, contentType, http.RequestAborted);
        var saved = false;
        try
        {
            var outcome = await work.CreateAsync(
                (connection, transaction) => photos.AddAsync(connection, transaction, ticketId, access, fileName, contentType, file.Length),
                photo => photo.Url);
            if (outcome.Failed)
            {
                return outcome.Failure!.ToResult();
            }
            saved = true;
            return TypedResults.Created(outcome.Value!.Url, outcome.Value);
        }
        finally
        {
            if (!saved)
            {
                photos.Delete(fileName);
            }
        }
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> GetPhoto(
        long photoId, HttpContext http, RepairStore store, RepairPhotoStore photos, Tenancy tenancy)
    {
        var photo = await photos.FindAsync(photoId);
        var notFound = TypedResults.Problem(statusCode: 404, title: "Photo was not found.");
        if (photo is null)
        {
            return notFound;
        }
        var access = await tenancy.ForCommunityAsync(http.User.RequiredUserId(), photo.CommunityId, http.RequestAborted);
        var path = photos.PathOf(photo.FileName);
        if (!access.CanSee || await store.GetAsync(photo.TicketId, access) is null || !File.Exists(path))
        {
            return notFound;
        }
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.PhysicalFile(path, photo.ContentType);
    }
}
