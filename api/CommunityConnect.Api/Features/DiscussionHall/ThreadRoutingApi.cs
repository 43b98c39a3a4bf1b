using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.DiscussionHall;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.DiscussionHall;

/// <summary>The hall's routing (issue 14 §1): the job that routes new discussion threads, and what the bodies and moderators do with them.</summary>
public static class ThreadRoutingApi
{
    public static IServiceCollection AddThreadRouting(this IServiceCollection services) =>
        services.AddSingleton<ThreadRoutingJobStore>()
            .AddSingleton<IHallThreadRouting>(provider => provider.GetRequiredService<ThreadRoutingJobStore>())
            .AddSingleton<ThreadRoutingStore>()
            .AddSingleton<RoutingCorrections>()
            .AddTransient<RouteHallThreadsJob>();

    public static RouteGroupBuilder MapThreadRouting(this RouteGroupBuilder v1)
    {
        var thread = v1.MapGroup("/threads/{threadId:long}").WithTags("Discussion hall").RequireAuthorization().ProducesProblem(404);
        thread.MapPost("/take-up", TakeUp).WithName("TakeUpThread")
            .WithSummary("Take up a routed hall thread as a case (a member of the body it is routed to): 201 with Location of the case.")
            .WithDescription("A member of the body the routing job routed the thread to (other members of the three bodies: 403; " +
                "residents, the secretary and the street admin: 403). Opens the thread's case (kind thread) with its " +
                "clocks, links it as the thread's caseId, marks the routing taken_up and tells the author; answers the " +
                "thread, with Location of the case. 409 when the thread is not routed (not read yet, asks no body to act, " +
                "already a case, or dismissed).")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapPost("/routing/dismiss", Dismiss).WithName("DismissThreadRouting")
            .WithSummary("Dismiss a thread's routing with a reason (a member of the body it is routed to).")
            .WithDescription("A member of the body the routing job routed the thread to (others: 403). Marks the routing dismissed with " +
                "the reason, which the thread keeps and shows, and tells the author; answers the thread. 409 when the " +
                "thread is not routed (not read yet, asks no body to act, already a case, or already dismissed).")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapPut("/routing", Correct).WithName("CorrectThreadRouting")
            .WithSummary("Correct a thread's routing label: category and responsible body (a moderator of the hall).")
            .WithDescription("The hall's moderators and the street admin (others: 403). Sets the category and the body (property, " +
                "owners_committee or residents_committee): the thread is routed to it again (a dismissal is undone; a " +
                "thread the analyser found no action in becomes routed), the body is told when the thread is new to it, " +
                "and the correction is kept for the analyser's next training at start-up. Answers the thread. 409 when " +
                "the routing job has not read the thread yet, or it is already a case (transfer the case instead).")
            .ProducesProblem(403).ProducesProblem(409);
        return v1;
    }

    private static readonly ProblemHttpResult ThreadNotFound = TypedResults.Problem(statusCode: 404, title: "Thread was not found.");

    private static Task<CommunityAccess?> AccessToThreadAsync(long threadId, HttpContext http) =>
        http.RequestServices.GetRequiredService<PostAccess>().ToPostAsync("thread", threadId, http);

    private static async Task<Results<Created<ThreadDetail>, ProblemHttpResult>> TakeUp(
        long threadId, HttpContext http, ThreadRoutingStore store, UnitOfWork work)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var displayName = http.User.Identity?.Name ?? "";
        var outcome = await work.CreateAsync((connection, transaction) => store.TakeUpAsync(connection, transaction, access, threadId, displayName),
            LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(ThreadDetail thread) => $"/v1/cases/{thread.CaseId}";
    }

    private static async Task<Results<Ok<ThreadDetail>, ProblemHttpResult>> Dismiss(
        long threadId, ReasonInput input, HttpContext http, ThreadRoutingStore store)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var outcome = await store.DismissAsync(access, threadId, input.Reason!.Trim());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }

    private static async Task<Results<Ok<ThreadDetail>, ProblemHttpResult>> Correct(
        long threadId, RoutingCorrectionInput input, HttpContext http, ThreadRoutingStore store, IHallModerators moderators)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var moderates = access.IsStreetAdmin || await moderators.IsModeratorAsync(access);
        var outcome = await store.CorrectAsync(access, moderates, threadId, input.Category!, input.ResponsibleBody!);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
