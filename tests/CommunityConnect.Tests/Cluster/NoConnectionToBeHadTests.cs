using System.Net;
using CommunityConnect.Tests.Support;
using Dapper;
using Npgsql;
using Xunit.Abstractions;
using static CommunityConnect.Tests.Cluster.ClusterRequests;

namespace CommunityConnect.Tests.Cluster;

/// <summary>
/// A real web node whose database refuses it another connection (SQLSTATE 53300, as a full server or an exhausted
/// connection limit does) answers a write with 503 and Retry-After, writes nothing, and serves again as soon as the
/// server takes it. The node connects as a role of its own (superusers are exempt from connection limits) without
/// pooling, so that every unit of work asks the server for a connection.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NoConnectionToBeHadTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task AWebNodeThatGetsNoConnectionAnswers503WithRetryAfterAndRecovers()
    {
        var cluster = await ApiCluster.CreateAsync(output);
        var role = $"cc_node_{Guid.NewGuid():N}"[..24];
        await using var admin = new NpgsqlConnection(TestPostgres.RequireServer());
        await admin.OpenAsync();
        await admin.ExecuteAsync($"CREATE ROLE \"{role}\" LOGIN; ALTER DATABASE \"{cluster.Database.Name}\" OWNER TO \"{role}\";");
        try
        {
            await cluster.ReportOnFailureAsync(async () =>
            {
                cluster.Settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(cluster.Database.ConnectionString)
                {
                    Username = role, Pooling = false,
                }.ConnectionString;
                var node = await cluster.StartAsync("web", TestClock.Start);
                var client = node.CreateClient();
                var token = await ApiCluster.LoginAsync(node, new { handle = "tenant" });
                object Complaint(string body) => new { kind = "complaint", category = "sanitation", body, anonymous = false, visibility = "public" };
                await (await client.PostJson("/v1/communities/1/opinions", Complaint("第一条:垃圾箱房没有按时清运。"), token)).Expect(HttpStatusCode.Created);

                await admin.ExecuteAsync($"ALTER ROLE \"{role}\" CONNECTION LIMIT 0;");
                var busy = await client.PostJson("/v1/communities/1/opinions", Complaint("第二条:楼道灯坏了。"), token);
                var problem = await busy.ExpectProblem(HttpStatusCode.ServiceUnavailable);
                Assert.Equal("The database is busy.", problem.Text("title"));
                Assert.Equal(TimeSpan.FromSeconds(2), busy.Headers.RetryAfter?.Delta);

                await admin.ExecuteAsync($"ALTER ROLE \"{role}\" CONNECTION LIMIT -1;");
                await (await client.PostJson("/v1/communities/1/opinions", Complaint("第三条:电梯异响。"), token)).Expect(HttpStatusCode.Created);
                await using var connection = await cluster.OpenAsync();
                var bodies = (await connection.QueryAsync<string>("SELECT body FROM opinions ORDER BY id;")).ToList();
                Assert.Equal(["第一条:垃圾箱房没有按时清运。", "第三条:电梯异响。"], bodies);
            });
        }
        finally
        {
            await cluster.DisposeAsync();
            await admin.ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\";");
        }
    }
}

internal static class TokenRequests
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string path, object body, string token) =>
        SendAsync(client, HttpMethod.Post, path, token, body, retryBusy: false);
}
