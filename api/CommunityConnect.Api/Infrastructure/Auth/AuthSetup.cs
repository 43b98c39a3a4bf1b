using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CommunityConnect.Api.Infrastructure.Auth;

public static class AuthSetup
{
    public static IServiceCollection AddCommunityAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section))
            .Validate(o => o.TokenLifetime > TimeSpan.Zero, "Auth:TokenLifetime must be positive.")
            .Validate<IHostEnvironment>((auth, environment) => !(auth.DevLogin && environment.IsProduction()),
                "Auth:DevLogin is on, but Production never allows dev-login (anyone could log in with any role): set Auth:DevLogin to false (Auth__DevLogin=false).")
            .ValidateOnStart();
        services.AddSingleton<LocalKeys>();
        services.AddSingleton<RecipientKeys>();
        services.AddSingleton<Anonymity.AnonymousKeyrings>();
        services.AddSingleton<Anonymity.AnonymousAuthors>();
        services.AddSingleton<Data.IDataMigration, Anonymity.KeyringMigration>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<Tenancy>();
        services.AddSingleton<Accounts>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService, IOptions<AuthOptions>>((jwt, tokens, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Issuer,
                    IssuerSigningKey = tokens.SigningKey,
                    NameClaimType = "name",
                    ClockSkew = TimeSpan.FromMinutes(1),
                };
                jwt.Events = new JwtBearerEvents
                {
                    // A signed token is not enough: its user must still exist (decided here, for every route).
                    OnTokenValidated = async context =>
                    {
                        var userId = context.Principal?.UserId();
                        var accounts = context.HttpContext.RequestServices.GetRequiredService<Accounts>();
                        if (userId is null || !await accounts.ExistsAsync(userId.Value, context.HttpContext.RequestAborted))
                        {
                            context.Fail(new AccountGoneException());
                        }
                    },
                    OnChallenge = async context =>
                    {
                        if (context.AuthenticateFailure is not AccountGoneException)
                        {
                            return;
                        }
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{Accounts.Gone}\"";
                        await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                        {
                            HttpContext = context.HttpContext,
                            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = Accounts.Gone },
                        });
                    },
                };
            });
        services.AddAuthorization();
        return services;
    }

    /// <summary>Loads every key now, so a Production start without one stops with a clear message.</summary>
    public static WebApplication LoadKeys(this WebApplication app)
    {
        app.Services.GetRequiredService<LocalKeys>().EnsureConfigured();
        return app;
    }
}
