using System.Net;
using System.Text.RegularExpressions;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.App;

/// <summary>/app: the built client, index.html for the client's own routes, and a page saying how to build it when it is not built.</summary>
public sealed class ClientAppServingTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static void RequireBuiltClient() =>
        Skip.If(!File.Exists(BrowserApp.ClientIndex), $"The H5 client is not built ({BrowserApp.ClientIndex} is missing): dotnet build builds it when Node.js 20+ is installed.");

    [SkippableFact]
    public async Task TheClientsRoutesAnswerItsIndexAndItsAssetsAreCachedForGood()
    {
        RequireBuiltClient();
        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var root = await client.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, root.StatusCode);
        Assert.Equal("/app/", root.Headers.Location!.OriginalString);

        var deep = await client.GetAsync("/app/repairs/7");
        Assert.Equal(HttpStatusCode.OK, deep.StatusCode);
        Assert.Equal("text/html", deep.Content.Headers.ContentType!.MediaType);
        var html = await deep.Content.ReadAsStringAsync();
        Assert.Contains("<div id=\"app\">", html);
        Assert.Contains("no-cache", deep.Headers.CacheControl!.ToString());

        var script = Regex.Match(html, "src=\"/app/(assets/[^\"]+\\.js)\"").Groups[1].Value;
        var asset = await client.GetAsync($"/app/{script}");
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", asset.Headers.CacheControl!.ToString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/app/assets/no-such-file.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/app/..%2F..%2Fappsettings.json")).StatusCode);
    }

    [Fact]
    public async Task TheAppIsNoPartOfTheApiDocument()
    {
        var document = await app.CreateClient().GetJson("/openapi/v1.json");
        Assert.DoesNotContain(document.GetProperty("paths").EnumerateObject(), path => path.Name.StartsWith("/app", StringComparison.Ordinal));
    }
}

/// <summary>Without a built client (no Node on the machine) /app says how to build it, and the api answers as before.</summary>
public sealed class UnbuiltClientAppTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["App:ClientPath"] = Path.Combine(_app.Folder, "no-client-here");
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task AppAnswersHowToBuildTheClientAndTheApiRunsAsBefore()
    {
        var client = _app.CreateClient();
        var page = await client.GetAsync("/app/hall");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Node.js 20", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
