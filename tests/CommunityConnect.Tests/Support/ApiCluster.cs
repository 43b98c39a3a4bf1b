using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// Several real api processes (<see cref="ApiProcess"/>) on one new PostgreSQL database of the test server
/// (<see cref="TestPostgres"/>), as <c>tests/cluster/run.sh</c> runs them: the same keys for every node,
/// <c>Maximum Pool Size=30</c> each, dev-login on (Development), rate limits off. The first node started
/// migrates the database and seeds the demo street (<c>Seed:Demo</c>); the ones after it find both done.
/// Disposing kills every node and drops the database.
/// </summary>
public sealed class ApiCluster : IAsyncDisposable
{
    private readonly List<ApiProcess> _nodes = [];
    private readonly ITestOutputHelper _output;

    // The offset that makes a domain clock read TestClock.Start at the cluster's creation: every node's clock derives
    // from it, so that nodes started at different moments agree (as the machines of a real cluster do).
    private readonly TimeSpan _clockOrigin;

    private ApiCluster(PostgresDatabase database, ITestOutputHelper output)
    {
        Database = database;
        _clockOrigin = ApiProcess.ClockOffsetFor(TestClock.Start);
        _output = output;
        Folder = Path.Combine(Path.GetTempPath(), "cc-cluster-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Settings["Database:Provider"] = "postgres";
        Settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 30 }.ConnectionString;
        // Uploaded files live beside Database:Path; on PostgreSQL nothing else does.
        Settings["Database:Path"] = Path.Combine(Folder, "community.db");
        foreach (var key in new[] { "TokenSigning", "IdentityHash", "Seal" })
        {
            Settings[$"Keys:{key}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }
        foreach (var (key, value) in TestHostSettings.Common)
        {
            Settings[key] = value;
        }
        Settings["Jobs:WorkerCount"] = "2";
        Settings["Logging:LogLevel:Default"] = "Warning";
        Settings["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information";
    }

    public PostgresDatabase Database { get; }

    public string Folder { get; }

    /// <summary>What every node starts with (a node's own settings go on top); change before starting nodes.</summary>
    public Dictionary<string, string> Settings { get; } = new();

    public IReadOnlyList<ApiProcess> Nodes => _nodes;

    /// <summary>
    /// A new database on the test server (skips the calling test when there is none; fails under CI). The cluster tests
    /// make PostgreSQL databases of their own whatever the suite's provider, so they run in the SQLite pass and are
    /// skipped in the PostgreSQL pass (<c>CC_TEST_PROVIDER=postgres</c>), where they would only run again.
    /// </summary>
    public static async Task<ApiCluster> CreateAsync(ITestOutputHelper output)
    {
        Skip.If(TestProvider.IsPostgres,
            "Cluster test skipped in the PostgreSQL pass (CC_TEST_PROVIDER=postgres): it runs api processes on a PostgreSQL database of its own " +
            "in the SQLite pass already, and would only run again here.");
        return new(await PostgresDatabase.CreateAsync(), output);
    }

    /// <summary>
    /// Starts one node; the first one of the cluster migrates and seeds the demo street (later ones wait for it, see
    /// <see cref="StartManyAsync"/>). <paramref name="clockAt"/>: what its domain clock read when the cluster was created
    /// (nodes given the same instant share one clock, moving in real time); null: the system clock.
    /// </summary>
    public async Task<ApiProcess> StartAsync(string role, DateTimeOffset? clockAt = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var name = $"{role}-{_nodes.Count(n => n.Role == role) + 1}";
        var all = new Dictionary<string, string>(Settings) { ["Seed:Demo"] = _nodes.Count == 0 ? "true" : "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        _output.WriteLine($"starting {name} ({role}){(clockAt is { } at ? $", domain clock from {at:O} at the cluster's creation" : "")}");
        var node = await ApiProcess.StartAsync(name, role, all, clockAt is { } instant ? _clockOrigin + (instant - TestClock.Start) : null);
        lock (_nodes)
        {
            _nodes.Add(node);
        }
        _output.WriteLine($"{name} answers at {node.BaseAddress} (pid {node.Pid})");
        return node;
    }

    /// <summary>The first node alone (it migrates and seeds), then the rest at once.</summary>
    public async Task<ApiProcess[]> StartManyAsync(DateTimeOffset? clockAt, params string[] roles)
    {
        var first = await StartAsync(roles[0], clockAt);
        var rest = new List<ApiProcess>();
        foreach (var role in roles.Skip(1))
        {
            // One at a time: their names count the nodes already there, and a 2-core machine starts them no faster together.
            rest.Add(await StartAsync(role, clockAt));
        }
        return [first, .. rest];
    }

    /// <summary>A bearer token from a node's dev-login (any node: the keys are shared).</summary>
    public static async Task<string> LoginAsync(ApiProcess node, object devLogin)
    {
        using var client = node.CreateClient();
        var response = await client.PostAsJsonAsync("/v1/auth/dev-login", devLogin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"dev-login on {node.Name}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Runs the test's body; when it fails, writes every node's output to the test output, then fails as it did.</summary>
    public async Task ReportOnFailureAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            foreach (var node in _nodes)
            {
                _output.WriteLine($"===== {node.Name} ({node.Role}, pid {node.Pid}, {(node.HasExited ? "exited" : "running")}) =====");
                _output.WriteLine(node.Log);
            }
            throw;
        }
    }

    public async Task<NpgsqlConnection> OpenAsync() => await Database.OpenAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        await Database.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
