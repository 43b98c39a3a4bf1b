using System.Text.RegularExpressions;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Jobs.Repairs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Features.Repairs;

public static partial class RepairsApi
{
    public static IServiceCollection AddRepairs(this IServiceCollection services) =>
        services.AddSingleton<RepairStore>()
            .AddSingleton<IUnratedRepairTickets>(provider => provider.GetRequiredService<RepairStore>())
            .AddTransient<AutoCloseUnratedTicketsJob>()
            .AddSingleton<RepairPhotoStore>()
            .AddSingleton<RepairScoreboardStore>();

    public static RouteGroupBuilder MapRepairs(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/repairs").WithTags("Repairs")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Create).WithName("ReportRepair")
            .WithSummary("Report a repair in a unit or a common area (property staff may report for a resident).")
            .WithDescription("Members of the community (the street admin: 403). Creates a submitted ticket at a unit of the community " +
                "(unitId) or a common area (commonArea, with buildingId when it is in a building), and its case, routed " +
                "by category and notified to that body; gas is always urgent. Only property staff report for a member by " +
                "phone or at the desk (reporterId, channel): anyone else sending them gets 403.")
            .ProducesValidationProblem().ProducesProblem(403);
        community.MapGet("/", List).WithName("ListRepairs")
            .WithSummary("The repair tickets the caller may see, newest first, by state, mine or assigned to me.")
            .WithDescription("Members of the community and its street's admins. Reads only: the tickets the caller may see (property " +
                "staff, the committees, the secretary and the street admin: all; others: their own, their unit's and the " +
                "common areas'), newest first, filtered by state, mine or assignedToMe, paged by cursor.")
            .ProducesValidationProblem();
        community.MapGet("/scoreboard", Scoreboard).WithName("GetRepairScoreboard")
            .WithSummary("The property company's public figures per category and overall for tickets reported between two dates (Asia/Shanghai).")
            .WithDescription("Members of the community and its street's admins. Reads only: for the tickets reported from `from` to " +
                "`to` (Shanghai dates, at most 366 days apart, default the last 30 days), per category and overall: " +
                "tickets, median minutes to acceptance and to resolution, reopen rate and average ratings.")
            .ProducesValidationProblem();

        var ticket = v1.MapGroup("/repairs/{ticketId:long}").WithTags("Repairs").RequireAuthorization().ProducesProblem(404);
        ticket.MapGet("/", Get).WithName("GetRepair").WithSummary("A repair ticket with its state, case, photos, \"me too\" count and rating.")
            .WithDescription("Whoever may see the ticket: its reporter, the residents of its unit, every member for a common area, " +
                "property staff, the committees, the secretary and the street admin; for anyone else it does not exist " +
                "(404), as for every route under /v1/repairs/{ticketId}. Reads only; the contact phone is masked but to " +
                "the reporter and property staff.");
        ticket.MapPut("/agree", Agree).WithName("AgreeWithRepair").WithSummary("\"Me too\": another member has the same problem.")
            .WithDescription("Members who may see the ticket, but not its reporter (403). Adds the caller's \"me too\" (twice: no " +
                "change); 409 once the ticket is closed, rejected or cancelled.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapDelete("/agree", Disagree).WithName("WithdrawRepairAgreement").WithSummary("Take back a \"me too\".")
            .WithDescription("Whoever may see the ticket. Removes the caller's \"me too\", in any state; without one it changes nothing.");
        ticket.MapPost("/photos", AddPhoto).WithName("AddRepairPhoto")
            .WithSummary("Add a photo (multipart field `file`; JPEG, PNG or WebP by their bytes; up to 5 MB, 9 per ticket).")
            .WithDescription("The reporter and property staff (others who may see the ticket: 403). Stores a JPEG, PNG or WebP photo, " +
                "judged by its bytes whatever its name (415 otherwise), of at most 5 MB (413), on a ticket not closed, " +
                "rejected or cancelled and holding fewer than 9 photos (409).")
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(RepairPhotoStore.MaxBytes + 256 * 1024))
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        ticket.MapPost("/accept", Accept).WithName("AcceptRepair").WithSummary("Property staff accept a submitted ticket (the case's first response).")
            .WithDescription("Property staff only (others: 403). Moves a submitted ticket to accepted, with an optional note: the " +
                "case's first response, which stops its first-response clock; the reporter is notified. 409 in any other " +
                "state, as when a colleague has just accepted it.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/assign", Assign).WithName("AssignRepair").WithSummary("Property staff dispatch an accepted ticket to a technician (a property_staff member).")
            .WithDescription("Property staff only (others: 403). Moves an accepted ticket to assigned, dispatched to technicianId, a " +
                "property staff member of the community (400 otherwise), with an optional note; 409 in any other state.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/start", Start).WithName("StartRepair").WithSummary("The repair starts on an assigned ticket.")
            .WithDescription("Property staff only (others: 403). Moves an assigned ticket to in_progress, with an optional note; 409 " +
                "in any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/pause", Pause).WithName("PauseRepair").WithSummary("Pause a repair in progress, with a reason (waiting for parts).")
            .WithDescription("Property staff only (others: 403). Moves an in_progress ticket to paused with a reason (waiting for " +
                "parts); the case's resolution clock stops until it resumes. 409 in any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/resume", Resume).WithName("ResumeRepair").WithSummary("Resume a paused repair.")
            .WithDescription("Property staff only (others: 403). Moves a paused ticket back to in_progress, with an optional note; the " +
                "resolution due time moves on by the paused working time. 409 in any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/resolve", Resolve).WithName("ResolveRepair").WithSummary("The repair is done; the reporter is asked to rate it.")
            .WithDescription("Property staff only (others: 403). Moves an in_progress ticket to resolved, with an optional note, " +
                "resolving its case, and asks the reporter to rate it (unrated, it closes by itself after 7 days). 409 in " +
                "any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/reject", Reject).WithName("RejectRepair").WithSummary("Property staff decline a submitted ticket, with a reason.")
            .WithDescription("Property staff only (others: 403). Declines a submitted ticket with a reason, which the reporter is " +
                "sent, and closes its case; 409 once it is accepted, or in any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/cancel", Cancel).WithName("CancelRepair").WithSummary("The reporter withdraws a ticket not yet accepted.")
            .WithDescription("Only the reporter (others: 403). Withdraws a ticket the property company has not accepted yet " +
                "(submitted), with an optional note, and closes its case; 409 in any other state.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/reopen", Reopen).WithName("ReopenRepair")
            .WithSummary("The reporter reopens a resolved or closed ticket within 7 days of its resolution, with a reason.")
            .WithDescription("Only the reporter (others: 403). Sends a resolved or closed ticket back to accepted with a reason, " +
                "within 7 days of its resolution: its case reopens and its rating is withdrawn, to be given again. 409 in " +
                "another state or after the 7 days.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/rating", Rate).WithName("RateRepair")
            .WithSummary("The reporter rates a resolved ticket once (timeliness, attitude, quality 1–5); this closes it.")
            .WithDescription("Only the reporter (others: 403), once. Rates a resolved ticket 1 to 5 for timeliness, attitude and " +
                "quality, with an optional comment, which closes the ticket and its case; 409 when it is not resolved or " +
                "already rated.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapPost("/messages", PostMessage).WithName("PostRepairMessage")
            .WithSummary("A message between the reporter and the property staff.")
            .WithDescription("The reporter and property staff (others who may see the ticket: 403). Adds a message to the ticket's " +
                "conversation and its history; 409 once the ticket is closed, rejected or cancelled.")
            .ProducesProblem(403).ProducesProblem(409);
        ticket.MapGet("/messages", Messages).WithName("ListRepairMessages")
            .WithSummary("The conversation on a ticket, oldest first (everyone who may see the ticket).")
            .WithDescription("Whoever may see the ticket. Reads only: its conversation between the reporter and property staff, oldest " +
                "first, paged by cursor.")
            .ProducesValidationProblem();
        ticket.MapGet("/history", History).WithName("GetRepairHistory")
            .WithSummary("Every transition and message of a ticket: who, from, to, when, note.")
            .WithDescription("Whoever may see the ticket. Reads only: every transition and message in order: what happened, who, from " +
                "and to which state, when, and its note.");

        v1.MapGet("/photos/{photoId:long}", GetPhoto).WithTags("Repairs").RequireAuthorization().WithName("GetRepairPhoto")
            .WithSummary("A ticket's photo, for those who may see the ticket.")
            .WithDescription("Whoever may see the photo's ticket; for anyone else it does not exist (404). Reads only: the image as " +
                "stored, with its content type, cacheable privately for an hour.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp").ProducesProblem(404);
        return v1;
    }

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: 404, title: "Repair ticket was not found.");

    /// <summary>The caller's access to the ticket's community; null when the ticket does not exist or the community is hidden (404).</summary>
    private static async Task<CommunityAccess?> AccessToTicketAsync(long ticketId, HttpContext http, RepairStore store, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await store.CommunityOfAsync(ticketId));

    // ---- reporting and reading ----

    [GeneratedRegex("^\\+?[0-9][0-9 -]{4,19}$")]
    private static partial Regex PhonePattern();

    private static async Task<Results<Created<RepairTicket>, ValidationProblem, ProblemHttpResult>> Create(
        long communityId, NewRepairTicket input, CommunityAccess access, RepairStore store, UnitOfWork work)
    {
        if (!access.IsMember)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only members of the community report repairs.");
        }
        var isStaff = access.Has(Roles.PropertyStaff);
        var reporterId = input.ReporterId ?? access.UserId;
        var channel = input.Channel ?? "app";
        if (!isStaff && (reporterId != access.UserId || channel != "app"))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only property staff report on a resident's behalf (reporterId, channel).");
        }

        var errors = new Dictionary<string, string[]>();
        if (!Taxonomy.IsCategory(input.Category))
        {
            errors["category"] = [$"category must be one of: {string.Join(", ", Taxonomy.Categories)}."];
        }
        long? buildingId = null;
        if (input.UnitId is null && string.IsNullOrWhiteSpace(input.CommonArea))
        {
            errors["location"] = ["Give the location: unitId, or commonArea (with buildingId when it is in a building)."];
        }
        else if (input.UnitId is not null && input.CommonArea is not null)
        {
            errors["location"] = ["Give either unitId or commonArea, not both."];
        }
        else if (input.UnitId is { } unitId)
        {
            buildingId = await store.BuildingOfUnitAsync(communityId, unitId);
            if (buildingId is null)
            {
                errors["unitId"] = ["unitId names no unit of this community."];
            }
        }
        else if (input.BuildingId is { } building)
        {
            buildingId = building;
            if (!await store.IsBuildingOfAsync(communityId, building))
            {
                errors["buildingId"] = ["buildingId names no building of this community."];
            }
        }
        string? phone = null;
        if (input.ContactPhone is not null)
        {
            // NFKC first: a full-width １３８ is 138.
            phone = UserText.Normalize(input.ContactPhone).Trim();
            if (!PhonePattern().IsMatch(phone))
            {
                errors["contactPhone"] = ["contactPhone must be a phone number (digits, spaces, dashes, an optional leading +)."];
            }
        }
        if (reporterId != access.UserId && !await store.IsMemberAsync(communityId, reporterId))
        {
            errors["reporterId"] = ["reporterId names no member of this community."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        // TAXONOMY.md: gas is always urgent.
        var urgent = input.Urgent || input.Category == "gas";
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.CreateAsync(connection, transaction, access, input, reporterId, channel, buildingId, phone, urgent),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    private static string LocationOf(RepairTicket ticket) => $"/v1/repairs/{ticket.Id}";

    private static async Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Get(long ticketId, HttpContext http, RepairStore store, Tenancy tenancy)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        var ticket = access is null ? null : await store.GetAsync(ticketId, access);
        return ticket is null ? NotFound() : TypedResults.Ok(ticket);
    }

    private static async Task<Results<Ok<Page<RepairTicketSummary>>, ValidationProblem>> List(
        long communityId, string? state, bool? mine, bool? assignedToMe, string? after, int? limit, CommunityAccess access, RepairStore store)
    {
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var afterId = Paging.DecodeId(after, errors);
        if (state is not null && !RepairStates.All.Contains(state))
        {
            errors["state"] = [$"state must be one of: {string.Join(", ", RepairStates.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(access, state, mine ?? false, assignedToMe ?? false, afterId, take + 1);
        return TypedResults.Ok(Paging.Cut(rows, take, r => Paging.Encode(r.Id)));
    }

    private static async Task<Results<Ok<RepairScoreboard>, ValidationProblem>> Scoreboard(
        long communityId, DateOnly? from, DateOnly? to, CommunityAccess access, RepairScoreboardStore scoreboard, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (ReportRange.Parse(from, to, RepairScoreboardStore.Today(time), defaultDays: 30, errors) is not var (first, last))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await scoreboard.GetAsync(communityId, first, last));
    }

    // ---- me too ----

    private static Task<Results<NoContent, ProblemHttpResult>> Agree(long ticketId, HttpContext http, RepairStore store, Tenancy tenancy) =>
        SetAgreementAsync(ticketId, true, http, store, tenancy);

    private static Task<Results<NoContent, ProblemHttpResult>> Disagree(long ticketId, HttpContext http, RepairStore store, Tenancy tenancy) =>
        SetAgreementAsync(ticketId, false, http, store, tenancy);

    private static async Task<Results<NoContent, ProblemHttpResult>> SetAgreementAsync(long ticketId, bool agree, HttpContext http, RepairStore store, Tenancy tenancy)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await store.AgreeAsync(ticketId, access, agree);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.NoContent();
    }

    // ---- photos ----

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

    // ---- the state machine's actions ----

    private static async Task<Results<Ok<RepairTicket>, ProblemHttpResult>> MoveAsync(
        long ticketId, string action, string? note, HttpContext http, RepairStore store, Tenancy tenancy, long? technicianId = null)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await store.TransitionAsync(ticketId, action, access, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), technicianId);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Accept(long ticketId, RepairNote? input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Accept, input?.Note, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Assign(long ticketId, RepairAssignment input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Assign, input.Note, http, store, tenancy, input.TechnicianId);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Start(long ticketId, RepairNote? input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Start, input?.Note, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Pause(long ticketId, RepairReason input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Pause, input.Reason, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Resume(long ticketId, RepairNote? input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Resume, input?.Note, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Resolve(long ticketId, RepairNote? input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Resolve, input?.Note, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Reject(long ticketId, RepairReason input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Reject, input.Reason, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Cancel(long ticketId, RepairNote? input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Cancel, input?.Note, http, store, tenancy);

    private static Task<Results<Ok<RepairTicket>, ProblemHttpResult>> Reopen(long ticketId, RepairReason input, HttpContext http, RepairStore store, Tenancy tenancy) =>
        MoveAsync(ticketId, RepairStateMachine.Reopen, input.Reason, http, store, tenancy);

    private static async Task<Results<Created<RepairTicket>, ProblemHttpResult>> Rate(
        long ticketId, NewRepairRating input, HttpContext http, RepairStore store, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var outcome = await work.CreateAsync((connection, transaction) => store.RateAsync(connection, transaction, ticketId, access, input), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);
    }

    // ---- conversation and history ----

    private static async Task<Results<Created<RepairMessage>, ProblemHttpResult>> PostMessage(
        long ticketId, NewRepairMessage input, HttpContext http, RepairStore store, Tenancy tenancy, UnitOfWork work)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        var body = input.Body!.Trim();
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.PostMessageAsync(connection, transaction, ticketId, access, body),
            message => $"/v1/repairs/{ticketId}/messages#{message.Id}");
        return outcome.Failed
            ? outcome.Failure!.ToResult()
            : TypedResults.Created($"/v1/repairs/{ticketId}/messages#{outcome.Value!.Id}", outcome.Value);
    }

    private static async Task<Results<Ok<Page<RepairMessage>>, ValidationProblem, ProblemHttpResult>> Messages(
        long ticketId, string? after, int? limit, HttpContext http, RepairStore store, Tenancy tenancy)
    {
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var afterId = Paging.DecodeId(after, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        var rows = access is null ? null : await store.MessagesAsync(ticketId, access, afterId, take + 1);
        return rows is null ? NotFound() : TypedResults.Ok(Paging.Cut(rows, take, m => Paging.Encode(m.Id)));
    }

    private static async Task<Results<Ok<IReadOnlyList<RepairHistoryEntry>>, ProblemHttpResult>> History(
        long ticketId, HttpContext http, RepairStore store, Tenancy tenancy)
    {
        var access = await AccessToTicketAsync(ticketId, http, store, tenancy);
        var rows = access is null ? null : await store.HistoryAsync(ticketId, access);
        return rows is null ? NotFound() : TypedResults.Ok(rows);
    }
}
