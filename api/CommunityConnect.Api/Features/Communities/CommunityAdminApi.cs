using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>The street office's side: its communities, its role holders, and each community's property company.</summary>
public static class CommunityAdminApi
{
    public static RouteGroupBuilder MapCommunityAdmin(this RouteGroupBuilder v1)
    {
        var street = v1.MapGroup("/streets/{streetId:long}").WithTags("Street office").RequireAuthorization()
            .ProducesProblem(403).ProducesProblem(404);
        street.MapPost("/communities", CreateCommunity).WithName("CreateCommunity")
            .WithSummary("Create a community of the street (street admin).")
            .WithDescription("Only the street's admins (members of its communities: 403; anyone else: 404). Creates a community " +
                "with a name (unique in the street), an address and an optional district; 201 with its Location. Buildings " +
                "and units come from the owners register import. 409 when the street already has a community of that name.")
            .ProducesProblem(409);
        street.MapGet("/communities", ListCommunities).WithName("ListStreetCommunities")
            .WithSummary("The street's communities (street admin).")
            .WithDescription("Only the street's admins (members of its communities: 403; anyone else: 404). Reads only: the " +
                "communities oldest first, paged by cursor.");
        street.MapGet("/staff", StreetStaff).WithName("ListStreetStaff")
            .WithSummary("The street's role holders: its admins and every community's staff (street admin).")
            .WithDescription("Only the street's admins (members of its communities: 403; anyone else: 404). Reads only: one row per " +
                "role held (street admins, and the property staff, committee members and party secretary of each community of " +
                "the street), optionally of one role, paged by cursor.");

        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Street office")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPut("/", UpdateCommunity).WithName("UpdateCommunity")
            .WithSummary("Edit a community's name, address and district (street admin).")
            .WithDescription("Only the admins of the community's street (its members: 403; anyone else: 404). Replaces the name " +
                "(unique in the street), the address and the district; 409 when another community of the street has the name.")
            .ProducesProblem(403).ProducesProblem(409);
        community.MapGet("/property-company", GetCompany).WithName("GetPropertyCompany")
            .WithSummary("The property company serving the community.")
            .WithDescription("Members of the community and its street's admins. Reads only: the serving company's name, contact, the " +
                "owners' decision that brought it in and since when; 404 when the community has none yet.");
        community.MapPut("/property-company", SetCompany).WithName("SetPropertyCompany")
            .WithSummary("Set or replace the community's property company, recording the owners' decision (street admin).")
            .WithDescription("Only the admins of the community's street (its members: 403; anyone else: 404). With no company yet, " +
                "or another name than the serving one, the company is replaced: the old one's staff lose their property_staff " +
                "role, and with it access to the community, at once (each removal is in the role-change log with the " +
                "decision); open cases stay with the property body, which the new company's staff, invited afresh, answer. " +
                "The serving company's own name only updates its contact. 409 when the serving company changed meanwhile.")
            .ProducesProblem(403).ProducesProblem(409);
        return v1;
    }

    private static async Task<Results<Created<Community>, ProblemHttpResult>> CreateCommunity(
        long streetId, CommunityInput input, HttpContext http, Tenancy tenancy, UnitOfWork work)
    {
        if (await StreetAdminCheck(http, tenancy, streetId) is { } refused)
        {
            return refused;
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => CommunityAdminStore.CreateAsync(connection, transaction, streetId, input), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Community community) => $"/v1/communities/{community.Id}";
    }

    private static async Task<Results<Ok<Page<Community>>, ValidationProblem, ProblemHttpResult>> ListCommunities(
        long streetId, [AsParameters] PageRequest page, HttpContext http, Tenancy tenancy, CommunityAdminStore store)
    {
        if (await StreetAdminCheck(http, tenancy, streetId) is { } refused)
        {
            return refused;
        }
        var errors = page.Read(out IdCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(streetId, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, c => new IdCursor(c.Id)));
    }

    private static async Task<Results<Ok<Page<StreetStaffMember>>, ValidationProblem, ProblemHttpResult>> StreetStaff(
        long streetId, string? role, [AsParameters] PageRequest page, HttpContext http, Tenancy tenancy, StaffStore store)
    {
        if (await StreetAdminCheck(http, tenancy, streetId) is { } refused)
        {
            return refused;
        }
        var errors = page.Read(out IdCursor? after);
        if (role is not null && !RoleGrants.InvitableRoles.Contains(role))
        {
            errors["role"] = [$"role must be one of {string.Join(", ", RoleGrants.InvitableRoles)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.StreetStaffAsync(streetId, role, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, s => new IdCursor(s.Id)));
    }

    /// <summary>404 for a street the caller does not see, 403 for one they see but do not administer, else null.</summary>
    public static async Task<ProblemHttpResult?> StreetAdminCheck(HttpContext http, Tenancy tenancy, long streetId)
    {
        var (sees, admin) = await tenancy.ForStreetAsync(http.User.RequiredUserId(), streetId, http.RequestAborted);
        return !sees ? TypedResults.Problem(statusCode: 404, title: "Street was not found.")
            : !admin ? TypedResults.Problem(statusCode: 403, title: "Only the street office does this.")
            : null;
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> UpdateCommunity(
        long communityId, CommunityInput input, CommunityAccess access, CommunityAdminStore store)
    {
        if (!access.IsStreetAdmin)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the street office edits a community.");
        }
        var outcome = await store.UpdateAsync(communityId, input);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<PropertyCompany>, ProblemHttpResult>> GetCompany(
        long communityId, CommunityAccess access, CommunityAdminStore store) =>
        await store.ServingCompanyAsync(communityId) is { } company
            ? TypedResults.Ok(company)
            : TypedResults.Problem(statusCode: 404, title: "The community has no property company yet.");

    private static async Task<Results<Ok<PropertyCompany>, ProblemHttpResult>> SetCompany(
        long communityId, PropertyCompanyInput input, CommunityAccess access, CommunityAdminStore store)
    {
        if (!access.IsStreetAdmin)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the street office records a change of property company.");
        }
        var outcome = await store.SetCompanyAsync(access, input);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
