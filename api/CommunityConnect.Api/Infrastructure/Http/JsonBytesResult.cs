namespace CommunityConnect.Api.Infrastructure.Http;

/// <summary>
/// A 200 whose JSON was serialised before (a cached answer), written as it is with the content type
/// <c>Ok&lt;T&gt;</c> writes. It adds no endpoint metadata: the operation's <c>Ok&lt;T&gt;</c> documents the body.
/// </summary>
public sealed class JsonBytesResult(ReadOnlyMemory<byte> utf8Json) : IResult
{
    public const string ContentType = "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = utf8Json.Length;
        return response.Body.WriteAsync(utf8Json, httpContext.RequestAborted).AsTask();
    }
}
