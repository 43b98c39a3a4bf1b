using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CommunityConnect.Api.Features.Inbox;

public static class InboxApi
{
    public static IServiceCollection AddInbox(this IServiceCollection services) =>
        services.AddSingleton<Inbox>().AddSingleton<InboxStore>();

    public static RouteGroupBuilder MapInbox(this RouteGroupBuilder v1)
    {
        var me = v1.MapGroup("/me/inbox").WithTags("Inbox").RequireAuthorization();
        me.MapGet("/", List).WithName("ListInbox").WithSummary("My notifications, newest first.")
            .WithDescription("Any signed-in user, about themself. Reads only: their notifications, newest first, with whether each is " +
                "read, paged by cursor.");
        me.MapPost("/{notificationId:long}/read", MarkRead).WithName("MarkInboxRead").WithSummary("Mark one notification read.")
            .WithDescription("Any signed-in user, for one of their own notifications (anyone else's: 404). Marks it read, which lowers " +
                "the unread count; marking it again changes nothing.")
            .ProducesProblem(404);
        return v1;
    }

    private static async Task<Results<Ok<Page<InboxItem>>, ValidationProblem>> List(
        string? after, int? limit, HttpContext http, InboxStore store, RecipientKeys keys)
    {
        var errors = new Dictionary<string, string[]>();
        var take = Paging.Limit(limit, errors);
        var beforeId = Paging.DecodeId(after, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync(keys.ForUser(http.User.RequiredUserId()), beforeId, take + 1);
        return TypedResults.Ok(Paging.Cut(rows, take, r => Paging.Encode(r.Id)));
    }

    private static async Task<Results<Ok<InboxItem>, ProblemHttpResult>> MarkRead(long notificationId, HttpContext http, InboxStore store, RecipientKeys keys)
    {
        var item = await store.MarkReadAsync(keys.ForUser(http.User.RequiredUserId()), notificationId);
        return item is null
            ? TypedResults.Problem(statusCode: 404, title: "Notification was not found.")
            : TypedResults.Ok(item);
    }
}
