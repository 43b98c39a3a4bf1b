using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Voting;

/// <summary>Registers, owners holding keys, ballots and paper ballots for the voting tests, all through the api.</summary>
internal static class VotingKit
{
    /// <summary>
    /// A register with every shape the law cares about, keys prefixed per test: A owns two units
    /// (one voting owner, 200 m²), B and C co-own one (one owner, 80 m²), the developer's two unsold
    /// units in two buildings (one owner, 120 m²), D one unit in building 8, C alone one more (70 m²).
    /// Five voting owners, 560 m²; building 7 alone: A, B;C and the developer's 60 m², 340 m².
    /// </summary>
    public static string Register(string p) =>
        $"""
         building,unit,area,owners
         7,101,100.00,{p}A
         7,102,100,{p}A
         7,201,80.00,{p}B;{p}C
         7,202,60.00,developer
         8,101,60.00,developer
         8,102,90.00,{p}D
         8,201,70.00,{p}C
         """;

    public static async Task ImportRegister(CommunityApp app, string csv, long communityId = 1)
    {
        var owners = await app.ClientFor("owners");
        var response = await owners.PostAsync($"/v1/communities/{communityId}/owners-register", new StringContent(csv.Replace("\n", "\r\n"), Encoding.UTF8, "text/csv"));
        await response.Expect(HttpStatusCode.Created);
    }

    /// <summary>A new owner (dev-login) holding one key of the community's current register.</summary>
    public static async Task<HttpClient> Owner(CommunityApp app, string ownerKey, long communityId = 1)
    {
        var response = await app.CreateClient().PostAsJsonAsync("/v1/auth/dev-login",
            new { handle = $"owner-{ownerKey}-{Guid.NewGuid():N}"[..40], communityId, ownerKey });
        var login = await response.Expect(HttpStatusCode.OK);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        return client;
    }

    public static async Task<long> BuildingId(CommunityApp app, string number, long communityId = 1)
    {
        var buildings = await (await app.ClientFor("owners")).GetJson($"/v1/communities/{communityId}/buildings");
        var list = buildings.ValueKind == JsonValueKind.Array ? buildings : buildings.GetProperty("items");
        return list.EnumerateArray().Single(b => b.Text("number") == number).Id();
    }

    public static async Task<JsonElement> Ballot(CommunityApp app, string matter = "other", long? buildingId = null, TimeSpan? closesIn = null,
        DateTimeOffset? opensAt = null, long communityId = 1) =>
        await (await (await app.ClientFor("owners")).PostJson($"/v1/communities/{communityId}/ballots", new
        {
            title = "业主大会表决", description = "请业主投票", matter, scope = buildingId is null ? null : new { buildingId },
            opensAt, closesAt = (opensAt ?? app.Clock.GetUtcNow()) + (closesIn ?? TimeSpan.FromDays(7)),
        })).Expect(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> Vote(HttpClient owner, long ballotId, string choice, long? votingOwnerId = null) =>
        owner.PostJson($"/v1/ballots/{ballotId}/votes", new { choice, votingOwnerId });

    public static Task<HttpResponseMessage> EnterPaper(HttpClient member, long ballotId, string? ownerKey, string? choice, byte[]? photo = null)
    {
        var form = new MultipartFormDataContent();
        if (ownerKey is not null)
        {
            form.Add(new StringContent(ownerKey), "ownerKey");
        }
        if (choice is not null)
        {
            form.Add(new StringContent(choice), "choice");
        }
        var file = new ByteArrayContent(photo ?? RepairTestKit.Png());
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "ballot.png");
        return member.PostAsync($"/v1/ballots/{ballotId}/paper-votes", form);
    }

    public static async Task<JsonElement> Tally(HttpClient client, long ballotId) => await client.GetJson($"/v1/ballots/{ballotId}/tally");

    public static IReadOnlyList<long> MyVotingOwners(JsonElement ballot) =>
        ballot.GetProperty("myVotingOwners").EnumerateArray().Select(o => o.Id()).ToList();
}
