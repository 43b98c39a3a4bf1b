using System.Net;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Features.SubscribeMessages;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The WeChat access token shared by the nodes through the database (issue 19): two api hosts on one
/// SQLite file and one fake WeChat server on loopback, which (like WeChat) invalidates the earlier
/// token whenever a new one is fetched, so a node fetching its own would break the other's sends.
/// </summary>
public sealed class SharedAccessTokenTests : IAsyncLifetime
{
    private static readonly Regex IssuedToken = new(@"\btoken-\d+\b");

    private readonly TokenNodeApp _first = new();
    private TokenNodeApp _second = null!;

    private FakeWeChatServer WeChat => _first.Fake;

    public async Task InitializeAsync()
    {
        await _first.InitializeAsync();
        await _first.CreateClient().GetAsync("/healthz"); // the first node migrates and seeds the file
        _second = _first.NextNode();
        await _second.InitializeAsync();
        await _second.CreateClient().GetAsync("/healthz");
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_second).DisposeAsync();
        await ((IAsyncLifetime)_first).DisposeAsync();
    }

    [Fact]
    public async Task TwoNodesSendingAtOnceFetchOneTokenAndSendWithTheCurrentOne()
    {
        WeChat.TokenFetchDelay = TimeSpan.FromMilliseconds(500); // a slow WeChat: every send waits for the same fetch
        var messages = await PendingMessagesAsync("at-once", 1, 2, 3, 4, 5, 6, 7, 8);

        var delivered = await Task.WhenAll(messages.Select((id, i) => DeliverAsync(i % 2 == 0 ? _first : _second, id)));

        Assert.All(delivered, Assert.True);
        Assert.Equal(1, WeChat.Calls("stable_token"));
        var current = Assert.Single(WeChat.IssuedTokens);
        var sends = WeChat.TokenUses.Where(use => use.Api == "subscribe_send").ToList();
        Assert.Equal(8, sends.Count);
        Assert.All(sends, use => Assert.Equal((current, 0), (use.Token, use.ErrorCode)));
        await AssertTheTokenIsSealedAndNeverLoggedAsync();
    }

    [Fact]
    public async Task ATokenWeChatRejectsIsFetchedAgainOnceForBothNodesAndTheSendsGoThrough()
    {
        var messages = await PendingMessagesAsync("rejected", 9, 10, 11, 12, 13, 14);
        Assert.True(await DeliverAsync(_first, messages[0]));
        Assert.True(await DeliverAsync(_second, messages[1])); // read from the row, not fetched
        Assert.Equal(1, WeChat.Calls("stable_token"));

        WeChat.InvalidateTokens(); // someone reset the app's token: both nodes' copies answer 40001 now
        var delivered = await Task.WhenAll(messages.Skip(2).Select((id, i) => DeliverAsync(i % 2 == 0 ? _first : _second, id)));

        Assert.All(delivered, Assert.True);
        Assert.Equal(2, WeChat.Calls("stable_token"));
        Assert.Equal([false, true], WeChat.ForceRefreshes); // the one fetch after a rejection asks WeChat for a new token
        var (first, second) = (WeChat.IssuedTokens.First(), WeChat.IssuedTokens.Last());
        var afterReset = WeChat.TokenUses.Where(use => use.Api == "subscribe_send").Skip(2).ToList();
        Assert.All(afterReset.Where(use => use.ErrorCode != 0), use => Assert.Equal((first, 40001), (use.Token, use.ErrorCode)));
        Assert.Equal(Enumerable.Repeat(second, 4), afterReset.Where(use => use.ErrorCode == 0).Select(use => use.Token));
        Assert.Equal(6, WeChat.DeliveredMessages.Count);
        // Stored (1), dropped once (2), stored again (3): the other node's drop found the row had moved on.
        Assert.Equal(3, await GenerationAsync());
        await AssertTheTokenIsSealedAndNeverLoggedAsync();
    }

    [Fact]
    public async Task ATokenNearItsExpiryIsRefreshedBeforeUseByOneNodeAndTheOtherReadsTheNewOne()
    {
        var messages = await PendingMessagesAsync("expiry", 15, 16, 17, 18);
        Assert.True(await DeliverAsync(_first, messages[0]));
        Assert.True(await DeliverAsync(_second, messages[1]));

        // WeChat's expires_in is 7200 s; four minutes before the end is inside the five-minute margin.
        _first.TokenClock.Advance(TimeSpan.FromSeconds(WeChat.TokenLifetimeSeconds) - TimeSpan.FromMinutes(4));
        Assert.True(await DeliverAsync(_second, messages[2]));
        Assert.True(await DeliverAsync(_first, messages[3]));

        Assert.Equal(2, WeChat.Calls("stable_token"));
        Assert.Equal([false, false], WeChat.ForceRefreshes);
        var sends = WeChat.TokenUses.Where(use => use.Api == "subscribe_send").ToList();
        Assert.All(sends, use => Assert.Equal(0, use.ErrorCode)); // never refused: not for expiry, not for an old token
        Assert.Equal(WeChat.IssuedTokens.ToArray(), sends.Select(use => use.Token).Distinct());
        Assert.Equal(WeChat.IssuedTokens.Last(), sends[3].Token);
        await AssertTheTokenIsSealedAndNeverLoggedAsync();
    }

    [Fact]
    public async Task ANodeWaitsForTheLeaseHolderAndTakesOverWhenItsLeaseRunsOut()
    {
        var messages = await PendingMessagesAsync("takeover", 19);
        // A node took the lease to fetch and died: no token, a lease that runs for another 30 s.
        await using (var connection = new SqliteConnection(_first.Service<Database>().ConnectionString))
        {
            await connection.ExecuteAsync(
                "INSERT INTO wechat_access_tokens (app_id, generation, lease_holder, lease_until) VALUES (@appId, 0, 'dead-node:1:0', @until);",
                new { appId = FakeWeChatServer.AppId, until = _first.TokenClock.GetUtcNow().AddSeconds(30).ToUnixTimeMilliseconds() });
        }

        var delivery = DeliverAsync(_second, messages[0]);
        await Task.Delay(TimeSpan.FromSeconds(1)); // real time: ten polls of the row
        Assert.False(delivery.IsCompleted);
        Assert.Equal(0, WeChat.Calls("stable_token"));

        _first.TokenClock.Advance(TimeSpan.FromSeconds(31));
        Assert.True(await delivery.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, WeChat.Calls("stable_token"));
        await using (var connection = new SqliteConnection(_first.Service<Database>().ConnectionString))
        {
            var row = await connection.QuerySingleAsync<(long Generation, string? Holder, long? Until)>(
                "SELECT generation, lease_holder, lease_until FROM wechat_access_tokens WHERE app_id = @appId;", new { appId = FakeWeChatServer.AppId });
            Assert.Equal((1L, null, null), row);
        }
        await AssertTheTokenIsSealedAndNeverLoggedAsync();
    }

    /// <summary>Pending outbox messages (membership notices) to a new WeChat user, one per unit: their ids.</summary>
    private async Task<long[]> PendingMessagesAsync(string suffix, params long[] unitIds)
    {
        var (client, requests) = await _first.WeChatApplicantAsync(suffix, unitIds);
        await (await client.PostJson("/v1/me/subscriptions", new { templateKey = "membership", count = unitIds.Length })).Expect(HttpStatusCode.OK);
        foreach (var request in requests)
        {
            await _first.ApproveAsync(request);
        }
        await using var connection = new SqliteConnection(_first.Service<Database>().ConnectionString);
        var ids = (await connection.QueryAsync<long>(
            "SELECT o.id FROM outbox_messages o JOIN users u ON u.id = o.user_id WHERE u.openid = @openid AND o.state = 'pending' ORDER BY o.id;",
            new { openid = $"openid-{suffix}" })).ToArray();
        Assert.Equal(unitIds.Length, ids.Length);
        return ids;
    }

    private static Task<bool> DeliverAsync(TokenNodeApp node, long messageId) =>
        node.Service<SubscribeMessageSender>().DeliverAsync(messageId, CancellationToken.None);

    private async Task<long> GenerationAsync()
    {
        await using var connection = new SqliteConnection(_first.Service<Database>().ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT generation FROM wechat_access_tokens WHERE app_id = @appId;", new { appId = FakeWeChatServer.AppId });
    }

    /// <summary>The row holds the token sealed (not as text), and no log entry of either node names any token WeChat issued.</summary>
    private async Task AssertTheTokenIsSealedAndNeverLoggedAsync()
    {
        await using var connection = new SqliteConnection(_first.Service<Database>().ConnectionString);
        var sealedToken = await connection.ExecuteScalarAsync<string>(
            "SELECT sealed_token FROM wechat_access_tokens WHERE app_id = @appId;", new { appId = FakeWeChatServer.AppId });
        Assert.StartsWith("v1.", sealedToken);
        Assert.DoesNotMatch(IssuedToken, sealedToken!);

        var entries = _first.Logs.Entries.Concat(_second.Logs.Entries).ToList();
        Assert.Contains(entries, entry => entry.Message.StartsWith("Fetched WeChat access token generation", StringComparison.Ordinal));
        // HttpClient's lines of the calls that carried the token were captured too (their query redacted).
        Assert.Contains(entries, entry => entry.Category.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal)
                                          && entry.AllText.Contains("message/subscribe/send", StringComparison.Ordinal));
        var leaks = entries.Where(entry => IssuedToken.IsMatch(entry.AllText)).Select(entry => $"{entry.Category}: {entry.AllText}").ToList();
        Assert.True(leaks.Count == 0, "Log entries carry an access token:\n" + string.Join("\n", leaks));
    }
}
