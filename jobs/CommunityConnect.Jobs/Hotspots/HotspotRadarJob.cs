namespace CommunityConnect.Jobs.Hotspots;

/// <summary>Implemented by the api's hotspot radar.</summary>
public interface IHotspotRadar
{
    /// <summary>The communities with items reported since <paramref name="since"/> (tickets, opinions, routed hall threads).</summary>
    Task<IReadOnlyList<long>> ActiveCommunitiesAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Groups the community's recent items by category and place and raises a hotspot where distinct
    /// residents reach a threshold, or adds new items to an open one. Each item joins one hotspot at
    /// most, and a hotspot is raised in the unit of work that claims its items, so a second run
    /// raises nothing again. Answers how many hotspots it raised.
    /// </summary>
    Task<int> SweepCommunityAsync(long communityId, CancellationToken cancellationToken);
}

/// <summary>
/// The every-minute hotspot radar: several residents reporting the same thing in the same place
/// become one hotspot, routed like a case. It reads the items of the longest window each run, so
/// a restart loses nothing and a second run raises nothing twice.
/// </summary>
public sealed class HotspotRadarJob(IHotspotRadar radar, TimeProvider time)
{
    /// <summary>The longest window a community may set (days): items older than this never count.</summary>
    public const int LongestWindowDays = 30;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var raised = 0;
        var communities = await radar.ActiveCommunitiesAsync(time.GetUtcNow().AddDays(-LongestWindowDays), cancellationToken);
        foreach (var communityId in communities)
        {
            cancellationToken.ThrowIfCancellationRequested();
            raised += await radar.SweepCommunityAsync(communityId, cancellationToken);
        }
        return raised;
    }
}
