using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// Every list of the committed OpenAPI document (each GET with an <c>after</c> parameter, so a new
/// list is covered the day it is documented), read by a caller allowed to read it, with cursors it
/// never gave out: each answers 400 problem+json naming <c>after</c>, never a page and never a 5xx.
/// </summary>
public sealed class ForgedCursorTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    /// <summary>The cursor of a list: its values joined by '|', in unpadded URL-safe base64.</summary>
    private static string Cursor(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Cursors no list gives out, each named for the test output. None is a valid position of any list.</summary>
    public static readonly IReadOnlyList<(string Name, string Value)> Forged =
    [
        ("empty", ""),
        ("not base64", "%%%!!"),
        ("base64 alphabet but no bytes", "A"),
        ("base64 of bytes that are not UTF-8", Convert.ToBase64String([0xFF, 0xFE, 0xFD, 0x80]).TrimEnd('=').Replace('+', '-').Replace('/', '_')),
        ("far too long", new string('A', 5000)),
        ("empty parts", Cursor("|||")),
        ("non-numeric", Cursor("abc")),
        ("a fraction", Cursor("1.5")),
        ("a leading plus", Cursor("+1")),
        ("a leading space", Cursor(" 1")),
        ("another script's digits", Cursor("١٢")),
        ("a negative id", Cursor("-5")),
        ("id zero", Cursor("0")),
        ("a number past long", Cursor("99999999999999999999999")),
        ("a trailing empty part", Cursor("1|")),
        ("too many parts", Cursor("1|2|3|4|5")),
        ("feed: a time past the year 9999", Cursor("1|99999999999999999|5|1")),
        ("feed: the largest long as a time", Cursor("0|9223372036854775807|5|1")),
        ("feed: a negative time", Cursor("0|-1|5|1")),
        ("feed: pinned is neither 0 nor 1", Cursor("2|1700000000000|5|1")),
        ("feed: a negative id", Cursor("1|1700000000000|-5|1")),
        ("feed: a negative snapshot", Cursor("1|1700000000000|5|-1")),
        ("queue: a time past the year 9999", Cursor("99999999999999999|thread|1")),
        ("queue: a negative time", Cursor("-1|thread|1")),
        ("queue: an unknown kind", Cursor("1700000000000|post|1")),
        ("queue: a negative id", Cursor("1700000000000|reply|-1")),
        ("opinions: a negative count", Cursor("recent|-1|1")),
        ("opinions: id zero", Cursor("recent|0|0")),
        ("opinions: an unknown sort", Cursor("hot|1|1")),
        ("opinions: parts in the wrong order", Cursor("1|1|recent")),
        ("announcements: id zero", Cursor("1|0")),
        ("meetings: a time past the year 9999", Cursor("99999999999999999|5")),
        ("meetings: a negative time", Cursor("-1|5")),
    ];

    private static readonly string[] Callers = ["secretary", "street", "resident", "owners"];

    [Fact]
    public async Task EveryListAnswersAForgedCursorWithA400NamingAfter()
    {
        // Real items behind id 1, so each list answers its unforged first page (200) to the caller chosen for it.
        var resident = await app.ClientFor("resident");
        await RepairTestKit.ReportCommonArea(resident);
        await resident.PostDiscussion("楼道堆物");
        await (await (await app.ClientFor("newcomer")).PostJson("/v1/communities/1/membership-requests", new { unitId = 3, relation = "tenant" }))
            .Expect(HttpStatusCode.Created);
        // Ballot 1, for its ledger and its paper ballots (the owners' committee reads those).
        await (await (await app.ClientFor("owners")).PostJson("/v1/communities/1/ballots", new
        {
            title = "续聘物业服务企业", matter = "hire_property", closesAt = app.Clock.GetUtcNow().AddDays(7),
        })).Expect(HttpStatusCode.Created);

        var document = JsonNode.Parse(await File.ReadAllTextAsync(OpenApiDocumentTests.CommittedPath))!;
        var lists = document["paths"]!.AsObject()
            .Where(path => path.Value!["get"]?["parameters"]?.AsArray().Any(p => p!["name"]!.GetValue<string>() == "after") == true)
            .Select(path => Regex.Replace(path.Key, "{[^}]+}", "1"))
            .ToList();
        Assert.True(lists.Count >= 14, $"only {lists.Count} lists in the document");

        var failures = new List<string>();
        foreach (var list in lists)
        {
            var caller = await ReaderOfAsync(list);
            if (caller is null)
            {
                failures.Add($"{list}: no caller of [{string.Join(", ", Callers)}] may read it; the test cannot reach its cursor check");
                continue;
            }
            foreach (var (name, value) in Forged)
            {
                var response = await caller.GetAsync($"{list}?after={Uri.EscapeDataString(value)}");
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.BadRequest
                    || response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                    || !JsonDocument.Parse(text).RootElement.TryGetProperty("errors", out var errors)
                    || !errors.TryGetProperty("after", out _))
                {
                    failures.Add($"{list} with {name} ({value[..Math.Min(value.Length, 40)]}): {(int)response.StatusCode} {text[..Math.Min(text.Length, 300)]}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task ACursorAListGaveOutStillReadsTheNextPage()
    {
        var resident = await app.ClientFor("resident");
        for (var i = 0; i < 3; i++)
        {
            await resident.PostDiscussion($"第{i}个话题");
        }
        var first = await resident.GetJson("/v1/communities/1/threads?limit=2");
        var next = first.GetProperty("next").GetString();
        Assert.NotNull(next);
        var second = await resident.GetJson($"/v1/communities/1/threads?limit=2&after={next}");
        Assert.DoesNotContain(second.GetProperty("items").EnumerateArray().Select(t => t.Id()), first.GetProperty("items").EnumerateArray().Select(t => t.Id()).Contains);
        await (await resident.GetAsync("/v1/communities/1/threads?limit=0")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await resident.GetAsync("/v1/communities/1/threads?limit=101")).ExpectProblem(HttpStatusCode.BadRequest);
    }

    /// <summary>The first caller who reads the list's first page (200).</summary>
    private async Task<HttpClient?> ReaderOfAsync(string list)
    {
        foreach (var handle in Callers)
        {
            var client = await app.ClientFor(handle);
            if ((await client.GetAsync($"{list}?limit=1")).StatusCode == HttpStatusCode.OK)
            {
                return client;
            }
        }
        return null;
    }

    [Theory]
    [InlineData("2", "5")]
    [InlineData("1", "0")]
    [InlineData("1", "-3")]
    [InlineData("yes", "5")]
    [InlineData("1", "5", "9")]
    public void AnAnnouncementsPositionIsAPinnedFlagAndAnId(params string[] parts)
    {
        Assert.Null(Api.Features.Announcements.AnnouncementCursor.FromParts(parts));
        Assert.Equal(new Api.Features.Announcements.AnnouncementCursor(true, 5), Api.Features.Announcements.AnnouncementCursor.FromParts(["1", "5"]));
    }
}
