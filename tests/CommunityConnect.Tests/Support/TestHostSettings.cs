namespace CommunityConnect.Tests.Support;

/// <summary>
/// What every test host starts with, in-process (<see cref="CommunityApp"/>) or as an api process of a cluster
/// (<see cref="ApiCluster"/>): dev-login on, the demo's content and the rate limits off, and Hangfire quick to
/// poll and to stop. Each adds its own settings on top.
/// </summary>
public static class TestHostSettings
{
    public static IReadOnlyDictionary<string, string> Common { get; } = new Dictionary<string, string>
    {
        // Tests make their own tickets, opinions and threads; DemoContentTests turns it on.
        ["Seed:DemoContent"] = "false",
        ["Auth:DevLogin"] = "true",
        ["RateLimiting:Enabled"] = "false",
        ["Jobs:SchedulePollingInterval"] = "00:00:01",
        ["Jobs:ShutdownTimeout"] = "00:00:01",
    };
}
