using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Lets demo users log in by handle without WeChat. Never on in Production.</summary>
    public bool DevLogin { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(7);

    public string Issuer { get; set; } = "CommunityConnect";
}

/// <summary>Issues the signed bearer tokens (JWT, HMAC-SHA256) the mini-app sends back.
/// Token lifetimes are real time: it reads the system clock, not the domain clock, as the
/// bearer handler that validates them does.</summary>
public sealed class TokenService(LocalKeys keys, IOptions<AuthOptions> options)
{
    public SymmetricSecurityKey SigningKey => new(keys.Get(LocalKeys.TokenSigning));

    public string Issue(long userId, string displayName)
    {
        var now = DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Issuer,
            Subject = new ClaimsIdentity([new Claim("sub", userId.ToString()), new Claim("name", displayName)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + options.Value.TokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });
    }
}
