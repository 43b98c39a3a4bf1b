using CommunityConnect.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>The owners register (业主名册): import a CSV as a new version, read the current one's summary.</summary>
public static class OwnersRegisterApi
{
    public static RouteGroupBuilder MapOwnersRegister(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}/owners-register").WithTags("Owners register")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/", Import).WithName("ImportOwnersRegister")
            .Accepts<string>(OwnersRegisterFile.ContentType)
            .WithSummary("Import the owners register from CSV as its new current version (street admin or owners' committee).")
            .WithDescription("The street admin and the owners' committee (other members: 403). The body is text/csv with the header " +
                "building,unit,area,owners and an optional floor column, one row per unit: area is the exclusive floor area in " +
                "square metres with up to two decimals; owners one or more owner keys separated by ';' (co-owners), developer " +
                "for the developer's unsold units. Missing buildings ({n}号楼) and units are created (floor from the floor column, " +
                "else the unit number without its last two digits: 502 → 5), every unit takes the file's area and floor, and " +
                "the file becomes the current version; earlier versions are kept. 201 with the version, buildings, units, " +
                "voting owners (identical owner sets are one owner; a co-owned unit is one owner) and total area. A bad row " +
                "(missing column, area ≤ 0 or not a number, a duplicate unit) is 400 listing every bad line, and nothing is " +
                "imported; another content type is 415.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(415);
        community.MapGet("/", Current).WithName("GetOwnersRegister")
            .WithSummary("The current owners register's summary.")
            .WithDescription("Members of the community and its street's admins. Reads only: the current version with its buildings, " +
                "units, voting owners and total area (square metres); 404 when no register has been imported.");
        return v1;
    }

    private static async Task<Results<Created<OwnersRegisterSummary>, ValidationProblem, ProblemHttpResult>> Import(
        long communityId, HttpRequest request, CommunityAccess access, OwnersRegisterStore store)
    {
        if (!access.HasAny(Roles.StreetAdmin, Roles.OwnersCommittee))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the street office and the owners' committee import the owners register.");
        }
        if (request.ContentType is not { } type || !type.StartsWith(OwnersRegisterFile.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: 415, title: "The owners register is sent as text/csv.");
        }
        var file = await OwnersRegisterFile.ReadAsync(request.Body, request.HttpContext.RequestAborted);
        if (file.Errors.Count > 0)
        {
            return TypedResults.ValidationProblem(file.Errors, title: "The file has bad lines; nothing was imported.");
        }
        var summary = await store.ImportAsync(communityId, access.UserId, file);
        return TypedResults.Created($"/v1/communities/{communityId}/owners-register", summary);
    }

    private static async Task<Results<Ok<OwnersRegisterSummary>, ProblemHttpResult>> Current(
        long communityId, CommunityAccess access, OwnersRegisterStore store) =>
        await store.CurrentAsync(communityId) is { } summary
            ? TypedResults.Ok(summary)
            : TypedResults.Problem(statusCode: 404, title: "No owners register has been imported.");
}
