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
}
