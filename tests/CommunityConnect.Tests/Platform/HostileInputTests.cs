using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CommunityConnect.Api.Infrastructure.Auth;
using CommunityConnect.Api.Infrastructure.Text;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// The three kinds of hostile input that used to reach a 500, one readable case each (the sweep in
/// <see cref="BadInputSweepTests"/> sends their families to every operation).
/// </summary>
public sealed class HostileInputTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> CountAsync(string table)
    {
        await using var connection = app.Connection();
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table};");
    }

    [Fact]
    public async Task AJsonBodyInAnUnknownCharsetIs415NamingTheCharsetAndCreatesNothing()
    {
        var tenant = await app.ClientFor("tenant");
        var before = await CountAsync("threads");
        var content = new StringContent("""{"kind":"discussion","title":"电梯又坏了","body":"三号楼的电梯停了两天"}""");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=bogus-8");
        var problem = await (await tenant.PostAsync("/v1/communities/1/threads", content)).ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("bogus-8", problem.Text("detail"));
        Assert.Equal(before, await CountAsync("threads"));
    }

    [Fact]
    public async Task ANoncharacterInAModerationWordIsABadRequestNamingTheField()
    {
        var secretary = await app.ClientFor("secretary");
        var response = await secretary.PutAsync("/v1/communities/1/moderation/words",
            new StringContent("""{"words":[{"text":"坏\uFFFE词","level":"block"}]}""", Encoding.UTF8, "application/json"));
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        var field = Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal("words[0].text", field.Name);
        Assert.Contains("U+FFFE", field.Value[0].GetString());
    }

    [Fact]
    public async Task ANoncharacterInAContactPhoneIsABadRequestNotA500()
    {
        var resident = await app.ClientFor("resident");
        var response = await resident.PostJson("/v1/communities/1/repairs",
            new { category = "water", description = "厨房水管漏水", commonArea = "3号楼楼道", buildingId = 3, contactPhone = "138\uFFFE12341234" });
        var problem = await response.ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("contactPhone", out _));
    }

    [Fact]
    public async Task ATokenThatOutlivedItsUserIs401OnWritesAsOnMe()
    {
        var doomed = await app.ClientFor("outlived", communityId: 1, role: "resident", unitId: 6);
        var userId = await CommunityApp.UserIdOf(doomed);
        await using (var connection = app.Connection())
        {
            await connection.ExecuteAsync(TestProvider.WithoutForeignKeys(connection, "DELETE FROM memberships WHERE user_id = @userId; DELETE FROM users WHERE id = @userId;"), new { userId });
        }
        // A write outside the api's writer reaches its caches with the next poll of the cache versions.
        await app.Service<CommunityConnect.Api.Infrastructure.Caching.CommunityVersions>().RefreshAsync();
        var before = await CountAsync("threads");
        foreach (var response in new[]
                 {
                     await doomed.GetAsync("/v1/me"),
                     await doomed.PostJson("/v1/communities/1/threads", new { kind = "discussion", title = "还在吗", body = "测试" }),
                     await doomed.PostJson("/v1/communities/1/membership-requests", new { unitId = 8, relation = "tenant" }),
                 })
        {
            var problem = await response.ExpectProblem(HttpStatusCode.Unauthorized);
            Assert.Equal(Accounts.Gone, problem.Text("title"));
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }
        Assert.Equal(before, await CountAsync("threads"));
    }

    [Fact]
    public void ThereAreSixtySixNoncharactersAndNormalizeSurvivesEachOfThem()
    {
        var found = Enumerable.Range(0, 0x110000).Where(c => c is < 0xD800 or > 0xDFFF && UserText.IsNoncharacter(c)).ToList();
        Assert.Equal(66, found.Count);
        Assert.Equal(32, found.Count(c => c is >= 0xFDD0 and <= 0xFDEF));
        foreach (var codePoint in found)
        {
            var text = "ａ" + char.ConvertFromUtf32(codePoint) + "１";
            Assert.NotNull(UserText.Problem(text));
            Assert.Equal("a\uFFFD1", UserText.Normalize(text));
        }
        Assert.Null(UserText.Problem("楼道灯坏了👨‍👩‍👧"));
        Assert.Contains("lone surrogate", UserText.Problem("a\uD800b"));
    }
}
