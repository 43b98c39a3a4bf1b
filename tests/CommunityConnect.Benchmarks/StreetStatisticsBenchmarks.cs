using BenchmarkDotNet.Attributes;
using CommunityConnect.Api.Features.StreetStatistics;
using CommunityConnect.Api.Features.Surveys;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// <c>GET /v1/streets/{id}/statistics</c> for a year on a street of 30 communities, each with 200
/// households (250 verified members), 2,000 cases raised in the year (every one with its history, a
/// tenth escalated), 50 announcements (20 asking for acknowledgement, read by about 60% and
/// acknowledged by about 45% of the households), 12 meetings with minutes and 3 actions each, and a
/// closed survey of 3 bodies answered by 150 households. The database is the api's own (its
/// migrations in a temporary folder); rows are inserted with the columns of the migrations. It
/// measures <see cref="StreetStatisticsStore.ForStreetAsync"/> (the SQL, Dapper and the aggregation),
/// not HTTP.
/// </summary>
[MemoryDiagnoser]
public class StreetStatisticsBenchmarks
{
    public const int Communities = 30;
    public const int Units = 200;
    public const int CasesPerCommunity = 2_000;
    public const int AnnouncementsPerCommunity = 50;
    public const int MeetingsPerCommunity = 12;
    private const long StreetId = 1;

    private static readonly DateTimeOffset Now = new(2026, 12, 31, 4, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly From = new(2026, 1, 1);
    private static readonly DateOnly To = new(2026, 12, 31);

    private string _folder = null!;
    private Database _database = null!;
    private StreetStatisticsStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        DapperSetup.Configure();
        _folder = Path.Combine(Path.GetTempPath(), $"cc-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _database = new Database(Options.Create(new DatabaseOptions { Path = Path.Combine(_folder, "bench.db") }),
            new Environment(_folder), NullLogger<Database>.Instance);
        new Migrator(_database, NullLogger<Migrator>.Instance, new FixedClock(Now)).MigrateAsync().GetAwaiter().GetResult();
        _database.WriteAsync(async (connection, transaction) =>
        {
            Seed((SqliteConnection)connection, (SqliteTransaction)transaction);
            await Task.CompletedTask;
            return true;
        }).GetAwaiter().GetResult();
        var clock = new FixedClock(Now);
        _store = new StreetStatisticsStore(_database, new SurveyResultsStore(_database, null!, clock), clock);
        var check = Statistics().GetAwaiter().GetResult();
        if (check.Total.Items != Communities * CasesPerCommunity || check.Total.LatestSurvey is null || check.Total.Announcements.Published != Communities * AnnouncementsPerCommunity)
        {
            throw new InvalidOperationException("The statistics did not see the seeded year; the benchmark would measure the wrong thing.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark]
    public async Task<StreetStatistics> Statistics() => (await _store.ForStreetAsync(StreetId, From, To))!;

    private static void Seed(SqliteConnection connection, SqliteTransaction transaction)
    {
        var random = new Random(17);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();
        const long year = 365L * 24 * 60 * 60 * 1000;
        connection.Execute("INSERT INTO streets (id, name) VALUES (1, '基准街道');", transaction: transaction);
        connection.Execute("INSERT INTO users (id, display_name, created_at) VALUES (1, '组织者', 0);", transaction: transaction);
        string[] bodies = ["property", "owners_committee", "residents_committee"];
        string[] kinds = ["repair", "opinion", "question", "proposal"];
        string[] categories = ["water", "electric", "elevator", "parking", "sanitation", "property_service", "funds", "neighbor", "pets", "other"];
        long userId = 1, unitId = 0, caseId = 0, announcementId = 0, meetingId = 0, actionId = 0;
        for (var community = 1; community <= Communities; community++)
        {
            connection.Execute("INSERT INTO communities (id, street_id, name) VALUES (@community, 1, @name);", new { community, name = $"小区{community}" }, transaction);
            var units = new List<(long Id, List<long> Members)>();
            for (var building = 0; building < 4; building++)
            {
                var buildingId = connection.ExecuteScalar<long>(
                    "INSERT INTO buildings (community_id, number, name) VALUES (@community, @number, @name) RETURNING id;",
                    new { community, number = $"{building + 1}", name = $"{building + 1}号楼" }, transaction);
                for (var flat = 0; flat < Units / 4; flat++)
                {
                    unitId++;
                    connection.Execute(
                        "INSERT INTO units (id, community_id, building_id, number, floor, area_centi_sq_m) VALUES (@unitId, @community, @buildingId, @number, 1, 8000);",
                        new { unitId, community, buildingId, number = $"{flat + 101}" }, transaction);
                    var members = new List<long>();
                    for (var member = 0; member < (flat % 4 == 0 ? 2 : 1); member++)
                    {
                        userId++;
                        connection.Execute("INSERT INTO users (id, display_name, created_at) VALUES (@userId, '居民', 0);", new { userId }, transaction);
                        connection.Execute(
                            "INSERT INTO memberships (user_id, community_id, role, unit_id, created_at) VALUES (@userId, @community, @role, @unitId, 0);",
                            new { userId, community, role = member == 0 ? "owner" : "resident", unitId }, transaction);
                        members.Add(userId);
                    }
                    units.Add((unitId, members));
                }
            }
            for (var i = 0; i < CasesPerCommunity; i++)
            {
                caseId++;
                var created = start + (long)(random.NextDouble() * (year - 30L * 24 * 3600 * 1000));
                long? responded = random.NextDouble() < 0.9 ? created + random.Next(5, 3_000) * 60_000L : null;
                long? resolved = responded is { } r && random.NextDouble() < 0.8 ? r + random.Next(60, 20_000) * 60_000L : null;
                var body = bodies[random.Next(bodies.Length)];
                connection.Execute(
                    """
                    INSERT INTO cases (id, community_id, kind, item_id, category, responsible_body, state, author_key, created_at, updated_at, responded_at, resolved_at)
                    VALUES (@caseId, @community, @kind, @caseId, @category, @body, @state, 'k', @created, @created, @responded, @resolved);
                    INSERT INTO case_history (case_id, event, actor_label, to_state, to_body, at) VALUES (@caseId, 'created', '系统', 'open', @body, @created);
                    """,
                    new { caseId, community, kind = kinds[random.Next(kinds.Length)], category = categories[random.Next(categories.Length)], body,
                        state = resolved is null ? responded is null ? "open" : "responded" : "resolved", created, responded, resolved }, transaction);
                if (i % 10 == 0)
                {
                    connection.Execute(
                        "INSERT INTO case_history (case_id, event, actor_label, from_body, to_body, at) VALUES (@caseId, 'escalated', '系统', @body, 'party_secretary', @at);",
                        new { caseId, body, at = created + 3 * 24 * 3600 * 1000L }, transaction);
                }
            }
            for (var i = 0; i < AnnouncementsPerCommunity; i++)
            {
                announcementId++;
                var created = start + (long)(random.NextDouble() * (year - 30L * 24 * 3600 * 1000));
                var ack = i < 20;
                connection.Execute(
                    """
                    INSERT INTO announcements (id, community_id, author_id, publisher_body, title, body, audience, requires_ack, created_at)
                    VALUES (@announcementId, @community, 1, 'residents_committee', '通知', '内容', 'all', @ack, @created);
                    """, new { announcementId, community, ack, created }, transaction);
                foreach (var (_, members) in units)
                {
                    if (random.NextDouble() < 0.6)
                    {
                        connection.Execute(
                            "INSERT INTO announcement_reads (announcement_id, user_id, read_at, acknowledged_at) VALUES (@announcementId, @user, @created, @acknowledged);",
                            new { announcementId, user = members[0], created, acknowledged = ack && random.NextDouble() < 0.75 ? created : (long?)null }, transaction);
                    }
                }
            }
            for (var i = 0; i < MeetingsPerCommunity; i++)
            {
                meetingId++;
                var startsAt = start + i * (year / MeetingsPerCommunity);
                connection.Execute(
                    """
                    INSERT INTO meetings (id, community_id, kind, topic, starts_at, place, participants, organiser_id, organiser_body, created_at)
                    VALUES (@meetingId, @community, @kind, '议题', @startsAt, '会议室', '居民代表', 1, 'residents_committee', @startsAt);
                    INSERT INTO meeting_minutes (meeting_id, attendance, positions, decisions, recorded_by, recorded_at, updated_at)
                    VALUES (@meetingId, '10人', '—', '决定', 1, @startsAt, @startsAt);
                    """, new { meetingId, community, kind = new[] { "hearing", "coordination", "review" }[i % 3], startsAt }, transaction);
                for (var a = 0; a < 3; a++)
                {
                    actionId++;
                    connection.Execute(
                        "INSERT INTO meeting_actions (id, meeting_id, community_id, text, responsible_body, due, state) VALUES (@actionId, @meetingId, @community, '事项', 'property', @due, @state);",
                        new { actionId, meetingId, community, due = startsAt + 14 * 24 * 3600 * 1000L, state = a == 0 ? "open" : "done" }, transaction);
                }
            }
            var surveyId = connection.ExecuteScalar<long>(
                """
                INSERT INTO surveys (community_id, title, closes_at, state, created_by, created_at, closed_at, households_at_close)
                VALUES (@community, '年度评议', @closed, 'closed', 1, @opened, @closed, @households) RETURNING id;
                """, new { community, opened = start, closed = start + year / 2, households = Units }, transaction);
            foreach (var body in bodies)
            {
                connection.Execute("INSERT INTO survey_bodies (survey_id, body) VALUES (@surveyId, @body);", new { surveyId, body }, transaction);
            }
            for (var household = 0; household < 150; household++)
            {
                connection.Execute("INSERT INTO survey_households (survey_id, token) VALUES (@surveyId, @token);", new { surveyId, token = Guid.NewGuid().ToString("N") }, transaction);
                foreach (var body in bodies)
                {
                    connection.Execute("INSERT INTO survey_answers (id, survey_id, body, score) VALUES (@id, @surveyId, @body, @score);",
                        new { id = Guid.NewGuid().ToString("N"), surveyId, body, score = random.Next(1, 6) }, transaction);
                }
            }
        }
    }

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "CommunityConnect.Benchmarks";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
