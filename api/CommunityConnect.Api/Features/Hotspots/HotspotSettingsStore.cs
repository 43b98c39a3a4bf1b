using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Hotspots;

/// <summary>A community's radar thresholds; a community that set none has the defaults.</summary>
public sealed class HotspotSettingsStore(Database database, TimeProvider time)
{
    public async Task<HotspotSettings> GetAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        return await ReadAsync(connection, null, communityId);
    }

    private sealed class SettingsRow
    {
        public int ShortHours { get; init; }
        public int ShortResidents { get; init; }
        public int LongDays { get; init; }
        public int LongResidents { get; init; }
    }

    internal static async Task<HotspotSettings> ReadAsync(DbConnection connection, DbTransaction? transaction, long communityId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<SettingsRow>(
            """
            SELECT short_hours AS ShortHours, short_residents AS ShortResidents, long_days AS LongDays, long_residents AS LongResidents
            FROM hotspot_settings WHERE community_id = @communityId;
            """, new { communityId }, transaction);
        return row is null ? HotspotSettings.Default : new HotspotSettings(row.ShortHours, row.ShortResidents, row.LongDays, row.LongResidents);
    }

    public Task<HotspotSettings> UpdateAsync(long communityId, long userId, HotspotSettings settings) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO hotspot_settings (community_id, short_hours, short_residents, long_days, long_residents, updated_at, updated_by)
                VALUES (@communityId, @ShortWindowHours, @ShortWindowResidents, @LongWindowDays, @LongWindowResidents, @now, @userId)
                ON CONFLICT (community_id) DO UPDATE SET
                    short_hours = excluded.short_hours, short_residents = excluded.short_residents,
                    long_days = excluded.long_days, long_residents = excluded.long_residents,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                """, new { communityId, settings.ShortWindowHours, settings.ShortWindowResidents, settings.LongWindowDays, settings.LongWindowResidents,
                    now = time.GetUtcNow(), userId }, transaction);
            return await ReadAsync(connection, transaction, communityId);
        });
}
