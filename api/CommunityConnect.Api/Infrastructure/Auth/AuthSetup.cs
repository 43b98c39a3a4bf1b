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
        services.AddSingleton<TokenService>();
        services.AddSingleton<Tenancy>();

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
