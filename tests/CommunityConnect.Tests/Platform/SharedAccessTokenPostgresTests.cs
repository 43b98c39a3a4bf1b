using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Api.Infrastructure.WeChat;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The shared access token's statements (<see cref="AccessTokenStore.Sql"/>) on PostgreSQL, two
/// connections standing for two nodes: of two lease takers from the same state one wins, even when
/// the second waits on the first's row lock; a token is stored only by the lease holder; a rejected
/// token is dropped only while it is still the row's generation; a run-out lease is taken over.
/// </summary>
public sealed class SharedAccessTokenPostgresTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private const string AppId = "wx-test-app";

    [SkippableFact]
    public async Task OneNodeTakesTheLeaseStoresAndARejectedTokenIsDroppedOnlyWhileCurrent()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        DapperSetup.Configure();
        await new PostgresMigrator(
            Options.Create(new DatabaseOptions { Provider = DatabaseOptions.Postgres, PostgresConnectionString = database.ConnectionString }),
            app.Services.GetServices<IDataMigration>(), NullLogger<PostgresMigrator>.Instance, app.Clock).MigrateAsync();
        await using var nodeA = await database.OpenAsync();
        await using var nodeB = await database.OpenAsync();
        var now = app.Clock.GetUtcNow();
        var until = now.AddSeconds(30);

        await nodeA.ExecuteAsync(AccessTokenStore.Sql.EnsureRow, new { appId = AppId });
        await nodeB.ExecuteAsync(AccessTokenStore.Sql.EnsureRow, new { appId = AppId });
        var empty = await nodeB.QuerySingleAsync<StoredAccessToken>(AccessTokenStore.Sql.Read, new { appId = AppId });
        Assert.Equal(new StoredAccessToken(0, null, null, null, null, null), empty);

        // Both read generation 0 and no lease; A updates first and holds the row until it commits.
        await using (var transaction = await nodeA.BeginTransactionAsync())
        {
            Assert.Equal(1, await nodeA.ExecuteAsync(AccessTokenStore.Sql.TakeLease,
                new { appId = AppId, generation = 0L, holder = "node-a:1", now, until }, transaction));
            var second = nodeB.ExecuteAsync(AccessTokenStore.Sql.TakeLease, new { appId = AppId, generation = 0L, holder = "node-b:1", now, until });
            await Task.Delay(300);
            Assert.False(second.IsCompleted); // waiting on A's row lock
            await transaction.CommitAsync();
            Assert.Equal(0, await second); // re-checked against A's committed row: the lease is live
        }

        var fetchedAt = now;
        var expiresAt = now.AddSeconds(7200);
        Assert.Null(await nodeB.QuerySingleOrDefaultAsync<long?>(AccessTokenStore.Sql.Store,
            new { appId = AppId, holder = "node-b:1", sealedToken = "v1.b", fetchedAt, expiresAt }));
        Assert.Equal(1L, await nodeA.QuerySingleOrDefaultAsync<long?>(AccessTokenStore.Sql.Store,
            new { appId = AppId, holder = "node-a:1", sealedToken = "v1.a", fetchedAt, expiresAt }));
        var stored = await nodeB.QuerySingleAsync<StoredAccessToken>(AccessTokenStore.Sql.Read, new { appId = AppId });
        Assert.Equal(new StoredAccessToken(1, "v1.a", fetchedAt, expiresAt, null, null), stored);
        Assert.True(stored.HasToken);

        // Both nodes saw generation 1 rejected: the first drops it, the second finds the row moved on.
        Assert.Equal(0, await nodeB.ExecuteAsync(AccessTokenStore.Sql.DropRejected, new { appId = AppId, generation = 0L }));
        Assert.Equal(1, await nodeA.ExecuteAsync(AccessTokenStore.Sql.DropRejected, new { appId = AppId, generation = 1L }));
        Assert.Equal(0, await nodeB.ExecuteAsync(AccessTokenStore.Sql.DropRejected, new { appId = AppId, generation = 1L }));

        // A takes the lease and dies; B may take over only once the lease has run out.
        Assert.Equal(1, await nodeA.ExecuteAsync(AccessTokenStore.Sql.TakeLease, new { appId = AppId, generation = 2L, holder = "node-a:2", now, until }));
        Assert.Equal(0, await nodeB.ExecuteAsync(AccessTokenStore.Sql.TakeLease,
            new { appId = AppId, generation = 2L, holder = "node-b:2", now = until.AddSeconds(-1), until = until.AddSeconds(29) }));
        Assert.Equal(1, await nodeB.ExecuteAsync(AccessTokenStore.Sql.TakeLease,
            new { appId = AppId, generation = 2L, holder = "node-b:2", now = until, until = until.AddSeconds(30) }));
        Assert.Equal(0, await nodeA.ExecuteAsync(AccessTokenStore.Sql.ReleaseLease, new { appId = AppId, holder = "node-a:2" }));
        Assert.Null(await nodeA.QuerySingleOrDefaultAsync<long?>(AccessTokenStore.Sql.Store,
            new { appId = AppId, holder = "node-a:2", sealedToken = "v1.late", fetchedAt, expiresAt }));
        Assert.Equal(3L, await nodeB.QuerySingleOrDefaultAsync<long?>(AccessTokenStore.Sql.Store,
            new { appId = AppId, holder = "node-b:2", sealedToken = "v1.b2", fetchedAt = until, expiresAt = until.AddSeconds(7200) }));
    }
}
