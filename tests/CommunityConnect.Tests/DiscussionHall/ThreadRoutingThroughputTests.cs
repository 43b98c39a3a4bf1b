using System.Diagnostics;
using CommunityConnect.Api.Features.Intake;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs.DiscussionHall;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace CommunityConnect.Tests.DiscussionHall;

/// <summary>
/// How many threads a second the routing job reads and routes (issue 14: it must keep up with
/// posting). A measured test, not a timed one: it prints the figure and asserts only that every
/// thread was routed once. Run it alone to read the figure:
/// <c>dotnet test --filter ThreadRoutingThroughputTests --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class ThreadRoutingThroughputTests(CommunityApp app, ITestOutputHelper output) : IClassFixture<CommunityApp>
{
    public const int Threads = 2_000;

    /// <summary>What residents post in the hall: repairs, complaints, questions, chat, and one gas smell in eight (an urgent case).</summary>
    private static readonly (string Title, string Body)[] Posts =
    [
        ("楼道灯坏了一个月没人管", "3号楼楼道灯坏了一个月了,晚上回家黑漆漆的,希望尽快来修一下。"),
        ("2号楼电梯按钮失灵", "2号楼电梯的5楼按钮按了没反应,好几天了。"),
        ("物业费涨了服务没变好", "物业费今年又涨了,垃圾还是天天堆在门口,业委会管不管?"),
        ("周末一起打羽毛球", "周六上午小区球场,有兴趣的邻居一起来玩!"),
        ("车位什么时候能租", "请问地下车库的车位什么时候开放出租?要去哪里登记?"),
        ("楼上的狗天天半夜叫", "3号楼楼上那家的狗每天半夜叫个不停,根本睡不着。"),
        ("5号楼水管漏水", "5号楼一楼的水管一直在滴水,地上都湿了。"),
        ("楼道里好大一股煤气味", "5号楼三楼楼道里煤气味很重,好像哪里漏气了,大家注意!"),
    ];

    [Fact]
    public async Task TheRoutingJobRoutesThousandsOfThreadsAndPrintsHowManyASecond()
    {
        await app.Service<IntakeAnalyser>().WhenReady;
        var database = app.Service<Database>();
        var now = app.Clock.GetUtcNow();
        await database.WriteAsync(async (connection, transaction) =>
        {
            var authorId = await connection.ExecuteScalarAsync<long>("SELECT id FROM users WHERE handle = 'resident';", transaction: transaction);
            for (var i = 0; i < Threads; i++)
            {
                var (title, body) = Posts[i % Posts.Length];
                await connection.ExecuteAsync(
                    """
                    INSERT INTO threads (community_id, kind, title, body, author_id, author_role, created_at, last_activity_at, feed_seq)
                    VALUES (1, 'discussion', @title, @body, @authorId, '业主', @now, @now, @i);
                    """, new { title, body = $"{body}({i})", authorId, now, i }, transaction);
            }
            return true;
        });

        var job = app.Service<RouteHallThreadsJob>();
        var watch = Stopwatch.StartNew();
        var read = await job.RunAsync(CancellationToken.None);
        watch.Stop();

        await using var check = app.Connection();
        var states = (await check.QueryAsync<(string? State, int Count)>("SELECT state, COUNT(*) FROM thread_routings GROUP BY state;"))
            .ToDictionary(s => s.State ?? "not actionable", s => s.Count);
        output.WriteLine($"The routing job read {read} threads in {watch.Elapsed.TotalMilliseconds:F0} ms: {read / watch.Elapsed.TotalSeconds:F0} threads/s " +
                         $"on {Environment.ProcessorCount} cores ({string.Join(", ", states.Select(s => $"{s.Key} {s.Value}"))}).");

        Assert.Equal(Threads, read);
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM threads WHERE kind = 'discussion' AND routing_analysed_at IS NULL;"));
        Assert.Equal(Threads, await check.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM thread_routings;"));
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));
    }
}
