using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Files;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CommunityConnect.Api.Features.Voting;

/// <summary>Paper ballots: the routes and their handlers (entering by one owners' committee member, deciding by a second).</summary>
public static partial class VotingApi
{
    private static void MapPaperVotes(RouteGroupBuilder v1, RouteGroupBuilder ballot)
    {
        ballot.MapPost("/paper-votes", EnterPaperVote).WithName("EnterPaperVote")
            .WithSummary("Enter an owner's signed paper ballot (multipart: ownerKey, choice, file = its photo; votingOwnerId if the key has several); pending.")
            .WithDescription("The owners' committee only (others: 403). ownerKey is a key of the ballot's register snapshot in its scope (400 otherwise); " +
                "the photo is a JPEG, PNG or WebP by its bytes (415), up to 5 MB (413). Answers the paper ballot, pending until a second member " +
                "confirms it. 409 when the ballot is not open, the voting owner voted online or already has a paper ballot.")
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(FileVault.RequestLimit))
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415);
        ballot.MapGet("/paper-votes", ListPaperVotes).WithName("ListPaperVotes")
            .WithSummary("The ballot's paper ballots (pending, confirmed, rejected), oldest first, for the owners' committee.")
            .WithDescription("The owners' committee only (others: 403). Reads only: the paper ballots entered on this ballot, oldest first, paged by cursor.")
            .ProducesProblem(400).ProducesProblem(403);

        var paper = v1.MapGroup("/paper-votes/{paperVoteId:long}").WithTags(Tag).RequireAuthorization().ProducesProblem(404);
        paper.MapPost("/confirm", ConfirmPaperVote).WithName("ConfirmPaperVote")
            .WithSummary("A second owners' committee member confirms a paper ballot: it counts and enters the chain.")
            .WithDescription("The owners' committee only, and not the member who entered it (403: four eyes). pending → confirmed; the vote is appended to " +
                "the hash chain. 409 when it is not pending or the ballot no longer takes votes.")
            .ProducesProblem(403).ProducesProblem(409);
        paper.MapPost("/reject", RejectPaperVote).WithName("RejectPaperVote")
            .WithSummary("A second owners' committee member rejects a paper ballot, with a reason; the owner may then vote again.")
            .WithDescription("The owners' committee only, and not the member who entered it (403: four eyes). pending → rejected with { reason }; 409 when " +
                "it is not pending.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        paper.MapGet("/photo", PaperVotePhoto).WithName("GetPaperVotePhoto")
            .WithSummary("The photo of the signed paper ballot.")
            .WithDescription("The owners' committee only (others: 403). Reads only: the image as stored.")
            .Produces<Stream>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp")
            .ProducesProblem(403);
    }

    private static ProblemHttpResult CommitteeOnly() =>
        TypedResults.Problem(statusCode: 403, title: "Only the owners' committee handles paper ballots.");

    private static async Task<Results<Created<PaperVote>, ValidationProblem, ProblemHttpResult>> EnterPaperVote(
        long ballotId, [FromForm(Name = "ownerKey")] string? ownerKey, [FromForm(Name = "choice")] string? choice,
        [FromForm(Name = "votingOwnerId")] long? votingOwnerId, IFormFile? file,
        HttpContext http, BallotStore store, PaperVoteStore papers, Tenancy tenancy, FileVault files, UnitOfWork work)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return CommitteeOnly();
        }
        var errors = new Dictionary<string, string[]>();
        var key = ownerKey is null ? "" : UserText.Normalize(ownerKey).Trim();
        if (key.Length is 0 or > 64)
        {
            errors["ownerKey"] = ["ownerKey is required: the owner's key on the owners register (up to 64 characters)."];
        }
        if (choice is null || !BallotChain.Choices.Contains(choice))
        {
            errors["choice"] = [$"choice must be one of: {string.Join(", ", BallotChain.Choices)}."];
        }
        if (file is null || file.Length == 0)
        {
            errors["file"] = ["file is required: a photo of the signed paper ballot."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var outcome = await files.UploadAsync(PaperVoteStore.PhotoKind, file!, FileTypes.Images, "a JPEG, PNG or WebP image",
            (fileName, contentType) => work.CreateAsync(
                (connection, transaction) => papers.EnterAsync(connection, transaction, ballotId, access, key, choice!, votingOwnerId, fileName, contentType),
                LocationOf),
            http.RequestAborted);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(PaperVote paper) => PaperVoteStore.PhotoUrl(paper.Id);
    }

    private static async Task<Results<Ok<Page<PaperVote>>, ValidationProblem, ProblemHttpResult>> ListPaperVotes(
        long ballotId, [AsParameters] PageRequest page, HttpContext http, BallotStore store, PaperVoteStore papers, Tenancy tenancy)
    {
        var access = await AccessAsync(ballotId, http, store, tenancy);
        if (access is null)
        {
            return NotFound();
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return CommitteeOnly();
        }
        var errors = page.Read(out IdCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await papers.ListAsync(ballotId, access.CommunityId, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<CommunityAccess?> PaperAccessAsync(long paperVoteId, HttpContext http, PaperVoteStore papers, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await papers.CommunityOfAsync(paperVoteId));

    private static Task<Results<Ok<PaperVote>, ProblemHttpResult>> ConfirmPaperVote(
        long paperVoteId, HttpContext http, PaperVoteStore papers, Tenancy tenancy, UnitOfWork work) =>
        DecideAsync(paperVoteId, true, null, http, papers, tenancy, work);

    private static Task<Results<Ok<PaperVote>, ProblemHttpResult>> RejectPaperVote(
        long paperVoteId, ReasonInput input, HttpContext http, PaperVoteStore papers, Tenancy tenancy, UnitOfWork work) =>
        DecideAsync(paperVoteId, false, input.Reason!.Trim(), http, papers, tenancy, work);

    private static async Task<Results<Ok<PaperVote>, ProblemHttpResult>> DecideAsync(
        long paperVoteId, bool confirm, string? reason, HttpContext http, PaperVoteStore papers, Tenancy tenancy, UnitOfWork work)
    {
        var access = await PaperAccessAsync(paperVoteId, http, papers, tenancy);
        if (access is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Paper ballot was not found.");
        }
        if (!access.Has(Roles.OwnersCommittee))
        {
            return CommitteeOnly();
        }
        var outcome = await work.WriteAsync((connection, transaction) => papers.DecideAsync(connection, transaction, paperVoteId, access, confirm, reason));
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value);
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> PaperVotePhoto(
        long paperVoteId, HttpContext http, PaperVoteStore papers, Tenancy tenancy, FileVault files)
    {
        var access = await PaperAccessAsync(paperVoteId, http, papers, tenancy);
        var photo = access is null ? null : await papers.PhotoAsync(paperVoteId, access.CommunityId);
        if (photo is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Paper ballot was not found.");
        }
        return access!.Has(Roles.OwnersCommittee) ? files.Serve(http, PaperVoteStore.PhotoKind, photo.Value.File, photo.Value.Type) : CommitteeOnly();
    }
}
