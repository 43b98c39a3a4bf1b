using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// Opens cases as an item would (inside a unit of work), for tests of the case mechanism itself.
/// The default kind is one without an answer handler of its own (opinions and questions answer
/// through the complaint box), so case responses land on the case.
/// </summary>
public static class CaseFactory
{
    public static async Task<long> OpenCaseAsync(this CommunityApp app, string authorHandle, string category,
        string kind = "proposal", bool urgent = false, long communityId = 1)
    {
        var author = await app.ClientFor(authorHandle);
        var authorId = await CommunityApp.UserIdOf(author);
        var keys = app.Service<RecipientKeys>();
        var cases = app.Service<CaseStore>();
        return await app.Service<Database>().WriteAsync(async (connection, transaction) =>
        {
            var body = await cases.RouteAsync(communityId, category);
            return await cases.OpenAsync(connection, transaction,
                new NewCase(communityId, kind, Random.Shared.NextInt64(1, long.MaxValue), category, urgent, keys.ForUser(authorId), new Actor(authorId, "作者"), body));
        });
    }

    /// <summary>Reports an item event on a case, as the item's own unit of work would.</summary>
    public static Task<string> RecordAsync(this CommunityApp app, long caseId, ItemEvent itemEvent) =>
        app.Service<Database>().WriteAsync((connection, transaction) =>
            app.Service<CaseStore>().RecordAsync(connection, transaction, caseId, itemEvent, Actor.System));
}
