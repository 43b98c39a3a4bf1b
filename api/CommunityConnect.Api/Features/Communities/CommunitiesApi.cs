using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Communities;

public static class CommunitiesApi
{
    public static IServiceCollection AddCommunities(this IServiceCollection services) =>
        services.AddSingleton<CommunityStore>();

    public static RouteGroupBuilder MapCommunities(this RouteGroupBuilder v1)
    {
        // Joining: anyone signed in may ask (they found the community on a poster), so this route
        // is outside the members-only group below.
        v1.MapPost("/communities/{communityId:long}/membership-requests", RequestMembership)
            .WithTags("Communities").RequireAuthorization().WithName("RequestMembership")
            .WithSummary("Ask to be verified as living in a unit of this community.")
            .WithDescription("Any signed-in user, member or not (a newcomer found the community on a poster). Files a pending request " +
                "to be verified in a unit of this community (400 when unitId names none) and notifies the residents' " +
                "committee; 404 when the community does not exist, 409 when the caller already lives in the unit or " +
                "already asked to join it.")
            .ProducesProblem(404).ProducesProblem(409);

        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Communities")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/", Get).WithName("GetCommunity").WithSummary("A community with its street.")
            .WithDescription("Verified members of the community and the admins of its street; for anyone else it does not exist (404), " +
                "as for every route under /v1/communities/{communityId}. Reads only: name, address and street.");
        community.MapGet("/buildings", Buildings).WithName("ListBuildings").WithSummary("The community's buildings with their units and areas.")
            .WithDescription("Members of the community and its street's admins. Reads only: every building with its units, their " +
                "floors and floor areas.");
        community.MapGet("/staff", Staff).WithName("ListStaff").WithSummary("Property staff and committee members, optionally of one role.")
            .WithDescription("Members of the community and its street's admins. Reads only: the verified property staff, committee " +
                "members and party secretary, optionally of one role (another role is 400).");
        community.MapGet("/membership-requests", ListRequests).WithName("ListMembershipRequests")
            .WithSummary("Membership requests, for the residents' committee, the secretary and the street admin.")
            .WithDescription("The residents' committee, the party secretary and the street admin (other members: 403). Reads only: " +
                "requests oldest first, optionally of one state (pending, approved, rejected), paged by cursor.")
            .ProducesProblem(403);
        community.MapPost("/membership-requests/{requestId:long}/approve", Approve).WithName("ApproveMembershipRequest")
            .WithSummary("Approve a request: the user becomes a verified resident of the unit.")
            .WithDescription("The residents' committee, the party secretary and the street admin (other members: 403). A pending " +
                "request becomes approved, with an optional note, and its user a verified resident of the unit, who is " +
                "notified; 409 when the request was already decided.")
            .ProducesProblem(403).ProducesProblem(409);
        community.MapPost("/membership-requests/{requestId:long}/reject", Reject).WithName("RejectMembershipRequest")
            .WithSummary("Reject a request with a reason.")
            .WithDescription("The residents' committee, the party secretary and the street admin (other members: 403). A pending " +
                "request becomes rejected with a reason, which its user is sent; 409 when the request was already " +
                "decided.")
            .ProducesProblem(403).ProducesProblem(409);
        return v1;
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> Get(long communityId, CommunityAccess access, CommunityStore store) =>
        await store.GetAsync(communityId) is { } community
            ? TypedResults.Ok(community)
            : TypedResults.Problem(statusCode: 404, title: "Community was not found.");

    private static async Task<Ok<IReadOnlyList<Building>>> Buildings(long communityId, CommunityAccess access, CommunityStore store) =>
        TypedResults.Ok(await store.BuildingsAsync(communityId));

    private static async Task<Results<Ok<IReadOnlyList<StaffMember>>, ValidationProblem>> Staff(
        long communityId, string? role, CommunityAccess access, CommunityStore store)
    {
        if (role is not null && role is not (Roles.PropertyStaff or Roles.OwnersCommittee or Roles.ResidentsCommittee or Roles.PartySecretary))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = ["role must be property_staff, owners_committee, residents_committee or party_secretary."],
            });
        }
        return TypedResults.Ok(await store.StaffAsync(communityId, role));
    }

    private static async Task<Results<Created<MembershipRequest>, ProblemHttpResult>> RequestMembership(
        long communityId, MembershipRequestInput input, HttpContext http, CommunityStore store, UnitOfWork work)
    {
        if (!await store.ExistsAsync(communityId))
        {
            return TypedResults.Problem(statusCode: 404, title: "Community was not found.");
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.RequestMembershipAsync(connection, transaction, communityId, http.User.RequiredUserId(), input),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(MembershipRequest request) => $"/v1/communities/{request.CommunityId}/membership-requests/{request.Id}";
    }

    private static bool MayDecide(CommunityAccess access) =>
        access.HasAny(Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin);

    private static async Task<Results<Ok<Page<MembershipRequest>>, ValidationProblem, ProblemHttpResult>> ListRequests(
        long communityId, string? state, string? after, int? limit, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee reviews membership requests.");
        }
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var afterId = Paging.DecodeId(after, errors);
        if (state is not null and not ("pending" or "approved" or "rejected"))
        {
            errors["state"] = ["state must be pending, approved or rejected."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListRequestsAsync(communityId, state, afterId, take + 1);
        return TypedResults.Ok(Paging.Cut(rows, take, r => Paging.Encode(r.Id)));
    }

    private static async Task<Results<Ok<MembershipRequest>, ProblemHttpResult>> Approve(
        long communityId, long requestId, NoteInput? input, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee approves membership requests.");
        }
        var outcome = await store.ApproveAsync(communityId, requestId, access.UserId, input?.Note);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<MembershipRequest>, ProblemHttpResult>> Reject(
        long communityId, long requestId, ReasonInput input, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee rejects membership requests.");
        }
        var outcome = await store.RejectAsync(communityId, requestId, access.UserId, input.Reason!);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
