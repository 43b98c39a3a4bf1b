using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// 0013_public_affairs.sql rebuilds the cases table to add the kind meeting_action: a database with
/// cases, their history, responses and the items pointing at them comes through it unchanged.
/// </summary>
public sealed class CasesRebuildTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "CommunityConnect.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    [Fact]
    public async Task ExistingCasesSurviveTheRebuildWithTheirHistoryResponsesClocksAndItems()
    {
        Directory.CreateDirectory(_folder);
        using var database = new Database(Options.Create(new DatabaseOptions { Path = Path.Combine(_folder, "before.db") }), new Environment(_folder),
            NullLogger<Database>.Instance);
        var migrator = new Migrator(database, NullLogger<Migrator>.Instance, new FakeTimeProvider(TestClock.Start));
        var before = Migrator.Scripts.Where(s => string.CompareOrdinal(s.Version, "0013") < 0).ToList();
        await migrator.ApplyAsync(before);
        var now = TestClock.Start.ToUnixTimeMilliseconds();
        await database.WriteAsync(async (connection, transaction) =>
        {
            await DemoData.SeedAsync(connection, transaction, TestClock.Start);
            await connection.ExecuteAsync(
                """
                INSERT INTO cases (id, community_id, kind, item_id, category, urgent, responsible_body, escalation_level, state, author_key,
                                   created_at, updated_at, responded_at, first_response_due, resolve_due, next_escalation_at,
                                   target_first_response_at, target_resolve_at, manually_escalated)
                VALUES (7, 1, 'question', 70, 'funds', 0, 'residents_committee', 1, 'responded', 'key-7', @now, @now, @now, @now + 1, @now + 2, @now + 2,
                        @now + 3, @now + 4, 1);
                INSERT INTO case_history (case_id, event, actor_id, actor_label, to_state, to_body, at) VALUES (7, 'created', NULL, '匿名居民', 'open', 'owners_committee', @now);
                INSERT INTO case_history (case_id, event, actor_id, actor_label, from_body, to_body, note, at)
                VALUES (7, 'escalated', NULL, '系统', 'owners_committee', 'residents_committee', '超时未响应,已上报居委会', @now + 5);
                INSERT INTO case_responses (case_id, author_id, author_body, body, created_at) VALUES (7, 6, 'residents_committee', '已转交', @now + 6);
                INSERT INTO opinions (id, community_id, kind, category, body, anonymous, visibility, author_key, case_id, state, created_at)
                VALUES (70, 1, 'question', 'funds', '维修资金怎么用', 1, 'public', 'key-7', 7, 'open', @now);
                """, new { now }, transaction);
            return true;
        });

        Assert.Equal(["0013_public_affairs"], (await migrator.MigrateAsync()).Where(v => v.StartsWith("0013", StringComparison.Ordinal)));

        await using var connection = await database.OpenReadAsync();
        var row = await connection.QuerySingleAsync(
            """
            SELECT kind, item_id, category, responsible_body, escalation_level, state, author_key, responded_at, first_response_due, resolve_due,
                   next_escalation_at, target_first_response_at, target_resolve_at, manually_escalated
            FROM cases WHERE id = 7;
            """);
        Assert.Equal("question", (string)row.kind);
        Assert.Equal("residents_committee", (string)row.responsible_body);
        Assert.Equal(1L, (long)row.escalation_level);
        Assert.Equal("key-7", (string)row.author_key);
        Assert.Equal(now + 2, (long)row.next_escalation_at);
        Assert.Equal(now + 4, (long)row.target_resolve_at);
        Assert.Equal(1L, (long)row.manually_escalated);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_history WHERE case_id = 7;"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM case_responses WHERE case_id = 7;"));
        Assert.Equal(7, await connection.ExecuteScalarAsync<long>("SELECT case_id FROM opinions WHERE id = 70;"));
        // Every index is back, the new kind is allowed, and an unknown one is still refused.
        var indexes = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND name LIKE 'ix_%';")).ToHashSet();
        Assert.Superset(new HashSet<string> { "ix_cases_queue", "ix_cases_next_escalation", "ix_cases_street_queue", "ix_cases_community_created" }, indexes);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pragma_index_list('cases') WHERE \"unique\" = 1 AND origin = 'u';"));
        await database.WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO cases (community_id, kind, item_id, category, responsible_body, author_key, created_at, updated_at) VALUES (1, 'meeting_action', 1, 'other', 'property', 'k', 0, 0);",
            transaction: t));
        await Assert.ThrowsAsync<SqliteException>(() => database.WriteAsync((c, t) => c.ExecuteAsync(
            "INSERT INTO cases (community_id, kind, item_id, category, responsible_body, author_key, created_at, updated_at) VALUES (1, 'gossip', 1, 'other', 'property', 'k', 0, 0);",
            transaction: t)));
    }
}
