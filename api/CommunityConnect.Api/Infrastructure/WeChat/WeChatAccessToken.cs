using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace CommunityConnect.Api.Infrastructure.WeChat;

/// <summary>An access token as this node holds it: the shared row's generation it came from, and when to stop using it without asking the database.</summary>
public sealed record AccessToken(string Value, long Generation, DateTimeOffset RefreshAt)
{
    /// <summary>Never printed: the token is a secret (records print their values).</summary>
    public override string ToString() => $"AccessToken(generation {Generation})";
}

/// <summary>No access token could be had: another node held the lease to fetch one and none appeared in time.</summary>
public sealed class WeChatTokenUnavailableException(string message) : Exception(message);

/// <summary>
/// The app's access token, shared by every node through <c>wechat_access_tokens</c> (migration 0021),
/// because WeChat keeps one valid token per app and a node fetching its own would invalidate the
/// others'. Each node keeps a copy in memory and reads the row only when its copy is near expiry or
/// WeChat rejected it; one caller per node at a time does so (the others wait for it here).
/// </summary>
/// <remarks>
/// <para>Reading the row: a token not near expiry is used. Otherwise the node takes the row's lease
/// (an UPDATE from the generation it read and a free or run-out lease, row count checked), fetches
/// and stores the token, which gives the lease back. A node that finds the lease taken polls the row
/// every <see cref="WeChatOptions.TokenPollInterval"/> for the new token, using the old one meanwhile
/// if it has not yet expired; when the lease runs out with no token (its holder died), it takes over.</para>
/// <para>Near expiry: <see cref="WeChatOptions.TokenRefreshMargin"/> before WeChat's <c>expires_in</c>
/// ends (half the lifetime for a short-lived token), counted from when the lease was taken.</para>
/// <para>Rejected (40001, 42001): the node drops the row's token only if the row still holds that
/// generation (another node may have stored a newer one), then reads the row again as above; the
/// node that fetches then asks WeChat for a new token (<c>force_refresh</c>).</para>
/// <para>Token lifetimes and leases are real time (<see cref="ClockKey"/>, the system clock), never the
/// domain clock; the token itself is sealed at rest (<see cref="AccessTokenSeal"/>) and never logged.</para>
/// </remarks>
public sealed class WeChatAccessToken(
    AccessTokenStore store, AccessTokenSeal seal, IOptions<WeChatOptions> options,
    [FromKeyedServices(WeChatAccessToken.ClockKey)] TimeProvider clock, ILogger<WeChatAccessToken> logger)
{
    /// <summary>The key of the clock of token lifetimes and leases (the system clock unless a test sets one).</summary>
    public const string ClockKey = "wechat-token";

    /// <summary>Fetches a token from WeChat (<c>true</c>: force a new one): the token and how long it lives.</summary>
    public delegate Task<(string Token, TimeSpan Lifetime)> Fetch(bool forceRefresh);

    private readonly SemaphoreSlim _gate = new(1, 1);
    // Which node holds a lease (for whoever reads the row); each lease adds its own id.
    private readonly string _node = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    private AccessToken? _current;
    private bool _rowEnsured;

    private WeChatOptions Options => options.Value;

    private string AppId => Options.AppId!;

    public async Task<AccessToken> GetAsync(Fetch fetch, CancellationToken cancellationToken)
    {
        if (_current is { } current && clock.GetUtcNow() < current.RefreshAt)
        {
            return current;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } fresh && clock.GetUtcNow() < fresh.RefreshAt)
            {
                return fresh;
            }
            return await FromDatabaseAsync(fetch, forceRefresh: false, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>WeChat rejected <paramref name="rejected"/> (40001 or 42001): a newer token, fetched at most once across the nodes.</summary>
    public async Task<AccessToken> RefreshAfterRejectionAsync(AccessToken rejected, Fetch fetch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } newer && newer.Generation != rejected.Generation && clock.GetUtcNow() < newer.RefreshAt)
            {
                return newer; // another caller on this node already replaced it
            }
            _current = null;
            var dropped = await store.DropRejectedAsync(AppId, rejected.Generation);
            logger.LogInformation("WeChat rejected access token generation {Generation}; {Outcome}", rejected.Generation,
                dropped ? "dropped it from the shared row" : "the shared row had already moved on");
            return await FromDatabaseAsync(fetch, forceRefresh: true, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<AccessToken> FromDatabaseAsync(Fetch fetch, bool forceRefresh, CancellationToken cancellationToken)
    {
        if (!_rowEnsured)
        {
            await store.EnsureRowAsync(AppId);
            _rowEnsured = true;
        }
        // A last resort in real time: normally the lease runs out (and this node takes over) long before.
        var waited = Stopwatch.StartNew();
        var waitLimit = Options.TokenLeaseDuration * 2;
        while (true)
        {
            var row = await store.ReadAsync(AppId, cancellationToken)
                      ?? throw new InvalidOperationException("The WeChat access token row is missing.");
            var now = clock.GetUtcNow();
            var usable = Open(row, now);
            if (usable is not null && now < usable.RefreshAt)
            {
                return _current = usable;
            }
            if (!row.IsLeased(now))
            {
                var holder = $"{_node}:{Guid.NewGuid().ToString("N")[..12]}";
                if (await store.TakeLeaseAsync(AppId, row.Generation, holder, now, now + Options.TokenLeaseDuration))
                {
                    return _current = await FetchUnderLeaseAsync(fetch, forceRefresh, holder, now);
                }
                continue; // another node took it between the read and the update: read what it did
            }
            if (usable is not null)
            {
                // Another node is refreshing a token that still works: use it meanwhile (kept until the refresh lands).
                return _current = usable;
            }
            if (waited.Elapsed > waitLimit)
            {
                throw new WeChatTokenUnavailableException(
                    $"Another node has held the lease to fetch the WeChat access token for {waited.Elapsed.TotalSeconds:0} s and stored none.");
            }
            await Task.Delay(Options.TokenPollInterval, cancellationToken);
        }
    }

    private async Task<AccessToken> FetchUnderLeaseAsync(Fetch fetch, bool forceRefresh, string holder, DateTimeOffset leaseTaken)
    {
        (string Token, TimeSpan Lifetime) fetched;
        try
        {
            fetched = await fetch(forceRefresh);
        }
        catch
        {
            // Give the lease back so that the next caller (here or on another node) tries at once.
            await store.ReleaseLeaseAsync(AppId, holder);
            throw;
        }
        // Counted from before the fetch: the token cannot live longer than that.
        var expiresAt = leaseTaken + fetched.Lifetime;
        var generation = await store.StoreAsync(AppId, holder, seal.Seal(fetched.Token, AppId), leaseTaken, expiresAt);
        if (generation is null)
        {
            // The lease ran out during the fetch and another node took over: use this token once, keep nothing.
            logger.LogWarning("The lease to fetch the WeChat access token ran out before the token was stored; this token is used once");
            return new AccessToken(fetched.Token, -1, leaseTaken);
        }
        logger.LogInformation("Fetched WeChat access token generation {Generation}, valid for {Lifetime}", generation, fetched.Lifetime);
        return new AccessToken(fetched.Token, generation.Value, RefreshAt(leaseTaken, expiresAt));
    }

    /// <summary>The row's token while it has not expired (it may be near expiry), or null.</summary>
    private AccessToken? Open(StoredAccessToken row, DateTimeOffset now)
    {
        if (!row.HasToken || now >= row.ExpiresAt!.Value)
        {
            return null;
        }
        if (seal.Open(row.SealedToken!, AppId) is not { } token)
        {
            // Sealed under other keys (or damaged): as good as none, the next fetch overwrites it.
            logger.LogWarning("The shared WeChat access token of generation {Generation} does not open with this node's keys", row.Generation);
            return null;
        }
        return new AccessToken(token, row.Generation, RefreshAt(row.FetchedAt!.Value, row.ExpiresAt.Value));
    }

    private DateTimeOffset RefreshAt(DateTimeOffset fetchedAt, DateTimeOffset expiresAt)
    {
        var lifetime = expiresAt - fetchedAt;
        var margin = lifetime > Options.TokenRefreshMargin * 2 ? Options.TokenRefreshMargin : lifetime / 2;
        return expiresAt - margin;
    }
}
