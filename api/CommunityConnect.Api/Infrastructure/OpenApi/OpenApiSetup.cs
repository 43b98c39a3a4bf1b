using CommunityConnect.Api.Infrastructure.Idempotency;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace CommunityConnect.Api.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentPath = "/openapi/v1.json";

    public static IServiceCollection AddCommunityOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "CommunityConnect API",
                    Version = "v1",
                    Description = "社区自治小程序后端: 议事厅, 物业报修, 大家来吐槽, 业主线上表决, 智能受理. " +
                                  "Log in with POST /v1/auth/dev-login (demo) or /v1/auth/wechat-login, then send the token as a Bearer header.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    ["bearer"] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "The token from /v1/auth/wechat-login or /v1/auth/dev-login.",
                    },
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                // Every signed-in endpoint can answer 401 (no token, or an expired one).
                var signedIn = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Any()
                               && !context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
                if (signedIn)
                {
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Not signed in, or the token has expired." });
                }
                var creates = context.Description.HttpMethod == "POST"
                              && context.Description.SupportedResponseTypes.Any(r => r.StatusCode == StatusCodes.Status201Created);
                if (creates)
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
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static WebApplication MapCommunityOpenApi(this WebApplication app)
    {
        app.MapOpenApi(DocumentPath).AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("CommunityConnect API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        return app;
    }
}
