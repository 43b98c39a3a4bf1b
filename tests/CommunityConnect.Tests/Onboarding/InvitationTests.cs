using Dapper;
using System.Net;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Onboarding;

public sealed class InvitationTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task TheAnswerCarriesTheCodeAndItsQrOnceAndOnlyAKeyedHashIsStored()
    {
        var street = await app.ClientFor("street");
        var created = await (await street.PostJson("/v1/invitations", new { role = "residents_committee", communityId = 1, note = "居委会委员 张敏" }))
            .Expect(HttpStatusCode.Created);
        var code = created.Text("code");
        Assert.True(code.Length >= 50, code);
        Assert.StartsWith("iVBOR", created.Text("qrPng")); // a PNG, base64
        Assert.EndsWith($"?code={code}", created.Text("link"));
        Assert.Equal(DateTimeOffset.Parse(created.Text("createdAt")).AddDays(7), DateTimeOffset.Parse(created.Text("expiresAt")));

        var kept = await street.GetJson($"/v1/invitations/{created.Id()}");
        Assert.False(kept.TryGetProperty("code", out _));
        await using var connection = app.Connection();
        var stored = await connection.ExecuteScalarAsync<string>("SELECT code_hash FROM invitations WHERE id = @id;", new { id = created.Id() });
        Assert.DoesNotContain(code, stored!);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM idempotency_records WHERE body LIKE '%' || @code || '%';", new { code }));
    }

    [Fact]
    public async Task AnUnknownCodeIsNotFoundAndAUsedOneIsAConflict()
    {
        var street = await app.ClientFor("street");
        var (_, code) = await OnboardingKit.Invite(street, new { role = "owners_committee", communityId = 1 });
        var stranger = await app.ClientFor("inv-unknown");
        await (await stranger.PostJson("/v1/invitations/redeem", new { code = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }))
            .ExpectProblem(HttpStatusCode.NotFound);
        // Typed from paper: lower case, spaces and dashes do not matter.
        var redeemed = await OnboardingKit.Redeem(stranger, $"{code[..4].ToLowerInvariant()}-{code[4..]} ");
        Assert.Contains(redeemed.GetProperty("memberships").EnumerateArray(), m => m.Text("role") == "owners_committee" && m.GetProperty("communityId").GetInt64() == 1);
        await (await (await app.ClientFor("inv-late")).PostJson("/v1/invitations/redeem", new { code })).ExpectProblem(HttpStatusCode.Conflict);
        await (await stranger.GetAsync("/v1/communities/1")).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnExpiredCodeIsAConflict()
    {
        var street = await app.ClientFor("street");
        var (_, code) = await OnboardingKit.Invite(street, new { role = "residents_committee", communityId = 1, expiresInDays = 1 });
        app.Clock.Advance(TimeSpan.FromDays(1));
        var late = await app.ClientFor("inv-expired");
        var problem = await (await late.PostJson("/v1/invitations/redeem", new { code })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Contains("expired", problem.Text("title"));
        await (await late.GetAsync("/v1/communities/1")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ARevokedCodeIsAConflictAndOnlyAnUnusedOneCanBeRevoked()
    {
        var secretary = await app.ClientFor("secretary");
        var (id, code) = await OnboardingKit.Invite(secretary, new { role = "owners_committee", communityId = 1 });
        await (await (await app.ClientFor("tenant")).DeleteAsync($"/v1/invitations/{id}")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).DeleteAsync($"/v1/invitations/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await secretary.DeleteAsync($"/v1/invitations/{id}")).Expect(HttpStatusCode.NoContent);
        await (await secretary.DeleteAsync($"/v1/invitations/{id}")).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("inv-revoked")).PostJson("/v1/invitations/redeem", new { code })).ExpectProblem(HttpStatusCode.Conflict);
        await (await secretary.DeleteAsync("/v1/invitations/999999")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("tenant", "residents_committee")]
    [InlineData("residents", "owners_committee")]
    [InlineData("secretary", "property_staff")]
    [InlineData("secretary", "party_secretary")]
    [InlineData("technician", "property_staff")]
    [InlineData("owners", "owners_committee")]
    public async Task OnlyWhoeverMayGrantARoleInvitesToIt(string handle, string role)
    {
        var client = await app.ClientFor(handle);
        await (await client.PostJson("/v1/invitations", new { role, communityId = 1 })).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AManagerInvitesTheCompanysStaffButNotManagers()
    {
        var manager = await app.ClientFor("property");
        var (_, code) = await OnboardingKit.Invite(manager, new { role = "property_staff", communityId = 1 });
        await (await manager.PostJson("/v1/invitations", new { role = "property_staff", communityId = 1, manager = true }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        var newcomer = await app.ClientFor("inv-plumber");
        await OnboardingKit.Redeem(newcomer, code);
        var staff = await manager.GetJson("/v1/communities/1/staff?role=property_staff");
        Assert.Contains(staff.EnumerateArray(), s => s.Text("displayName") == "inv-plumber" && !s.GetProperty("manager").GetBoolean());
        await (await manager.DeleteAsync($"/v1/communities/1/staff/{await CommunityApp.UserIdOf(newcomer)}?role=property_staff"))
            .Expect(HttpStatusCode.NoContent);
        await (await newcomer.GetAsync("/v1/communities/1")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherCommunityOrStreetDoesNotExistForTheCaller()
    {
        await (await (await app.ClientFor("resident2")).PostJson("/v1/invitations", new { role = "owners_committee", communityId = 1 }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("secretary")).PostJson("/v1/invitations", new { role = "residents_committee", communityId = 999 }))
            .ExpectProblem(HttpStatusCode.NotFound);
        var code = await OnboardingKit.AdminInvite(app, "徐家汇街道");
        var otherAdmin = await app.ClientFor("inv-xujiahui");
        var otherStreet = (await OnboardingKit.Redeem(otherAdmin, code)).GetProperty("streetId").GetInt64();
        await (await (await app.ClientFor("street")).PostJson("/v1/invitations", new { role = "street_admin", streetId = otherStreet }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await otherAdmin.PostJson("/v1/invitations", new { role = "party_secretary", communityId = 1 })).ExpectProblem(HttpStatusCode.NotFound);
        await (await otherAdmin.GetAsync("/v1/communities/1/staff")).ExpectProblem(HttpStatusCode.NotFound);
        await (await otherAdmin.GetAsync("/v1/streets/1/staff")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident")).GetAsync("/v1/streets/1/staff")).ExpectProblem(HttpStatusCode.Forbidden);
        // A street admin invites a fellow admin of their own street.
        var (_, fellow) = await OnboardingKit.Invite(otherAdmin, new { role = "street_admin", streetId = otherStreet });
        await OnboardingKit.Redeem(await app.ClientFor("inv-xujiahui-2"), fellow);
        var admins = await otherAdmin.GetJson($"/v1/streets/{otherStreet}/staff?role=street_admin");
        Assert.Equal(2, admins.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ARoleWithoutItsScopeIsBadInput()
    {
        var street = await app.ClientFor("street");
        var problem = await (await street.PostJson("/v1/invitations", new { role = "street_admin", communityId = 1 })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("streetId", out _));
        await (await street.PostJson("/v1/invitations", new { role = "party_secretary", streetId = 1 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PostJson("/v1/invitations", new { role = "owners_committee", communityId = 1, manager = true })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PostJson("/v1/invitations", new { role = "resident", communityId = 1 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PostJson("/v1/invitations", new { role = "owners_committee", communityId = 1, expiresInDays = 31 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PostJson("/v1/invitations/redeem", new { code = "" })).ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RemovingARoleIsForWhoeverMayInviteToItAndEveryChangeIsLogged()
    {
        var street = await app.ClientFor("street");
        var (_, code) = await OnboardingKit.Invite(street, new { role = "residents_committee", communityId = 1 });
        var member = await app.ClientFor("inv-removed");
        await OnboardingKit.Redeem(member, code);
        var userId = await CommunityApp.UserIdOf(member);
        await (await (await app.ClientFor("owners")).DeleteAsync($"/v1/communities/1/staff/{userId}?role=residents_committee"))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.DeleteAsync($"/v1/communities/1/staff/{userId}")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("secretary")).DeleteAsync($"/v1/communities/1/staff/{userId}?role=residents_committee"))
            .Expect(HttpStatusCode.NoContent);
        await (await street.DeleteAsync($"/v1/communities/1/staff/{userId}?role=residents_committee")).ExpectProblem(HttpStatusCode.NotFound);
        await (await member.GetAsync("/v1/communities/1")).ExpectProblem(HttpStatusCode.NotFound);

        var log = await (await app.ClientFor("secretary")).GetJson("/v1/communities/1/role-changes?limit=100");
        var mine = log.GetProperty("items").EnumerateArray().Where(r => r.GetProperty("userId").GetInt64() == userId).ToList();
        Assert.Equal(["granted:invitation", "removed:removal"], mine.Select(r => $"{r.Text("change")}:{r.Text("cause")}").ToArray());
        Assert.Equal("周卫东", mine[1].Text("changedByName"));
        await (await (await app.ClientFor("residents")).GetAsync("/v1/communities/1/role-changes")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/role-changes")).ExpectProblem(HttpStatusCode.NotFound);
    }
}

/// <summary>Redeem tries are limited per user (and per address) when rate limits are on.</summary>
public sealed class InvitationRateLimitTests : IAsyncLifetime
{
    private readonly CommunityApp _app = new();

    public async Task InitializeAsync()
    {
        _app.Settings["RateLimiting:Enabled"] = "true";
        _app.Settings["Invitations:RedeemPerMinutePerUser"] = "3";
        await ((IAsyncLifetime)_app).InitializeAsync();
    }

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task GuessingCodesIsStoppedAfterAFewTries()
    {
        var guesser = await _app.ClientFor("guesser");
        for (var i = 0; i < 3; i++)
        {
            await (await guesser.PostJson("/v1/invitations/redeem", new { code = $"GUESS{i}" })).ExpectProblem(HttpStatusCode.NotFound);
        }
        var limited = await guesser.PostJson("/v1/invitations/redeem", new { code = "GUESS4" });
        await limited.ExpectProblem(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter is not null);
        // Another user is not held back by the first one's tries.
        await (await (await _app.ClientFor("honest")).PostJson("/v1/invitations/redeem", new { code = "TYPO" })).ExpectProblem(HttpStatusCode.NotFound);
    }
}
