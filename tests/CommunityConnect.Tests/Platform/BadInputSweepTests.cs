using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// Every operation of the OpenAPI document, sent bad input by a signed-in member: malformed JSON,
/// the wrong JSON type, wrong types for every field, nonsense query values. None may answer 500,
/// and every error is problem+json.
/// </summary>
public sealed class BadInputSweepTests(CommunityApp app) : IClassFixture<CommunityApp>
{
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
}
