using CommunityConnect.Api.Infrastructure.Anonymity;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Cases;

public static class CasesApi
{
    public static IServiceCollection AddCases(this IServiceCollection services) =>
        services.AddSingleton<CaseStore>().AddSingleton<RoutingStore>();

    public static RouteGroupBuilder MapCases(this RouteGroupBuilder v1)
    {
        var cases = v1.MapGroup("/cases/{caseId:long}").WithTags("Cases").RequireAuthorization().ProducesProblem(404);
        cases.MapGet("/", Get).WithName("GetCase").WithSummary("A case: who must answer, its state, escalation level, answers and history.")
            .WithDescription("The case's author, members of any body it is or was with, the party secretary and the street admin; for " +
                "anyone else it does not exist (404). Reads only: responsible body, state, escalation level, due times, " +
                "the answers given on the case and its whole history.");
        cases.MapPost("/responses", Respond).WithName("RespondToCase")
            .WithSummary("Answer on the case itself (a body it is or was with, the secretary, the street office).")
            .WithDescription("A member of a body the case is or was with, the party secretary or the street admin (others who see the " +
                "case, such as its author: 403). Adds an answer and notifies the author; the first answer of the body the " +
                "case is with now stops its first-response clock (an opinion or question is answered privately through " +
                "the complaint box, which resolves it). 409 when the case is closed.")
            .ProducesProblem(403).ProducesProblem(409);
        cases.MapPost("/transfer", Transfer).WithName("TransferCase")
            .WithSummary("Hand the case to another first body, with a reason; the escalation level stays.")
            .WithDescription("The body the case is with, the party secretary or the street admin (others who see the case: 403). Hands " +
                "it to another of the three first bodies with a reason: the escalation level stays, the new body gets " +
                "fresh clocks and a notice, and the history says who and why. 409 when the case is closed or already with " +
                "that body.")
            .ProducesProblem(403).ProducesProblem(409);

        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Cases")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapGet("/cases", Queue).WithName("ListCases")
            .WithSummary("A body's work queue: cases by responsible body and state (staff, secretary, street admin).")
            .WithDescription("Members of the answering bodies (property staff, the committees, the party secretary) and the street " +
                "admin; residents: 403. Reads only: the community's cases oldest first, optionally of one responsible " +
                "body and state, paged by cursor.")
            .ProducesProblem(403);
        community.MapGet("/routing", GetRouting).WithName("GetRouting").WithSummary("The community's routing table: category → first responsible body.")
            .WithDescription("Members of the community and its street's admins. Reads only: for every category, the first body its new " +
                "cases go to: the community's own choice, else the default of TAXONOMY.md.");
        community.MapPut("/routing", PutRouting).WithName("UpdateRouting")
            .WithSummary("Change the routes listed (residents' committee or secretary).")
            .WithDescription("The residents' committee or the party secretary (others: 403). Sets the first body of each category " +
                "listed (at least one; property, owners_committee or residents_committee) and leaves the others; items " +
                "created from now on follow it, open cases stay where they are. Answers the whole table.")
            .ProducesProblem(403);
        return v1;
    }

    /// <summary>Resolves the caller's access to the community of a case; null when the case does not exist.</summary>
    internal static async Task<CommunityAccess?> AccessToCaseAsync(long caseId, HttpContext http, CaseStore store, Tenancy tenancy) =>
        await tenancy.ForItemAsync(http, await store.CommunityOfAsync(caseId));

    private static async Task<Results<Ok<CaseDetail>, ProblemHttpResult>> Get(
        long caseId, HttpContext http, CaseStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var access = await AccessToCaseAsync(caseId, http, store, tenancy);
        var detail = access is null ? null : await store.GetAsync(caseId, access, await keys.KeysOfAsync(access.UserId));
        return detail is null ? TypedResults.Problem(statusCode: 404, title: "Case was not found.") : TypedResults.Ok(detail);
    }

    private static async Task<Results<Created<CaseResponse>, ProblemHttpResult>> Respond(
        long caseId, CaseResponseInput input, HttpContext http, CaseStore store, Tenancy tenancy, AnonymousAuthors keys, IEnumerable<ICaseAnswerHandler> handlers,
        UnitOfWork work)
    {
        var access = await AccessToCaseAsync(caseId, http, store, tenancy);
        if (access is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Case was not found.");
        }
        var callerKeys = await keys.KeysOfAsync(access.UserId);
        var displayName = http.User.Identity?.Name ?? "";
        var (kind, itemId) = (await store.ItemOfAsync(caseId))!.Value;
        var body = input.Body!.Trim();
        var handler = handlers.FirstOrDefault(h => h.Kinds.Contains(kind));
        var outcome = await work.CreateAsync((connection, transaction) => handler is null
                ? store.RespondAsync(connection, transaction, caseId, access, callerKeys, displayName, body)
                : handler.AnswerAsync(connection, transaction, itemId, access, callerKeys, displayName, body),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        string LocationOf(CaseResponse response) => $"/v1/cases/{caseId}#response-{response.Id}";
    }

    private static async Task<Results<Ok<CaseSummary>, ProblemHttpResult>> Transfer(
        long caseId, TransferInput input, HttpContext http, CaseStore store, Tenancy tenancy, AnonymousAuthors keys)
    {
        var access = await AccessToCaseAsync(caseId, http, store, tenancy);
        if (access is null)
        {
            return TypedResults.Problem(statusCode: 404, title: "Case was not found.");
        }
        var outcome = await store.TransferAsync(caseId, access, await keys.KeysOfAsync(access.UserId), http.User.Identity?.Name ?? "", input.ToBody!, input.Reason!.Trim());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<Page<CaseSummary>>, ValidationProblem, ProblemHttpResult>> Queue(
        long communityId, string? responsibleBody, string? state, [AsParameters] PageRequest page, CommunityAccess access, CaseStore store, AnonymousAuthors keys)
    {
        if (Bodies.ActedForBy(access).Length == 0)
        {
            return TypedResults.Problem(statusCode: 403, title: "Work queues are for the property company, the committees, the secretary and the street office.");
        }
        var errors = page.Read(out IdCursor? after);
        if (responsibleBody is not null && !Bodies.All.Contains(responsibleBody))
        {
            errors["responsibleBody"] = [$"responsibleBody must be one of: {string.Join(", ", Bodies.All)}."];
        }
        if (state is not null && !CaseStateTable.States.Contains(state))
        {
            errors["state"] = [$"state must be one of: {string.Join(", ", CaseStateTable.States)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.QueueAsync(CaseReader.Of(access, await keys.KeysOfAsync(access.UserId)), responsibleBody, state, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Ok<RoutingTable>> GetRouting(long communityId, CommunityAccess access, RoutingStore store) =>
        TypedResults.Ok(await store.GetAsync(communityId));

    private static async Task<Results<Ok<RoutingTable>, ValidationProblem, ProblemHttpResult>> PutRouting(
        long communityId, RoutingTable input, CommunityAccess access, RoutingStore store)
    {
        if (!access.HasAny(Roles.ResidentsCommittee, Roles.PartySecretary))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the residents' committee or the secretary changes the routing table.");
        }
        var errors = new Dictionary<string, string[]>();
        if (!RequestChecks.NoNullItems(input.Routes, "routes", errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var unknown = input.Routes!.Where(r => !Taxonomy.IsCategory(r.Category)).Select(r => r.Category).ToList();
        if (unknown.Count > 0 || input.Routes!.Count == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["routes"] = [unknown.Count > 0
                    ? $"Unknown categories: {string.Join(", ", unknown)}. Categories: {string.Join(", ", Taxonomy.Categories)}."
                    : "routes must list at least one route."],
            });
        }
        await store.UpdateAsync(communityId, access.UserId, input.Routes!);
        return TypedResults.Ok(await store.GetAsync(communityId));
    }
}
