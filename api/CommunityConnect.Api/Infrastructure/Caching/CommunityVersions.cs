using System.Collections.Concurrent;
using System.Data.Common;
using CommunityConnect.Api.Infrastructure.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Api.Infrastructure.Caching;

/// <summary>
/// This node's copy of <c>community_versions</c> (migration 0020): per community, the version of
/// what its caches hold (roles, moderation, policies) and of its hall feed. A cache checks it before
/// each use, in memory; it never asks the database per request.
/// </summary>
/// <remarks>
/// How it stays current. Triggers bump a community's row in the transaction of any write that
/// changes cached data, and stamp it with a table-wide increasing <c>changed</c>. After each commit
/// the single writer reads the rows stamped since the last stamp it saw (one index seek, usually
/// nothing) before it answers the callers, so this node's own writes are visible to its caches at
/// once: a request that follows a 2xx never reads a stale entry. Writes that do not go through this
/// node's writer (the admin command, another node later, a hand edit) are read by
/// <see cref="CacheVersionPoller"/> every <see cref="CacheOptions.PollInterval"/>. Versions only grow,
/// so a late or repeated refresh is harmless. On PostgreSQL the triggers append the bump to
/// <c>community_version_bumps</c> instead of holding the community's row until their commit, and
/// <see cref="VersionBumps"/> applies it after the commit (migration 0023). Several nodes on PostgreSQL keep the same design: each
/// polls (comparing whole rows, since concurrent writers may commit out of stamp order) and bumps its
/// own copy after its own commits.
/// </remarks>
public sealed class CommunityVersions
{
    /// <summary>The row of the installation itself: accounts.</summary>
    public const long Installation = 0;

    private readonly ConcurrentDictionary<long, Stamp> _versions = new();
    private readonly Database _database;
    private readonly ILogger<CommunityVersions> _logger;
    private readonly Lock _refreshing = new();
    private long _seen = -1;

    private readonly VersionBumps? _bumps;

    public CommunityVersions(Database database, ILogger<CommunityVersions> logger)
    {
        _database = database;
        _logger = logger;
        if (database.UsesPostgres)
        {
            // Writes append their bumps (migration 0023); this node applies them after its own commits and on every poll.
            _bumps = new VersionBumps(database.DataSource, Refresh);
            database.CommittedAsync = _bumps.ApplyAsync;
        }
        else
        {
            database.Committed += Refresh;
        }
    }

    private readonly record struct Stamp(long Version, long FeedVersion);

    private sealed record Row(long CommunityId, long Version, long FeedVersion, long Changed);

    /// <summary>The version of a community's roles, moderation and policies (0 until first read).</summary>
    public long Of(long communityId) => _versions.TryGetValue(communityId, out var stamp) ? stamp.Version : 0;

    /// <summary>The version of a community's hall feed (0 until first read).</summary>
    public long FeedOf(long communityId) => _versions.TryGetValue(communityId, out var stamp) ? stamp.FeedVersion : 0;

    /// <summary>
    /// Reads the bumps made since the last refresh (the poller's step; also on the writer after each commit). On PostgreSQL it
    /// first applies the bumps appended and not applied yet (another node's that stopped before applying them, the admin
    /// command's, a hand edit's).
    /// </summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        if (_bumps is not null)
        {
            await _bumps.ApplyAsync().WaitAsync(cancellationToken);
            return;
        }
        await using var connection = await _database.OpenReadAsync(cancellationToken);
        Refresh(connection);
    }

    private void Refresh(DbConnection connection)
    {
        lock (_refreshing)
        {
            // SQLite has one writer, so stamps commit in order and "since the last stamp" misses nothing.
            // On PostgreSQL a transaction holding a lower stamp may commit after a higher one was read:
            // every row is read (one row per community) and versions only grow.
            var rows = connection is SqliteConnection
                ? connection.Query<Row>(ChangedSinceSql, new { seen = _seen })
                : connection.Query<Row>(AllRowsSql);
            foreach (var row in rows)
            {
                _versions.AddOrUpdate(row.CommunityId, new Stamp(row.Version, row.FeedVersion),
                    (_, old) => new Stamp(Math.Max(old.Version, row.Version), Math.Max(old.FeedVersion, row.FeedVersion)));
                _seen = Math.Max(_seen, row.Changed);
            }
        }
    }

    private const string ChangedSinceSql =
        """
        SELECT community_id AS CommunityId, version AS Version, feed_version AS FeedVersion, changed AS Changed
        FROM community_versions WHERE changed > @seen ORDER BY changed;
        """;

    private const string AllRowsSql =
        "SELECT community_id AS CommunityId, version AS Version, feed_version AS FeedVersion, changed AS Changed FROM community_versions;";

    internal void LogRefreshFailure(Exception exception) =>
        _logger.LogWarning(exception, "Reading the cache versions failed; caches keep their entries until the next refresh");
}

public sealed class CacheOptions
{
    public const string Section = "Caches";

    /// <summary>How often the versions written by others (the admin command, other nodes) are read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Entries one cache holds before it starts again empty (a bound, not an eviction policy).</summary>
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>First feed pages kept as each caller's serialised answer (about 10 KB each), before that cache starts again empty.</summary>
    public int MaxFeedAnswers { get; set; } = 2_000;
}

/// <summary>Reads <c>community_versions</c> on a timer, for the writes this node's writer did not make.</summary>
public sealed class CacheVersionPoller(CommunityVersions versions, Microsoft.Extensions.Options.IOptions<CacheOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                await versions.RefreshAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is DbException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                versions.LogRefreshFailure(exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class CachingSetup
{
    public static IServiceCollection AddCacheVersions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.Section))
            .Validate(o => o.PollInterval > TimeSpan.Zero, "Caches:PollInterval must be positive.")
            .Validate(o => o.MaxEntries > 0, "Caches:MaxEntries must be positive.")
            .Validate(o => o.MaxFeedAnswers > 0, "Caches:MaxFeedAnswers must be positive.")
            .ValidateOnStart();
        services.AddSingleton<CommunityVersions>();
        services.AddHostedService<CacheVersionPoller>();
        return services;
    }
}
