namespace CommunityConnect.Tests.Support;

/// <summary>
/// The api as a web node (<c>Node:Role=web</c>): it answers requests but runs no job server, so a
/// test that compares the database before and after each request sees only what the request wrote,
/// never a recurring job (hall routing, the hotspot radar) that the real clock happened to start.
/// </summary>
public sealed class WebNodeApp : CommunityApp
{
    public WebNodeApp() => Settings["Node:Role"] = "web";
}
