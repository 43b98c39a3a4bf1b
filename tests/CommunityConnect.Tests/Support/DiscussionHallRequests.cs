using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CommunityConnect.Tests.Support;

/// <summary>Short ways to post to the discussion hall in tests.</summary>
public static class DiscussionHallRequests
{
    public static async Task<JsonElement> PostThread(this HttpClient client, object body, long communityId = 1) =>
        await (await client.PostJson($"/v1/communities/{communityId}/threads", body)).Expect(HttpStatusCode.Created);

    public static Task<JsonElement> PostDiscussion(this HttpClient client, string title, string body = "大家怎么看?", long communityId = 1) =>
        client.PostThread(new { kind = "discussion", title, body }, communityId);

    public static async Task<JsonElement> PostReply(this HttpClient client, long threadId, string body, long? replyTo = null) =>
        await (await client.PostJson($"/v1/threads/{threadId}/replies", new { body, replyTo })).Expect(HttpStatusCode.Created);

    public static async Task<IReadOnlyList<JsonElement>> Inbox(this HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100")).GetProperty("items").EnumerateArray().ToList();
}
