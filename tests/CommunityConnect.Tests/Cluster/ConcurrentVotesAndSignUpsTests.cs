using System.Net;
using System.Text;
using CommunityConnect.Tests.Support;
using Dapper;
using Xunit.Abstractions;
using static CommunityConnect.Tests.Cluster.ClusterRequests;

namespace CommunityConnect.Tests.Cluster;

/// <summary>
/// Two web nodes on one PostgreSQL database, 200 owners at once: each votes once and signs up for a volunteer call
/// with 50 places, the vote on one node and the sign-up on the other. The totals are exact, the cap holds, no owner
/// votes twice, and the ballot's hash chain verifies (each node appends to it; the database orders them).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConcurrentVotesAndSignUpsTests(ITestOutputHelper output)
{
    private const int Owners = 200;
    private const int Cap = 50;

    private static string Choice(int owner) => (owner % 3) switch { 0 => "yes", 1 => "no", _ => "abstain" };

    [SkippableFact]
    public async Task TwoHundredOwnersVoteAndSignUpAtOnceOverTwoWebNodes()
    {
        await using var cluster = await ApiCluster.CreateAsync(output);
        await cluster.ReportOnFailureAsync(async () =>
        {
            var nodes = await cluster.StartManyAsync(TestClock.Start, "web", "web");
            var clients = nodes.Select(n => n.CreateClient()).ToArray();

            // The register (one flat each, distinct keys), a ballot on it, and a volunteer call with 50 places.
            var committee = await ApiCluster.LoginAsync(nodes[0], new { handle = "owners" });
            var csv = "building,unit,area,owners\r\n" + string.Join("\r\n",
                Enumerable.Range(0, Owners).Select(i => $"20,{1000 + i},{80 + i % 7}.50,cluster-owner-{i}"));
            using (var import = new HttpRequestMessage(HttpMethod.Post, "/v1/communities/1/owners-register"))
            {
                import.Headers.Authorization = new("Bearer", committee);
                import.Content = new StringContent(csv, Encoding.UTF8, "text/csv");
                await (await clients[0].SendAsync(import)).Expect(HttpStatusCode.Created);
            }
            var ballot = await (await SendAsync(clients[0], HttpMethod.Post, "/v1/communities/1/ballots", committee, new
            {
                title = "业主大会表决:续聘物业", description = "请业主投票", matter = "other", closesAt = TestClock.Start.AddDays(7),
            })).Expect(HttpStatusCode.Created);
            var ballotId = ballot.Id();
            Assert.Equal(Owners, ballot.GetProperty("eligibleOwners").GetInt64());
            var residents = await ApiCluster.LoginAsync(nodes[1], new { handle = "residents" });
            var call = await (await SendAsync(clients[1], HttpMethod.Post, "/v1/communities/1/threads", residents, new
            {
                kind = "volunteer", title = "招募楼道清洁志愿者", body = "周六上午 9:00 在 20号楼 集合,清理楼道杂物。", category = "sanitation", volunteerCap = Cap,
            })).Expect(HttpStatusCode.Created);
            var threadId = call.Id();

            // 200 owners, each with a token of their own (half from each node: the keys are shared).
            var tokens = await InParallelAsync(Enumerable.Range(0, Owners), 8, (i, _) =>
                ApiCluster.LoginAsync(nodes[i % 2], new { handle = $"cluster-owner-{i}", communityId = 1, ownerKey = $"cluster-owner-{i}" }));

            // At once: owner i votes on node i % 2 and signs up on the other node.
            var votes = Enumerable.Range(0, Owners).Select(i =>
                SendAsync(clients[i % 2], HttpMethod.Post, $"/v1/ballots/{ballotId}/votes", tokens[i], new { choice = Choice(i) }));
            var signUps = Enumerable.Range(0, Owners).Select(i =>
                SendAsync(clients[(i + 1) % 2], HttpMethod.Post, $"/v1/threads/{threadId}/signups", tokens[i]));
            var voteAnswers = Task.WhenAll(votes);
            var signUpAnswers = Task.WhenAll(signUps);
            await Task.WhenAll(voteAnswers, signUpAnswers);
            output.WriteLine($"503 answers waited out: {BusyAnswers}");

            foreach (var answer in voteAnswers.Result)
            {
                await answer.Expect(HttpStatusCode.Created);
            }
            var signedUp = signUpAnswers.Result.Count(a => a.StatusCode == HttpStatusCode.Created);
            var refused = signUpAnswers.Result.Where(a => a.StatusCode == HttpStatusCode.Conflict).ToList();
            Assert.Equal((Cap, Owners - Cap), (signedUp, refused.Count));
            foreach (var answer in refused)
            {
                await answer.ExpectProblem(HttpStatusCode.Conflict);
            }

            // Exact totals, read on the node that took the other half of the votes.
            var tally = await (await SendAsync(clients[1], HttpMethod.Get, $"/v1/ballots/{ballotId}/tally", committee)).Expect(HttpStatusCode.OK);
            var expected = Enumerable.Range(0, Owners).GroupBy(Choice).ToDictionary(g => g.Key, g => (long)g.Count());
            Assert.Equal((long)Owners, tally.GetProperty("participatingOwners").GetInt64());
            Assert.Equal(expected["yes"], tally.GetProperty("yesOwners").GetInt64());
            Assert.Equal(expected["no"], tally.GetProperty("noOwners").GetInt64());
            Assert.Equal(expected["abstain"], tally.GetProperty("abstainOwners").GetInt64());
            var area = Enumerable.Range(0, Owners).Sum(i => 80.5m + i % 7);
            Assert.Equal(area, tally.GetProperty("participatingArea").GetDecimal());

            // One vote per owner: a second one on the other node is 409, and the database holds one cast per owner.
            foreach (var i in Enumerable.Range(0, 10))
            {
                await (await SendAsync(clients[(i + 1) % 2], HttpMethod.Post, $"/v1/ballots/{ballotId}/votes", tokens[i], new { choice = "yes" }))
                    .ExpectProblem(HttpStatusCode.Conflict);
            }
            await using var connection = await cluster.OpenAsync();
            var casts = await connection.QuerySingleAsync<(long Casts, long Owners)>(
                "SELECT COUNT(*), COUNT(DISTINCT ballot_owner_id) FROM ballot_casts WHERE ballot_id = @ballotId;", new { ballotId });
            Assert.Equal(((long)Owners, (long)Owners), casts);
            var chain = await connection.QuerySingleAsync<(long Entries, long First, long Last, long Tokens)>(
                "SELECT COUNT(*), MIN(seq), MAX(seq), COUNT(DISTINCT voter_token) FROM ballot_entries WHERE ballot_id = @ballotId;", new { ballotId });
            Assert.Equal(((long)Owners, 1L, (long)Owners, (long)Owners), chain);

            // The chain verifies end to end: each entry's hash covers the one before it, whichever node appended it.
            var verify = await (await SendAsync(clients[0], HttpMethod.Get, $"/v1/ballots/{ballotId}/verify", committee)).Expect(HttpStatusCode.OK);
            Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
            Assert.Equal((long)Owners, verify.GetProperty("entries").GetInt64());

            // The cap held in the database, and the thread says so on both nodes.
            Assert.Equal((long)Cap, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM thread_signups WHERE thread_id = @threadId;", new { threadId }));
            foreach (var client in clients)
            {
                var thread = await (await SendAsync(client, HttpMethod.Get, $"/v1/threads/{threadId}", residents)).Expect(HttpStatusCode.OK);
                Assert.Equal(Cap, thread.GetProperty("signupCount").GetInt32());
            }
        });
    }
}
