using Microsoft.OpenApi;

namespace CommunityConnect.Api.Infrastructure.OpenApi;

/// <summary>
/// The problem+json answers as ProblemSetup writes them: every problem has a <c>status</c> and a
/// <c>title</c>, and a <c>traceId</c> to find it in the logs; a validation problem names the failing
/// fields in <c>errors</c> (a body that is not JSON at all is a 400 without them).
/// </summary>
public static class ProblemSchemas
{
    public const string Problem = "ProblemDetails";
    public const string ValidationProblem = "HttpValidationProblemDetails";

    public static void Complete(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var name in new[] { Problem, ValidationProblem })
        {
            if (!schemas.TryGetValue(name, out var found) || found is not OpenApiSchema schema)
            {
                throw new InvalidOperationException($"The document has no {name} schema to complete.");
            }
            schema.Description = name == Problem
                ? "An error (RFC 9457): status and title say what went wrong, detail sometimes more."
                : "Bad input (RFC 9457): errors maps each failing field, named as the request wrote it, to what is wrong with it.";
            schema.Required = new HashSet<string> { "status", "title" };
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status code." };
            schema.Properties["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong, in a sentence." };
            schema.Properties["traceId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "The request's trace identifier, as the server's logs record it.",
            };
        }
    }
}
