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
}
