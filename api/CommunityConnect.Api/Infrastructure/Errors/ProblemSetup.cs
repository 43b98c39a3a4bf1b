using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace CommunityConnect.Api.Infrastructure.Errors;

public static class ProblemSetup
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", context.HttpContext.TraceIdentifier);
            if (context.ProblemDetails is HttpValidationProblemDetails validation)
            {
                // Name the failing fields as the client wrote them (camelCase JSON), not as C# does,
                // nested ones too: routes[0].category, not routes[0].Category.
                var errors = validation.Errors.ToDictionary(
                    e => string.Join('.', e.Key.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName)), e => e.Value);
                validation.Errors.Clear();
                foreach (var (field, messages) in errors)
                {
                    validation.Errors[field] = messages;
                }
            }
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // No connection to be had (pool exhausted, server full): 503 with Retry-After, not 500.
        services.AddExceptionHandler<Data.DatabaseBusyExceptionHandler>();
        // Minimal APIs throw BadHttpRequestException for unreadable input, so it reaches the handler above.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>
/// Malformed JSON, a missing body or a route value of the wrong type is the caller's mistake: 400
/// problem with what was wrong, never a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException { InnerException: JsonException { Path: { Length: > 2 } path } field } && path.StartsWith("$.", StringComparison.Ordinal))
        {
            // A value the body's type refuses (a lone surrogate, a noncharacter, a string where a
            // number belongs) names its field, as any other validation error does.
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [path[2..]] = [FieldMessage(field)] })
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "The request could not be read.",
                    Detail = $"The request body is not valid JSON: {field.Message}",
                },
            });
        }
        var (status, detail) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => (400, $"The request body is not valid JSON: {json.Message}"),
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            _ => (0, null),
        };
        if (status == 0)
        {
            return false;
        }
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = status == 413 ? "The request body is too large." : "The request could not be read.", Detail = detail },
        });
    }

    /// <summary>The reader's message without its " Path: $.x | LineNumber: …" tail, which the field name already says.</summary>
    private static string FieldMessage(JsonException exception)
    {
        var message = exception.Message;
        var tail = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return tail > 0 ? message[..tail] : message;
    }
}
