using BenchmarkDotNet.Attributes;
using CommunityConnect.Api.Features.DiscussionHall;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Benchmarks;

/// <summary>
/// The discussion hall's feed page (GET /v1/communities/1/threads?limit=20 asks the store for 21 rows)
/// on a community with 10,000 threads and 30,000 replies: the first page, and a page 5,000 threads deep
/// (cursor from the previous page). The database is the api's own: its <see cref="Database"/>, its
/// migrations and its demo data, in a temporary folder, then threads inserted with the columns of
/// migration 0005_discussion_hall.sql. It measures <c>HallFeed.FeedAsync</c> itself (the SQL, Dapper
/// and the pooled connection), not HTTP: the load script (tests/load/feed-load.sh) measures the endpoint.
/// </summary>
[MemoryDiagnoser]
public class HallFeedBenchmarks
{
    public const int Threads = 10_000;
    public const int RepliesPerThread = 3;
    public const int DeepOffset = 5_000;
    private const int Take = 21;
    private const long CommunityId = 1;

    private string _folder = null!;
    private Database _database = null!;
    private HallFeed _store = null!;
    private FeedCursor _deep = null!;
    private long _viewerId;

    [GlobalSetup]
    public void Setup()
    {
        DapperSetup.Configure();
        _folder = Path.Combine(Path.GetTempPath(), $"cc-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_folder);
        _database = new Database(Options.Create(new DatabaseOptions { Path = Path.Combine(_folder, "bench.db") }),
            new BenchEnvironment(_folder), NullLogger<Database>.Instance);
        // A fixed instant: the seeded feed must not depend on the day the benchmark runs.
        var now = new DateTimeOffset(2026, 3, 4, 2, 0, 0, TimeSpan.Zero);
        new Migrator(_database, NullLogger<Migrator>.Instance, new FixedClock(now)).MigrateAsync().GetAwaiter().GetResult();
        _database.WriteAsync(async (connection, transaction) =>
        {
            await DemoData.SeedAsync(connection, transaction, now);
            await SeedHallAsync((SqliteConnection)connection, (SqliteTransaction)transaction, now);
            return true;
        }).GetAwaiter().GetResult();

        _store = new HallFeed(_database, new FixedClock(now));

        using var connection = new SqliteConnection(_database.ConnectionString);
        connection.Open();
        _viewerId = connection.ExecuteScalar<long>("SELECT id FROM users WHERE handle = 'resident';");
        var snapshot = connection.ExecuteScalar<long>("SELECT value FROM thread_feed_sequence WHERE community_id = 1;");
        var (pinned, activity, id) = connection.QuerySingle<(long, long, long)>(
            """
            SELECT pinned, last_activity_at, id FROM threads
            WHERE community_id = 1 AND review_state = 'published'
            ORDER BY pinned DESC, last_activity_at DESC, id DESC
            LIMIT 1 OFFSET @offset;
            """, new { offset = DeepOffset - 1 });
        _deep = new FeedCursor(pinned == 1, DateTimeOffset.FromUnixTimeMilliseconds(activity), id, snapshot);

        if (FirstPage().GetAwaiter().GetResult() != Take || DeepPage().GetAwaiter().GetResult() != Take)
        {
            throw new InvalidOperationException("The feed did not answer full pages; the benchmark would measure the wrong thing.");
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
    public async Task<int> FirstPage() => (await _store.FeedAsync(CommunityId, _viewerId, null, null, Take)).Rows.Count;

    [Benchmark]
    public async Task<int> DeepPage() => (await _store.FeedAsync(CommunityId, _viewerId, null, _deep, Take)).Rows.Count;

    /// <summary>
    /// 10,000 threads over the last weeks by the community's seven demo members (every 10th a
    /// solicitation, every 10th a volunteer call, every 50th hidden by moderation, three pinned), three
    /// replies each, each followed by its author; the viewer supports every 7th and follows every 5th.
    /// </summary>
    private static async Task SeedHallAsync(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
    {
        var members = (await connection.QueryAsync<long>(
            "SELECT DISTINCT user_id FROM memberships WHERE community_id = 1 ORDER BY user_id;", transaction: transaction)).ToList();
        var viewer = await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'resident';", transaction: transaction);
        var start = now.AddMinutes(-Threads * 5).ToUnixTimeMilliseconds();
        const string body =
            "楼下的垃圾分类点最近晚上八点以后经常满溢，湿垃圾桶没有及时清运，夏天味道很大，也招来了不少蚊虫。" +
            "建议物业把晚间清运的时间往后调一个小时，或者在高峰时段多放两个桶，居委会的志愿者也可以帮忙引导分类。";

        using var insertThread = Command(connection, transaction,
            """
            INSERT INTO threads (community_id, kind, title, body, author_id, author_role, review_state, pinned, deadline, volunteer_cap,
                                 reply_count, support_count, created_at, last_activity_at, feed_seq)
            VALUES (1, $kind, $title, $body, $author, '业主', $review, $pinned, $deadline, $cap, $replies, $supports, $created, $activity, $seq)
            RETURNING id;
            """, "$kind", "$title", "$body", "$author", "$review", "$pinned", "$deadline", "$cap", "$replies", "$supports", "$created", "$activity", "$seq");
        using var insertReply = Command(connection, transaction,
            """
            INSERT INTO thread_replies (thread_id, author_id, author_role, body, created_at)
            VALUES ($thread, $author, '业主', $body, $created);
            """, "$thread", "$author", "$body", "$created");
        using var insertFollow = Command(connection, transaction,
            "INSERT INTO thread_follows (thread_id, user_id, created_at) VALUES ($thread, $user, $created) ON CONFLICT DO NOTHING;",
            "$thread", "$user", "$created");
        using var insertSupport = Command(connection, transaction,
            "INSERT INTO thread_supports (thread_id, user_id, created_at) VALUES ($thread, $user, $created);",
            "$thread", "$user", "$created");

        for (var i = 1; i <= Threads; i++)
        {
            var created = start + i * 5 * 60_000L;
            // Some threads were replied to later than their neighbours, so activity order is not id order.
            var activity = created + (i % 13) * 7 * 60_000L;
            var kind = (i % 10) switch { 0 => "solicitation", 1 => "volunteer", _ => "discussion" };
            var author = members[i % members.Count];
            var supported = i % 7 == 0;
            insertThread.Parameters["$kind"].Value = kind;
            insertThread.Parameters["$title"].Value = $"关于小区公共事务的讨论 第{i}号";
            insertThread.Parameters["$body"].Value = body;
            insertThread.Parameters["$author"].Value = author;
            insertThread.Parameters["$review"].Value = i % 50 == 0 ? "hidden" : "published";
            insertThread.Parameters["$pinned"].Value = i is 17 or 4_242 or 9_001 ? 1 : 0;
            insertThread.Parameters["$deadline"].Value = kind == "solicitation" ? now.AddDays(14).ToUnixTimeMilliseconds() : DBNull.Value;
            insertThread.Parameters["$cap"].Value = kind == "volunteer" ? 20 : DBNull.Value;
            insertThread.Parameters["$replies"].Value = RepliesPerThread;
            insertThread.Parameters["$supports"].Value = supported ? 1 : 0;
            insertThread.Parameters["$created"].Value = created;
            insertThread.Parameters["$activity"].Value = activity;
            insertThread.Parameters["$seq"].Value = i;
            var threadId = (long)insertThread.ExecuteScalar()!;

            for (var r = 1; r <= RepliesPerThread; r++)
            {
                insertReply.Parameters["$thread"].Value = threadId;
                insertReply.Parameters["$author"].Value = members[(i + r) % members.Count];
                insertReply.Parameters["$body"].Value = "同意，支持尽快解决。";
                insertReply.Parameters["$created"].Value = created + r * 60_000L;
                insertReply.ExecuteNonQuery();
            }
            Follow(insertFollow, threadId, author, created);
            if (i % 5 == 0)
            {
                Follow(insertFollow, threadId, viewer, created);
            }
            if (supported)
            {
                Follow(insertSupport, threadId, viewer, created);
            }
        }
        await connection.ExecuteAsync(
            "INSERT INTO thread_feed_sequence (community_id, value) VALUES (1, @value);", new { value = Threads }, transaction);
        await connection.ExecuteAsync("ANALYZE;", transaction: transaction);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] names)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static void Follow(SqliteCommand command, long threadId, long userId, long created)
    {
        command.Parameters["$thread"].Value = threadId;
        command.Parameters["$user"].Value = userId;
        command.Parameters["$created"].Value = created;
        command.ExecuteNonQuery();
    }

    private sealed class BenchEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "CommunityConnect.Benchmarks";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}

/// <summary>A clock that always answers the same instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
