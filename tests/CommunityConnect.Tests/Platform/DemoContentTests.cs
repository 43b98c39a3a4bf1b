using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>The run command's lived-in community, written through the features' own stores.</summary>
public sealed class DemoContentTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        _app.Settings["Seed:DemoContent"] = "true";
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task TheDemoCommunityHasTicketsOpinionsThreadsAndAProject()
    {
        var tenant = await _app.ClientFor("tenant");
        var feed = await tenant.GetJson("/v1/communities/1/threads");
        var first = feed.GetProperty("items")[0];
        Assert.True(first.GetProperty("pinned").GetBoolean());
        Assert.Equal("volunteer", first.Text("kind"));

        var board = await tenant.GetJson("/v1/communities/1/projects");
        var project = Assert.Single(board.GetProperty("items").EnumerateArray());
        Assert.Equal(50, project.GetProperty("percentDone").GetInt32());

        var opinions = await tenant.GetJson("/v1/communities/1/opinions");
        var complaint = opinions.GetProperty("items").EnumerateArray().Single(o => o.Text("kind") == "complaint");
        Assert.Equal("匿名居民", complaint.Text("author"));
        Assert.Equal("answered", complaint.Text("state"));

        var property = await _app.ClientFor("property");
        var tickets = await property.GetJson("/v1/communities/1/repairs");
        Assert.Equal(["submitted", "closed"], tickets.GetProperty("items").EnumerateArray().Select(t => t.Text("state")).OrderByDescending(s => s).ToArray());
    }
}
