using System.Diagnostics;
using System.Net;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.Monitoring;
using Xunit.Abstractions;
using static CommunityConnect.Tests.Cluster.ClusterRequests;

namespace CommunityConnect.Tests.Cluster;

/// <summary>
/// 1,000 complaints filed through two web nodes; then two worker processes, their domain clock 30 days later (every
/// first response overdue), sweep at once: sweeps enqueued into the job storage they share run on both workers
/// together, beside the every-minute sweep. Each case climbs exactly one rung, with one history row and one notice to
/// its author, whichever worker got there first.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConcurrentEscalationSweepTests(ITestOutputHelper output)
{
    private const int Cases = 1000;
    private const int Residents = 20;
    private const int Sweeps = 6;

    [SkippableFact]
    public async Task AThousandDueCasesEscalateExactlyOnceWithTwoWorkersSweepingAtOnce()
    {
        await using var cluster = await ApiCluster.CreateAsync(output);
        await cluster.ReportOnFailureAsync(async () =>
        {
            var web = await cluster.StartManyAsync(TestClock.Start, "web", "web");
            var clients = web.Select(n => n.CreateClient()).ToArray();
            var tokens = await InParallelAsync(Enumerable.Range(0, Residents), 4, (i, _) =>
                ApiCluster.LoginAsync(web[i % 2], new { handle = $"cluster-resident-{i}", communityId = 1, role = "resident", unitId = 1 + i }));

            // 1,000 complaints (each a case with the property company, first response due in one working day), half through each node.
            var filed = Stopwatch.StartNew();
            var answers = await InParallelAsync(Enumerable.Range(0, Cases), 16, async (i, _) =>
            {
                using var answer = await SendAsync(clients[i % 2], HttpMethod.Post, "/v1/communities/1/opinions", tokens[i % Residents], new
                {
                    kind = "complaint", category = "sanitation", body = $"第{i}号投诉:垃圾箱房没有按时清运。", anonymous = false, visibility = "public",
                });
                return answer.StatusCode;
            });
            Assert.All(answers, status => Assert.Equal(HttpStatusCode.Created, status));
            output.WriteLine($"{Cases} complaints filed in {filed.Elapsed.TotalSeconds:0} s (503s waited out: {BusyAnswers})");

            await using var connection = await cluster.OpenAsync();
            var before = (await connection.QueryAsync<(long Id, string Body)>(
                "SELECT id, responsible_body FROM cases WHERE kind = 'opinion' AND escalation_level = 0 AND state = 'open';")).ToDictionary(c => c.Id, c => c.Body);
            Assert.Equal(Cases, before.Count);

            // Two workers, 30 days on: every case is overdue. Then sweeps straight into the shared job storage, for both at once.
            var workers = new[]
            {
                await cluster.StartAsync("worker", TestClock.Start.AddDays(30)),
                await cluster.StartAsync("worker", TestClock.Start.AddDays(30)),
            };
            var options = new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = false };
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(cluster.Settings["ConnectionStrings:Postgres"], options), options);
            var client = new BackgroundJobClient(storage);
            var sweeps = Enumerable.Range(0, Sweeps).Select(_ => client.Enqueue<EscalationSweepJob>(job => job.RunAsync(CancellationToken.None))).ToList();

            // Until every case has climbed and every sweep has finished (the every-minute one may add more).
            var monitoring = storage.GetMonitoringApi();
            var waited = Stopwatch.StartNew();
            while (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE kind = 'opinion' AND escalation_level = 0;") > 0
                   || sweeps.Any(id => monitoring.JobDetails(id)?.History.FirstOrDefault()?.StateName is not ("Succeeded" or "Failed"))
                   || monitoring.ProcessingCount() > 0)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromMinutes(5), $"the sweeps did not finish within 5 minutes: " +
                    $"{await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM cases WHERE kind = 'opinion' AND escalation_level = 0;")} cases wait");
                await Task.Delay(500);
            }
            output.WriteLine($"escalated in {waited.Elapsed.TotalSeconds:0} s after the sweeps were enqueued");

            // Every case one rung up, once: its level, its body, one history row, one notice to its author.
            var after = (await connection.QueryAsync<(long Id, long Level, string Body, long Steps, long Notices)>(
                """
                SELECT c.id, c.escalation_level, c.responsible_body,
                       (SELECT COUNT(*) FROM case_history h WHERE h.case_id = c.id AND h.event = 'escalated'),
                       (SELECT COUNT(*) FROM notifications n WHERE n.item_kind = 'case' AND n.item_id = c.id AND n.kind = 'case_escalated'
                                                              AND n.recipient_key = c.author_key)
                FROM cases c WHERE c.kind = 'opinion';
                """)).ToList();
            Assert.Equal(Cases, after.Count);
            var wrong = after.Where(c => c.Level != 1 || c.Body != EscalationLadder.Next(before[c.Id]) || c.Steps != 1 || c.Notices != 1).ToList();
            Assert.True(wrong.Count == 0, $"{wrong.Count} cases did not climb exactly once:\n" +
                string.Join("\n", wrong.Take(10).Select(c => $"case {c.Id}: level {c.Level}, {before[c.Id]} → {c.Body}, {c.Steps} escalations, {c.Notices} notices")));

            // Both workers swept, and at the same time: the sweeps' runs on different workers overlap.
            var runs = sweeps.Select(id => Run(monitoring.JobDetails(id))).ToList();
            Assert.All(runs, run => Assert.Equal("Succeeded", run.State));
            foreach (var run in runs)
            {
                output.WriteLine($"sweep on {run.Server}: {run.Started:HH:mm:ss.fff} – {run.Finished:HH:mm:ss.fff}");
            }
            var pids = workers.Select(w => $":{w.Pid}:").ToList();
            Assert.All(runs, run => Assert.Contains(pids, pid => run.Server.Contains(pid, StringComparison.Ordinal)));
            Assert.True(pids.All(pid => runs.Any(run => run.Server.Contains(pid, StringComparison.Ordinal))), "not every worker ran a sweep");
            Assert.True(runs.Any(a => runs.Any(b => ServerPid(a) != ServerPid(b) && a.Started < b.Finished && b.Started < a.Finished)),
                "no two sweeps on different workers ran at the same time");
        });
    }

    private sealed record SweepRun(string State, string Server, DateTime Started, DateTime Finished);

    /// <summary>The job's last state, the server that processed it, and when it started and finished (Hangfire's state history).</summary>
    private static SweepRun Run(JobDetailsDto job)
    {
        var processing = job.History.First(s => s.StateName == "Processing");
        return new SweepRun(job.History[0].StateName, processing.Data["ServerId"], processing.CreatedAt, job.History[0].CreatedAt);
    }

    // Hangfire's server ids are "name:pid:guid".
    private static string ServerPid(SweepRun run) => run.Server.Split(':')[1];
}
