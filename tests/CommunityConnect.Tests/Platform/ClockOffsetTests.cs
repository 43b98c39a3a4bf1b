using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// <c>Clock:Offset</c> moves a real api process's domain clock (the cluster tests run workers "a day later"
/// than the cases they escalate); its tokens keep the system clock. Production refuses the setting
/// (<see cref="ProductionDefaultsTests"/>). A child process on SQLite: no PostgreSQL needed.
/// </summary>
public sealed class ClockOffsetTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cc-tests", Guid.NewGuid().ToString("N"));
    private ApiProcess? _node;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    [SkippableFact]
    public async Task AnApiProcessWithAClockOffsetStampsItsWritesAtTheMovedInstant()
    {
        Skip.If(TestProvider.IsPostgres, "Runs in the SQLite pass (its process keeps a SQLite file whatever the suite's provider); the PostgreSQL pass would only repeat it.");
        var chosen = TestClock.Start.AddDays(400);
        _node = await ApiProcess.StartAsync("all-1", "all", new Dictionary<string, string>
        {
            ["Database:Path"] = Path.Combine(_folder, "community.db"),
            ["Seed:Demo"] = "true",
            ["Seed:DemoContent"] = "false",
            ["Auth:DevLogin"] = "true",
            ["RateLimiting:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        }, ApiProcess.ClockOffsetFor(chosen));

        // The token (system clock) is accepted although the domain clock is 400 days away from it.
        using var tenant = _node.CreateClient(await ApiCluster.LoginAsync(_node, new { handle = "tenant" }));
        var opinion = await (await tenant.PostJson("/v1/communities/1/opinions",
            new { kind = "suggestion", category = "sanitation", body = "建议在3号楼门口加装自行车棚。", anonymous = false, visibility = "public" }))
            .Expect(HttpStatusCode.Created);
        var createdAt = opinion.GetProperty("createdAt").GetDateTimeOffset();
        // The node started a few seconds (a busy machine: a minute or two) before the write.
        Assert.InRange(createdAt, chosen, chosen.AddMinutes(5));
    }

    public async Task DisposeAsync()
    {
        if (_node is not null)
        {
            await _node.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
