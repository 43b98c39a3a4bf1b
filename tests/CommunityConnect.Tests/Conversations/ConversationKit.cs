using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Conversations;

/// <summary>Talking to the assistant in tests.</summary>
public static class ConversationKit
{
    private static int _serial;

    /// <summary>Demo community 1: units 1–10 are in building 1, 11–20 in 2, 21–30 in 3 (30 is 3号楼502), 31–40 in 5.</summary>
    public static async Task<HttpClient> NewResident(this CommunityApp app, long unitId, string prefix = "chat")
    {
        await app.Service<IntakeAnalyser>().WhenReady;
        return await app.ClientFor($"{prefix}-{Interlocked.Increment(ref _serial)}", communityId: 1, role: "resident", unitId: unitId);
    }

    public static async Task<long> StartChat(this HttpClient client, long communityId = 1)
    {
        var started = await (await client.PostJson($"/v1/communities/{communityId}/conversations", null)).Expect(HttpStatusCode.Created);
        return started.GetProperty("conversationId").GetInt64();
    }

    public static async Task<JsonElement> Say(this HttpClient client, long conversationId, string text) =>
        await (await client.PostJson($"/v1/conversations/{conversationId}/messages", new { text })).Expect(HttpStatusCode.Created);

    public static string State(this JsonElement turn) => turn.GetProperty("state").GetString()!;

    public static string Reply(this JsonElement turn) => turn.GetProperty("reply").GetProperty("text").GetString()!;

    public static IReadOnlyList<string> QuickReplies(this JsonElement turn) =>
        turn.GetProperty("reply").GetProperty("quickReplies").EnumerateArray().Select(q => q.GetString()!).ToList();

    public static JsonElement Draft(this JsonElement turn) => turn.GetProperty("draft");

    public static string? Field(this JsonElement element, string name) =>
        element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).ToString();

    public static JsonElement Filed(this JsonElement turn) => turn.GetProperty("filed");
}
