using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Features.Identity;
using CommunityConnect.Api.Infrastructure.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Onboarding;

/// <summary>
/// People get a role by redeeming an invitation code (printed or shown as a QR code) that someone
/// allowed to grant the role created; the first street admin's comes from the admin command.
/// </summary>
public static class InvitationsApi
{
    public static IServiceCollection AddOnboarding(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InvitationOptions>().Bind(configuration.GetSection(InvitationOptions.Section))
            .Validate(o => o.RedeemPerMinutePerUser >= 1 && o.RedeemPerMinutePerIp >= 1, "Invitations redeem limits must be at least 1.")
            .ValidateOnStart();
        return services.AddSingleton<InvitationCodes>().AddSingleton<InvitationStore>().AddSingleton<RedeemLimiter>();
    }

    public static RouteGroupBuilder MapOnboarding(this RouteGroupBuilder v1)
    {
        var invitations = v1.MapGroup("/invitations").WithTags("Invitations").RequireAuthorization();
        invitations.MapPost("/", Create).WithName("CreateInvitation")
            .WithSummary("Invite someone to a role: answers the code and its QR code once.")
            .WithDescription("street_admin of a street (streetId; default the caller's street when they administer one) by its street admins; party_secretary, residents_committee, " +
                "owners_committee or property_staff of a community (communityId) by its street admins, the committees also by " +
                "the party secretary, property staff also by a manager of the serving property company (manager: true only " +
                "from the street office). note is the person's name and title; the code expires after expiresInDays (1 to 30, " +
                "default 7). 201 with the code, the mini-app link that redeems it and a QR code of the link (PNG, base64), shown " +
                "this once: only a keyed hash of the code is stored, so a lost code is revoked and a new one issued (and an " +
                "Idempotency-Key does not replay this answer). 400 for a role without its scope, 404 for a street or community " +
                "the caller does not see, 403 for a role the caller may not grant, 409 for property staff of a community " +
                "without a property company.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        invitations.MapPost("/redeem", Redeem).WithName("RedeemInvitation")
            .AddEndpointFilter<RedeemRateLimit>()
            .WithSummary("Redeem an invitation code: the signed-in user gets its role.")
            .WithDescription("Any signed-in user (after WeChat login), limited per user and per address per minute (429). Grants the " +
                "invitation's role in its street or community (property staff through the serving company), logs the grant and " +
                "answers 200 with every membership the user now holds. 404 for a code no invitation has; 409 for one already " +
                "used, revoked or expired, or whose property company no longer serves.")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(429);
        invitations.MapGet("/{invitationId:long}", Get).WithName("GetInvitation")
            .WithSummary("An invitation's state (without its code).")
            .WithDescription("Whoever created it and whoever may grant its role in its scope (others who see the scope: 403; anyone " +
                "else: 404). Reads only: role, scope, note, state (open, redeemed, revoked), expiry.")
            .ProducesProblem(403).ProducesProblem(404);
        invitations.MapDelete("/{invitationId:long}", Revoke).WithName("RevokeInvitation")
            .WithSummary("Revoke an unused invitation (a lost code).")
            .WithDescription("Whoever created it and whoever may grant its role in its scope (others who see the scope: 403; anyone " +
                "else: 404). 204; 409 when it was already redeemed or revoked.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        return v1;
    }

    private static async Task<Results<Created<CreatedInvitation>, ValidationProblem, ProblemHttpResult>> Create(
        InvitationInput input, HttpContext http, Tenancy tenancy, StaffStore staff, InvitationStore store, InvitationCodes codes)
    {
        var errors = new Dictionary<string, string[]>();
        var userId = http.User.RequiredUserId();
        if (input.Role == Roles.StreetAdmin && input.StreetId is null && input.CommunityId is null
            && await store.AdministeredStreetsAsync(userId) is [var ownStreet])
        {
            // A street admin of one street invites to that street unless told otherwise.
            input = input with { StreetId = ownStreet };
        }
        if (input.Role == Roles.StreetAdmin && (input.StreetId is null || input.CommunityId is not null))
        {
            errors["streetId"] = ["A street_admin invitation names a streetId (and no communityId)."];
        }
        if (input.Role != Roles.StreetAdmin && (input.CommunityId is null || input.StreetId is not null))
        {
            errors["communityId"] = ["A community role's invitation names a communityId (and no streetId)."];
        }
        if (input.Manager == true && input.Role != Roles.PropertyStaff)
        {
            errors["manager"] = ["manager is for property_staff only."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        long streetId;
        if (input.Role == Roles.StreetAdmin)
        {
            if (await CommunityAdminApi.StreetAdminCheck(http, tenancy, input.StreetId!.Value) is { } refused)
            {
                return refused;
            }
            streetId = input.StreetId.Value;
        }
        else
        {
            var access = await tenancy.ForCommunityAsync(userId, input.CommunityId!.Value, http.RequestAborted);
            if (!access.CanSee)
            {
                return TypedResults.Problem(statusCode: 404, title: "Community was not found.");
            }
            var manager = input.Role == Roles.PropertyStaff && await staff.IsPropertyManagerAsync(access.CommunityId, userId);
            if (!RoleGrants.MayGrant(access, input.Role!, manager) || (input.Manager == true && !access.IsStreetAdmin))
            {
                return TypedResults.Problem(statusCode: 403, title: "You may not invite anyone to this role.");
            }
            streetId = access.StreetId;
        }
        var code = codes.NewCode();
        var outcome = await store.CreateAsync(streetId, input.CommunityId, input, codes.Hash(code), userId);
        if (outcome.Failed)
        {
            return outcome.Failure!.ToResult();
        }
        var created = WithCode(outcome.Value!, code, codes);
        return TypedResults.Created($"/v1/invitations/{created.Id}", created);
    }

    public static CreatedInvitation WithCode(Invitation invitation, string code, InvitationCodes codes) =>
        new(invitation.Id, invitation.Role, invitation.StreetId, invitation.CommunityId, invitation.Note, invitation.Manager, invitation.State,
            invitation.CreatedAt, invitation.ExpiresAt, code, codes.LinkOf(code), codes.PngBase64(code));

    private static async Task<Results<Ok<RedeemedInvitation>, ProblemHttpResult>> Redeem(
        RedeemInput input, HttpContext http, InvitationStore store, InvitationCodes codes, IdentityStore identity)
    {
        var userId = http.User.RequiredUserId();
        var outcome = await store.RedeemAsync(userId, codes.Hash(input.Code!));
        if (outcome.Failed)
        {
            return outcome.Failure!.ToResult();
        }
        var me = await identity.GetMeAsync(userId, 0);
        var invitation = outcome.Value!;
        return TypedResults.Ok(new RedeemedInvitation(invitation.Id, invitation.Role, invitation.StreetId, invitation.CommunityId, me?.Memberships ?? []));
    }

    /// <summary>404 when the caller does not see the invitation's scope, 403 when they neither created it nor may grant its role.</summary>
    private static async Task<(Invitation? Invitation, ProblemHttpResult? Refused)> ForManagerAsync(
        long invitationId, HttpContext http, Tenancy tenancy, StaffStore staff, InvitationStore store)
    {
        var userId = http.User.RequiredUserId();
        var invitation = await store.GetAsync(invitationId);
        var notFound = TypedResults.Problem(statusCode: 404, title: "Invitation was not found.");
        if (invitation is null)
        {
            return (null, notFound);
        }
        bool sees, may;
        if (invitation.CommunityId is { } communityId)
        {
            var access = await tenancy.ForCommunityAsync(userId, communityId, http.RequestAborted);
            sees = access.CanSee;
            may = sees && RoleGrants.MayGrant(access, invitation.Role,
                invitation.Role == Roles.PropertyStaff && await staff.IsPropertyManagerAsync(communityId, userId));
        }
        else
        {
            (sees, may) = await tenancy.ForStreetAsync(userId, invitation.StreetId, http.RequestAborted);
        }
        var creator = await store.CreatorOfAsync(invitationId) == userId;
        return !sees && !creator ? (null, notFound)
            : !may && !creator ? (null, TypedResults.Problem(statusCode: 403, title: "Only its creator and whoever may grant its role manage an invitation."))
            : (invitation, null);
    }

    private static async Task<Results<Ok<Invitation>, ProblemHttpResult>> Get(
        long invitationId, HttpContext http, Tenancy tenancy, StaffStore staff, InvitationStore store)
    {
        var (invitation, refused) = await ForManagerAsync(invitationId, http, tenancy, staff, store);
        return refused is not null ? refused : TypedResults.Ok(invitation!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        long invitationId, HttpContext http, Tenancy tenancy, StaffStore staff, InvitationStore store)
    {
        var (_, refused) = await ForManagerAsync(invitationId, http, tenancy, staff, store);
        if (refused is not null)
        {
            return refused;
        }
        var outcome = await store.RevokeAsync(invitationId, http.User.RequiredUserId());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.NoContent();
    }
}
