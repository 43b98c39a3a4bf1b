using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Identity;

public sealed class DevLoginTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Theory]
    [InlineData("resident")]
    [InlineData("tenant")]
    [InlineData("property")]
    [InlineData("owners")]
    [InlineData("residents")]
    [InlineData("secretary")]
    [InlineData("resident2")]
    [InlineData("street")]
    public async Task EveryDemoHandleLogsIn(string handle)
    {
        var login = await (await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle })).Expect(HttpStatusCode.OK);
        Assert.False(string.IsNullOrEmpty(login.GetProperty("token").GetString()));
        Assert.NotEmpty(login.GetProperty("user").GetProperty("memberships").EnumerateArray());
    }

    [Fact]
    public async Task TheResidentOwnsHerFlatAndSeesHerOwnPhone()
    {
        var me = await (await app.ClientFor("resident")).GetFromJsonAsync<JsonElement>("/v1/me");
        Assert.Equal("13812341234", me.GetProperty("phone").GetString());
        var roles = me.GetProperty("memberships").EnumerateArray().Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Contains("owner", roles);
        Assert.Contains("resident", roles);
    }

    [Fact]
    public async Task TheStreetAdminHasAStreetAndNoCommunity()
    {
        var me = await (await app.ClientFor("street")).GetFromJsonAsync<JsonElement>("/v1/me");
        var membership = Assert.Single(me.GetProperty("memberships").EnumerateArray());
        Assert.Equal("street_admin", membership.GetProperty("role").GetString());
        Assert.Equal(1, membership.GetProperty("streetId").GetInt64());
        Assert.Equal(JsonValueKind.Null, membership.GetProperty("communityId").ValueKind);
    }

    [Fact]
    public async Task ANewHandleIsCreatedWithTheRoleAsked()
    {
        var login = await (await app.CreateClient().PostJson("/v1/auth/dev-login",
            new { handle = "new-committee", communityId = 1, role = "owners_committee" })).Expect(HttpStatusCode.OK);
        var membership = Assert.Single(login.GetProperty("user").GetProperty("memberships").EnumerateArray());
        Assert.Equal("owners_committee", membership.GetProperty("role").GetString());
        Assert.Equal(1, membership.GetProperty("communityId").GetInt64());

        var resident = await (await app.CreateClient().PostJson("/v1/auth/dev-login",
            new { handle = "anyone-new", communityId = 1, unitId = 12 })).Expect(HttpStatusCode.OK);
        var residentMembership = Assert.Single(resident.GetProperty("user").GetProperty("memberships").EnumerateArray());
        Assert.Equal("resident", residentMembership.GetProperty("role").GetString());
        Assert.Equal(12, residentMembership.GetProperty("unitId").GetInt64());

        var again = await (await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "anyone-new" })).Expect(HttpStatusCode.OK);
        Assert.Equal(resident.GetProperty("user").GetProperty("id").GetInt64(), again.GetProperty("user").GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task AUnitOfAnotherCommunityIsRefused()
    {
        // Unit 45 belongs to community 2.
        var response = await app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "wrong-unit", communityId = 1, unitId = 45 });
        await response.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"handle":""}""")]
    [InlineData("""{"handle":"has space"}""")]
    [InlineData("""{"handle":"ok","role":"king"}""")]
    public async Task BadInputIsABadRequest(string json)
    {
        var response = await app.CreateClient().PostAsync("/v1/auth/dev-login", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await response.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task MalformedJsonIsABadRequestProblem()
    {
        var response = await app.CreateClient().PostAsync("/v1/auth/dev-login", new StringContent("{\"handle\": ", System.Text.Encoding.UTF8, "application/json"));
        await response.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownFieldsAreIgnored()
    {
        var response = await app.CreateClient().PostAsync("/v1/auth/dev-login",
            new StringContent("""{"handle":"resident","favouriteColour":"red"}""", System.Text.Encoding.UTF8, "application/json"));
        await response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task MeWithoutATokenIsUnauthorized()
    {
        var response = await app.CreateClient().GetAsync("/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

public sealed class DevLoginOutsideDevelopmentTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new() { Environment = "Production" };

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_app).InitializeAsync();
        // As shipped: Production refuses to start with dev-login or the demo street on.
        _app.Settings.Remove("Auth:DevLogin");
        _app.Settings.Remove("Seed:Demo");
        foreach (var key in new[] { "TokenSigning", "IdentityHash", "Seal" })
        {
            _app.Settings[$"Keys:{key}"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        }
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task DevLoginIsNotFound()
    {
        var response = await _app.CreateClient().PostJson("/v1/auth/dev-login", new { handle = "resident" });
        await response.ExpectProblem(HttpStatusCode.NotFound);
    }
}

public sealed class ProductionWithoutKeysTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new() { Environment = "Production" };

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public void TheAppRefusesToStartInProductionWithoutItsKeys()
    {
        var error = Assert.ThrowsAny<Exception>(() => _app.CreateClient());
        Assert.Contains("Keys:", error.ToString());
    }
}
