using System.ComponentModel.DataAnnotations;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using CommunityConnect.Api.Infrastructure.Idempotency;
using CommunityConnect.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Moderation;

public sealed record FlagInput([property: Required, OneOf("spam", "offensive", "false_information", "privacy", "other")] string? Reason);

/// <summary>A moderator action's remark; <c>hide</c> needs a reason, shown to the author.</summary>
public sealed record ModerationActionInput([property: TextLength(200, Min = 0)] string? Reason = null);

public sealed record SlowModeInput([property: Required, Range(0, 86_400)] int? Seconds);

/// <summary>Flags, the review queue and moderator actions on the discussion hall's threads and replies.</summary>
public static class HallModerationApi
{
    private const string ThreadActions = "approve|hide|restore|pin|unpin|lock|unlock";
    private const string ReplyActions = "approve|hide|restore";

    public static IServiceCollection AddHallModeration(this IServiceCollection services) =>
        services.AddSingleton<ContentGate>().AddSingleton<HallModerationStore>();

    public static RouteGroupBuilder MapHallModeration(this RouteGroupBuilder v1)
    {
        v1.MapGet("/communities/{communityId:long}/moderation/queue", Queue).WithTags("Moderation").RequireAuthorization()
            .AddEndpointFilter<CommunityMemberFilter>().WithName("GetModerationQueue")
            .WithSummary("Posts held for review and posts hidden by members' flags (moderators, street admin).")
            .WithDescription("Moderators and the street's admins (other members: 403). Reads only: threads and replies held for review " +
                "and those hidden by members' flags, oldest first, with their flag reasons, paged by cursor.")
            .ProducesProblem(403).ProducesProblem(404);

        var posts = v1.MapGroup("/").WithTags("Moderation").RequireAuthorization().ProducesProblem(404);
        posts.MapPost("/threads/{threadId:long}/flags", FlagThread).WithName("FlagThread")
            .WithSummary("Flag a thread once (spam, offensive, false_information, privacy, other); three members hide it pending review.")
            .WithDescription("Members of the community who may see the thread (the street admin: 403). Records the caller's one flag " +
                "with a reason; at three members' flags the thread is hidden until a moderator reviews it, and the party " +
                "secretary is notified. 409 when it is already under review or the caller has flagged it.")
            .ProducesProblem(403).ProducesProblem(409);
        posts.MapPost("/replies/{replyId:long}/flags", FlagReply).WithName("FlagReply")
            .WithSummary("Flag a reply once; three members hide it pending review.")
            .WithDescription("Members of the community who may see the reply and its thread (the street admin: 403). Records the " +
                "caller's one flag with a reason; at three members' flags the reply is hidden until a moderator reviews " +
                "it, and the party secretary is notified. 409 when it is already under review or the caller has flagged " +
                "it.")
            .ProducesProblem(403).ProducesProblem(409);
        posts.MapPost($"/threads/{{threadId:long}}/{{action:regex(^({ThreadActions})$)}}", ActOnThread).WithName("ModerateThread")
            .WithSummary("Moderator action on a thread: approve, hide ({reason}, shown to the author), restore, pin, unpin, lock, unlock.")
            .WithDescription("Moderators only: the party secretary and appointed residents' committee members (others: 403). approve " +
                "publishes a held thread (a held proposal then opens its case), hide hides it with a reason the author is " +
                "sent (400 without one), restore publishes a hidden one again, pin/unpin and lock/unlock do what they " +
                "say; each action is logged. 409 when the thread is already so (approve on a published thread or one a " +
                "moderator hid, pin on a pinned one, ...).")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        posts.MapPost($"/replies/{{replyId:long}}/{{action:regex(^({ReplyActions})$)}}", ActOnReply).WithName("ModerateReply")
            .WithSummary("Moderator action on a reply: approve, hide ({reason}, shown to the author), restore.")
            .WithDescription("Moderators only: the party secretary and appointed residents' committee members (others: 403). approve " +
                "publishes a held reply (its followers hear of it then), hide hides it with a reason the author is sent " +
                "(400 without one), restore publishes a hidden one again; each action is logged. 409 when the reply is " +
                "already so.")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        posts.MapPut("/threads/{threadId:long}/slow-mode", SlowMode).WithName("SetSlowMode")
            .WithSummary("Seconds a member must wait between two replies in the thread (0 turns it off).")
            .WithDescription("Moderators only (others: 403). Sets the seconds (0 to 86,400; 0 turns it off) a member must wait between " +
                "two replies in the thread; replying sooner is 429 with Retry-After. Logged.")
            .ProducesProblem(403);
        return v1;
    }

    private static string NameOf(HttpContext http) => http.User.Identity?.Name ?? "";

    /// <summary>The caller's access to the community of a post they may see (a reply: and its thread), or null (404).</summary>
    internal static async Task<(ModeratedPost Post, CommunityAccess Access)?> AccessToPostAsync(string kind, long id, HttpContext http)
    {
        var store = http.RequestServices.GetRequiredService<HallModerationStore>();
        var post = await store.FindAsync(kind, id);
        if (post is null)
        {
            return null;
        }
        var access = await http.RequestServices.GetRequiredService<Tenancy>().ForItemAsync(http, post.CommunityId);
        if (access is null || !await store.MaySeeAsync(post, access))
        {
            return null;
        }
        // A reply of a thread the caller may not see does not exist for them either.
        if (post.ThreadId is { } threadId && await store.FindAsync("thread", threadId) is { } thread && !await store.MaySeeAsync(thread, access))
        {
            return null;
        }
        return (post, access);
    }

    private static async Task<Results<Ok<Page<QueueItem>>, ValidationProblem, ProblemHttpResult>> Queue(
        long communityId, string? after, int? limit, CommunityAccess access, ModerationStore moderation, HallModerationStore store)
    {
        if (!access.IsStreetAdmin && !await moderation.IsModeratorAsync(access))
        {
            return TypedResults.Problem(statusCode: 403, title: "Only the hall's moderators see the review queue.");
        }
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var parts = Paging.Decode(after, 3, errors);
        QueueCursor? cursor = null;
        if (parts is not null)
        {
            if (long.TryParse(parts[0], out var at) && parts[1] is "thread" or "reply" && long.TryParse(parts[2], out var id))
            {
                cursor = new QueueCursor(DateTimeOffset.FromUnixTimeMilliseconds(at), parts[1], id);
            }
            else
            {
                errors["after"] = ["after is not a cursor this list gave out."];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.QueueAsync(communityId, cursor, take + 1);
        return TypedResults.Ok(Paging.Cut(rows, take, r => Paging.Encode(r.CreatedAt.ToUnixTimeMilliseconds(), r.Kind, r.Id)));
    }

    private static Task<Results<Created<FlagReceipt>, ProblemHttpResult>> FlagThread(long threadId, FlagInput input, HttpContext http, HallModerationStore store, UnitOfWork work) =>
        FlagAsync("thread", threadId, input, http, store, work);

    private static Task<Results<Created<FlagReceipt>, ProblemHttpResult>> FlagReply(long replyId, FlagInput input, HttpContext http, HallModerationStore store, UnitOfWork work) =>
        FlagAsync("reply", replyId, input, http, store, work);

    private static async Task<Results<Created<FlagReceipt>, ProblemHttpResult>> FlagAsync(
        string kind, long id, FlagInput input, HttpContext http, HallModerationStore store, UnitOfWork work)
    {
        if (await AccessToPostAsync(kind, id, http) is not var (_, access))
        {
            return TypedResults.Problem(statusCode: 404, title: kind == "thread" ? "Thread was not found." : "Reply was not found.");
        }
        var outcome = await work.CreateAsync((connection, transaction) => store.FlagAsync(connection, transaction, access, kind, id, input.Reason!), LocationOf);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Created(LocationOf(outcome.Value!), outcome.Value);

        static string LocationOf(FlagReceipt flag) => $"/v1/{(flag.TargetKind == "thread" ? "threads" : "replies")}/{flag.TargetId}/flags/{flag.Id}";
    }

    private static async Task<Results<Ok<ThreadDetail>, ValidationProblem, ProblemHttpResult>> ActOnThread(
        long threadId, string action, ModerationActionInput? input, HttpContext http, HallModerationStore store, ThreadStore threads)
    {
        if (await AccessToPostAsync("thread", threadId, http) is not var (_, access))
        {
            return TypedResults.Problem(statusCode: 404, title: "Thread was not found.");
        }
        if (action == "hide" && string.IsNullOrWhiteSpace(input?.Reason))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["Hiding needs a reason; the author sees it."] });
        }
        var outcome = await store.ActAsync(access, NameOf(http), "thread", threadId, action, input?.Reason?.Trim());
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok((await threads.GetAsync(threadId, access.UserId))!);
    }

    private static async Task<Results<Ok<ThreadReply>, ValidationProblem, ProblemHttpResult>> ActOnReply(
        long replyId, string action, ModerationActionInput? input, HttpContext http, HallModerationStore store, Infrastructure.Data.Database database)
    {
        if (await AccessToPostAsync("reply", replyId, http) is not var (_, access))
        {
            return TypedResults.Problem(statusCode: 404, title: "Reply was not found.");
        }
        if (action == "hide" && string.IsNullOrWhiteSpace(input?.Reason))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["Hiding needs a reason; the author sees it."] });
        }
        var outcome = await store.ActAsync(access, NameOf(http), "reply", replyId, action, input?.Reason?.Trim());
        if (outcome.Failed)
        {
            return outcome.Failure!.ToResult();
        }
        await using var connection = await database.OpenReadAsync();
        return TypedResults.Ok(await ThreadStore.GetReplyAsync(connection, null, replyId, access.UserId));
    }

    private static async Task<Results<Ok<ThreadDetail>, ProblemHttpResult>> SlowMode(
        long threadId, SlowModeInput input, HttpContext http, HallModerationStore store, ThreadStore threads)
    {
        if (await AccessToPostAsync("thread", threadId, http) is not var (_, access))
        {
            return TypedResults.Problem(statusCode: 404, title: "Thread was not found.");
        }
        var outcome = await store.SetSlowModeAsync(access, NameOf(http), threadId, input.Seconds!.Value);
        return outcome.Failed ? outcome.Failure!.ToResult() : TypedResults.Ok((await threads.GetAsync(threadId, access.UserId))!);
    }
}
