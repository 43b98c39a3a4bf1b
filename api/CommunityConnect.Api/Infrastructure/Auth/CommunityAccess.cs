using System.Reflection;
using System.Security.Claims;
using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.Auth;

/// <summary>
/// What the caller may do in one community. A community's data is visible to its verified members
/// and to the street admins of its street; for anyone else it does not exist (404). This is the one
/// place that rule is written: every feature asks <see cref="Tenancy"/> for an access and treats
/// <see cref="CanSee"/> false as "not found".
/// </summary>
public sealed class CommunityAccess
{
    private static readonly HashSet<string> NoRoles = [];

    public CommunityAccess(long userId, long communityId, long streetId, IEnumerable<(string Role, long? UnitId)> grants)
    {
        UserId = userId;
        CommunityId = communityId;
        StreetId = streetId;
        var list = grants.ToList();
        Roles = list.Select(g => g.Role).ToHashSet();
        UnitIds = list.Where(g => g.UnitId is not null).Select(g => g.UnitId!.Value).Distinct().ToList();
    }

    private CommunityAccess(long userId, long communityId)
    {
        UserId = userId;
        CommunityId = communityId;
        Roles = NoRoles;
        UnitIds = [];
    }

    public long UserId { get; }

    public long CommunityId { get; }

    public long StreetId { get; }

    public IReadOnlySet<string> Roles { get; }

    /// <summary>The units the caller lives in (as resident or owner).</summary>
    public IReadOnlyList<long> UnitIds { get; }

    public bool CanSee => Roles.Count > 0;

    public bool IsStreetAdmin => Roles.Contains(Auth.Roles.StreetAdmin);

    /// <summary>A member of the community itself (the street admin oversees but is not a member).</summary>
    public bool IsMember => Roles.Any(r => r != Auth.Roles.StreetAdmin);

    public bool Has(string role) => Roles.Contains(role);

    public bool HasAny(params ReadOnlySpan<string> roles)
    {
        foreach (var role in roles)
        {
            if (Roles.Contains(role))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The role to show beside the caller's name: the most official one held.</summary>
    public string DisplayRole =>
        new[] { Auth.Roles.PartySecretary, Auth.Roles.ResidentsCommittee, Auth.Roles.OwnersCommittee, Auth.Roles.PropertyStaff, Auth.Roles.StreetAdmin, Auth.Roles.Owner, Auth.Roles.Resident }
            .FirstOrDefault(Roles.Contains) ?? Auth.Roles.Resident;

    public static CommunityAccess None(long userId, long communityId) => new(userId, communityId);

    /// <summary>
    /// Minimal-API binding for routes with a <c>{communityId}</c> (or <c>{id}</c>) segment under
    /// <c>/v1/communities</c>; <see cref="CommunityMemberFilter"/> turns an access that cannot see into 404.
    /// </summary>
    public static async ValueTask<CommunityAccess?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var raw = context.Request.RouteValues.TryGetValue("communityId", out var value) ? value : context.Request.RouteValues["id"];
        var userId = context.User.UserId();
        if (!long.TryParse(raw?.ToString(), out var communityId) || userId is null)
        {
            return None(userId ?? 0, 0);
        }
        var tenancy = context.RequestServices.GetRequiredService<Tenancy>();
        return await tenancy.ForCommunityAsync(userId.Value, communityId, context.RequestAborted);
    }
}

/// <summary>
/// Loads a caller's access to a community in one query, and keeps the answer in memory while the
/// community's cache version stands (a role granted or removed, a membership approved or ended bumps
/// it in the same transaction), so most requests ask no database for it.
/// </summary>
public sealed class Tenancy(Database database, CommunityVersions versions, IOptions<CacheOptions> options)
{
    private readonly CommunityCache<(long UserId, long CommunityId), CommunityAccess> _accesses =
        CommunityCache<(long, long), CommunityAccess>.OfRules(versions, options.Value);

    public Task<CommunityAccess> ForCommunityAsync(long userId, long communityId, CancellationToken cancellationToken = default) =>
        _accesses.GetAsync(communityId, (userId, communityId), () => LoadAsync(userId, communityId, cancellationToken));

    private async Task<CommunityAccess> LoadAsync(long userId, long communityId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var grants = (await connection.QueryAsync<(long StreetId, string Role, long? UnitId)>(
            """
            SELECT c.street_id, m.role, m.unit_id
            FROM communities c
            JOIN memberships m
              ON m.user_id = @userId
             AND m.verification = 'verified'
             AND (m.community_id = c.id OR (m.role = 'street_admin' AND m.street_id = c.street_id))
            WHERE c.id = @communityId;
            """, new { userId, communityId })).ToList();
        return grants.Count == 0
            ? CommunityAccess.None(userId, communityId)
            : new CommunityAccess(userId, communityId, grants[0].StreetId, grants.Select(g => (g.Role, g.UnitId)));
    }

    /// <summary>
    /// The caller's access to the community an item belongs to: null (answer 404) when the item
    /// does not exist (<paramref name="communityId"/> null) or the caller cannot see its community.
    /// </summary>
    public async Task<CommunityAccess?> ForItemAsync(HttpContext http, long? communityId)
    {
        if (communityId is null)
        {
            return null;
        }
        var access = await ForCommunityAsync(http.User.RequiredUserId(), communityId.Value, http.RequestAborted);
        return access.CanSee ? access : null;
    }

    /// <summary>
    /// A caller's standing in a street: whether they see it at all (a member of one of its communities,
    /// or its admin; anyone else gets 404) and whether they are its street admin.
    /// </summary>
    public async Task<(bool Sees, bool Admin)> ForStreetAsync(long userId, long streetId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        var roles = (await connection.QueryAsync<string>(
            """
            SELECT m.role FROM memberships m
            LEFT JOIN communities c ON c.id = m.community_id
            WHERE m.user_id = @userId AND m.verification = 'verified' AND (m.street_id = @streetId OR c.street_id = @streetId);
            """, new { userId, streetId })).ToList();
        return (roles.Count > 0, roles.Contains(Roles.StreetAdmin));
    }

    /// <summary>Whether the user is a verified street admin of any street (the jobs dashboard, the metrics).</summary>
    public async Task<bool> IsAnyStreetAdminAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @userId AND role = 'street_admin' AND verification = 'verified');",
            new { userId });
    }

    /// <summary>The street admin's access to a street, or false.</summary>
    public async Task<bool> IsStreetAdminAsync(long userId, long streetId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenReadAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE user_id = @userId AND role = 'street_admin' AND street_id = @streetId AND verification = 'verified');",
            new { userId, streetId });
    }
}

/// <summary>
/// Group filter for <c>/v1/communities/{id}/…</c>: a caller who cannot see the community gets 404,
/// as if it did not exist.
/// </summary>
public sealed class CommunityMemberFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = context.Arguments.OfType<CommunityAccess>().FirstOrDefault();
        if (access is { CanSee: false })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Community was not found.");
        }
        return await next(context);
    }
}

public static class ClaimsPrincipalExtensions
{
    public static long? UserId(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal.FindFirstValue("sub"), out var id) ? id : null;

    /// <summary>The signed-in user's id; endpoints behind RequireAuthorization always have one.</summary>
    public static long RequiredUserId(this ClaimsPrincipal principal) =>
        principal.UserId() ?? throw new InvalidOperationException("The endpoint requires an authenticated user.");
}
