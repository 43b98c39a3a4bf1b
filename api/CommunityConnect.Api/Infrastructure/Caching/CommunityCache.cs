using System.Collections.Concurrent;

namespace CommunityConnect.Api.Infrastructure.Caching;

/// <summary>
/// Lookup results that belong to one community, each kept with the community's version it was read
/// under and used only while that version is still current (<see cref="CommunityVersions"/>). It holds
/// what a query answered, never a rule: the rule stays in the query's WHERE, which runs on a miss.
/// </summary>
/// <remarks>
/// The version is taken before the load, so a load that raced a write is stored under the version
/// the write then replaced, and never served. Bounded: past <see cref="CacheOptions.MaxEntries"/> the
/// cache starts again empty (a burst of misses, no unbounded growth from ids nobody asks for again).
/// </remarks>
public sealed class CommunityCache<TKey, TValue>(Func<long, long> versionOf, int maxEntries) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    private sealed record Entry(long CommunityId, long Version, TValue Value);

    /// <summary>A cache checked against the community's roles, moderation and policies version.</summary>
    public static CommunityCache<TKey, TValue> OfRules(CommunityVersions versions, CacheOptions options) =>
        new(versions.Of, options.MaxEntries);

    /// <summary>A cache checked against the community's hall feed version.</summary>
    public static CommunityCache<TKey, TValue> OfFeed(CommunityVersions versions, CacheOptions options) =>
        new(versions.FeedOf, options.MaxEntries);

    public bool TryGet(long communityId, TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.CommunityId == communityId && entry.Version == versionOf(communityId))
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>The cached value, or <paramref name="load"/>'s answer, kept unless <paramref name="keep"/> says not.</summary>
    public async Task<TValue> GetAsync(long communityId, TKey key, Func<Task<TValue>> load, Func<TValue, bool>? keep = null)
    {
        var version = versionOf(communityId);
        if (_entries.TryGetValue(key, out var entry) && entry.CommunityId == communityId && entry.Version == version)
        {
            return entry.Value;
        }
        var value = await load();
        if (keep is null || keep(value))
        {
            Put(communityId, key, version, value);
        }
        return value;
    }

    /// <summary>Keeps a value read under <paramref name="version"/> (taken with <see cref="VersionOf"/> before the read).</summary>
    public void Put(long communityId, TKey key, long version, TValue value)
    {
        if (_entries.Count >= maxEntries)
        {
            _entries.Clear();
        }
        _entries[key] = new Entry(communityId, version, value);
    }

    public long VersionOf(long communityId) => versionOf(communityId);
}
