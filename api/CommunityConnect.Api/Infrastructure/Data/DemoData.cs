using CommunityConnect.Api.Infrastructure.Auth;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Infrastructure.Data;

/// <summary>
/// The demo street of the README: 半淞园路街道 with 示范小区 (1) and 龙门村小区 (2), and one demo
/// user per role, each with a fixed handle for <c>/v1/auth/dev-login</c>.
/// </summary>
public static class DemoData
{
    public sealed record DemoUser(string Handle, string DisplayName, string Phone, long? CommunityId, string Role, string? Building = null, string? Unit = null);

    public static readonly IReadOnlyList<DemoUser> Users =
    [
        new("resident", "张桂英", "13812341234", 1, Roles.Owner, "3", "502"),
        new("tenant", "刘晓峰", "13955556666", 1, Roles.Resident, "5", "301"),
        new("property", "王建国", "13700001111", 1, Roles.PropertyStaff),
        new("technician", "赵师傅", "13700002222", 1, Roles.PropertyStaff),
        new("owners", "李文华", "13600003333", 1, Roles.OwnersCommittee),
        new("residents", "陈美玲", "13500004444", 1, Roles.ResidentsCommittee),
        new("secretary", "周卫东", "13400005555", 1, Roles.PartySecretary),
        new("resident2", "孙丽娟", "13300006666", 2, Roles.Owner, "2", "201"),
        new("street", "吴志明", "13200007777", null, Roles.StreetAdmin),
    ];

    public static async Task SeedAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset now)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO streets (id, name) VALUES (1, '半淞园路街道');
            INSERT INTO communities (id, street_id, name, address) VALUES
                (1, 1, '示范小区', '上海市黄浦区半淞园路 388 弄'),
                (2, 1, '龙门村小区', '上海市黄浦区尚文路 133 弄');
            """, transaction: transaction);

        // Community 1: buildings 1, 2, 3 and 5 (Shanghai skips 4), five floors of two flats each.
        await AddBuildingsAsync(connection, transaction, 1, ["1", "2", "3", "5"], floors: 5);
        await AddBuildingsAsync(connection, transaction, 2, ["1", "2"], floors: 3);

        foreach (var user in Users)
        {
            var userId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO users (handle, display_name, phone, created_at) VALUES (@Handle, @DisplayName, @Phone, @now) RETURNING id;",
                new { user.Handle, user.DisplayName, user.Phone, now }, transaction);
            if (user.Role == Roles.StreetAdmin)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO memberships (user_id, street_id, role, created_at) VALUES (@userId, 1, 'street_admin', @now);",
                    new { userId, now }, transaction);
                continue;
            }
            long? unitId = user.Unit is null ? null : await connection.ExecuteScalarAsync<long>(
                """
                SELECT u.id FROM units u JOIN buildings b ON b.id = u.building_id
                WHERE b.community_id = @CommunityId AND b.number = @Building AND u.number = @Unit;
                """, user, transaction);
            // An owner is also a resident of the unit.
            var roles = user.Role == Roles.Owner ? new[] { Roles.Resident, Roles.Owner } : [user.Role];
            foreach (var role in roles)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO memberships (user_id, community_id, role, unit_id, created_at) VALUES (@userId, @CommunityId, @role, @unitId, @now);",
                    new { userId, user.CommunityId, role, unitId, now }, transaction);
            }
        }
    }

    /// <summary>
    /// Each community's property company (the service desk 王建国 manages 示范小区's staff) and an owners
    /// register in which every unit has its own key, {prefix}{building}{unit}: the demo owner
    /// <c>resident</c> holds SF3502 (3号楼502), <c>resident2</c> LM2201. Seeded after <see cref="SeedAsync"/>
    /// (which stays valid on the schema of older migrations, as the migration tests use it).
    /// </summary>
    public static async Task SeedCompaniesAndRegistersAsync(DbConnection connection, DbTransaction transaction, DateTimeOffset now)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO property_companies (community_id, name, contact, state, decision, started_at) VALUES
                (1, '上海示范物业服务有限公司', '021-63001234', 'serving', '2023年业主大会决定续聘', @now),
                (2, '龙门物业管理有限公司', '021-63005678', 'serving', NULL, @now);
            UPDATE memberships SET property_company_id = (SELECT p.id FROM property_companies p WHERE p.community_id = memberships.community_id)
            WHERE role = 'property_staff';
            UPDATE memberships SET manager = 1
            WHERE role = 'property_staff' AND user_id = (SELECT id FROM users WHERE handle = 'property');
            """, new { now }, transaction);
        foreach (var (communityId, prefix) in new[] { (1L, "SF"), (2L, "LM") })
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO owners_register_versions (community_id, state, created_at) VALUES (@communityId, 'current', @now);
                INSERT INTO owners_register_units (version_id, building, unit, floor, area_centi_sq_m, owner_set)
                SELECT v.id, b.number, u.number, u.floor, u.area_centi_sq_m, @prefix || b.number || u.number
                FROM units u JOIN buildings b ON b.id = u.building_id
                JOIN owners_register_versions v ON v.community_id = u.community_id AND v.state = 'current'
                WHERE u.community_id = @communityId;
                INSERT INTO owners_register_keys (version_id, owner_key, building, unit)
                SELECT r.version_id, r.owner_set, r.building, r.unit
                FROM owners_register_units r JOIN owners_register_versions v ON v.id = r.version_id
                WHERE v.community_id = @communityId;
                UPDATE owners_register_versions SET
                    buildings = (SELECT COUNT(DISTINCT building) FROM owners_register_units r WHERE r.version_id = owners_register_versions.id),
                    units = (SELECT COUNT(*) FROM owners_register_units r WHERE r.version_id = owners_register_versions.id),
                    owners = (SELECT COUNT(DISTINCT owner_set) FROM owners_register_units r WHERE r.version_id = owners_register_versions.id),
                    total_area_centi_sq_m = (SELECT SUM(area_centi_sq_m) FROM owners_register_units r WHERE r.version_id = owners_register_versions.id)
                WHERE community_id = @communityId;
                UPDATE memberships SET owner_key =
                    (SELECT @prefix || b.number || u.number FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.id = memberships.unit_id)
                WHERE community_id = @communityId AND role = 'owner';
                """, new { communityId, prefix, now }, transaction);
        }
    }

    private static async Task AddBuildingsAsync(DbConnection connection, DbTransaction transaction, long communityId, string[] numbers, int floors)
    {
        foreach (var number in numbers)
        {
            var buildingId = await connection.ExecuteScalarAsync<long>(
                "INSERT INTO buildings (community_id, number, name) VALUES (@communityId, @number, @name) RETURNING id;",
                new { communityId, number, name = $"{number}号楼" }, transaction);
            for (var floor = 1; floor <= floors; floor++)
            {
                for (var flat = 1; flat <= 2; flat++)
                {
                    // Areas between 58 and 96 m², varied but fixed, so vote tallies are reproducible.
                    var area = 5800 + (int.Parse(number) * 731 + floor * 389 + flat * 997) % 3800;
                    await connection.ExecuteAsync(
                        """
                        INSERT INTO units (community_id, building_id, number, floor, area_centi_sq_m)
                        VALUES (@communityId, @buildingId, @unitNumber, @floor, @area);
                        """, new { communityId, buildingId, unitNumber = $"{floor}0{flat}", floor, area }, transaction);
                }
            }
        }
    }
}
