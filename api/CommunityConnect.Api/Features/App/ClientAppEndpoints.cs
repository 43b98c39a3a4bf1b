using System.Net.Mime;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace CommunityConnect.Api.Features.App;

/// <summary>
/// The H5 client (ClientApp/, Vue 3 + Vant 4) at /app: its built files from ClientApp/dist, and index.html for
/// every other path under /app so the client's router finds its page (a reload of /app/repairs/7 works).
/// Not part of the api: excluded from the OpenAPI document. Without a build (no Node on the machine), /app
/// answers a page that says how to build the client, and the api runs as before.
/// </summary>
public static class ClientAppEndpoints
{
    public const string BasePath = "/app";

    /// <summary>Where the built client lies, relative to the content root (setting <c>App:ClientPath</c>).</summary>
    public const string DefaultClientPath = "ClientApp/dist";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static IEndpointRouteBuilder MapClientApp(this IEndpointRouteBuilder app)
    {
        var environment = app.ServiceProvider.GetRequiredService<IWebHostEnvironment>();
        var configuration = app.ServiceProvider.GetRequiredService<IConfiguration>();
        var root = Path.GetFullPath(Path.Combine(environment.ContentRootPath, configuration["App:ClientPath"] ?? DefaultClientPath));

        // Also matches /app itself, which is sent on to /app/ (the client's base).
        app.MapGet($"{BasePath}/{{**path}}", (string? path, HttpContext context) => Serve(root, path, context))
            .ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    private static IResult Serve(string root, string? path, HttpContext context)
    {
        if (!context.Request.Path.Value!.EndsWith('/') && string.IsNullOrEmpty(path))
        {
            return TypedResults.Redirect($"{BasePath}/");
        }
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            return TypedResults.Content(NotBuiltPage, "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        using var files = new PhysicalFileProvider(root);
        var file = string.IsNullOrEmpty(path) ? null : files.GetFileInfo(path);
        if (file is { Exists: true, IsDirectory: false, PhysicalPath: not null })
        {
            // Vite names every asset by its content hash: a changed file is a new name.
            if (path!.StartsWith("assets/", StringComparison.Ordinal))
            {
                context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            }
            var contentType = ContentTypes.TryGetContentType(file.Name, out var type) ? type : MediaTypeNames.Application.Octet;
            return TypedResults.PhysicalFile(file.PhysicalPath, contentType, enableRangeProcessing: true);
        }
        if (path is not null && Path.HasExtension(path))
        {
            return TypedResults.NotFound();
        }
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.PhysicalFile(Path.Combine(root, "index.html"), "text/html; charset=utf-8");
    }

    private const string NotBuiltPage =
        """
        <!doctype html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>客户端尚未构建 · The H5 client is not built</title></head>
        <body style="font: 18px/1.6 sans-serif; margin: 24px; color: #1f2023">
        <h1 style="font-size: 22px">手机端页面尚未构建</h1>
        <p>The H5 client at /app is built by <code>dotnet build</code> when Node.js 20 or newer is installed.
        Install Node.js 20+, then run <code>dotnet build</code> (or <code>npm ci &amp;&amp; npm run build</code> in
        <code>api/CommunityConnect.Api/ClientApp</code>) and reload this page. The api itself runs without it.</p>
        </body></html>
        """;
}
