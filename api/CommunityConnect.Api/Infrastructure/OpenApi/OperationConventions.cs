using System.Reflection;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CommunityConnect.Api.Infrastructure.OpenApi;

/// <summary>
/// What holds for every operation, decided from the endpoint's own metadata rather than from a
/// list of paths: who may call it (an anonymous endpoint says <c>security: []</c>, overriding the
/// document's bearer requirement; a signed-in one can answer 401), and the Idempotency-Key of an
/// operation that writes through the creating unit of work, with the answers it adds.
/// </summary>
public sealed class OperationConventions : IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";

    /// <summary>An endpoint without authorization metadata, or with AllowAnonymous, answers anyone (there is no fallback policy).</summary>
    public static bool IsAnonymous(IList<object> metadata) =>
        !metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<IAllowAnonymous>().Any();

    /// <summary>A handler that writes through <see cref="UnitOfWork"/> records its first answer under the caller's Idempotency-Key.</summary>
    public static bool HonoursIdempotencyKey(IList<object> metadata) =>
        metadata.OfType<MethodInfo>().Any(method => method.GetParameters().Any(p => p.ParameterType == typeof(UnitOfWork)));

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses ??= new OpenApiResponses();
        if (IsAnonymous(metadata))
        {
            operation.Security = [];
        }
        else
        {
            operation.Responses.TryAdd("401", Problem(context, "Not signed in, the token has expired, or its account no longer exists."));
        }

        // Any input can be bad: a body that is not JSON, a query value of the wrong type, a field that fails validation.
        if (operation.RequestBody is not null || operation.Parameters?.Any(p => p.In == ParameterLocation.Query) == true || HonoursIdempotencyKey(metadata))
        {
            operation.Responses.TryAdd("400", Problem(context, "Bad input: errors names each failing field, as the request wrote it.", ProblemSchemas.ValidationProblem));
        }
        if (operation.RequestBody is not null)
        {
            operation.Responses.TryAdd("415", Problem(context, "The body is not of a media type (or charset) the operation reads."));
        }
        if (HonoursIdempotencyKey(metadata))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyFilter.Header,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Resending with the same key answers the first answer again instead of creating a duplicate (24 hours).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
            });
            operation.Responses.TryAdd("422", Problem(context, "This Idempotency-Key was already used with a different request."));
            operation.Responses.TryAdd("409", Problem(context, "A request with this Idempotency-Key is still being processed; retry shortly."));
        }
        DatabaseBusyResponse(operation.Responses, context);
        // In status order, so a reader finds the success first and the errors after it.
        var responses = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in responses)
        {
            operation.Responses.Add(status, response);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Every operation reads the database (the caller's account, the community, the item), so every one can meet a node
    /// with no connection left (<see cref="DatabaseBusy"/>: 503 with Retry-After). An operation that already answers 503
    /// for a reason of its own keeps that reason, named in its description, beside this one.
    /// </summary>
    private static void DatabaseBusyResponse(OpenApiResponses responses, OpenApiOperationTransformerContext context)
    {
        const string busy = "the database is busy: every connection of this node is in use (PostgreSQL mode). Nothing was changed; "
            + "send the request again after the seconds Retry-After gives.";
        var own = responses.TryGetValue("503", out var existing);
        var response = Problem(context, own
            ? "Not available now, for the reason the operation's description gives, or because " + busy
            : char.ToUpperInvariant(busy[0]) + busy[1..]);
        response.Headers = new Dictionary<string, IOpenApiHeader>
        {
            ["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before sending the request again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
            },
        };
        responses["503"] = response;
    }

    private static OpenApiResponse Problem(OpenApiOperationTransformerContext context, string description, string schema = ProblemSchemas.Problem) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(schema, context.Document) },
        },
    };
}
