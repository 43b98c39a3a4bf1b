using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Communities;

public static class CommunitiesApi
{
    public static IServiceCollection AddCommunities(this IServiceCollection services) =>
        services.AddSingleton<CommunityStore>().AddSingleton<StaffStore>().AddSingleton<RoleChangeLog>()
            .AddSingleton<CommunityAdminStore>().AddSingleton<OwnersRegisterStore>();

    public static RouteGroupBuilder MapCommunities(this RouteGroupBuilder v1)
    {
        // Joining: anyone signed in may ask (they found the community on a poster), so this route
        // is outside the members-only group below.
        v1.MapPost("/communities/{communityId:long}/membership-requests", RequestMembership)
            .WithTags("Communities").RequireAuthorization().WithName("RequestMembership")
            .WithSummary("Ask to be verified as living in a unit of this community.")
            .WithDescription("Any signed-in user, member or not (a newcomer found the community on a poster). Files a pending request " +
                "to be verified in a unit of this community (400 when unitId names none) and notifies the residents' " +
                "committee. With relation owner and the ownerKey from the property certificate, the request is to be the " +
                "unit's owner holding that key and goes to the owners' committee (400 when the current owners register " +
                "does not list the key on that unit). 404 when the community does not exist, 409 when the caller already " +
                "lives in the unit or already asked to join it.")
            .ProducesProblem(404).ProducesProblem(409);

        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Communities")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/", Get).WithName("GetCommunity").WithSummary("A community with its street.")
            .WithDescription("Verified members of the community and the admins of its street; for anyone else it does not exist (404), " +
                "as for every route under /v1/communities/{communityId}. Reads only: name, address and street.");
        community.MapGet("/buildings", Buildings).WithName("ListBuildings").WithSummary("The community's buildings with their units and areas.")
            .WithDescription("Members of the community and its street's admins. Reads only: every building with its units, their " +
                "floors and floor areas.");
        community.MapGet("/staff", Staff).WithName("ListStaff").WithSummary("Who holds which role: property staff, committee members, the secretary.")
            .WithDescription("Members of the community and its street's admins. Reads only: the role holders of the community (property " +
                "staff of the serving company, with its name and whether each is a manager; committee members; the party " +
                "secretary) and since when, optionally of one role (another role is 400). Roles come by invitation " +
                "(POST /v1/invitations) and go by DELETE …/staff/{userId}?role=….");
        community.MapGet("/membership-requests", ListRequests).WithName("ListMembershipRequests")
            .WithSummary("Membership requests, for the committees, the secretary and the street admin.")
            .WithDescription("The residents' committee, the party secretary and the street admin; the owners' committee sees the " +
                "requests that carry an ownerKey (other members: 403). Reads only: requests oldest first, optionally of one " +
                "state (pending, approved, rejected), paged by cursor.")
            .ProducesProblem(403);
        community.MapPost("/membership-requests/{requestId:long}/approve", Approve).WithName("ApproveMembershipRequest")
            .WithSummary("Approve a request: the user becomes a verified resident of the unit (and owner holding the request's key).")
            .WithDescription("The residents' committee, the party secretary and the street admin; a request with an ownerKey is the " +
                "owners' committee's, the secretary's and the street admin's (other members: 403). A pending request becomes " +
                "approved, with an optional note, and its user a verified resident of the unit, with an ownerKey also an owner " +
                "holding that one key of the register (a co-owner holds only their own key), who is notified; the grant is in " +
                "the role-change log. 409 when the request was already decided.")
            .ProducesProblem(403).ProducesProblem(409);
        community.MapPost("/membership-requests/{requestId:long}/reject", Reject).WithName("RejectMembershipRequest")
            .WithSummary("Reject a request with a reason.")
            .WithDescription("Whoever may approve it (the residents' committee, or for a request with an ownerKey the owners' " +
                "committee; the party secretary and the street admin; other members: 403). A pending request becomes " +
                "rejected with a reason, which its user is sent; 409 when the request was already decided.")
            .ProducesProblem(403).ProducesProblem(409);
        v1.MapStaff();
        v1.MapCommunityAdmin();
        v1.MapOwnersRegister();
        return v1;
    }

    private static async Task<Results<Ok<Community>, ProblemHttpResult>> Get(long communityId, CommunityAccess access, CommunityStore store) =>
        await store.GetAsync(communityId) is { } community
            ? TypedResults.Ok(community)
            : TypedResults.Problem(statusCode: 404, title: "Community was not found.");

    private static async Task<Ok<IReadOnlyList<Building>>> Buildings(long communityId, CommunityAccess access, CommunityStore store) =>
        TypedResults.Ok(await store.BuildingsAsync(communityId));

    private static async Task<Results<Ok<IReadOnlyList<StaffMember>>, ValidationProblem>> Staff(
        long communityId, string? role, CommunityAccess access, StaffStore store)
    {
        if (role is not null && role is not (Roles.PropertyStaff or Roles.OwnersCommittee or Roles.ResidentsCommittee or Roles.PartySecretary))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["role"] = ["role must be property_staff, owners_committee, residents_committee or party_secretary."],
            });
        }
        return TypedResults.Ok(await store.CommunityStaffAsync(communityId, role));
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

    /// <summary>Who reviews requests at all; which request is whose is <see cref="CommunityStore.MayDecide"/>.</summary>
    private static bool MayDecide(CommunityAccess access) =>
        access.HasAny(Roles.ResidentsCommittee, Roles.OwnersCommittee, Roles.PartySecretary, Roles.StreetAdmin);

    private static async Task<Results<Ok<Page<MembershipRequest>>, ValidationProblem, ProblemHttpResult>> ListRequests(
        long communityId, string? state, [AsParameters] PageRequest page, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee reviews membership requests.");
        }
        var errors = page.Read(out IdCursor? after);
        if (state is not null and not ("pending" or "approved" or "rejected"))
        {
            errors["state"] = ["state must be pending, approved or rejected."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var ownerRequestsOnly = !access.HasAny(Roles.ResidentsCommittee, Roles.PartySecretary, Roles.StreetAdmin);
        var rows = await store.ListRequestsAsync(communityId, state, ownerRequestsOnly, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Ok<MembershipRequest>, ProblemHttpResult>> Approve(
        long communityId, long requestId, NoteInput? input, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee approves membership requests.");
        }
        var outcome = await store.ApproveAsync(access, requestId, input?.Note);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<MembershipRequest>, ProblemHttpResult>> Reject(
        long communityId, long requestId, ReasonInput input, CommunityAccess access, CommunityStore store)
    {
        if (!MayDecide(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee rejects membership requests.");
        }
        var outcome = await store.RejectAsync(access, requestId, input.Reason!);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
