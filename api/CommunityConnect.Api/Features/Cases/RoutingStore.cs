using CommunityConnect.Api.Infrastructure.Caching;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Features.Cases;

/// <summary>
/// A community's routing table. Every category has a route: the community's own row where it set
/// one, else TAXONOMY.md's default, so a new community starts with the defaults. Every new case
/// and every chat message asks it, so the table is kept in memory per community while its cache
/// version stands (a routing change bumps it, migration 0020), read on a miss from what is committed.
/// </summary>
public sealed class RoutingStore(Database database, TimeProvider time, CommunityVersions versions, IOptions<CacheOptions> cacheOptions)
{
    private readonly CommunityCache<long, RoutingTable> _tables = CommunityCache<long, RoutingTable>.OfRules(versions, cacheOptions.Value);

    public Task<RoutingTable> GetAsync(long communityId) => _tables.GetAsync(communityId, communityId, () => LoadAsync(communityId));

    /// <summary>The routed first body of a category in a community (its routing table, else TAXONOMY.md's default).</summary>
    public async Task<string> BodyForAsync(long communityId, string category) =>
        (await GetAsync(communityId)).Routes!.FirstOrDefault(r => r.Category == category)?.ResponsibleBody
        ?? Taxonomy.DefaultRoutes.GetValueOrDefault(category, Bodies.ResidentsCommittee);

    private async Task<RoutingTable> LoadAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var overrides = (await connection.QueryAsync<(string Category, string Body)>(
            "SELECT category, responsible_body FROM routing_rules WHERE community_id = @communityId;", new { communityId }))
            .ToDictionary(r => r.Category, r => r.Body);
        return new RoutingTable(Taxonomy.Categories
            .Select(category => new Route(category, overrides.GetValueOrDefault(category, Taxonomy.DefaultRoutes[category])))
            .ToList());
    }

    /// <summary>Sets the routes listed; the others stay as they were. New cases take their body from it at once.</summary>
    public Task UpdateAsync(long communityId, long userId, IReadOnlyList<Route> routes) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var route in routes)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO routing_rules (community_id, category, responsible_body, updated_at, updated_by)
                    VALUES (@communityId, @Category, @ResponsibleBody, @now, @userId)
                    ON CONFLICT (community_id, category) DO UPDATE SET
                        responsible_body = excluded.responsible_body, updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                    """, new { communityId, route.Category, route.ResponsibleBody, now = time.GetUtcNow(), userId }, transaction);
            }
            return true;
        });
}
