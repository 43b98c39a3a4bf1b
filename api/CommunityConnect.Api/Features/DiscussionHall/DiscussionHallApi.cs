using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Features.Communities;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Jobs.DiscussionHall;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.DiscussionHall;

public static partial class DiscussionHallApi
{
    public static IServiceCollection AddDiscussionHall(this IServiceCollection services) =>
        services.AddSingleton<ThreadStore>()
            .AddSingleton<HallFeed>()
            .AddSingleton<FeedFirstPage>()
            .AddSingleton<ReplyStore>()
            .AddSingleton<ReactionStore>()
            .AddSingleton<VolunteerStore>()
            .AddSingleton<SolicitationStore>()
            .AddSingleton<PostAccess>()
            .AddSingleton<ProjectStore>()
            .AddSingleton<IDueSolicitations>(provider => provider.GetRequiredService<SolicitationStore>())
            .AddTransient<CloseDueSolicitationsJob>();

    public static RouteGroupBuilder MapDiscussionHall(this RouteGroupBuilder v1)
    {
        var community = v1.MapGroup("/communities/{communityId:long}").WithTags("Discussion hall")
            .RequireAuthorization().AddEndpointFilter<CommunityMemberFilter>().ProducesProblem(404);
        community.MapPost("/threads", PostThread).WithName("PostThread")
            .WithSummary("Post a discussion, an opinion solicitation (deadline), a volunteer call (volunteerCap) or a proposal (category); " +
                         "a post the word list or WeChat's check holds, or any thread under pre-review, answers 201 with reviewState \"pending\".")
            .WithDescription("Members of the community (the street admin reads only: 403), by default one thread a minute each (429). " +
                "Creates a discussion, a solicitation (deadline in the future), a volunteer call (volunteerCap) or a " +
                "proposal (category; it opens a case), which its author follows. Text the word list blocks or WeChat's " +
                "check refuses is 422; a post either of them flags, or any thread under pre-review, is held: 201 with " +
                "reviewState \"pending\", shown to others once a moderator approves it.")
            .RequireRateLimiting(RateLimitingSetup.PostThread)
            .ProducesProblem(403).ProducesProblem(422).ProducesProblem(429);
        community.MapGet("/threads", ListThreads).WithName("ListThreads")
            .WithSummary("The hall's feed: pinned first, then latest activity; one query a page.")
            .WithDescription("Members of the community and its street's admins. Reads only: the published threads, pinned first, then " +
                "by latest activity, optionally of one kind; the cursor skips threads that moved after the first page.");
        community.MapGet("/projects", ProjectBoard).WithName("ListProjects")
            .WithSummary("The public progress board of adopted proposals: % done, next due milestone, latest update.")
            .WithDescription("Members of the community and its street's admins. Reads only: the public board of the projects adopted " +
                "proposals became, newest first, with the share of milestones done, the next one due and the latest " +
                "update.");

        var thread = v1.MapGroup("/threads/{threadId:long}").WithTags("Discussion hall").RequireAuthorization().ProducesProblem(404);
        thread.MapGet("/", GetThread).WithName("GetThread")
            .WithSummary("A thread with its counters, sign-ups, proposal decision and, once a solicitation has closed, its summary.")
            .WithDescription("Members of the community and its street's admins; a held or hidden thread only its author, the " +
                "moderators and the street admin (404 for others), as for every route under /v1/threads/{threadId}. Reads " +
                "only: the thread with its counters, the caller's support, follow and sign-up, the proposal's decision " +
                "and, once a solicitation has closed, its summary.");
        thread.MapGet("/replies", ListReplies).WithName("ListReplies").WithSummary("Replies, oldest first.")
            .WithDescription("Whoever may see the thread. Reads only: its published replies and the caller's own held ones, oldest " +
                "first, paged by cursor.");
        thread.MapPost("/replies", PostReply).WithName("PostReply")
            .WithSummary("Reply (optionally to a reply of the same thread); followers are notified. Held replies answer 201 with reviewState \"pending\".")
            .WithDescription("Members who may see the thread (the street admin: 403), by default one reply every 10 seconds each " +
                "(429), and in slow mode one per the thread's seconds (429 with Retry-After). Adds a reply (replyTo: a " +
                "reply of the same thread, else 400) that moves the thread up and notifies its followers; text the word " +
                "list blocks or WeChat's check refuses is 422, a held reply is 201 with reviewState \"pending\". 409 when " +
                "the thread is not published, locked, or a closed solicitation.")
            .RequireRateLimiting(RateLimitingSetup.PostReply)
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409).ProducesProblem(422).ProducesProblem(429);
        thread.MapPut("/support", SupportThread).WithName("SupportThread").WithSummary("Support (+1) the thread; idempotent.")
            .WithDescription("Members who may see the thread (the street admin: 403). Adds the caller's support, +1 on the thread " +
                "(twice: no change); 409 when the thread is not published, locked, or a closed solicitation.")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapDelete("/support", UnsupportThread).WithName("UnsupportThread").WithSummary("Take back a support; idempotent.")
            .WithDescription("Members who may see the thread (the street admin: 403). Removes the caller's support (without one: no " +
                "change); 409 when the thread is not published, locked, or a closed solicitation.")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapPut("/follow", FollowThread).WithName("FollowThread").WithSummary("Follow the thread: an inbox notice on each new reply; idempotent.")
            .WithDescription("Members who may see the thread (the street admin: 403). The caller gets an inbox notice on each new " +
                "reply and on a proposal's decision; following twice changes nothing.")
            .ProducesProblem(403);
        thread.MapDelete("/follow", UnfollowThread).WithName("UnfollowThread").WithSummary("Stop following the thread; idempotent.")
            .WithDescription("Members who may see the thread (the street admin: 403). The caller stops getting its notices; without a " +
                "follow it changes nothing.")
            .ProducesProblem(403);
        thread.MapPost("/signups", SignUp).WithName("SignUpAsVolunteer")
            .WithSummary("Sign up for a volunteer call; 409 when the places are taken or already signed up.")
            .WithDescription("Members who may see the thread (the street admin: 403). Takes one place of a published, unlocked " +
                "volunteer call; 409 when the thread is not a volunteer call, takes no sign-ups now, is full, or the " +
                "caller has signed up already.")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapDelete("/signups", Withdraw).WithName("WithdrawSignup").WithSummary("Withdraw a sign-up, freeing the place; idempotent.")
            .WithDescription("Members who may see the thread (the street admin: 403). Gives the caller's place back (without a " +
                "sign-up: no change); 409 when the thread is not a volunteer call.")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapPost("/adopt", Adopt).WithName("AdoptProposal")
            .WithSummary("Adopt a proposal (its body or the secretary): the case is resolved and a project opens.")
            .WithDescription("A member of the body the proposal's case is with, or the party secretary (others: 403). Adopts a " +
                "published, undecided proposal with an optional reason: its case is answered and resolved, a project " +
                "opens on the public board, and followers are notified. 409 when the thread is not a proposal, not " +
                "published yet, or already decided.")
            .ProducesProblem(403).ProducesProblem(409);
        thread.MapPost("/decline", Decline).WithName("DeclineProposal")
            .WithSummary("Decline a proposal with a reason (its body or the secretary): the case is closed.")
            .WithDescription("A member of the body the proposal's case is with, or the party secretary (others: 403). Declines a " +
                "published, undecided proposal with a reason: its case is answered and closed, and followers are " +
                "notified. 409 when the thread is not a proposal, not published yet, or already decided.")
            .ProducesProblem(403).ProducesProblem(409);

        v1.MapPut("/replies/{replyId:long}/support", SupportReply).WithTags("Discussion hall").RequireAuthorization()
            .WithName("SupportReply").WithSummary("Support (+1) a reply; idempotent.")
            .WithDescription("Members who may see the reply and its thread (the street admin: 403). Adds the caller's support, +1 on " +
                "the reply (twice: no change); 404 for a reply not published, 409 when its thread is not published, " +
                "locked, or a closed solicitation.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        v1.MapDelete("/replies/{replyId:long}/support", UnsupportReply).WithTags("Discussion hall").RequireAuthorization()
            .WithName("UnsupportReply").WithSummary("Take back a support of a reply; idempotent.")
            .WithDescription("Members who may see the reply and its thread (the street admin: 403). Removes the caller's support " +
                "(without one: no change); 404 for a reply not published, 409 when its thread is not published, locked, " +
                "or a closed solicitation.")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var project = v1.MapGroup("/projects/{projectId:long}").WithTags("Discussion hall").RequireAuthorization().ProducesProblem(404);
        project.MapGet("/", GetProject).WithName("GetProject").WithSummary("A project with its milestones and progress.")
            .WithDescription("Members of the project's community and its street's admins; for anyone else it does not exist (404). " +
                "Reads only: the project with its milestones, the share done, the next one due and the latest update.");
        project.MapPost("/milestones", AddMilestone).WithName("AddMilestone")
            .WithSummary("Add a milestone (the deciding body or the secretary).")
            .WithDescription("A member of the project's body (the one its proposal's case was with when adopted), or the party " +
                "secretary (others: 403). Adds a milestone with a title and a due date (yyyy-MM-dd), and posts an update " +
                "on the public board.")
            .ProducesProblem(403);
        project.MapPatch("/milestones/{milestoneId:long}", UpdateMilestone).WithName("UpdateMilestone")
            .WithSummary("Mark a milestone done or not done, with an optional note (the deciding body or the secretary).")
            .WithDescription("A member of the project's body (the one its proposal's case was with when adopted), or the party " +
                "secretary (others: 403). Marks a milestone done or not done, with an optional note, and posts an update " +
                "when something changed; 404 when the milestone is not one of this project; 409 when someone else marked it meanwhile.")
            .ProducesProblem(403).ProducesProblem(409);
        return v1;
    }

    // ---- access ----

    private static readonly ProblemHttpResult ThreadNotFound = TypedResults.Problem(statusCode: 404, title: "Thread was not found.");

    private static Task<CommunityAccess?> AccessAsync(long? communityId, HttpContext http, Tenancy tenancy) =>
        tenancy.ForItemAsync(http, communityId);

    /// <summary>The caller's access to a thread's community; null (404) also for a held or hidden thread the caller may not see.</summary>
    private static Task<CommunityAccess?> AccessToThreadAsync(long threadId, HttpContext http) =>
        http.RequestServices.GetRequiredService<PostAccess>().ToPostAsync("thread", threadId, http);

    /// <summary>A failure as a problem, with Retry-After when it says how long to wait.</summary>
    private static ProblemHttpResult AsProblem(HttpContext http, Infrastructure.Data.Failure failure)
    {
        if (failure.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString();
        }
        return failure.ToResult();
    }

    private static readonly ProblemHttpResult Refused = TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "This post cannot be published: it breaks the community's posting rules.",
        detail: "Please reword it. Posts are checked against the community's word list and WeChat's content check.");

    private static ProblemHttpResult? Done(Infrastructure.Data.Outcome<bool> outcome) => outcome.Failed ? outcome.Failure!.ToResult() : null;

    // ---- threads ----

    /// <summary>The rules of each kind that attributes cannot say.</summary>
    internal static Dictionary<string, string[]> CheckKindRules(NewThread input, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (input.Category is not null && !Taxonomy.IsCategory(input.Category))
        {
            errors["category"] = [$"category must be one of: {string.Join(", ", Taxonomy.Categories)}."];
        }
        switch (input.Kind)
        {
            case ThreadKinds.Solicitation when input.Deadline is null:
                errors["deadline"] = ["A solicitation needs a deadline."];
                break;
            case ThreadKinds.Solicitation when input.Deadline <= now:
                errors["deadline"] = ["deadline must be in the future."];
                break;
            case ThreadKinds.Volunteer when input.VolunteerCap is null:
                errors["volunteerCap"] = ["A volunteer call needs volunteerCap (at least 1)."];
                break;
            case ThreadKinds.Proposal when input.Category is null:
                errors["category"] = ["A proposal needs a category."];
                break;
        }
        if (input.Deadline is not null && input.Kind != ThreadKinds.Solicitation)
        {
            errors["deadline"] = ["Only a solicitation has a deadline."];
        }
        if (input.VolunteerCap is not null && input.Kind != ThreadKinds.Volunteer)
        {
            errors["volunteerCap"] = ["Only a volunteer call has volunteerCap."];
        }
        return errors;
    }

    private static async Task<Results<Created<ThreadDetail>, ValidationProblem, ProblemHttpResult>> PostThread(
        long communityId, NewThread input, CommunityAccess access, ThreadStore store, UnitOfWork work, TimeProvider time, IPostGate gate,
        CancellationToken cancellationToken)
    {
        if (!access.IsMember)
        {
            return TypedResults.Problem(statusCode: 403, title: "Only members of the community post in its hall; the street office reads it.");
        }
        var errors = CheckKindRules(input, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var verdict = await gate.CheckThreadAsync(communityId, access.UserId, input.Title!, input.Body!, cancellationToken);
        if (verdict == GateVerdict.Refuse)
        {
            return Refused;
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.CreateAsync(connection, transaction, access, input, ReviewStates.Of(verdict)), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(ThreadDetail thread) => $"/v1/threads/{thread.Id}";
    }

    private static async Task<Results<Ok<Page<ThreadCard>>, JsonBytesResult, ValidationProblem>> ListThreads(
        long communityId, string? kind, [AsParameters] PageRequest page, CommunityAccess access, HallFeed feed, FeedFirstPage firstPage)
    {
        var errors = page.Read(out FeedCursor? after);
        if (kind is not null && !ThreadKinds.All.Contains(kind))
        {
            errors["kind"] = [$"kind must be one of: {string.Join(", ", ThreadKinds.All)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        Page<ThreadCard> Shape(FeedPage read)
        {
            var cut = page.Cut(read.Rows, r => new FeedCursor(r.Pinned, r.LastActivityAt, r.Id, read.Snapshot));
            return new Page<ThreadCard>(cut.Items.Select(read.Card).ToList(), cut.Next);
        }
        // The first page of the whole feed is the same for every member: served from memory with the caller's flags laid over it,
        // and the caller's answer kept as bytes until the page changes.
        if (kind is null && after is null)
        {
            return new JsonBytesResult(await firstPage.AnswerAsync(communityId, access.UserId, page.Fetch, Shape));
        }
        var (rows, snapshot) = await feed.FeedAsync(communityId, access.UserId, kind, after, page.Fetch);
        return TypedResults.Ok(Shape(new FeedPage(rows, snapshot)));
    }

    private static async Task<Results<Ok<ThreadDetail>, ProblemHttpResult>> GetThread(long threadId, HttpContext http, ThreadStore store)
    {
        var access = await AccessToThreadAsync(threadId, http);
        var thread = access is null ? null : await store.GetAsync(threadId, access.UserId);
        return thread is null ? ThreadNotFound : TypedResults.Ok(thread);
    }

    private static async Task<Results<Ok<Page<ThreadReply>>, ValidationProblem, ProblemHttpResult>> ListReplies(
        long threadId, [AsParameters] PageRequest page, HttpContext http, ReplyStore store)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var errors = page.Read(out IdCursor? after);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.RepliesAsync(threadId, access.UserId, after?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Created<ThreadReply>, ProblemHttpResult>> PostReply(
        long threadId, NewReply input, HttpContext http, ReplyStore store, UnitOfWork work, IPostGate gate)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        // Slow mode first (cheap), before the content check; the reply's unit of work checks it again.
        if (await store.SlowModeWaitAsync(threadId, access.UserId) is { } wait)
        {
            return AsProblem(http, Infrastructure.Data.Failure.TooSoon("This thread is in slow mode: wait before replying again.", wait));
        }
        var verdict = await gate.CheckReplyAsync(access.CommunityId, access.UserId, input.Body!, http.RequestAborted);
        if (verdict == GateVerdict.Refuse)
        {
            return Refused;
        }
        var outcome = await work.CreateAsync(
            (connection, transaction) => store.ReplyAsync(connection, transaction, access, threadId, input, ReviewStates.Of(verdict)), LocationOf);
        return outcome.Failed ? AsProblem(http, outcome.Failure!) : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(ThreadReply reply) => $"/v1/threads/{reply.ThreadId}/replies#reply-{reply.Id}";
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Toggle(
        long threadId, HttpContext http, Func<CommunityAccess, Task<Infrastructure.Data.Outcome<bool>>> change)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        return Done(await change(access)) is { } problem ? problem : TypedResults.NoContent();
    }

    private static Task<Results<NoContent, ProblemHttpResult>> SupportThread(long threadId, HttpContext http, ReactionStore store) =>
        Toggle(threadId, http, access => store.SetThreadSupportAsync(access, threadId, on: true));

    private static Task<Results<NoContent, ProblemHttpResult>> UnsupportThread(long threadId, HttpContext http, ReactionStore store) =>
        Toggle(threadId, http, access => store.SetThreadSupportAsync(access, threadId, on: false));

    private static Task<Results<NoContent, ProblemHttpResult>> FollowThread(long threadId, HttpContext http, ReactionStore store) =>
        Toggle(threadId, http, access => store.SetFollowAsync(access, threadId, on: true));

    private static Task<Results<NoContent, ProblemHttpResult>> UnfollowThread(long threadId, HttpContext http, ReactionStore store) =>
        Toggle(threadId, http, access => store.SetFollowAsync(access, threadId, on: false));

    private static Task<Results<NoContent, ProblemHttpResult>> Withdraw(long threadId, HttpContext http, VolunteerStore store) =>
        Toggle(threadId, http, access => store.WithdrawAsync(access, threadId));

    private static async Task<Results<NoContent, ProblemHttpResult>> SetReplySupport(long replyId, bool on, HttpContext http, ReactionStore store)
    {
        // The reply and its thread must both be visible to the caller (held or hidden posts are 404 to others).
        if (await http.RequestServices.GetRequiredService<PostAccess>().ToPostAsync("reply", replyId, http) is not { } access)
        {
            return TypedResults.Problem(statusCode: 404, title: "Reply was not found.");
        }
        return Done(await store.SetReplySupportAsync(access, replyId, on)) is { } problem ? problem : TypedResults.NoContent();
    }

    private static Task<Results<NoContent, ProblemHttpResult>> SupportReply(long replyId, HttpContext http, ReactionStore store) =>
        SetReplySupport(replyId, on: true, http, store);

    private static Task<Results<NoContent, ProblemHttpResult>> UnsupportReply(long replyId, HttpContext http, ReactionStore store) =>
        SetReplySupport(replyId, on: false, http, store);

    private static async Task<Results<Created<VolunteerSignup>, ProblemHttpResult>> SignUp(
        long threadId, HttpContext http, VolunteerStore store, UnitOfWork work)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var outcome = await work.CreateAsync((connection, transaction) => store.SignUpAsync(connection, transaction, access, threadId), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(VolunteerSignup signup) => $"/v1/threads/{signup.ThreadId}/signups";
    }

    // ---- proposals and projects ----

    private static async Task<Results<Created<Project>, ProblemHttpResult>> Adopt(
        long threadId, AdoptInput? input, HttpContext http, ProjectStore projects, UnitOfWork work)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var reason = string.IsNullOrWhiteSpace(input?.Reason) ? null : input.Reason.Trim();
        var outcome = await work.CreateAsync((connection, transaction) => projects.AdoptAsync(connection, transaction, access, threadId, reason), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(Project project) => $"/v1/projects/{project.Id}";
    }

    private static async Task<Results<Ok<ThreadDetail>, ProblemHttpResult>> Decline(
        long threadId, ReasonInput input, HttpContext http, ProjectStore projects)
    {
        var access = await AccessToThreadAsync(threadId, http);
        if (access is null)
        {
            return ThreadNotFound;
        }
        var outcome = await projects.DeclineAsync(access, threadId, input.Reason!.Trim());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok(outcome.Value!);
    }
}
