using System.Net;
using System.Security.Cryptography;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// Demo data and dev-login belong to Development (and to a demo asked for by name outside
/// Production); a Production start with either setting on stops with a message naming it, before
/// the database is touched. Each test starts its own host in the environment it is about, with the
/// configuration files as shipped (the test host's own seed and dev-login settings removed).
/// </summary>
public sealed class ProductionDefaultsTests : IAsyncLifetime
{
    private readonly List<CommunityApp> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Fact]
    public async Task ProductionRefusesToStartWithSeedDemoOnAndSaysSo()
    {
        var app = await HostAsync("Production", ("Seed:Demo", "true"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Seed:Demo", error.ToString());
        Assert.DoesNotContain("Auth:DevLogin", error.ToString());
        Assert.False(File.Exists(app.DatabasePath), "a refused start must not create the database");
    }

    [Fact]
    public async Task ProductionRefusesToStartWithDevLoginOnAndSaysSo()
    {
        var app = await HostAsync("Production", ("Auth:DevLogin", "true"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Auth:DevLogin", error.ToString());
        Assert.DoesNotContain("Seed:Demo", error.ToString());
        Assert.False(File.Exists(app.DatabasePath), "a refused start must not create the database");
    }

    [Fact]
    public async Task ProductionRefusesToStartWithAClockOffsetAndSaysSo()
    {
        var app = await HostAsync("Production", ("Clock:Offset", "1.00:00:00"));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Clock:Offset", error.ToString());
        Assert.DoesNotContain("Seed:Demo", error.ToString());
        Assert.False(File.Exists(app.DatabasePath), "a refused start must not create the database");
    }

    [Fact]
    public async Task ProductionTakesAZeroClockOffset()
    {
        var app = await HostAsync("Production", ("Clock:Offset", "00:00:00"));
        await (await app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ProductionWithNeitherStartsWithAnEmptyDatabase()
    {
        var app = await HostAsync("Production");
        await (await app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 0, 0), await CountsAsync(app));
        await (await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "street" })).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ProductionMayStillSayNoExplicitly()
    {
        var app = await HostAsync("Production", ("Seed:Demo", "false"), ("Seed:DemoContent", "false"), ("Auth:DevLogin", "false"));
        await (await app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 0, 0), await CountsAsync(app));
    }

    [Fact]
    public async Task AStagingHostGetsNoDemoUnlessAskedFor()
    {
        var app = await HostAsync("Staging");
        await (await app.CreateClient().GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        Assert.Equal((0, 0, 0), await CountsAsync(app));
    }

    [Fact]
    public async Task AStagingDemoAskedForByNameGetsTheDemoStreet()
    {
        var app = await HostAsync("Staging", ("Seed:Demo", "true"), ("Auth:DevLogin", "true"));
        var street = await app.ClientFor("street");
        var community = await street.GetJson("/v1/communities/2");
        Assert.Equal("龙门村小区", community.Text("name"));
        var (streets, communities, _) = await CountsAsync(app);
        Assert.Equal((1, 2), (streets, communities));
    }

    [Fact]
    public async Task TheRunCommandsDevelopmentEnvironmentSeedsTheDemoStreetAndItsContent()
    {
        // appsettings.Development.json alone, as `dotnet run` (launchSettings: Development) reads it.
        var app = await HostAsync("Development");
        var tenant = await app.ClientFor("tenant");
        var feed = await tenant.GetJson("/v1/communities/1/threads");
        Assert.NotEqual(0, feed.GetProperty("items").GetArrayLength());
        var (streets, communities, _) = await CountsAsync(app);
        Assert.Equal((1, 2), (streets, communities));
    }

    private async Task<CommunityApp> HostAsync(string environment, params (string Key, string Value)[] settings)
    {
        var app = new CommunityApp { Environment = environment };
        _apps.Add(app);
        await ((IAsyncLifetime)app).InitializeAsync();
        foreach (var key in new[] { "Seed:Demo", "Seed:DemoContent", "Auth:DevLogin" })
        {
            app.Settings.Remove(key);
        }
        foreach (var key in new[] { "TokenSigning", "IdentityHash", "Seal" })
        {
            app.Settings[$"Keys:{key}"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        }
        foreach (var (key, value) in settings)
        {
            app.Settings[key] = value;
        }
        return app;
    }

    private static async Task<(long Streets, long Communities, long Users)> CountsAsync(CommunityApp app)
    {
        await using var connection = app.Connection();
        await connection.OpenAsync();
        return await connection.QuerySingleAsync<(long, long, long)>(
            "SELECT (SELECT COUNT(*) FROM streets), (SELECT COUNT(*) FROM communities), (SELECT COUNT(*) FROM users);");
    }
}
