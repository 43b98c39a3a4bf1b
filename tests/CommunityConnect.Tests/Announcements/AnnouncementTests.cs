using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Announcements;

public sealed class AnnouncementTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    // Demo community 1: buildings 1, 2, 3, 5 have ids 1–4 and ten units each (building 2: units 11–20).
    private async Task<long> Publish(string handle, object body) =>
        (await (await (await app.ClientFor(handle)).PostJson("/v1/communities/1/announcements", body)).Expect(HttpStatusCode.Created)).Id();

    private async Task<int> InboxCount(string handle, string kind, long announcementId)
    {
        var inbox = await (await app.ClientFor(handle)).GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        return inbox.GetProperty("items").EnumerateArray()
            .Count(n => n.Text("kind") == kind && n.GetProperty("itemId").GetInt64() == announcementId);
    }

    [Fact]
    public async Task ReceiptsCountAUnitsOwnerAndTenantAsOneHouseholdAndTheReminderReachesOnlyThoseWhoHaveNotRead()
    {
        var owner = await app.ClientFor("ann-owner-12", communityId: 1, role: "owner", unitId: 12);
        var tenant = await app.ClientFor("ann-tenant-12", communityId: 1, role: "resident", unitId: 12);
        await app.ClientFor("ann-neighbour-13", communityId: 1, role: "resident", unitId: 13);
        var id = await Publish("residents", new { title = "2号楼停水通知", body = "周四9:00-12:00更换水泵,请提前储水。", audience = "buildings", buildingIds = new[] { 2 }, requiresAcknowledgement = false });
        Assert.Equal(1, await InboxCount("ann-neighbour-13", "announcement_published", id));

        var read = await owner.GetJson($"/v1/announcements/{id}");
        Assert.NotEqual(JsonValueKind.Null, read.GetProperty("readAt").ValueKind);
        await tenant.GetJson($"/v1/announcements/{id}");

        var receipts = await (await app.ClientFor("residents")).GetJson($"/v1/announcements/{id}/receipts");
        var building = Assert.Single(receipts.GetProperty("buildings").EnumerateArray());
        Assert.Equal(2, building.GetProperty("buildingId").GetInt64());
        Assert.Equal(2, building.GetProperty("households").GetInt32());
        Assert.Equal(1, building.GetProperty("read").GetInt32());
        Assert.Equal(1, building.GetProperty("notYet").GetInt32());
        Assert.Equal(2, receipts.GetProperty("total").GetProperty("households").GetInt32());

        var reminder = await (await (await app.ClientFor("residents")).PostJson($"/v1/announcements/{id}/reminders", new { })).Expect(HttpStatusCode.Created);
        Assert.Equal(1, reminder.GetProperty("households").GetInt32());
        Assert.Equal(1, reminder.GetProperty("recipients").GetInt32());
        Assert.Equal(1, await InboxCount("ann-neighbour-13", "announcement_reminder", id));
        Assert.Equal(0, await InboxCount("ann-owner-12", "announcement_reminder", id));
        Assert.Equal(0, await InboxCount("ann-tenant-12", "announcement_reminder", id));
        await (await (await app.ClientFor("residents")).PostJson($"/v1/announcements/{id}/reminders", new { })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task WhereAcknowledgementIsRequiredReceiptsAndTheReminderFollowAcknowledgementNotReading()
    {
        var owner = await app.ClientFor("ann-owner-21", communityId: 1, role: "owner", unitId: 1);
        var tenant = await app.ClientFor("ann-tenant-21", communityId: 1, role: "resident", unitId: 1);
        var other = await app.ClientFor("ann-other-2", communityId: 1, role: "resident", unitId: 2);
        var id = await Publish("owners", new { title = "1号楼电梯更新征询", body = "请各户阅读方案并点击已知晓。", audience = "buildings", buildingIds = new[] { 1 }, requiresAcknowledgement = true });

        await other.GetJson($"/v1/announcements/{id}");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.PutAsync($"/v1/announcements/{id}/acknowledgement", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.PutAsync($"/v1/announcements/{id}/acknowledgement", null)).StatusCode);

        var total = (await (await app.ClientFor("owners")).GetJson($"/v1/announcements/{id}/receipts")).GetProperty("total");
        Assert.Equal(2, total.GetProperty("households").GetInt32());
        Assert.Equal(2, total.GetProperty("read").GetInt32());
        Assert.Equal(1, total.GetProperty("acknowledged").GetInt32());
        Assert.Equal(1, total.GetProperty("notYet").GetInt32());

        await (await (await app.ClientFor("owners")).PostJson($"/v1/announcements/{id}/reminders", new { })).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await InboxCount("ann-other-2", "announcement_reminder", id));
        Assert.Equal(0, await InboxCount("ann-owner-21", "announcement_reminder", id));
    }

    [Fact]
    public async Task AMemberOutsideTheAudienceAndAnotherCommunityGet404AndTheListHidesIt()
    {
        var id = await Publish("property", new { title = "5号楼消防检查", body = "周五上午入户检查烟感。", audience = "buildings", buildingIds = new[] { 4 }, requiresAcknowledgement = false });
        var resident = await app.ClientFor("resident");   // 3号楼
        var tenant = await app.ClientFor("tenant");       // 5号楼
        await (await resident.GetAsync($"/v1/announcements/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await resident.PutAsync($"/v1/announcements/{id}/acknowledgement", null)).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/announcements/{id}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync("/v1/communities/1/announcements")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await resident.GetJson("/v1/communities/1/announcements?limit=100")).GetProperty("items").EnumerateArray(), a => a.Id() == id);
        Assert.Contains((await tenant.GetJson("/v1/communities/1/announcements?limit=100")).GetProperty("items").EnumerateArray(), a => a.Id() == id);
        // The street office and the committees see every announcement; a resident in the audience may not see receipts.
        await (await app.ClientFor("street")).GetJson($"/v1/announcements/{id}");
        await (await app.ClientFor("street")).GetJson($"/v1/announcements/{id}/receipts");
        await (await tenant.GetAsync($"/v1/announcements/{id}/receipts")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await tenant.PostJson($"/v1/announcements/{id}/reminders", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("owners")).GetAsync($"/v1/announcements/{id}/receipts")).ExpectProblem(HttpStatusCode.Forbidden);
        // Not asking for acknowledgement: 已知晓 is a state conflict.
        await (await tenant.PutAsync($"/v1/announcements/{id}/acknowledgement", null)).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task ResidentsMayNotPublishAndBadInputNamesTheField()
    {
        var body = new { title = "通知", body = "内容", audience = "all", requiresAcknowledgement = false };
        await (await (await app.ClientFor("resident")).PostJson("/v1/communities/1/announcements", body)).ExpectProblem(HttpStatusCode.Forbidden);
        var residents = await app.ClientFor("residents");
        var missing = await (await residents.PostJson("/v1/communities/1/announcements", new { title = "通知", body = "内容", audience = "buildings", requiresAcknowledgement = false }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("buildingIds", out _));
        var foreign = await (await residents.PostJson("/v1/communities/1/announcements", new { title = "通知", body = "内容", audience = "buildings", buildingIds = new[] { 5 }, requiresAcknowledgement = false }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(foreign.GetProperty("errors").TryGetProperty("buildingIds", out _));
        var audience = await (await residents.PostJson("/v1/communities/1/announcements", new { title = "通知", body = "内容", audience = "everyone", requiresAcknowledgement = false }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(audience.GetProperty("errors").TryGetProperty("audience", out _));
        await (await residents.PostJson("/v1/communities/1/announcements", new { title = "通知", body = "内容", audience = "all", requiresAcknowledgement = false, pinnedUntil = app.Clock.GetUtcNow().AddDays(-1) }))
            .ExpectProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PinnedAnnouncementsComeFirstUntilTheirPinEnds()
    {
        var pinned = await Publish("secretary", new { title = "置顶:防汛值班表", body = "汛期值班安排。", audience = "all", requiresAcknowledgement = false, pinnedUntil = app.Clock.GetUtcNow().AddDays(2) });
        var later = await Publish("residents", new { title = "社区读书会", body = "周六下午活动室。", audience = "all", requiresAcknowledgement = false });
        var items = (await (await app.ClientFor("tenant")).GetJson("/v1/communities/1/announcements?limit=100")).GetProperty("items").EnumerateArray().Select(a => a.Id()).ToList();
        Assert.True(items.IndexOf(pinned) < items.IndexOf(later));
        app.Clock.Advance(TimeSpan.FromDays(3));
        items = (await (await app.ClientFor("tenant")).GetJson("/v1/communities/1/announcements?limit=100")).GetProperty("items").EnumerateArray().Select(a => a.Id()).ToList();
        Assert.True(items.IndexOf(later) < items.IndexOf(pinned));
    }

    [Fact]
    public async Task AttachmentsAreImagesOrPdfsByTheirBytesAndOnlyThePublisherAddsThem()
    {
        var id = await Publish("residents", new { title = "垃圾分类指南", body = "见附件。", audience = "all", requiresAcknowledgement = false });
        static MultipartFormDataContent File(byte[] bytes, string name)
        {
            var content = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(file, "file", name);
            return content;
        }
        var pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
        var residents = await app.ClientFor("residents");
        var created = await (await residents.PostAsync($"/v1/announcements/{id}/attachments", File(pdf, "指南.pdf"))).Expect(HttpStatusCode.Created);
        Assert.Equal("application/pdf", created.Text("contentType"));
        await (await residents.PostAsync($"/v1/announcements/{id}/attachments", File(Encoding.ASCII.GetBytes("MZ not a pdf"), "指南.pdf")))
            .ExpectProblem(HttpStatusCode.UnsupportedMediaType);
        await (await (await app.ClientFor("tenant")).PostAsync($"/v1/announcements/{id}/attachments", File(pdf, "x.pdf"))).ExpectProblem(HttpStatusCode.Forbidden);
        var download = await (await app.ClientFor("tenant")).GetAsync(created.Text("url"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
        var detail = await (await app.ClientFor("tenant")).GetJson($"/v1/announcements/{id}");
        Assert.Single(detail.GetProperty("attachments").EnumerateArray());
    }
}
