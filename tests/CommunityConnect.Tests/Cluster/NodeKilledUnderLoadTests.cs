using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using CommunityConnect.Tests.Support;
using Dapper;
using Xunit.Abstractions;
using static CommunityConnect.Tests.Cluster.ClusterRequests;

namespace CommunityConnect.Tests.Cluster;

/// <summary>
/// Two web nodes take hall replies from sixteen residents; one is killed with SIGKILL mid-load (no shutdown, its
/// connections and transactions cut). Every reply a node answered 2xx is in the database afterwards, word for word,
/// and the other node answers every request, before the kill and after it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeKilledUnderLoadTests(ITestOutputHelper output)
{
    private const int WritersPerNode = 8;

    private sealed record Write(int Node, string Body, HttpStatusCode? Status, long? ReplyId, TimeSpan Sent, TimeSpan Answered, string? Error);

    [SkippableFact]
    public async Task AWebNodeKilledUnderWriteLoadLosesNoAnsweredWriteAndTheOtherKeepsAnswering()
    {
        await using var cluster = await ApiCluster.CreateAsync(output);
        await cluster.ReportOnFailureAsync(async () =>
        {
            var nodes = await cluster.StartManyAsync(TestClock.Start, "web", "web");
            var clients = nodes.Select(n => n.CreateClient()).ToArray();
            var tokens = await ClusterRequestsLogins(nodes, WritersPerNode * 2);
            var thread = await (await SendAsync(clients[1], HttpMethod.Post, "/v1/communities/1/threads", tokens[0],
                new { kind = "discussion", title = "小区停车位怎么分配?", body = "大家说说自己的想法。" })).Expect(HttpStatusCode.Created);
            var threadId = thread.Id();

            var writes = new ConcurrentQueue<Write>();
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            var killedAt = TimeSpan.MaxValue;
            async Task WriterAsync(int node, int writer)
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var body = $"节点{node + 1}写手{writer}第{n}条:同意按楼栋轮换。";
                    var sent = clock.Elapsed;
                    try
                    {
                        using var answer = await SendAsync(clients[node], HttpMethod.Post, $"/v1/threads/{threadId}/replies", tokens[node * WritersPerNode + writer], new { body });
                        var reply = answer.IsSuccessStatusCode ? await answer.Expect(answer.StatusCode) : default;
                        writes.Enqueue(new Write(node, body, answer.StatusCode, answer.IsSuccessStatusCode ? reply.Id() : null, sent, clock.Elapsed,
                            answer.IsSuccessStatusCode ? null : await answer.Content.ReadAsStringAsync()));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        writes.Enqueue(new Write(node, body, null, null, sent, clock.Elapsed, e.GetType().Name + ": " + e.Message));
                        if (node == 0 && clock.Elapsed >= killedAt)
                        {
                            return; // the killed node: its writer stops
                        }
                    }
                }
            }
            var writers = Enumerable.Range(0, 2).SelectMany(node => Enumerable.Range(0, WritersPerNode).Select(w => WriterAsync(node, w))).ToList();

            // Load on both, then web-1 loses its power, then web-2 alone for as long again.
            await Task.Delay(TimeSpan.FromSeconds(6));
            killedAt = clock.Elapsed;
            await nodes[0].KillAsync();
            output.WriteLine($"web-1 (pid {nodes[0].Pid}) killed at {killedAt.TotalSeconds:0.0} s");
            await Task.Delay(TimeSpan.FromSeconds(6));
            stop.Cancel();
            await Task.WhenAll(writers);

            var all = writes.ToList();
            var answered = all.Where(w => w.ReplyId is not null).ToList();
            output.WriteLine($"{all.Count} writes: web-1 {answered.Count(w => w.Node == 0)} answered 2xx, web-2 {answered.Count(w => w.Node == 1)} " +
                $"({answered.Count(w => w.Node == 1 && w.Sent > killedAt)} after the kill); 503s waited out: {BusyAnswers}");
            Assert.True(answered.Count(w => w.Node == 0 && w.Answered < killedAt) >= 10, "web-1 took too few writes before the kill to test anything");
            Assert.True(answered.Count(w => w.Node == 1 && w.Sent > killedAt) >= 10, "web-2 took too few writes after the kill to test anything");

            // The other node answered every request, during the load and after the kill.
            var failed = all.Where(w => w.Node == 1 && w.ReplyId is null).ToList();
            Assert.True(failed.Count == 0, "web-2 failed requests:\n" + string.Join("\n", failed.Take(10).Select(w => $"{w.Sent.TotalSeconds:0.0} s {(int?)w.Status} {w.Error}")));
            // web-1 answered nothing that was not a reply until it died (then its connections were refused or cut).
            Assert.DoesNotContain(all, w => w.Node == 0 && w.Status is { } status && status != HttpStatusCode.Created);

            // Every write answered 2xx, by either node, is in the database, word for word.
            await using var connection = await cluster.OpenAsync();
            var stored = (await connection.QueryAsync<(long Id, string Body)>(
                "SELECT id, body FROM thread_replies WHERE thread_id = @threadId;", new { threadId })).ToDictionary(r => r.Id, r => r.Body);
            var missing = answered.Where(w => !stored.TryGetValue(w.ReplyId!.Value, out var body) || body != w.Body).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} answered writes are not in the database:\n" +
                string.Join("\n", missing.Take(10).Select(w => $"node {w.Node + 1} reply {w.ReplyId} answered at {w.Answered.TotalSeconds:0.0} s")));

            // And web-2 still serves reads of it all.
            var page = await (await SendAsync(clients[1], HttpMethod.Get, $"/v1/threads/{threadId}", tokens[0])).Expect(HttpStatusCode.OK);
            Assert.Equal(threadId, page.Id());
        });
    }

    /// <summary>Residents of community 1 (one unit each), half logged in on each node.</summary>
    private static Task<string[]> ClusterRequestsLogins(ApiProcess[] nodes, int count) =>
        InParallelAsync(Enumerable.Range(0, count), 4, (i, _) =>
            ApiCluster.LoginAsync(nodes[i % 2], new { handle = $"cluster-writer-{i}", communityId = 1, role = "resident", unitId = 1 + i }));
}
