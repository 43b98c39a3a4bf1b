using System.Text;
using System.Text.Json;
using CommunityConnect.Api.Infrastructure.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace CommunityConnect.Api.Infrastructure.Http;

/// <summary>
/// Text comes in as UTF-8 and as Unicode text, checked once for every request before any endpoint
/// reads it, so that a hostile code point is a clean 4xx instead of a 500 wherever the text would
/// go next (NFKC refuses U+FFFE; the framework's JSON reader answers an unknown charset with a 500):
/// <list type="bullet">
/// <item>a body declared in a charset other than UTF-8 is 415 naming it (JSON is UTF-8, RFC 8259 §8.1);</item>
/// <item>a string anywhere in a JSON body (or a property name) holding NUL, a lone surrogate or a
/// noncharacter is 400 naming the field (<c>title</c>, <c>routes[0].category</c>);</item>
/// <item>a query value holding one is 400 naming the parameter.</item>
/// </list>
/// </summary>
public static class RequestText
{
    public static WebApplication UseRequestText(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var refusal = CheckCharset(context.Request) ?? CheckQuery(context.Request) ?? await CheckJsonAsync(context.Request);
            if (refusal is null)
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = refusal.Status!.Value;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>()
                .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = refusal });
        });
        return app;
    }

    private static ProblemDetails? CheckCharset(HttpRequest request)
    {
        var header = request.Headers.ContentType.ToString();
        if (header.Length == 0 || !MediaTypeHeaderValue.TryParse(header, out var mediaType))
        {
            return null; // no body, or one the endpoint refuses as an unsupported media type
        }
        var charsets = mediaType.Parameters.Where(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).ToList();
        if (charsets.Count == 0)
        {
            return null;
        }
        var value = HeaderUtilities.RemoveQuotes(charsets[0].Value).ToString();
        if (charsets.Count > 1 || !(value.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || value.Equals("utf8", StringComparison.OrdinalIgnoreCase)))
        {
            return new ProblemDetails
            {
                Status = StatusCodes.Status415UnsupportedMediaType,
                Title = "The request body must be UTF-8.",
                Detail = $"The Content-Type names charset {string.Join(", ", charsets.Select(c => c.Value.ToString()))}; " +
                    "this api reads UTF-8 only (charset=utf-8, or no charset).",
            };
        }
        if (!charsets[0].Value.Equals("utf-8", StringComparison.Ordinal))
        {
            // One spelling for the readers behind: the framework's JSON reader refuses "utf8" and a quoted "UTF-8".
            mediaType.Charset = "utf-8";
            request.Headers.ContentType = mediaType.ToString();
        }
        return null;
    }

    private static ProblemDetails? CheckQuery(HttpRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, values) in request.Query)
        {
            if (UserText.Problem(name) is { } badName)
            {
                errors["query"] = [$"A parameter name {badName}"];
            }
            else if (values.Select(v => v is null ? null : UserText.Problem(v)).FirstOrDefault(p => p is not null) is { } problem)
            {
                errors[name] = [$"The value {problem}"];
            }
        }
        return errors.Count == 0 ? null : Invalid(errors);
    }

    private static async Task<ProblemDetails?> CheckJsonAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType() || request.ContentLength == 0)
        {
            return null;
        }
        request.EnableBuffering();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        var (field, problem) = FirstBadString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        return problem is null ? null : Invalid(new Dictionary<string, string[]> { [field] = [$"The text {problem}"] });
    }

    /// <summary>
    /// The first string (value or property name) of a JSON document that is not Unicode text, with
    /// its path as a validation problem names a field. Malformed JSON is left for the endpoint's
    /// reader to refuse in its own words.
    /// </summary>
    internal static (string Field, string? Problem) FirstBadString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader, out var nameProblem);
                        frames[^1] = frames[^1] with { Property = name };
                        if (nameProblem is not null)
                        {
                            return (PathOf(frames), nameProblem);
                        }
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, 0, null));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        Advance(frames);
                        break;
                    case JsonTokenType.String:
                        Text(ref reader, out var problem);
                        if (problem is not null)
                        {
                            return (PathOf(frames), problem);
                        }
                        Advance(frames);
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
        }
        return ("", null);
    }

    private sealed record Frame(bool IsArray, int Index, string? Property);

    private static void Advance(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
        }
    }

    private static string PathOf(List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Property is not null)
            {
                path.Append(path.Length > 0 ? "." : "").Append(frame.Property);
            }
        }
        return path.Length > 0 ? path.ToString() : "body";
    }

    private static string Text(ref Utf8JsonReader reader, out string? problem)
    {
        try
        {
            var text = reader.GetString()!;
            problem = UserText.Problem(text);
            return text;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (\uD800) or bytes that are not UTF-8.
            problem = "is not valid Unicode text (a lone surrogate or bytes that are not UTF-8).";
            return "?";
        }
    }

    private static HttpValidationProblemDetails Invalid(Dictionary<string, string[]> errors) => new(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "One or more validation errors occurred.",
    };
}
