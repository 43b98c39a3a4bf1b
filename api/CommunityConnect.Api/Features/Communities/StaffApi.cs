using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>Removing a role, ending a membership, and the log of every grant and removal.</summary>
public static class StaffApi
{
    public static RouteGroupBuilder MapStaff(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Communities")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapDelete("/staff/{userId:long}", Remove).WithName("RemoveStaffRole")
            .WithSummary("Remove a role from a staff member (whoever may invite to it).")
            .WithDescription("Whoever may invite to the role: the street admin any staff role, the party secretary the committees, a " +
                "manager of the serving property company its staff (other members: 403; anyone else: 404). role is required " +
                "(property_staff, owners_committee, residents_committee or party_secretary; another is 400); 404 when the user " +
                "does not hold it here. 204; the removal is in the role-change log and the user is notified.")
            .ProducesProblem(400).ProducesProblem(403);
        community.MapGet("/role-changes", RoleChanges).WithName("ListRoleChanges")
            .WithSummary("The append-only log of every role granted and removed (street admin and secretary).")
            .WithDescription("The street admin and the party secretary (other members: 403). Reads only: every grant (by invitation, " +
                "membership request, dev-login) and removal (by hand, ended membership, replaced property company) with who " +
                "did it and why, oldest first, paged by cursor. Kept apart from the complaint box's unseal audit.")
            .ProducesProblem(403);
        community.MapPost("/members/{userId:long}/end", End).WithName("EndMembership")
            .WithSummary("End a member's membership: they moved away (residents' committee).")
            .WithDescription("The residents' committee, which verifies who lives here, and the street admin (other members, the party " +
                "secretary included: 403). The user's " +
                "resident and owner roles in the community end, with the reason (each in the role-change log) and they are " +
                "notified; without a staff role they lose access to the community (404 from then on). What they wrote stays " +
                "theirs. 404 when the user is not a resident or owner of the community.")
            .ProducesProblem(403);
        return v1;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Remove(
        long communityId, long userId, string? role, CommunityAccess access, StaffStore store)
    {
        if (role is null || !RoleGrants.StaffRoles.Contains(role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = ["role is required: property_staff, owners_committee, residents_committee or party_secretary."],
            });
        }
        var manager = role == Roles.PropertyStaff && await store.IsPropertyManagerAsync(communityId, access.UserId);
        if (!RoleGrants.MayGrant(access, role, manager))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only whoever may invite to this role may remove it.");
        }
        var outcome = await store.RemoveAsync(access, userId, role);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<Page<RoleChange>>, ValidationProblem, ProblemHttpResult>> RoleChanges(
        long communityId, [AsParameters] PageRequest page, CommunityAccess access, RoleChangeLog log)
    {
        if (!RoleGrants.MayReadLog(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the street office and the party secretary read the role-change log.");
        }
        var errors = page.Read(out IdCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await log.ListAsync(communityId, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Ok<EndedMembership>, ProblemHttpResult>> End(
        long communityId, long userId, EndMembershipInput input, CommunityAccess access, StaffStore store)
    {
        if (!access.HasAny(Roles.ResidentsCommittee, Roles.StreetAdmin))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee ends a membership.");
        }
        var outcome = await store.EndMembershipAsync(access, userId, input.Reason!);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
