using CommunityConnect.Api.Infrastructure.Anonymity;
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
        [AsParameters] PageRequest page, HttpContext http, InboxStore store, AnonymousAuthors keys)
    {
        var errors = page.Read(out IdCursor? before);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rows = await store.ListAsync((await keys.KeysOfAsync(http.User.RequiredUserId())).All, before?.Id, page.Fetch);
        return TypedResults.Ok(page.Cut(rows, r => new IdCursor(r.Id)));
    }

    private static async Task<Results<Ok<InboxItem>, ProblemHttpResult>> MarkRead(long notificationId, HttpContext http, InboxStore store, AnonymousAuthors keys)
    {
        var item = await store.MarkReadAsync((await keys.KeysOfAsync(http.User.RequiredUserId())).All, notificationId);
        return item is null
            ? TypedResults.Problem(statusCode: 404, title: "Notification was not found.")
            : TypedResults.Ok(item);
    }
}
