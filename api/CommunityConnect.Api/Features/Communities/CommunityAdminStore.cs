using CommunityConnect.Api.Features.Inbox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Communities;

/// <summary>What the street office keeps: its communities (create, edit, list) and each community's property company.</summary>
public sealed class CommunityAdminStore(Database database, RoleChangeLog log, Inbox.Inbox inbox, TimeProvider time)
{
    private const string CommunityColumns = "c.id, c.name, c.address, c.district, c.street_id, s.name AS street_name";

    public async Task<IReadOnlyList<Community>> ListAsync(long streetId, long? afterId, int take)
    {
        await using var connection = await database.OpenReadAsync();
        return (await connection.QueryAsync<Community>(
            $"""
             SELECT {CommunityColumns}
             FROM communities c JOIN streets s ON s.id = c.street_id
             WHERE c.street_id = @streetId AND (@afterId IS NULL OR c.id > @afterId)
             ORDER BY c.id
             LIMIT @take;
             """, new { streetId, afterId, take })).ToList();
    }

    /// <summary>A unit of work (run it through <c>UnitOfWork.CreateAsync</c>): a new community of the street.</summary>
    public static async Task<Outcome<Community>> CreateAsync(DbConnection connection, DbTransaction transaction, long streetId, CommunityInput input)
    {
        if (await connection.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM communities WHERE street_id = @streetId AND name = @Name);", new { streetId, input.Name }, transaction))
        {
            return Failure.Conflict("The street already has a community of this name.");
        }
        var id = await connection.ExecuteScalarAsync<long>(
            """
            INSERT INTO communities (street_id, name, address, district) VALUES (@streetId, @Name, @Address, @district)
            RETURNING id;
            """, new { streetId, input.Name, input.Address, district = input.District ?? "" }, transaction);
        return (await GetAsync(connection, transaction, id))!;
    }

    public Task<Outcome<Community>> UpdateAsync(long communityId, CommunityInput input) =>
        database.WriteAsync<Outcome<Community>>(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<bool>(
                    """
                    SELECT EXISTS (SELECT 1 FROM communities o JOIN communities c ON c.id = @communityId
                                   WHERE o.street_id = c.street_id AND o.name = @Name AND o.id <> @communityId);
                    """, new { communityId, input.Name }, transaction))
            {
                return Failure.Conflict("The street already has a community of this name.");
            }
            var updated = await connection.ExecuteAsync(
                "UPDATE communities SET name = @Name, address = @Address, district = @district WHERE id = @communityId;",
                new { communityId, input.Name, input.Address, district = input.District ?? "" }, transaction);
            return updated == 1 ? (await GetAsync(connection, transaction, communityId))! : Failure.NotFound("Community");
        });

    private static Task<Community?> GetAsync(DbConnection connection, DbTransaction transaction, long communityId) =>
        connection.QuerySingleOrDefaultAsync<Community>(
            $"SELECT {CommunityColumns} FROM communities c JOIN streets s ON s.id = c.street_id WHERE c.id = @communityId;",
            new { communityId }, transaction);

    private const string CompanyColumns = "id, community_id, name, contact, state, decision, started_at, ended_at";

    public async Task<PropertyCompany?> ServingCompanyAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await ServingCompanyAsync(connection, null, communityId);
    }

    public static Task<PropertyCompany?> ServingCompanyAsync(DbConnection connection, DbTransaction? transaction, long communityId) =>
        connection.QuerySingleOrDefaultAsync<PropertyCompany>(
            $"SELECT {CompanyColumns} FROM property_companies WHERE community_id = @communityId AND state = 'serving';",
            new { communityId }, transaction);

    /// <summary>
    /// Sets the company serving the community. The same name only updates its contact. Another name
    /// replaces it, recording the owners' decision: the old company's staff lose their role (and with it
    /// access) at once, each removal in the role-change log; open cases stay with the property body,
    /// which is now the new company's staff.
    /// </summary>
    public Task<Outcome<PropertyCompany>> SetCompanyAsync(CommunityAccess access, PropertyCompanyInput input) =>
        database.WriteAsync<Outcome<PropertyCompany>>(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var serving = await ServingCompanyAsync(connection, transaction, access.CommunityId);
            if (serving is not null && serving.Name == input.Name)
            {
                if (await connection.ExecuteAsync(
                        "UPDATE property_companies SET contact = @Contact WHERE id = @Id AND state = 'serving';",
                        new { input.Contact, serving.Id }, transaction) != 1)
                {
                    return Failure.Conflict("The property company changed meanwhile; try again.");
                }
                return (await ServingCompanyAsync(connection, transaction, access.CommunityId))!;
            }
            if (serving is not null)
            {
                if (await connection.ExecuteAsync(
                        "UPDATE property_companies SET state = 'replaced', ended_at = @now WHERE id = @Id AND state = 'serving';",
                        new { serving.Id, now }, transaction) != 1)
                {
                    return Failure.Conflict("The property company changed meanwhile; try again.");
                }
                // Staff recorded without a company (from before companies were kept) belong to the serving one.
                var departed = (await connection.QueryAsync<long>(
                    """
                    DELETE FROM memberships
                    WHERE community_id = @CommunityId AND role = 'property_staff' AND (property_company_id = @Id OR property_company_id IS NULL)
                    RETURNING user_id;
                    """, new { access.CommunityId, serving.Id }, transaction)).Distinct().ToList();
                foreach (var userId in departed)
                {
                    await log.RecordAsync(connection, transaction, new RoleChangeRecord(access.StreetId, access.CommunityId, userId,
                        Roles.PropertyStaff, "removed", RoleChangeCauses.CompanyReplaced, input.Decision ?? $"{serving.Name} → {input.Name}",
                        ChangedBy: access.UserId));
                }
                await inbox.NotifyUsersAsync(connection, transaction, departed, new Notice("company_replaced", "物业公司已更换",
                    $"本小区的物业服务已由{input.Name}接替,您在本小区的物业角色已结束。", access.CommunityId));
            }
            await connection.ExecuteAsync(
                """
                INSERT INTO property_companies (community_id, name, contact, state, decision, started_at)
                VALUES (@CommunityId, @Name, @Contact, 'serving', @Decision, @now);
                """, new { access.CommunityId, input.Name, input.Contact, input.Decision, now }, transaction);
            return (await ServingCompanyAsync(connection, transaction, access.CommunityId))!;
        });
}
