using System.Net;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Onboarding;

/// <summary>
/// From an empty database (no demo street) to a working community, through the admin command and the
/// api only: a street admin, a community, its register, a secretary, committee members, property
/// staff and a resident who joined and became an owner.
/// </summary>
public sealed class BootstrapTests(EmptyCommunityApp app) : IClassFixture<EmptyCommunityApp>
{
    [Fact]
    public async Task AnEmptyDatabaseBecomesAWorkingStreetThroughTheAdminCommandAndTheApi()
    {
        var (exit, streets) = await OnboardingKit.Admin(app, "streets");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("天平路街道", streets);

        var (inviteExit, printed) = await OnboardingKit.Admin(app, "invite", "--street", "天平路街道", "--role", "street_admin", "--note", "街道办 李主任");
        Assert.Equal(0, inviteExit);
        Assert.Contains("Created street", printed);
        Assert.Contains("pages/invitation/redeem?code=", printed);
        Assert.Contains("█", printed); // the QR code, drawn in the terminal
        var code = OnboardingKit.CodeIn(printed);

        // A fresh WeChat user (dev-login without a community stands in) redeems it.
        var admin = await app.ClientFor("tianping-admin");
        var redeemed = await OnboardingKit.Redeem(admin, code);
        var streetId = redeemed.GetProperty("streetId").GetInt64();
        Assert.Contains(redeemed.GetProperty("memberships").EnumerateArray(), m => m.Text("role") == "street_admin");
        await (await admin.PostJson("/v1/invitations/redeem", new { code })).ExpectProblem(HttpStatusCode.Conflict);

        var community = await (await admin.PostJson($"/v1/streets/{streetId}/communities",
            new { name = "建业里", address = "上海市徐汇区建国西路 440 弄", district = "徐汇区" })).Expect(HttpStatusCode.Created);
        var communityId = community.Id();
        await (await admin.PutJson($"/v1/communities/{communityId}/", new { name = "建业里小区", address = "建国西路 440 弄", district = "徐汇区" }))
            .Expect(HttpStatusCode.OK);
        var listed = await admin.GetJson($"/v1/streets/{streetId}/communities");
        Assert.Equal("建业里小区", Assert.Single(listed.GetProperty("items").EnumerateArray()).Text("name"));

        var register = await (await OnboardingKit.ImportRegister(admin, communityId,
            "building,unit,area,owners\n1,101,88.50,JY001\n1,102,90,JY002;JY003\n2,201,75.25,developer\n2,202,75.25,developer\n"))
            .Expect(HttpStatusCode.Created);
        Assert.Equal((2, 4, 3), (register.GetProperty("buildings").GetInt32(), register.GetProperty("units").GetInt32(), register.GetProperty("owners").GetInt32()));
        var buildings = await admin.GetJson($"/v1/communities/{communityId}/buildings");
        Assert.Equal("1号楼", buildings[0].Text("name"));

        await (await admin.PutJson($"/v1/communities/{communityId}/property-company", new { name = "徐房物业", contact = "021-64000000" }))
            .Expect(HttpStatusCode.OK);

        var (_, secretaryCode) = await OnboardingKit.Invite(admin, new { role = "party_secretary", communityId, note = "党支部书记 王芳" });
        var secretary = await app.ClientFor("jy-secretary");
        await OnboardingKit.Redeem(secretary, secretaryCode);
        var (_, residentsCode) = await OnboardingKit.Invite(secretary, new { role = "residents_committee", communityId });
        var residentsCommittee = await app.ClientFor("jy-residents");
        await OnboardingKit.Redeem(residentsCommittee, residentsCode);
        var (_, ownersCode) = await OnboardingKit.Invite(secretary, new { role = "owners_committee", communityId });
        var ownersCommittee = await app.ClientFor("jy-owners");
        await OnboardingKit.Redeem(ownersCommittee, ownersCode);
        var (_, managerCode) = await OnboardingKit.Invite(admin, new { role = "property_staff", communityId, manager = true, note = "项目经理" });
        var manager = await app.ClientFor("jy-manager");
        await OnboardingKit.Redeem(manager, managerCode);
        var (_, staffCode) = await OnboardingKit.Invite(manager, new { role = "property_staff", communityId });
        var technician = await app.ClientFor("jy-technician");
        await OnboardingKit.Redeem(technician, staffCode);

        // A resident asks to join as the owner holding one key of a co-owned unit; the owners' committee approves.
        var unit = buildings[0].GetProperty("units").EnumerateArray().Single(u => u.Text("number") == "102").Id();
        var newcomer = await app.ClientFor("jy-newcomer");
        var request = await (await newcomer.PostJson($"/v1/communities/{communityId}/membership-requests",
            new { unitId = unit, relation = "owner", ownerKey = "JY003" })).Expect(HttpStatusCode.Created);
        await (await residentsCommittee.PostJson($"/v1/communities/{communityId}/membership-requests/{request.Id()}/approve", new { }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await ownersCommittee.PostJson($"/v1/communities/{communityId}/membership-requests/{request.Id()}/approve", new { }))
            .Expect(HttpStatusCode.OK);
        var me = await newcomer.GetJson("/v1/me");
        Assert.Equal(["owner", "resident"], me.GetProperty("memberships").EnumerateArray().Select(m => m.Text("role")).Order().ToArray());

        var staff = await admin.GetJson($"/v1/communities/{communityId}/staff");
        Assert.Equal(
            ["owners_committee", "party_secretary", "property_staff", "property_staff", "residents_committee"],
            staff.EnumerateArray().Select(s => s.Text("role")).Order().ToArray());
        Assert.Contains(staff.EnumerateArray(), s => s.Text("role") == "property_staff" && s.GetProperty("manager").GetBoolean()
            && s.Text("propertyCompany") == "徐房物业");
        var streetStaff = await admin.GetJson($"/v1/streets/{streetId}/staff");
        Assert.Equal(6, streetStaff.GetProperty("items").GetArrayLength());

        var log = await secretary.GetJson($"/v1/communities/{communityId}/role-changes");
        var causes = log.GetProperty("items").EnumerateArray().Select(r => $"{r.Text("role")}:{r.Text("cause")}").ToList();
        Assert.Contains("party_secretary:invitation", causes);
        Assert.Contains("owner:membership_request", causes);
        Assert.Equal(7, causes.Count);

        var (_, after) = await OnboardingKit.Admin(app, "streets");
        Assert.Contains("天平路街道\t1\t1\t0", after);
    }

    [Fact]
    public async Task TheAdminCommandExplainsItselfAndRefusesWhatItDoesNotKnow()
    {
        var (exit, help) = await OnboardingKit.Admin(app, "--help");
        Assert.Equal(0, exit);
        Assert.Contains("invite", help);
        Assert.Contains("streets", help);
        Assert.Contains("revoke", help);
        var (badExit, _) = await OnboardingKit.Admin(app, "invite", "--street", "某街道", "--role", "owner");
        Assert.NotEqual(0, badExit);
        var (missingExit, _) = await OnboardingKit.Admin(app, "invite");
        Assert.NotEqual(0, missingExit);
    }

    [Fact]
    public async Task TheAdminCommandTakesAStreetAdminRoleBack()
    {
        var code = await OnboardingKit.AdminInvite(app, "湖南路街道");
        var admin = await app.ClientFor("hunan-admin");
        var streetId = (await OnboardingKit.Redeem(admin, code)).GetProperty("streetId").GetInt64();
        var userId = await CommunityApp.UserIdOf(admin);
        var (exit, output) = await OnboardingKit.Admin(app, "revoke", "--user", userId.ToString(), "--role", "street_admin", "--street", "湖南路街道");
        Assert.True(exit == 0, output);
        await (await admin.GetAsync($"/v1/streets/{streetId}/staff")).ExpectProblem(HttpStatusCode.NotFound);
        var (again, _) = await OnboardingKit.Admin(app, "revoke", "--user", userId.ToString(), "--role", "street_admin");
        Assert.Equal(1, again);
    }
}
