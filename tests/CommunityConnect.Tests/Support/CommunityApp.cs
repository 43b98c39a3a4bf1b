using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CommunityConnect.Tests.Support;

/// <summary>
/// The api on a real test host with its own SQLite file, the demo data, a fake domain clock started
/// at an instant the test chooses (by default <see cref="TestClock.Start"/>, never the real time), and
/// (unless told otherwise) a fake WeChat server on loopback.
/// One per test class (IClassFixture) or per test. Under <c>CC_TEST_PROVIDER=postgres</c> (<see cref="TestProvider"/>) it runs
/// on a fresh PostgreSQL database of the test server instead of the SQLite file, dropped when the app is disposed.
/// </summary>
public class CommunityApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new();
    private readonly Dictionary<string, HttpClient> _clients = new();

    public CommunityApp() : this(TestClock.Start)
    {
    }

    /// <summary>A host whose domain clock starts at <paramref name="start"/> (xUnit fixtures need one public constructor).</summary>
    public static CommunityApp StartingAt(DateTimeOffset start) => new(start);

    protected CommunityApp(DateTimeOffset start)
    {
        Clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(start.ToUnixTimeMilliseconds()));
        Folder = Path.Combine(Path.GetTempPath(), "cc-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        DatabasePath = Path.Combine(Folder, "community.db");
        Settings["Database:Path"] = DatabasePath;
        foreach (var (key, value) in TestHostSettings.Common)
        {
            Settings[key] = value;
        }
        Settings["Seed:Demo"] = "true";
        Settings["Jobs:WorkerCount"] = "1";
        Settings["WeChat:RetryBaseDelay"] = "00:00:00.050";
    }

    public string Folder { get; }

    public string DatabasePath { get; }

    /// <summary>The domain clock (whole milliseconds, as the database stores times).</summary>
    public FakeTimeProvider Clock { get; }

    public FakeWeChatServer WeChat { get; } = new();

    public string Environment { get; set; } = "Development";

    /// <summary>Configuration the host starts with; change before the first request.</summary>
    public Dictionary<string, string?> Settings => _settings;

    /// <summary>The PostgreSQL database this app runs on under <c>CC_TEST_PROVIDER=postgres</c> (<see cref="TestProvider"/>); null on SQLite.</summary>
    public PostgresDatabase? Postgres { get; private set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The PostgreSQL pass: a fresh database on the test server for this app, unless the test chose a provider itself.
        if (TestProvider.IsPostgres && Postgres is null && !_settings.ContainsKey("Database:Provider"))
        {
            Postgres = PostgresDatabase.Create();
            _settings["Database:Provider"] = "postgres";
            _settings["ConnectionStrings:Postgres"] = Postgres.ConnectionString;
        }
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        ConfigureMore(builder);
    }

    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    public virtual async Task InitializeAsync()
    {
        await WeChat.StartAsync();
        Settings["WeChat:BaseUrl"] = WeChat.BaseUrl;
        Settings.TryAdd("WeChat:AppId", FakeWeChatServer.AppId);
        Settings.TryAdd("WeChat:AppSecret", FakeWeChatServer.AppSecret);
    }

    /// <summary>A client logged in as a demo handle (or a new user created with the given role).</summary>
    public async Task<HttpClient> ClientFor(string handle, long? communityId = null, string? role = null, long? unitId = null, long? streetId = null)
    {
        if (_clients.TryGetValue(handle, out var cached))
        {
            return cached;
        }
        var anonymous = CreateClient();
        var response = await anonymous.PostAsJsonAsync("/v1/auth/dev-login", new { handle, communityId, role, unitId, streetId });
        response.EnsureSuccessStatusCode();
        var login = await response.Content.ReadFromJsonAsync<JsonElement>();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("token").GetString());
        _clients[handle] = client;
        return client;
    }

    /// <summary>The user id behind a client.</summary>
    public static async Task<long> UserIdOf(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/v1/me")).GetProperty("id").GetInt64();

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// A new (closed) connection to this app's database, whichever the engine: the SQLite file or the PostgreSQL
    /// database of the PostgreSQL pass. For a test's own look at the rows; Dapper opens it when it is not open.
    /// </summary>
    public System.Data.Common.DbConnection Connection() =>
        Service<CommunityConnect.Api.Infrastructure.Data.Database>().DataSource.CreateConnection();

    /// <summary>Stops what a derived app started beside the host (after the host has stopped).</summary>
    protected virtual Task DisposeMoreAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    private bool _disposed;

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await base.DisposeAsync();
        await WeChat.DisposeAsync();
        await DisposeMoreAsync();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
