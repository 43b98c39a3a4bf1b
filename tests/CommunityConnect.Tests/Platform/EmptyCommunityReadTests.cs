using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// Every GET of the committed OpenAPI document, called on the demo street without demo content
/// (nothing reported, posted or requested yet), as a caller who may read it. A collection answers
/// its empty shape (a page is <c>{ "items": [], "next": null }</c>), an item that does not exist
/// answers 404 problem, and nothing answers 5xx: an empty result is the first thing a new community
/// sees, and SQLite types a computed column only from its values, so an empty one is where a
/// mapping breaks. A GET added later is called too; a path or query parameter this test does not
/// know how to fill fails the test rather than being skipped.
/// </summary>
public sealed class EmptyCommunityReadTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    /// <summary>
    /// Containers are filled with the demo street and its 示范小区, which exist but hold nothing, and
    /// with names that exist there (an account, last month's statement).
    /// </summary>
    private static readonly Dictionary<string, string> Containers = new()
    {
        ["communityId"] = "1",
        ["streetId"] = "1",
        ["account"] = "common_income",
        ["month"] = OperationSweep.Month,
    };

    /// <summary>Items are filled with an id that exists nowhere: their route answers 404.</summary>
    private static readonly HashSet<string> Items =
    [
        "caseId", "ticketId", "opinionId", "threadId", "replyId", "projectId", "milestoneId", "photoId", "notificationId", "requestId", "userId",
        "announcementId", "attachmentId", "meetingId", "entryId", "surveyId", "conversationId", "hotspotId", "invitationId",
        "ballotId", "paperVoteId",
    ];

    private const long Missing = 987_654_321;

    /// <summary>Lists of the containers themselves (the street's communities and role holders): never empty, still pages.</summary>
    private static readonly HashSet<string> ListsOfTheContainers = ["/v1/streets/{streetId}/communities", "/v1/streets/{streetId}/staff"];

    /// <summary>
    /// Who reads what. The street admin (<c>street</c>) oversees every community of its street and
    /// reads all of it, so it is the reader unless a path says otherwise: paths about "me" are read
    /// by a resident (the street admin has no unit, opinions or inbox of its own worth reading), the
    /// community's moderation by the party secretary who moderates it (moderation is the community's
    /// own work, not the street's), the accounts' CSV export by the owners' committee that keeps them
    /// (the archive copy is theirs alone), and the health check by anyone (no token).
    /// </summary>
    private static string ReaderOf(string path) => path switch
    {
        "/healthz" => "",
        _ when path.StartsWith("/v1/me", StringComparison.Ordinal) => "resident",
        _ when path.Contains("/moderation", StringComparison.Ordinal) || path.EndsWith("/moderators", StringComparison.Ordinal) => "secretary",
        _ when path.EndsWith("/entries.csv", StringComparison.Ordinal) => "owners",
        _ => "street",
    };

    [Fact]
    public async Task EveryReadOfAnEmptyCommunityAnswersItsEmptyShapeOrNotFound()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "openapi", "CommunityConnect.json")))!;
        var failures = new List<string>();
        var called = 0;
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            if (item!["get"] is not { } operation)
            {
                continue;
            }
            var url = Fill(template, operation);
            var reader = ReaderOf(template);
            var client = reader == "" ? app.CreateClient() : await app.ClientFor(reader);
            var response = await client.GetAsync(url);
            called++;
            var text = await response.Content.ReadAsStringAsync();
            var describe = $"GET {url} as {(reader == "" ? "anonymous" : reader)} answered {(int)response.StatusCode}: {text}";
            if (Regex.IsMatch(template, "{[^}]+}") && Regex.Matches(template, "{([^}]+)}").Any(m => Items.Contains(m.Groups[1].Value)))
            {
                if (response.StatusCode != HttpStatusCode.NotFound || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{describe} (expected 404 problem: the item does not exist)");
                }
                continue;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"{describe} (expected 200)");
                continue;
            }
            var problem = ListsOfTheContainers.Contains(template)
                ? IsPage(document, operation) && JsonNode.Parse(text) is JsonObject { } page && page["items"] is JsonArray ? null : "expected a page"
                : EmptyShapeProblem(document, operation, text);
            if (problem is not null)
            {
                failures.Add($"{describe} ({problem})");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(called >= 30, $"only {called} GET operations were found in the document");
    }

    /// <summary>The path with its parameters filled; throws on a parameter it cannot fill.</summary>
    private static string Fill(string template, JsonNode operation)
    {
        var required = (operation["parameters"]?.AsArray() ?? [])
            .Where(p => p!["in"]!.GetValue<string>() is "query" or "header" && p["required"]?.GetValue<bool>() == true)
            .Select(p => p!["name"]!.GetValue<string>())
            .ToList();
        Assert.True(required.Count == 0,
            $"GET {template} requires {string.Join(", ", required)}: teach {nameof(EmptyCommunityReadTests)} a value for it");
        return Regex.Replace(template, "{([^}]+)}", match =>
        {
            var name = match.Groups[1].Value;
            if (Containers.TryGetValue(name, out var id))
            {
                return id;
            }
            Assert.True(Items.Contains(name),
                $"GET {template} has a path parameter {{{name}}} that {nameof(EmptyCommunityReadTests)} cannot fill: add it to Containers or Items");
            return Missing.ToString();
        });
    }

    /// <summary>Null when the answer is the documented empty shape of the 200 response, else what is wrong.</summary>
    private static string? EmptyShapeProblem(JsonNode document, JsonNode operation, string text)
    {
        if (operation["responses"]?["200"]?["content"] is JsonObject content && !content.ContainsKey("application/json") && content.ContainsKey("text/csv"))
        {
            // A CSV export of nothing: its header line alone.
            return text.TrimStart('\uFEFF').TrimEnd().Split('\n').Length == 1 ? null : "expected a CSV of its header line alone";
        }
        if (operation["responses"]?["200"]?["content"] is JsonObject plain && !plain.ContainsKey("application/json") && plain.ContainsKey("text/plain"))
        {
            // A text answer (the metrics, in Prometheus text): never empty, since the node measures at least this request.
            return string.IsNullOrWhiteSpace(text) ? "expected text" : null;
        }
        var body = JsonNode.Parse(text);
        var schema = Resolve(document, operation["responses"]?["200"]?["content"]?["application/json"]?["schema"]);
        if (schema is null)
        {
            return "no JSON schema documented for 200";
        }
        if (IsPage(document, operation))
        {
            return body is JsonObject page && page["items"] is JsonArray { Count: 0 } && page.ContainsKey("next") && page["next"] is null
                ? null
                : "expected an empty page { \"items\": [], \"next\": null }";
        }
        var type = schema["type"]?.ToJsonString().Trim('"');
        return type switch
        {
            "array" when body is not JsonArray => "expected an array",
            "object" when body is not JsonObject => "expected an object",
            _ => null,
        };
    }

    /// <summary>Whether the 200 answer is documented as a page (<c>items</c> and <c>next</c>).</summary>
    internal static bool IsPage(JsonNode document, JsonNode operation) =>
        Resolve(document, operation["responses"]?["200"]?["content"]?["application/json"]?["schema"])?["properties"] is JsonObject properties
        && properties.ContainsKey("items") && properties.ContainsKey("next");

    private static JsonNode? Resolve(JsonNode document, JsonNode? schema)
    {
        while (schema?["$ref"] is { } reference)
        {
            var name = reference.GetValue<string>().Split('/')[^1];
            schema = document["components"]!["schemas"]![name];
        }
        return schema;
    }
}

/// <summary>
/// Every GET of the document whose path names an item, called on a freshly made item of each kind
/// (nothing replied, rated, assigned or answered yet): the item answers 200 and its collections
/// their empty shape. An item kind this test cannot make fails the test rather than being skipped.
/// </summary>
public sealed class FreshItemReadTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task EveryReadOfAFreshItemAnswersIt()
    {
        var resident = await app.ClientFor("resident");
        var ticket = await RepairTestKit.Report(resident, new { category = "electric", description = "楼道灯不亮", commonArea = "3号楼楼道", buildingId = 3 });
        var photo = await (await RepairTestKit.UploadPhoto(resident, ticket.Id(), RepairTestKit.Png(), "light.png", "image/png")).Expect(HttpStatusCode.Created);
        var opinion = await resident.PostOpinion("suggestion", "greenery", "小区里多种几棵树");
        var thread = await resident.PostDiscussion("周末一起打扫楼道");
        var proposal = await resident.PostThread(new { kind = "proposal", title = "增设充电桩", body = "电瓶车飞线充电太危险", category = "parking" });
        var residents = await app.ClientFor("residents");
        var project = await (await residents.PostJson($"/v1/threads/{proposal.Id()}/adopt", new { })).Expect(HttpStatusCode.Created);
        var now = app.Clock.GetUtcNow();
        var announcement = await (await residents.PostJson("/v1/communities/1/announcements", new
        {
            title = "停水通知", body = "周五9点至12点停水。", audience = "all", requiresAcknowledgement = true,
        })).Expect(HttpStatusCode.Created);
        var attachment = await (await residents.PostAsync($"/v1/announcements/{announcement.Id()}/attachments", PngFile())).Expect(HttpStatusCode.Created);
        var meeting = await (await residents.PostJson("/v1/communities/1/meetings", new
        {
            kind = "hearing", topic = "加装电梯听证", startsAt = now.AddDays(3), place = "居委会会议室", participants = "3号楼居民代表",
        })).Expect(HttpStatusCode.Created);
        var owners = await app.ClientFor("owners");
        var entry = await (await owners.PostJson("/v1/communities/1/accounts/common_income/entries", new
        {
            date = now.ToOffset(TestClock.Shanghai).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            amount = 50_000, counterparty = "某广告公司", purpose = "电梯广告位租金",
        })).Expect(HttpStatusCode.Created);
        await (await owners.PostAsync($"/v1/account-entries/{entry.Id()}/voucher", PngFile())).Expect(HttpStatusCode.Created);
        var survey = await (await residents.PostJson("/v1/communities/1/surveys", new
        {
            title = "年度民主评议", closesAt = now.AddDays(14), bodies = new[] { "property", "residents_committee" },
        })).Expect(HttpStatusCode.Created);
        var invitation = await (await (await app.ClientFor("street")).PostJson("/v1/invitations", new { role = "owners_committee", communityId = 1 }))
            .Expect(HttpStatusCode.Created);
        var conversation = await (await resident.PostJson("/v1/communities/1/conversations", null)).Expect(HttpStatusCode.Created);
        var street = await app.ClientFor("street");
        // Three residents reporting one broken door make a hotspot (the radar, run here directly).
        for (var i = 0; i < 3; i++)
        {
            var neighbour = await app.ClientFor($"fresh-hotspot-{i}", communityId: 1, role: "resident", unitId: 31 + i);
            await RepairTestKit.Report(neighbour, new { category = "access", description = "5号楼门禁坏了", commonArea = "5号楼大门", buildingId = 4 });
        }
        await app.Service<CommunityConnect.Api.Features.Intake.IntakeAnalyser>().WhenReady;
        await app.Service<CommunityConnect.Jobs.Hotspots.HotspotRadarJob>().RunAsync(CancellationToken.None);
        var hotspot = (await street.GetJson("/v1/communities/1/hotspots")).GetProperty("items")[0];
        var items = new Dictionary<string, long>
        {
            ["hotspotId"] = hotspot.Id(),
            ["invitationId"] = invitation.Id(),
            ["conversationId"] = conversation.GetProperty("conversationId").GetInt64(),
            ["announcementId"] = announcement.Id(),
            ["attachmentId"] = attachment.Id(),
            ["meetingId"] = meeting.Id(),
            ["entryId"] = entry.Id(),
            ["surveyId"] = survey.Id(),
            ["ticketId"] = ticket.Id(),
            ["caseId"] = ticket.GetProperty("caseId").GetInt64(),
            ["photoId"] = photo.Id(),
            ["opinionId"] = opinion.Id(),
            ["threadId"] = thread.Id(),
            ["projectId"] = project.Id(),
        };
        // A fresh ballot on the demo register, and another that the demo owner has voted on (for the receipt) with a
        // pending paper ballot: the committee's records and an owner's receipt are read by those they belong to.
        var ownersCommittee = await app.ClientFor("owners");
        var ballot = await (await ownersCommittee.PostJson("/v1/communities/1/ballots", new { title = "续聘物业", matter = "hire_property", closesAt = now.AddDays(7) }))
            .Expect(HttpStatusCode.Created);
        var paper = new MultipartFormDataContent { { new StringContent("SF1101"), "ownerKey" }, { new StringContent("yes"), "choice" } };
        var paperPhoto = new ByteArrayContent(RepairTestKit.Png());
        paperPhoto.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        paper.Add(paperPhoto, "file", "ballot.png");
        items["ballotId"] = ballot.Id();
        var voted = await (await ownersCommittee.PostJson("/v1/communities/1/ballots", new { title = "选举业委会", matter = "elect_committee", closesAt = now.AddDays(7) }))
            .Expect(HttpStatusCode.Created);
        await (await resident.PostJson($"/v1/ballots/{voted.Id()}/votes", new { choice = "yes" })).Expect(HttpStatusCode.Created);
        // The paper ballot goes on the other ballot, so that the fresh ballot's lists (ledger, paper ballots) stay empty.
        items["paperVoteId"] = (await (await ownersCommittee.PostAsync($"/v1/ballots/{voted.Id()}/paper-votes", paper)).Expect(HttpStatusCode.Created)).Id();

        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "openapi", "CommunityConnect.json")))!;
        var failures = new List<string>();
        foreach (var (template, path) in document["paths"]!.AsObject())
        {
            var names = Regex.Matches(template, "{([^}]+)}").Select(m => m.Groups[1].Value).ToList();
            if (path!["get"] is not { } operation || names.All(n => n is "communityId" or "streetId" or "account" or "month"))
            {
                continue;
            }
            var receipt = template.EndsWith("/receipt", StringComparison.Ordinal);
            var url = Regex.Replace(template, "{([^}]+)}", match =>
            {
                Assert.True(items.TryGetValue(match.Groups[1].Value, out var id),
                    $"GET {template}: {nameof(FreshItemReadTests)} cannot make a {match.Groups[1].Value}; teach it to");
                return (receipt && match.Groups[1].Value == "ballotId" ? voted.Id() : id).ToString();
            });
            // The street admin oversees the community and reads every item of it, but for the owners' committee's
            // ballot records (the named record, paper ballots), an owner's own receipt and a conversation (its resident's alone).
            var reader = receipt || template.StartsWith("/v1/conversations/", StringComparison.Ordinal) ? resident
                : template.EndsWith("/record.csv", StringComparison.Ordinal) || template.Contains("/paper-votes", StringComparison.Ordinal) ? ownersCommittee
                : street;
            var response = await reader.GetAsync(url);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"GET {url} answered {(int)response.StatusCode}: {text}");
                continue;
            }
            if (EmptyCommunityReadTests.IsPage(document, operation)
                && !(JsonNode.Parse(text) is JsonObject page && page["items"] is JsonArray { Count: 0 } && page.ContainsKey("next") && page["next"] is null))
            {
                failures.Add($"GET {url} answered {text} (expected an empty page)");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static MultipartFormDataContent PngFile()
    {
        var file = new ByteArrayContent(RepairTestKit.Png());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", "file.png" } };
    }
}
