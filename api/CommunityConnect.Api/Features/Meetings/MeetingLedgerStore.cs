using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using CommunityConnect.Jobs;

namespace CommunityConnect.Api.Features.Meetings;

/// <summary>台账: a year's meetings by kind, with their decisions and the state of their actions.</summary>
public sealed class MeetingLedgerStore(Database database, TimeProvider time)
{
    /// <summary>The Asia/Shanghai calendar year <paramref name="year"/> as UTC instants [from, to).</summary>
    public static (DateTimeOffset From, DateTimeOffset To) YearRange(int year) =>
        (ShanghaiTime.StartOf(new DateOnly(year, 1, 1)).ToUniversalTime(), ShanghaiTime.StartOf(new DateOnly(year + 1, 1, 1)).ToUniversalTime());

    public int CurrentYear() => ShanghaiTime.Today(time).Year;

    public async Task<MeetingLedger> LedgerAsync(long communityId, int year)
    {
        var (from, to) = YearRange(year);
        await using var connection = await database.OpenReadAsync();
        var meetings = (await connection.QueryAsync<(long Id, string Kind, string Topic, long StartsAt, string? Decisions)>(
            """
            SELECT g.id, g.kind, g.topic, g.starts_at, mm.decisions
            FROM meetings g LEFT JOIN meeting_minutes mm ON mm.meeting_id = g.id
            WHERE g.community_id = @communityId AND g.starts_at >= @from AND g.starts_at < @to
            ORDER BY g.starts_at, g.id;
            """, new { communityId, from, to })).ToList();
        var actions = await MeetingActionStore.ActionsOfAsync(connection, null, meetings.Select(m => m.Id).ToList(), time.GetUtcNow());
        var kinds = MeetingKinds.All.Select(kind =>
        {
            var items = meetings.Where(m => m.Kind == kind)
                .Select(m => new LedgerMeeting(m.Id, m.Topic, DateTimeOffset.FromUnixTimeMilliseconds(m.StartsAt), m.Decisions is not null, m.Decisions,
                    actions.GetValueOrDefault(m.Id) ?? []))
                .ToList();
            var all = items.SelectMany(i => i.Actions).ToList();
            return new LedgerKind(kind, MeetingKinds.Label(kind), items.Count, all.Count(a => a.State == "open"), all.Count(a => a.State == "done"), items);
        }).ToList();
        return new MeetingLedger(communityId, year, kinds);
    }
}
