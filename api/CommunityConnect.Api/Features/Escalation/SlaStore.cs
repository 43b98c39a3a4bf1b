using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Escalation;
using Dapper;
using System.Data.Common;

namespace CommunityConnect.Api.Features.Escalation;

/// <summary>SLA policies per community and working-day calendars per street.</summary>
public sealed class SlaStore(Database database, TimeProvider time)
{
    private sealed class PolicyRow
    {
        public string Kind { get; init; } = "";
        public bool Urgent { get; init; }
        public int FirstResponseMinutes { get; init; }
        public int ResolveMinutes { get; init; }
    }

    private sealed class CalendarRow
    {
        public string TimeZone { get; init; } = "";
        public string WorkStart { get; init; } = "";
        public string WorkEnd { get; init; } = "";
    }

    /// <summary>Every kind × urgency, the community's own values where set, else the defaults.</summary>
    public async Task<SlaPolicies> GetPoliciesAsync(long communityId)
    {
        await using var connection = await database.OpenReadAsync();
        var rows = (await connection.QueryAsync<PolicyRow>(
            """
            SELECT kind AS Kind, urgent AS Urgent, first_response_minutes AS FirstResponseMinutes, resolve_minutes AS ResolveMinutes
            FROM sla_policies WHERE community_id = @communityId;
            """, new { communityId })).ToDictionary(r => (r.Kind, r.Urgent));
        var policies = new List<SlaPolicy>();
        foreach (var kind in SlaDefaults.Kinds)
        {
            foreach (var urgent in new[] { true, false })
            {
                var (first, resolve) = rows.TryGetValue((kind, urgent), out var row)
                    ? (row.FirstResponseMinutes, row.ResolveMinutes)
                    : SlaDefaults.For(kind, urgent);
                policies.Add(new SlaPolicy(kind, urgent, first, resolve));
            }
        }
        return new SlaPolicies(policies);
    }

    public Task UpdatePoliciesAsync(long communityId, long userId, IReadOnlyList<SlaPolicy> policies) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            foreach (var policy in policies)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO sla_policies (community_id, kind, urgent, first_response_minutes, resolve_minutes, updated_at, updated_by)
                    VALUES (@communityId, @Kind, @Urgent, @FirstResponseMinutes, @ResolveMinutes, @now, @userId)
                    ON CONFLICT (community_id, kind, urgent) DO UPDATE SET
                        first_response_minutes = excluded.first_response_minutes, resolve_minutes = excluded.resolve_minutes,
                        updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                    """, new { communityId, policy.Kind, policy.Urgent, policy.FirstResponseMinutes, policy.ResolveMinutes, now = time.GetUtcNow(), userId }, transaction);
            }
            return true;
        });

    /// <summary>The clock targets of one kind and urgency, inside a unit of work.</summary>
    public static async Task<(int FirstResponseMinutes, int ResolveMinutes)> PolicyAsync(
        DbConnection connection, DbTransaction? transaction, long communityId, string kind, bool urgent)
    {
        var row = await connection.QuerySingleOrDefaultAsync<PolicyRow>(
            """
            SELECT kind AS Kind, urgent AS Urgent, first_response_minutes AS FirstResponseMinutes, resolve_minutes AS ResolveMinutes
            FROM sla_policies WHERE community_id = @communityId AND kind = @kind AND urgent = @urgent;
            """, new { communityId, kind, urgent }, transaction);
        return row is null ? SlaDefaults.For(kind, urgent) : (row.FirstResponseMinutes, row.ResolveMinutes);
    }

    public async Task<StreetCalendar> GetCalendarAsync(long streetId)
    {
        await using var connection = await database.OpenReadAsync();
        var calendar = await CalendarAsync(connection, null, streetId);
        return new StreetCalendar(calendar.TimeZone.Id, calendar.WorkStart.ToString("HH:mm"), calendar.WorkEnd.ToString("HH:mm"),
            calendar.Holidays.Order().ToList(), calendar.Workdays.Order().ToList());
    }

    /// <summary>Replaces the street's calendar: hours, time zone, and the full lists of holidays and make-up days.</summary>
    public Task UpdateCalendarAsync(long streetId, long userId, StreetCalendar calendar) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO street_calendars (street_id, time_zone, work_start, work_end, updated_at, updated_by)
                VALUES (@streetId, @TimeZone, @WorkStart, @WorkEnd, @now, @userId)
                ON CONFLICT (street_id) DO UPDATE SET
                    time_zone = excluded.time_zone, work_start = excluded.work_start, work_end = excluded.work_end,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by;
                DELETE FROM street_calendar_days WHERE street_id = @streetId;
                """, new { streetId, calendar.TimeZone, calendar.WorkStart, calendar.WorkEnd, now = time.GetUtcNow(), userId }, transaction);
            foreach (var (days, kind) in new[] { (calendar.Holidays ?? [], "holiday"), (calendar.Workdays ?? [], "workday") })
            {
                foreach (var day in days.Distinct())
                {
                    await connection.ExecuteAsync(
                        "INSERT INTO street_calendar_days (street_id, day, kind) VALUES (@streetId, @day, @kind);",
                        new { streetId, day, kind }, transaction);
                }
            }
            return true;
        });

    /// <summary>The working calendar of a street as committed (for the clock's cache).</summary>
    public async Task<WorkingCalendar> CalendarOfStreetAsync(long streetId)
    {
        await using var connection = await database.OpenReadAsync();
        return await CalendarAsync(connection, null, streetId);
    }

    /// <summary>The working calendar of a street (DESIGN.md's default where it has none).</summary>
    public static async Task<WorkingCalendar> CalendarAsync(DbConnection connection, DbTransaction? transaction, long streetId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CalendarRow>(
            "SELECT time_zone AS TimeZone, work_start AS WorkStart, work_end AS WorkEnd FROM street_calendars WHERE street_id = @streetId;",
            new { streetId }, transaction);
        var days = (await connection.QueryAsync<(string Day, string Kind)>(
            "SELECT day, kind FROM street_calendar_days WHERE street_id = @streetId;", new { streetId }, transaction)).ToList();
        var holidays = days.Where(d => d.Kind == "holiday").Select(d => DateOnly.ParseExact(d.Day, "yyyy-MM-dd"));
        var workdays = days.Where(d => d.Kind == "workday").Select(d => DateOnly.ParseExact(d.Day, "yyyy-MM-dd"));
        if (row is null)
        {
            var fallback = WorkingCalendar.ShanghaiDefault;
            return new WorkingCalendar(fallback.TimeZone, fallback.WorkStart, fallback.WorkEnd, holidays, workdays);
        }
        return new WorkingCalendar(FindTimeZone(row.TimeZone) ?? ShanghaiTime.Zone,
            TimeOnly.ParseExact(row.WorkStart, "HH:mm"), TimeOnly.ParseExact(row.WorkEnd, "HH:mm"), holidays, workdays);
    }

    public static TimeZoneInfo? FindTimeZone(string id)
    {
        if (id == ShanghaiTime.ZoneId)
        {
            return ShanghaiTime.Zone;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}
