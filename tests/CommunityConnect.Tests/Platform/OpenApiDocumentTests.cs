using System.Net;
using System.Text.Json.Nodes;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The committed openapi/CommunityConnect.json must be what the running app serves. To regenerate it
/// after changing the api: <c>UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests</c>.
/// </summary>
public sealed class OpenApiDocumentTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    public static string CommittedPath => Path.Combine(Repository.Root, "openapi", "CommunityConnect.json");

    /// <summary>The document as committed; <paramref name="withServers"/> false for comparing (a deployment may serve other servers).</summary>
    private static string Canonical(JsonNode document, bool withServers = false)
    {
        if (!withServers)
        {
            document.AsObject().Remove("servers");
        }
        return document.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
    }

    [Fact]
    public async Task TheCommittedDocumentIsWhatTheAppServes()
    {
        var response = await app.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, Canonical(JsonNode.Parse(text)!, withServers: true));
            return;
        }
        var served = Canonical(JsonNode.Parse(text)!);
        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing: run UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests");
        var committed = Canonical(JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!);
        Assert.True(committed == served,
            "openapi/CommunityConnect.json differs from what the app serves: run UPDATE_OPENAPI=1 dotnet test --filter OpenApiDocumentTests and commit it.");
    }

    [Fact]
    public async Task EveryOperationHasASummary()
    {
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrWhiteSpace(operation?["summary"]?.GetValue<string>()), $"{method} {path} has no summary");
            }
        }
    }

    [Fact]
    public async Task EveryOperationDocumentsItsErrorResponses()
    {
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var codes = operation!["responses"]!.AsObject().Select(r => r.Key).ToList();
                Assert.True(codes.Any(c => c[0] is '4' or '5'), $"{method} {path} documents no error response ({string.Join(", ", codes)})");
            }
        }
    }

    [Fact]
    public async Task EveryOperationListsTheBusyDatabaseAnswerWithItsRetryAfter()
    {
        var document = await ServedAsync();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var busy = operation!["responses"]?["503"];
                Assert.True(busy is not null, $"{method} {path} does not list 503");
                Assert.Contains("the database is busy", busy!["description"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
                Assert.Equal("integer", busy["headers"]?["Retry-After"]?["schema"]?["type"]?.GetValue<string>());
                Assert.NotNull(busy["content"]?["application/problem+json"]);
            }
        }
        // An operation's own reason for a 503 stays, named beside the busy database.
        var login = document["paths"]!["/v1/auth/wechat-login"]!["post"]!;
        Assert.StartsWith("Not available now, for the reason the operation's description gives", login["responses"]!["503"]!["description"]!.GetValue<string>());
        Assert.Contains("503", login["description"]!.GetValue<string>());
    }

    private async Task<JsonNode> ServedAsync() => JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;

    [Fact]
    public async Task EveryOperationAndEveryTagHasADescription()
    {
        var document = await ServedAsync();
        var missing = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (string.IsNullOrWhiteSpace(operation?["description"]?.GetValue<string>()))
                {
                    missing.Add($"{method} {path}");
                }
            }
        }
        foreach (var tag in document["tags"]!.AsArray())
        {
            if (string.IsNullOrWhiteSpace(tag?["description"]?.GetValue<string>()))
            {
                missing.Add($"tag {tag?["name"]} (OpenApiSetup.Tags)");
            }
        }
        Assert.True(missing.Count == 0, "No description: " + string.Join("; ", missing));
    }

    [Fact]
    public async Task TheDocumentNamesItsServerContactAndLicense()
    {
        var document = await ServedAsync();
        Assert.Equal("http://localhost:5080", document["servers"]![0]!["url"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(document["info"]!["contact"]!["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(document["info"]!["license"]!["name"]!.GetValue<string>()));
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        Assert.Equal(document["servers"]!.ToJsonString(), committed["servers"]?.ToJsonString());
    }

    /// <summary>
    /// The document asks for a token (the global bearer requirement) exactly where the server does:
    /// without one, an operation with <c>security: []</c> never answers 401, and every other one does.
    /// </summary>
    [Fact]
    public async Task AnOperationAsksForATokenExactlyWhereTheServerDoes()
    {
        var document = await ServedAsync();
        Assert.NotEmpty(document["security"]!.AsArray());
        var anonymous = app.CreateClient();
        var wrong = new List<string>();
        var open = new List<string>();
        foreach (var (template, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var path = System.Text.RegularExpressions.Regex.Replace(template, "{[^}]+}", m => m.Value == "{action}" ? "approve" : "1");
                var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), path);
                // A body of the type the operation takes (routing answers 415 to another, before authentication).
                request.Content = operation!["requestBody"]?["content"]?.AsObject().First().Key switch
                {
                    null => null,
                    "multipart/form-data" => new MultipartFormDataContent(),
                    var type => new StringContent("{}", System.Text.Encoding.UTF8, type),
                };
                var status = (await anonymous.SendAsync(request)).StatusCode;
                var saysAnonymous = operation["security"] is JsonArray { Count: 0 };
                if (saysAnonymous)
                {
                    open.Add(template);
                }
                if (saysAnonymous == (status == HttpStatusCode.Unauthorized))
                {
                    wrong.Add($"{method} {template}: security {(saysAnonymous ? "[]" : "bearer")}, answered {(int)status} without a token");
                }
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Equal(["/healthz", "/v1/auth/wechat-login", "/v1/auth/dev-login"], open);
    }
}
