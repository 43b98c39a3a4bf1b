using System.Net;
using CommunityConnect.Api.Features.ComplaintBox;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>
/// The data migration 0014_sealing_data: anonymous opinions written by the old code (their rows carry
/// the author's named key) come out in the new form, and their author keeps "my opinions", pending
/// notices, the satisfaction reply and manual escalation. A second run changes nothing.
/// </summary>
public sealed class SealingMigrationTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private sealed class Environment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "CommunityConnect.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    private static readonly string[] Tables = ["opinions", "cases", "notifications", "opinion_agreements", "anonymous_items", "case_history"];

    [Fact]
    public async Task OldFormAnonymousOpinionsMoveToTheirOwnPseudonymAndTheirAuthorStillFollowsThem()
    {
        // The database as the old code left it: every script before 0014, the demo street, and rows written as it wrote them.
        var options = Options.Create(new DatabaseOptions { Path = app.DatabasePath });
        var environment = new Environment(app.Folder);
        using (var database = new Database(options, environment, NullLogger<Database>.Instance))
        {
            await new Migrator(database, NullLogger<Migrator>.Instance, new FakeTimeProvider(TestClock.Start))
                .ApplyAsync(Migrator.Scripts.Where(s => string.CompareOrdinal(s.Version, "0014") < 0).ToList());
            // The same key files the app will load (Development keeps them beside the database).
            var keys = new LocalKeys(new ConfigurationBuilder().Build(), environment, options);
            var named = new RecipientKeys(keys);
            var seal = new AuthorSeal(keys);
            await database.WriteAsync(async (connection, transaction) =>
            {
                await DemoData.SeedAsync(connection, transaction, TestClock.Start);
                var author = await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'resident';", transaction: transaction);
                var owners = await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'owners';", transaction: transaction);
                var now = TestClock.Start.ToUnixTimeMilliseconds();
                var hour = 3_600_000L;
                var p = new { key = named.ForUser(author), author, owners, now, past = now - hour, later = now + 100 * hour, seal1 = seal.Seal(author, 1), seal2 = seal.Seal(author, 2) };
                await connection.ExecuteAsync(
                    """
                    INSERT INTO cases (id, community_id, kind, item_id, category, responsible_body, state, author_key, created_at, updated_at,
                                       first_response_due, resolve_due, next_escalation_at)
                    VALUES (11, 1, 'opinion', 1, 'property_service', 'owners_committee', 'open', @key, @past, @past, @past + 1000, @later, @later),
                           (12, 1, 'opinion', 2, 'property_service', 'owners_committee', 'resolved', @key, @past, @now, @past + 1000, @later, NULL),
                           (13, 1, 'opinion', 3, 'community_life', 'residents_committee', 'open', @key, @past, @past, @later, @later, @later);
                    -- 1: anonymous, open, its first response overdue. 2: anonymous, answered. 3: named.
                    INSERT INTO opinions (id, community_id, kind, category, title, body, anonymous, visibility, author_id, author_key, sealed_author, case_id, state, created_at)
                    VALUES (1, 1, 'complaint', 'property_service', '保洁缺勤', '楼道一周没人打扫。', 1, 'private', NULL, @key, @seal1, 11, 'open', @past);
                    INSERT INTO opinions (id, community_id, kind, category, title, body, anonymous, visibility, author_id, author_key, sealed_author, case_id, state, created_at, first_answered_at, answered_at)
                    VALUES (2, 1, 'complaint', 'property_service', '电梯停运', '电梯三天没修。', 1, 'public', NULL, @key, @seal2, 12, 'answered', @past, @now, @now);
                    INSERT INTO opinions (id, community_id, kind, category, body, anonymous, visibility, author_id, author_key, case_id, state, created_at)
                    VALUES (3, 1, 'suggestion', 'community_life', '办个旧物交换。', 0, 'public', @author, @key, 13, 'open', @past);
                    INSERT INTO case_history (case_id, event, actor_id, actor_label, to_state, to_body, at)
                    VALUES (11, 'created', NULL, '匿名居民', 'open', 'owners_committee', @past),
                           (12, 'created', NULL, '匿名居民', 'open', 'owners_committee', @past),
                           (13, 'created', @author, '张桂英', 'open', 'residents_committee', @past);
                    INSERT INTO opinion_answers (opinion_id, author_id, author_body, body, visibility, created_at)
                    VALUES (2, @owners, 'owners_committee', '已联系电梯维保。', 'public', @now);
                    -- The old code's notices: to the author's named key, about the anonymous opinion and its case; one to the committee.
                    INSERT INTO notifications (recipient_key, community_id, kind, title, body, item_kind, item_id, created_at)
                    VALUES (@key, 1, 'opinion_answered', '业主委员会答复了您的投诉', '已联系电梯维保。', 'opinion', 2, @now),
                           (@key, 1, 'case_response', '业主委员会回复了您的意见', '已联系电梯维保。', 'case', 12, @now),
                           (@key, 1, 'case_routed', '新的意见待处理', '一件意见已分派给居委会,请及时响应。', 'case', 13, @past);
                    INSERT INTO opinion_agreements (opinion_id, user_key, created_at) VALUES (2, @key, @now);
                    """, p, transaction);
                return true;
            });
        }
        SqliteConnection.ClearAllPools();

        var authorId = 0L;
        await using (var connection = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            authorId = await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'resident';");
        }
        string NamedKey() => app.Service<RecipientKeys>().ForUser(authorId);
        // The trail finds the old form out: one equality join from the anonymous opinion names its author.
        var before = await AuthorTrail.ReadAsync(app.DatabasePath);
        var oldKey = (string)before.Rows.Single(r => r.Table == "opinions" && Equals(r.Values["id"], 1L)).Values["author_key"]!;
        Assert.NotEmpty(before.Leaks(AnonymousRows(before, 1, 11), authorId, oldKey));

        // The app starts: the schema scripts, then the data migration.
        var author = await app.ClientFor("resident");
        Assert.Equal(NamedKey(), oldKey);
        var after = await AuthorTrail.ReadAsync(app.DatabasePath);
        foreach (var (opinionId, caseId) in new[] { (1L, 11L), (2L, 12L) })
        {
            var rows = AnonymousRows(after, opinionId, caseId);
            var pseudonym = (string)rows.Single(r => r.Table == "opinions").Values["author_key"]!;
            Assert.NotEqual(oldKey, pseudonym);
            Assert.Equal(pseudonym, rows.Single(r => r.Table == "cases").Values["author_key"]);
            Assert.Single(after.Rows, r => r.Table == "anonymous_items" && Equals(r.Values["pseudonym"], pseudonym) && Equals(r.Values["item_id"], opinionId));
            Assert.Empty(after.Leaks(rows, authorId, NamedKey(), "张桂英", "13812341234"));
        }
        var pseudonym2 = (string)after.Rows.Single(r => r.Table == "opinions" && Equals(r.Values["id"], 2L)).Values["author_key"]!;
        Assert.Equal(2, after.Rows.Count(r => r.Table == "notifications" && Equals(r.Values["recipient_key"], pseudonym2)));
        Assert.Single(after.Rows, r => r.Table == "opinion_agreements" && Equals(r.Values["user_key"], pseudonym2));
        // The named opinion, its case and the committee notice keep the named key.
        Assert.Equal(oldKey, after.Rows.Single(r => r.Table == "opinions" && Equals(r.Values["id"], 3L)).Values["author_key"]);
        Assert.Equal(oldKey, after.Rows.Single(r => r.Table == "cases" && Equals(r.Values["id"], 13L)).Values["author_key"]);
        Assert.Single(after.Rows, r => r.Table == "notifications" && Equals(r.Values["recipient_key"], oldKey) && Equals(r.Values["kind"], "case_routed"));

        // A second run (its record removed) changes nothing.
        var snapshot = await SnapshotAsync();
        await using (var connection = new SqliteConnection($"Data Source={app.DatabasePath}"))
        {
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE version = '0014_sealing_data';");
        }
        Assert.Equal(["0014_sealing_data"], await app.Service<DataMigrator>().MigrateAsync());
        Assert.Empty(await app.Service<DataMigrator>().MigrateAsync());
        Assert.Equal(snapshot, await SnapshotAsync());

        // The author still follows them: my opinions, the pending notices, "me too" kept, the reply, the escalation.
        var mine = (await author.GetJson("/v1/me/opinions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([3L, 2L, 1L], mine.Select(o => o.Id()));
        Assert.All(mine, o => Assert.True(o.GetProperty("mine").GetBoolean()));
        Assert.True((await author.GetJson("/v1/opinions/2")).GetProperty("agreed").GetBoolean());
        var inbox = (await author.GetJson("/v1/me/inbox")).GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(inbox, n => n.Text("kind") == "opinion_answered" && n.GetProperty("itemId").GetInt64() == 2);
        Assert.Contains(inbox, n => n.Text("kind") == "case_response" && n.GetProperty("itemId").GetInt64() == 12);
        Assert.Equal(3, (await author.GetJson("/v1/me")).GetProperty("unreadCount").GetInt64());
        Assert.Equal("closed", (await author.Reply(2, true, "修好了")).Text("state"));
        var escalated = await (await author.PostJson("/v1/cases/11/escalate", new { reason = "一直没人理" })).Expect(HttpStatusCode.OK);
        Assert.Equal("residents_committee", escalated.Text("responsibleBody"));
        Assert.Contains((await author.GetJson("/v1/me/inbox")).GetProperty("items").EnumerateArray(),
            n => n.Text("kind") == "case_escalated" && n.GetProperty("itemId").GetInt64() == 11);
        // Nobody else: for the tenant the private one does not exist, and the public one is not theirs to escalate.
        var tenant = await app.ClientFor("tenant");
        await (await tenant.GetAsync("/v1/opinions/1")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.False((await tenant.GetJson("/v1/opinions/2")).GetProperty("mine").GetBoolean());
    }

    private static List<AuthorTrail.Row> AnonymousRows(AuthorTrail trail, long opinionId, long caseId)
    {
        var opinion = trail.Rows.Single(r => r.Table == "opinions" && Equals(r.Values["id"], opinionId));
        var key = opinion.Values["author_key"];
        return trail.Rows.Where(r => r == opinion
            || (r.Table == "cases" && Equals(r.Values["id"], caseId))
            || (r.Table == "case_history" && Equals(r.Values["case_id"], caseId))
            || (r.Table == "notifications" && Equals(r.Values["recipient_key"], key)
                && ((Equals(r.Values["item_kind"], "opinion") && Equals(r.Values["item_id"], opinionId)) || (Equals(r.Values["item_kind"], "case") && Equals(r.Values["item_id"], caseId))))
            || (r.Table == "opinion_agreements" && Equals(r.Values["opinion_id"], opinionId) && Equals(r.Values["user_key"], key))
            || (r.Table == "anonymous_items" && Equals(r.Values["item_id"], opinionId))).ToList();
    }

    private async Task<string> SnapshotAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath}");
        var lines = new List<string>();
        foreach (var table in Tables)
        {
            lines.AddRange((await connection.QueryAsync($"SELECT * FROM {table} ORDER BY 1, 2;"))
                .Select(row => $"{table}: {string.Join("|", ((IDictionary<string, object?>)row).Values)}"));
        }
        return string.Join("\n", lines);
    }
}
