using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// A client generated from the document must know every answer it can get: every operation, called
/// by callers of every kind with bad bodies, bad query values, no body and ids that do not exist,
/// answers only statuses its document lists. (5xx are BadInputSweepTests' business: never.)
/// </summary>
public sealed class DocumentedAnswersTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static readonly string[] Bodies = ["{\"title\": ", "[]", "{}", "{\"kind\": 5, \"reason\": 3, \"body\": \"\"}"];

    [Fact]
    public async Task EveryAnswerToBadOrMissingInputIsDocumented()
    {
        // Real items behind id 1, so the calls reach the handlers' own checks, not only "not found".
        var resident = await OperationSweep.SeedItemsBehindIdOneAsync(app);

        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var callers = new[] { await app.ClientFor("secretary"), resident, await app.ClientFor("street"), await app.ClientFor("property") };
        var undocumented = new SortedSet<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var documented = operation!["responses"]!.AsObject().Select(r => r.Key).ToHashSet();
                var path = OperationSweep.PathOf(template);
                foreach (var caller in callers)
                {
                    foreach (var request in Requests(method, path, operation["requestBody"] is not null))
                    {
                        var status = (int)(await caller.SendAsync(request)).StatusCode;
                        if (status < 500 && !documented.Contains(status.ToString()))
                        {
                            undocumented.Add($"{method.ToUpperInvariant()} {template} answered {status} to {request.RequestUri}");
                        }
                    }
                }
            }
        }
        Assert.True(undocumented.Count == 0, "Not in the document:\n" + string.Join("\n", undocumented));
    }

    private static IEnumerable<HttpRequestMessage> Requests(string method, string path, bool hasBody)
    {
        var verb = new HttpMethod(method.ToUpperInvariant());
        yield return new HttpRequestMessage(verb, path);
        yield return new HttpRequestMessage(verb, Regex.Replace(path, "/1(?=/|$)", "/999999"));
        if (!hasBody)
        {
            yield return new HttpRequestMessage(verb, path + "?limit=abc&after=%ZZ&from=yesterday&period=Q9&state=nonsense");
            yield break;
        }
        foreach (var body in Bodies)
        {
            yield return new HttpRequestMessage(verb, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
        yield return new HttpRequestMessage(verb, path) { Content = new StringContent("hello", Encoding.UTF8, "text/plain") };
    }
}
