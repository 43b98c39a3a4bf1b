using System.Net;
using System.Net.Http.Json;
using CommunityConnect.Jobs.Housekeeping;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

public sealed class IdempotencyTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private static HttpRequestMessage Request(object body, string key) => new(HttpMethod.Post, "/v1/communities/1/membership-requests")
    {
        Content = JsonContent.Create(body),
        Headers = { { "Idempotency-Key", key } },
    };

    private async Task<long> CountRequestsAsync(long unitId)
    {
        await using var connection = app.Connection();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM membership_requests WHERE unit_id = @unitId;", new { unitId });
    }

    [Fact]
    public async Task TheSameKeyTwiceCreatesOneRequestAndAnswersTheFirstAnswerAgain()
    {
        var client = await app.ClientFor("idem-user");
        var first = await client.SendAsync(Request(new { unitId = 7, relation = "tenant" }, "key-1"));
        var firstBody = await first.Expect(HttpStatusCode.Created);
        var second = await client.SendAsync(Request(new { unitId = 7, relation = "tenant" }, "key-1"));
        var secondBody = await second.Expect(HttpStatusCode.Created);

        Assert.Equal(firstBody.GetProperty("id").GetInt64(), secondBody.GetProperty("id").GetInt64());
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        Assert.Equal(1, await CountRequestsAsync(7));
    }

    [Fact]
    public async Task TheSameKeyWithADifferentBodyIsUnprocessable()
    {
        var client = await app.ClientFor("idem-user-2");
        await (await client.SendAsync(Request(new { unitId = 8, relation = "tenant" }, "key-2"))).Expect(HttpStatusCode.Created);
        await (await client.SendAsync(Request(new { unitId = 9, relation = "tenant" }, "key-2"))).ExpectProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await CountRequestsAsync(9));
    }

    [Fact]
    public async Task KeysBelongToTheirUser()
    {
        var one = await app.ClientFor("idem-user-3");
        var two = await app.ClientFor("idem-user-4");
        var a = await (await one.SendAsync(Request(new { unitId = 10, relation = "tenant" }, "shared-key"))).Expect(HttpStatusCode.Created);
        var b = await (await two.SendAsync(Request(new { unitId = 10, relation = "tenant" }, "shared-key"))).Expect(HttpStatusCode.Created);
        Assert.NotEqual(a.GetProperty("id").GetInt64(), b.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task RecordsHoldNoUserIdAndExpireAfterADay()
    {
        var client = await app.ClientFor("idem-user-5");
        var userId = await CommunityApp.UserIdOf(client);
        await (await client.SendAsync(Request(new { unitId = 11, relation = "tenant" }, "key-5"))).Expect(HttpStatusCode.Created);

        await using (var connection = app.Connection())
        {
            var keys = (await connection.QueryAsync<string>("SELECT key_hash FROM idempotency_records;")).ToList();
            Assert.NotEmpty(keys);
            Assert.DoesNotContain(keys, k => k.Contains("key-5") || k.Contains($"{userId}:"));
        }

        app.Clock.Advance(TimeSpan.FromHours(25));
        // Expired: the key is free again (a new request for another unit is accepted under it).
        await (await client.SendAsync(Request(new { unitId = 12, relation = "tenant" }, "key-5"))).Expect(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromHours(25));
        var purged = await app.Service<PurgeExpiredIdempotencyRecordsJob>().RunAsync(CancellationToken.None);
        Assert.True(purged >= 1);
    }
}
