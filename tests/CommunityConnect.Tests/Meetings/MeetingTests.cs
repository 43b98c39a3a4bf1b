using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Meetings;

public sealed class MeetingTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> Schedule(string handle = "residents", string kind = "coordination", DateTimeOffset? startsAt = null) =>
        (await (await (await app.ClientFor(handle)).PostJson("/v1/communities/1/meetings", new
        {
            kind, topic = "电动车充电桩选址", startsAt = startsAt ?? app.Clock.GetUtcNow().AddHours(-1), place = "居委会会议室",
            participants = "居民代表:3号楼502室、5号楼301室;物业王经理;业委会李主任",
        })).Expect(HttpStatusCode.Created)).Id();

    private static object Minutes(params object[] actions) => new
    {
        attendance = "到会12人", positions = "多数居民支持在西侧空地安装;少数担心噪音。", decisions = "在西侧空地安装10个充电桩。", actions,
    };

    [Fact]
    public async Task MinutesOpenAMeetingActionCaseWithTheDueTimeAsItsResolutionClockAndAnOverdueActionEscalates()
    {
        var meetingId = await Schedule();
        var due = app.Clock.GetUtcNow().AddDays(3);
        var meeting = await (await (await app.ClientFor("residents")).PostJson($"/v1/meetings/{meetingId}/minutes",
            Minutes(new { text = "物业出具充电桩施工方案", responsibleBody = "property", due }))).Expect(HttpStatusCode.Created);
        var action = Assert.Single(meeting.GetProperty("actions").EnumerateArray());
        var caseId = action.GetProperty("caseId").GetInt64();

        var opened = await (await app.ClientFor("property")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("meeting_action", opened.Text("kind"));
        Assert.Equal("property", opened.Text("responsibleBody"));
        Assert.Equal(due, opened.GetProperty("resolveDue").GetDateTimeOffset());
        Assert.True(opened.GetProperty("firstResponseDue").GetDateTimeOffset() <= due);

        // The property company acknowledges; then the promise is what the sweep watches.
        await (await (await app.ClientFor("property")).PostJson($"/v1/cases/{caseId}/responses", new { body = "已收到,正在出方案。" })).Expect(HttpStatusCode.Created);
        Assert.Equal(due, (await (await app.ClientFor("property")).GetJson($"/v1/cases/{caseId}")).GetProperty("nextEscalationAt").GetDateTimeOffset());

        app.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        Assert.True(await app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None) >= 1);
        var escalated = await (await app.ClientFor("secretary")).GetJson($"/v1/cases/{caseId}");
        Assert.Equal("owners_committee", escalated.Text("responsibleBody"));
        Assert.Equal(1, escalated.GetProperty("escalationLevel").GetInt32());
        Assert.Contains(escalated.GetProperty("history").EnumerateArray(), h => h.Text("event") == "escalated");

        var ledger = await (await app.ClientFor("tenant")).GetJson($"/v1/communities/1/meetings/ledger?year={app.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).Year}");
        var coordination = ledger.GetProperty("kinds").EnumerateArray().Single(k => k.Text("kind") == "coordination");
        var listed = coordination.GetProperty("items").EnumerateArray().Single(m => m.Id() == meetingId);
        Assert.Equal("在西侧空地安装10个充电桩。", listed.Text("decisions"));
        var ledgerAction = Assert.Single(listed.GetProperty("actions").EnumerateArray());
        Assert.True(ledgerAction.GetProperty("overdue").GetBoolean());
        Assert.Equal("owners_committee", ledgerAction.Text("responsibleBody"));

        // The body it climbed to marks it done: the case is resolved and the action no longer open.
        var done = await (await (await app.ClientFor("owners")).PostJson($"/v1/meeting-actions/{action.Id()}/done", new { note = "方案已公示" })).Expect(HttpStatusCode.OK);
        Assert.Equal("done", done.Text("state"));
        Assert.Equal("resolved", done.Text("caseState"));
        await (await (await app.ClientFor("owners")).PostJson($"/v1/meeting-actions/{action.Id()}/done", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/meeting-actions/{action.Id()}/done", new { })).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task MinutesAreFixedSevenDaysAfterRecordingAndThenOnlyAmendedWithAmendmentsShownBeside()
    {
        var meetingId = await Schedule(kind: "hearing");
        var residents = await app.ClientFor("residents");
        await (await residents.PostJson($"/v1/meetings/{meetingId}/minutes", Minutes())).Expect(HttpStatusCode.Created);
        await (await residents.PostJson($"/v1/meetings/{meetingId}/minutes", Minutes())).ExpectProblem(HttpStatusCode.Conflict);

        var correction = new { attendance = "到会13人", positions = "多数支持。", decisions = "在西侧空地安装12个充电桩。" };
        app.Clock.Advance(TimeSpan.FromDays(6));
        var corrected = await (await residents.PutJson($"/v1/meetings/{meetingId}/minutes", correction)).Expect(HttpStatusCode.OK);
        Assert.Equal("到会13人", corrected.GetProperty("minutes").Text("attendance"));
        Assert.False(corrected.GetProperty("minutes").GetProperty("fixed").GetBoolean());

        app.Clock.Advance(TimeSpan.FromDays(1));
        await (await residents.PutJson($"/v1/meetings/{meetingId}/minutes", correction)).ExpectProblem(HttpStatusCode.Conflict);
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/meetings/{meetingId}/amendments", new { text = "补充" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await residents.PostJson($"/v1/meetings/{meetingId}/amendments", new { text = "更正:安装地点改为北侧车棚。" })).Expect(HttpStatusCode.Created);

        var shown = await (await app.ClientFor("tenant")).GetJson($"/v1/meetings/{meetingId}");
        Assert.True(shown.GetProperty("minutes").GetProperty("fixed").GetBoolean());
        Assert.Equal("在西侧空地安装12个充电桩。", shown.GetProperty("minutes").Text("decisions"));
        Assert.Equal("更正:安装地点改为北侧车棚。", Assert.Single(shown.GetProperty("amendments").EnumerateArray()).Text("text"));
    }

    [Fact]
    public async Task OnlyTheOrganiserRecordsMinutesAndOnlyAfterTheMeetingStarts()
    {
        var upcoming = await Schedule(startsAt: app.Clock.GetUtcNow().AddDays(2));
        await (await (await app.ClientFor("residents")).PostJson($"/v1/meetings/{upcoming}/minutes", Minutes())).ExpectProblem(HttpStatusCode.Conflict);
        var held = await Schedule();
        await (await (await app.ClientFor("owners")).PostJson($"/v1/meetings/{held}/minutes", Minutes())).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("resident2")).PostJson($"/v1/meetings/{held}/minutes", Minutes())).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).GetAsync($"/v1/meetings/{held}")).ExpectProblem(HttpStatusCode.NotFound);
        var pastDue = await (await (await app.ClientFor("residents")).PostJson($"/v1/meetings/{held}/minutes",
            Minutes(new { text = "x", responsibleBody = "property", due = app.Clock.GetUtcNow().AddDays(-1) }))).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(pastDue.GetProperty("errors").TryGetProperty("actions[0].due", out _));
        await (await (await app.ClientFor("residents")).PostJson($"/v1/meetings/{held}/minutes",
            Minutes(new { text = "x", responsibleBody = "street_admin", due = app.Clock.GetUtcNow().AddDays(1) }))).ExpectProblem(HttpStatusCode.BadRequest);

        var upcomingList = await (await app.ClientFor("tenant")).GetJson("/v1/communities/1/meetings?when=upcoming");
        Assert.Contains(upcomingList.GetProperty("items").EnumerateArray(), m => m.Id() == upcoming);
        Assert.DoesNotContain(upcomingList.GetProperty("items").EnumerateArray(), m => m.Id() == held);
    }

    [Fact]
    public async Task ResidentsMayNotScheduleAndLinksMustBeTheCommunitys()
    {
        await (await (await app.ClientFor("resident")).PostJson("/v1/communities/1/meetings", new
        {
            kind = "review", topic = "t", startsAt = app.Clock.GetUtcNow(), place = "p", participants = "q",
        })).ExpectProblem(HttpStatusCode.Forbidden);
        var problem = await (await (await app.ClientFor("residents")).PostJson("/v1/communities/1/meetings", new
        {
            kind = "review", topic = "t", caseId = 999_999, startsAt = app.Clock.GetUtcNow(), place = "p", participants = "q",
        })).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("caseId", out _));
        await (await (await app.ClientFor("residents")).PostJson("/v1/communities/1/meetings", new
        {
            kind = "party", topic = "t", startsAt = app.Clock.GetUtcNow(), place = "p", participants = "q",
        })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("resident2")).PostJson("/v1/communities/1/meetings", new
        {
            kind = "review", topic = "t", startsAt = app.Clock.GetUtcNow(), place = "p", participants = "q",
        })).ExpectProblem(HttpStatusCode.NotFound);
    }
}
