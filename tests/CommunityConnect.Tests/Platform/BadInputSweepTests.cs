using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// Every operation of the OpenAPI document, sent bad input by a signed-in member: malformed JSON,
/// the wrong JSON type, wrong types for every field, nonsense query values. None may answer 500,
/// and every error is problem+json.
/// </summary>
public sealed partial class BadInputSweepTests(WebNodeApp app) : IClassFixture<WebNodeApp>
{
    private CommunityApp App => app;

    private static readonly string[] Bodies =
    [
        "{\"title\": ",
        "[]",
        "\"text\"",
        "{\"kind\": 5, \"title\": [], \"body\": {}, \"category\": 1, \"unitId\": \"x\", \"reason\": 3, \"deadline\": \"tomorrow\", \"seconds\": \"soon\", \"satisfied\": \"yes\"}",
        "{}",
        "{\"routes\": [null], \"policies\": [null], \"words\": [null]}",
    ];

    [Theory]
    [InlineData("/v1/communities/1/repairs/scoreboard?to=0001-01-01")]
    [InlineData("/v1/communities/1/repairs/scoreboard?from=0001-01-01&to=0001-01-01")]
    [InlineData("/v1/communities/1/repairs/scoreboard?to=9999-12-31")]
    [InlineData("/v1/communities/1/opinions/trends?to=0001-01-01")]
    [InlineData("/v1/communities/1/opinions/trends?from=9999-12-30&to=9999-12-31")]
    public async Task ReportDatesOutsideTheCenturiesWeServeAreABadRequest(string url)
    {
        var problem = await (await (await app.ClientFor("secretary")).GetAsync(url)).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").EnumerateObject().Any());
    }

    [Theory]
    [InlineData("/v1/communities/1/routing", "{\"routes\": [null]}")]
    [InlineData("/v1/communities/1/sla", "{\"policies\": [null]}")]
    [InlineData("/v1/communities/1/moderation/words", "{\"words\": [null]}")]
    public async Task ANullItemInAListIsABadRequest(string url, string json)
    {
        var secretary = await app.ClientFor("secretary");
        var response = await secretary.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains("[0]", problem.GetProperty("errors").EnumerateObject().Single().Name);
    }

    [Fact]
    public async Task NoOperationAnswers500ToBadInput()
    {
        // Real items behind id 1, so the sweep reaches the handlers' own checks, not only "not found".
        await OperationSweep.SeedItemsBehindIdOneAsync(app);

        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var clients = new[] { await app.ClientFor("secretary"), await app.ClientFor("resident") };
        var failures = new List<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, _) in item!.AsObject())
            {
                var path = OperationSweep.PathOf(template);
                foreach (var client in clients)
                {
                    if (method is "get" or "delete")
                    {
                        await Check(client, new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path + "?limit=abc&after=%ZZ&from=yesterday&period=Q9"), failures);
                        continue;
                    }
                    foreach (var body in Bodies)
                    {
                        await Check(client, new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path)
                        {
                            Content = new StringContent(body, Encoding.UTF8, "application/json"),
                        }, failures);
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static async Task Check(HttpClient client, HttpRequestMessage request, List<string> failures)
    {
        var description = $"{request.Method} {request.RequestUri} {(request.Content is null ? "" : await request.Content.ReadAsStringAsync())}";
        var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            failures.Add($"{status} for {description}: {await response.Content.ReadAsStringAsync()}");
        }
        else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failures.Add($"{status} without problem+json for {description}");
        }
    }

    // Families of hostile input over every operation of the committed document (issue 11 §6): odd
    // charsets, Unicode noncharacters, tokens of users who do not exist, extreme numbers and dates,
    // odd bodies and headers. Each answer is checked the same way: never 5xx, every error is
    // problem+json, and a rejected request leaves every table's row count as it was.

    /// <summary>Noncharacters from the Arabic block, the BMP's end, plane 1 and plane 16, and lone surrogates.</summary>
    private static readonly string[] HostileText =
    [
        "\uFFFE", "\uFFFF", "\uFDD0", "\uFDEF", char.ConvertFromUtf32(0x1FFFE), char.ConvertFromUtf32(0x10FFFF), char.ConvertFromUtf32(0x7FFFF),
    ];

    /// <summary>Content types a JSON body may arrive with that this api does not read.</summary>
    private static readonly (string ContentType, string? Named)[] OddContentTypes =
    [
        ("application/json; charset=bogus-8", "bogus-8"),
        ("application/json; charset=\"bogus-8\"", "bogus-8"),
        ("application/json; charset=\"\"", null),
        ("application/json; charset=utf-16", "utf-16"),
        ("application/json; charset=utf-32", "utf-32"),
        ("application/json; charset=utf-7", "utf-7"),
        ("application/json; charset=iso-8859-1", "iso-8859-1"),
        ("application/json; charset=gb2312", "gb2312"),
        ("application/json; charset=", null),
        ("application/json; charset=utf-8; charset=bogus-8", null),
        ("application/json; charset=utf-8, text/html", null),
        ("text/plain; charset=utf-8", null),
        ("text/plain; charset=bogus-8", null),
        ("application/x-www-form-urlencoded; charset=bogus-8", null),
        ("application/json;;;", null),
    ];

    private async Task EnsureItemsAsync()
    {
        var secretary = await app.ClientFor("secretary");
        if ((await secretary.GetAsync("/v1/projects/1")).StatusCode == HttpStatusCode.OK)
        {
            return;
        }
        var resident = await app.ClientFor("resident");
        await RepairTestKit.ReportCommonArea(resident);
        await resident.PostOpinion("complaint", "parking", "消防通道又被堵了");
        var proposal = await resident.PostThread(new { kind = "proposal", title = "增设充电桩", body = "电瓶车飞线充电太危险", category = "parking" });
        await resident.PostReply(proposal.Id(), "支持");
        await (await (await app.ClientFor("residents")).PostJson($"/v1/threads/{proposal.Id()}/adopt", new { })).Expect(HttpStatusCode.Created);
    }

    /// <summary>Requests this test sent, so that a sweep that found nothing to send fails.</summary>
    private int _sent;

    /// <summary>Sends, checks the answer and, when it is a refusal, that nothing was written. Answers the status and body.</summary>
    private async Task<(int Status, string Text)> Send(HttpClient client, HttpRequestMessage request, List<string> failures, bool mustRefuse = false)
    {
        _sent++;
        var description = $"{request.Method} {request.RequestUri} [{request.Content?.Headers.ContentType?.ToString() ?? ""}]";
        var before = await RowCounts.ReadAsync(app);
        var response = await client.SendAsync(request);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            failures.Add($"{status} for {description}: {text}");
        }
        else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failures.Add($"{status} without problem+json for {description}");
        }
        else if (mustRefuse && status < 400)
        {
            failures.Add($"{status} (expected a refusal) for {description}: {text}");
        }
        if (status >= 400 && RowCounts.Changes(before, await RowCounts.ReadAsync(app)) is { Length: > 0 } changes)
        {
            failures.Add($"{status} for {description} but it wrote: {changes}");
        }
        return (status, text);
    }

    private static HttpRequestMessage Json(OpenApiOperation operation, string json, string? path = null, string contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), path ?? operation.Path()) { Content = content };
    }

    [Fact]
    public async Task ATokenOfAUserWhoDoesNotExistIsUnauthorizedEverywhere()
    {
        await EnsureItemsAsync();
        var tokens = app.Service<CommunityConnect.Api.Infrastructure.Auth.TokenService>();
        var doomed = await app.ClientFor("sweep-doomed", communityId: 1, role: "resident", unitId: 5);
        var doomedId = await CommunityApp.UserIdOf(doomed);
        var doomedToken = doomed.DefaultRequestHeaders.Authorization!.Parameter!;
        await using (var connection = app.Connection())
        {
            // A database restored to before this user existed: the token outlived its user.
            await connection.OpenAsync();
            await connection.ExecuteAsync(
                TestProvider.WithoutForeignKeys(connection, "DELETE FROM memberships WHERE user_id = @doomedId; DELETE FROM users WHERE id = @doomedId;"), new { doomedId });
        }
        // A write outside the api's writer reaches its caches with the next poll of the cache versions.
        await app.Service<CommunityConnect.Api.Infrastructure.Caching.CommunityVersions>().RefreshAsync();
        var ghosts = new[]
        {
            ("a user id that never existed", tokens.Issue(987_654_321, "幽灵")),
            ("a deleted user", doomedToken),
            ("user id 0", tokens.Issue(0, "无名")),
        };
        var anonymous = app.CreateClient();
        var failures = new List<string>();
        foreach (var operation in OpenApiOperation.All())
        {
            foreach (var (who, token) in ghosts)
            {
                var request = Request(operation);
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                var (status, answer) = await Send(anonymous, request, failures);
                var withoutToken = await anonymous.SendAsync(Request(operation));
                var expected = (int)withoutToken.StatusCode;
                // As for no token at all; where no token is challenged (the route needs a user), the answer says why.
                var challenged = withoutToken.Headers.WwwAuthenticate.Count > 0;
                if (status != expected || (challenged && !answer.Contains("no longer exists", StringComparison.Ordinal)))
                {
                    failures.Add($"{status} for {operation} with the token of {who}: expected {expected} as for no token: {answer}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));

        static HttpRequestMessage Request(OpenApiOperation operation) => operation.HasJsonBody
            ? Json(operation, operation.SampleBody())
            : new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), operation.Path());
    }

    [Fact]
    public async Task ExtremeNumbersAndDatesAnywhereNeverAnswer500()
    {
        await EnsureItemsAsync();
        var client = await app.ClientFor("secretary");
        var failures = new List<string>();
        var numbers = new JsonNode?[] { long.MaxValue, long.MinValue, 2147483648L, -2147483649L, -1, 0, 1e300, "99999999999999999999" };
        var instants = new[] { "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2030-02-30T00:00:00Z" };
        var dates = new[] { "0001-01-01", "9999-12-31", "1970-01-01", "2030-02-30", "-001-01-01" };
        var times = new[] { "00:00", "23:59", "24:00" };
        foreach (var operation in OpenApiOperation.All())
        {
            foreach (var id in new[] { "9223372036854775807", "-9223372036854775808", "99999999999999999999", "0", "-1" })
            {
                var request = operation.HasJsonBody
                    ? Json(operation, operation.SampleBody(), operation.Path(id))
                    : new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), operation.Path(id));
                await Send(client, request, failures);
            }
            foreach (var parameter in operation.Parameters("query"))
            {
                var name = parameter["name"]!.GetValue<string>();
                foreach (var value in new[] { "2147483648", "-2147483649", "9223372036854775808", "0", "-1", "1e10", "0001-01-01", "9999-12-31" })
                {
                    await Send(client, new HttpRequestMessage(new HttpMethod(operation.Method.ToUpperInvariant()), $"{operation.Path()}?{name}={value}"), failures);
                }
            }
            if (!operation.HasJsonBody)
            {
                continue;
            }
            foreach (var (_, _, _, with) in operation.Fields("integer"))
            {
                foreach (var number in numbers)
                {
                    await Send(client, Json(operation, with(number?.DeepClone())), failures);
                }
            }
            foreach (var (_, format, sample, with) in operation.Fields("string"))
            {
                var values = format == "date-time" ? instants
                    : format == "date" || sample == "2030-06-03" ? dates
                    : sample == "09:00" ? times
                    : [];
                foreach (var value in values)
                {
                    await Send(client, Json(operation, with(JsonValue.Create(value))), failures);
                }
            }
        }
        Assert.True(_sent >= 500, $"only {_sent} requests were sent");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    [Fact]
    public async Task OddBodiesAndHeadersNeverAnswer500()
    {
        await EnsureItemsAsync();
        var client = await app.ClientFor("secretary");
        var failures = new List<string>();
        var bodies = new[]
        {
            "null",
            "1e999",
            "[{}]",
            "\uFEFF{}",
            new string('[', 100_000) + new string(']', 100_000),
            string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000),
            "{\"title\": \"a\", \"title\": \"b\", \"body\": \"" + new string('长', 500_000) + "\"}",
        };
        foreach (var operation in OpenApiOperation.All().Where(o => o.Method != "get"))
        {
            foreach (var body in bodies)
            {
                await Send(client, Json(operation, body), failures, mustRefuse: operation.HasJsonBody && body.StartsWith('['));
            }
        }
        var creates = OpenApiOperation.All().Where(o => o.Parameters("header").Any(p => p["name"]!.GetValue<string>() == "Idempotency-Key")).ToList();
        Assert.NotEmpty(creates);
        foreach (var operation in creates)
        {
            foreach (var key in new[] { "键值", "\u00ff\u00fe", " ", "a\tb", "\uFFFE", "\uD800", new string('k', 201), new string('k', 64_000), "../../etc/passwd", "%00" })
            {
                var request = operation.HasJsonBody ? Json(operation, operation.SampleBody()) : new HttpRequestMessage(HttpMethod.Post, operation.Path());
                request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                await Send(client, request, failures);
            }
        }
        var oddText = new[]
        {
            "\u0000", "\u202E反向文字", "   ", "\t\r\n", "\uFDFA\uFDFA\uFDFA", "👨‍👩‍👧‍👦🏳️‍🌈", "a" + new string('\u0301', 20_000), new string('字', 20_000), "１２３４５６７８９０１",
        };
        foreach (var operation in OpenApiOperation.All().Where(o => o.HasJsonBody))
        {
            foreach (var (_, _, _, with) in operation.Fields("string"))
            {
                foreach (var text in oddText)
                {
                    await Send(client, Json(operation, with(JsonValue.Create(text))), failures);
                }
            }
        }
        foreach (var path in OpenApiOperation.All().GroupBy(o => o.Template))
        {
            // A method the path does not have, and every query parameter given twice.
            foreach (var method in new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS" }.Where(m => path.All(o => !o.Method.Equals(m, StringComparison.OrdinalIgnoreCase))))
            {
                await Send(client, new HttpRequestMessage(new HttpMethod(method), path.First().Path()), failures);
            }
            foreach (var operation in path.Where(o => o.Method == "get"))
            {
                var twice = string.Join("&", operation.Parameters("query").Select(p => p["name"]!.GetValue<string>()).SelectMany(n => new[] { $"{n}=1", $"{n}=2" }));
                await Send(client, new HttpRequestMessage(HttpMethod.Get, $"{operation.Path()}?{twice}&unknown=%00"), failures);
            }
        }
        Assert.True(_sent >= 300, $"only {_sent} requests were sent");
        var anonymous = app.CreateClient();
        foreach (var authorization in new[] { "Bearer " + new string('a', 300_000), "Bearer", "Bearer a.b.c", "Basic Zm9vOmJhcg==", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "Bearer \uFFFE" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            var (status, _) = await Send(anonymous, request, failures);
            if (status != 401)
            {
                failures.Add($"{status} for GET /v1/me with Authorization {authorization[..Math.Min(30, authorization.Length)]}: expected 401");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)));
    }

    private static bool NamesField(string problem, string field)
    {
        try
        {
            return JsonNode.Parse(problem)?["errors"] is JsonObject errors && errors.ContainsKey(field);
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
