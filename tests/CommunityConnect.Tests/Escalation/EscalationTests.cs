using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.Escalation;

public sealed class EscalationTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> CaseAs(string handle, long caseId) =>
        await (await (await app.ClientFor(handle)).GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);

    private async Task<int> CountInbox(string handle, string kind, long caseId)
    {
        var inbox = await (await app.ClientFor(handle)).GetFromJsonAsync<JsonElement>("/v1/me/inbox?limit=100");
        return inbox.GetProperty("items").EnumerateArray()
            .Count(n => n.GetProperty("kind").GetString() == kind && n.GetProperty("itemId").GetInt64() == caseId);
    }

    private Task<int> Sweep() => app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None);

    [Fact]
    public async Task ANewCaseGetsItsClocksFromTheDefaultsInWorkingMinutes()
    {
        var opened = app.Clock.GetUtcNow();
        var caseId = await app.OpenCaseAsync("resident", "water", kind: "repair");
        var detail = await CaseAs("property", caseId);
        var calendar = WorkingCalendar.ShanghaiDefault;
        Assert.Equal(calendar.AddWorkingMinutes(opened, 480), detail.GetProperty("firstResponseDue").GetDateTimeOffset());
        Assert.Equal(calendar.AddWorkingMinutes(opened, 1440), detail.GetProperty("resolveDue").GetDateTimeOffset());
        Assert.Equal(detail.GetProperty("firstResponseDue").GetDateTimeOffset(), detail.GetProperty("nextEscalationAt").GetDateTimeOffset());

        var urgent = await app.OpenCaseAsync("resident", "gas", kind: "repair", urgent: true);
        var urgentDetail = await CaseAs("property", urgent);
        Assert.Equal(opened.AddMinutes(30), urgentDetail.GetProperty("firstResponseDue").GetDateTimeOffset());
        Assert.Equal(opened.AddMinutes(240), urgentDetail.GetProperty("resolveDue").GetDateTimeOffset());
    }

    [Fact]
    public async Task AnUnansweredCaseClimbsEveryRungAndStopsAtTheStreet()
    {
        var caseId = await app.OpenCaseAsync("tenant", "electric");
        var expected = new[] { "owners_committee", "residents_committee", "party_secretary", "street_admin" };
        for (var level = 1; level <= expected.Length; level++)
        {
            app.Clock.Advance(TimeSpan.FromDays(15));
            await Sweep();
            var detail = await CaseAs("secretary", caseId);
            Assert.Equal(expected[level - 1], detail.GetProperty("responsibleBody").GetString());
            Assert.Equal(level, detail.GetProperty("escalationLevel").GetInt32());
        }
        app.Clock.Advance(TimeSpan.FromDays(30));
        await Sweep();
        var top = await CaseAs("street", caseId);
        Assert.Equal("street_admin", top.GetProperty("responsibleBody").GetString());
        Assert.Equal(4, top.GetProperty("escalationLevel").GetInt32());
        Assert.Equal(JsonValueKind.Null, top.GetProperty("nextEscalationAt").ValueKind);

        var first = top.GetProperty("history").EnumerateArray().First(h => h.GetProperty("event").GetString() == "escalated");
        Assert.Equal("超时未响应,已上报业委会", first.GetProperty("note").GetString());
        Assert.Equal("系统", first.GetProperty("actor").GetString());

        var street = await (await (await app.ClientFor("street")).GetAsync("/v1/streets/1/escalations")).Expect(HttpStatusCode.OK);
        Assert.Contains(street.GetProperty("items").EnumerateArray(), e => e.GetProperty("caseId").GetInt64() == caseId);
        await (await (await app.ClientFor("secretary")).GetAsync("/v1/streets/1/escalations")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("funds", "owners_committee", "residents_committee")]
    [InlineData("pets", "residents_committee", "party_secretary")]
    public async Task EachFirstBodyClimbsToTheRungAboveIt(string category, string first, string second)
    {
        var caseId = await app.OpenCaseAsync("resident", category);
        Assert.Equal(first, (await CaseAs("secretary", caseId)).GetProperty("responsibleBody").GetString());
        app.Clock.Advance(TimeSpan.FromDays(15));
        await Sweep();
        Assert.Equal(second, (await CaseAs("secretary", caseId)).GetProperty("responsibleBody").GetString());
    }

    [Fact]
    public async Task TheSweepRunTwiceOrConcurrentlyEscalatesOnceAndNotifiesOnce()
    {
        var caseId = await app.OpenCaseAsync("tenant", "sanitation");
        app.Clock.Advance(TimeSpan.FromDays(15));
        var counts = await Task.WhenAll(Sweep(), Sweep(), Sweep());
        await Sweep();
        var detail = await CaseAs("owners", caseId);
        Assert.Equal(1, detail.GetProperty("escalationLevel").GetInt32());
        Assert.Single(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("event").GetString() == "escalated");
        Assert.Equal(1, await CountInbox("owners", "case_escalated", caseId));
        Assert.Equal(1, await CountInbox("tenant", "case_escalated", caseId));
        Assert.True(counts.Sum() >= 1);
    }

    [Fact]
    public async Task ACaseAnsweredByTheBodyItClimbedToStopsClimbing()
    {
        var caseId = await app.OpenCaseAsync("resident", "greenery");
        app.Clock.Advance(TimeSpan.FromDays(15));
        await Sweep();
        Assert.Equal("owners_committee", (await CaseAs("owners", caseId)).GetProperty("responsibleBody").GetString());

        await (await (await app.ClientFor("owners")).PostJson($"/v1/cases/{caseId}/responses", new { body = "业委会已督促物业本周内修剪。" }))
            .Expect(HttpStatusCode.Created);
        var answered = await CaseAs("owners", caseId);
        Assert.Equal("responded", answered.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, answered.GetProperty("nextEscalationAt").ValueKind);

        app.Clock.Advance(TimeSpan.FromDays(60));
        await Sweep();
        Assert.Equal(1, (await CaseAs("owners", caseId)).GetProperty("escalationLevel").GetInt32());
    }

    [Fact]
    public async Task AFirstResponseStopsTheFirstClockAndResolutionStopsBoth()
    {
        var caseId = await app.OpenCaseAsync("resident", "access", kind: "repair");
        await app.RecordAsync(caseId, ItemEvent.FirstAnswer);
        var responded = await CaseAs("property", caseId);
        Assert.Equal(responded.GetProperty("resolveDue").GetDateTimeOffset(), responded.GetProperty("nextEscalationAt").GetDateTimeOffset());

        await app.RecordAsync(caseId, ItemEvent.Resolved);
        var resolved = await CaseAs("property", caseId);
        Assert.Equal(JsonValueKind.Null, resolved.GetProperty("nextEscalationAt").ValueKind);
        app.Clock.Advance(TimeSpan.FromDays(30));
        await Sweep();
        Assert.Equal(0, (await CaseAs("property", caseId)).GetProperty("escalationLevel").GetInt32());
    }

    [Fact]
    public async Task APausedRepairStopsItsResolutionClockUntilResumed()
    {
        var caseId = await app.OpenCaseAsync("resident", "elevator", kind: "repair");
        await app.RecordAsync(caseId, ItemEvent.FirstAnswer);
        var before = (await CaseAs("property", caseId)).GetProperty("resolveDue").GetDateTimeOffset();
        var database = app.Service<Database>();
        var cases = app.Service<CaseStore>();
        var pausedAt = app.Clock.GetUtcNow();
        await database.WriteAsync(async (c, t) => { await cases.PauseClockAsync(c, t, caseId); return true; });
        Assert.Equal(JsonValueKind.Null, (await CaseAs("property", caseId)).GetProperty("nextEscalationAt").ValueKind);

        app.Clock.Advance(TimeSpan.FromDays(10));
        await Sweep();
        Assert.Equal(0, (await CaseAs("property", caseId)).GetProperty("escalationLevel").GetInt32());

        var resumedAt = app.Clock.GetUtcNow();
        await database.WriteAsync(async (c, t) => { await cases.ResumeClockAsync(c, t, caseId); return true; });
        var after = await CaseAs("property", caseId);
        var calendar = WorkingCalendar.ShanghaiDefault;
        var expected = calendar.AddWorkingMinutes(before, calendar.WorkingMinutesBetween(pausedAt, resumedAt));
        Assert.Equal(expected, after.GetProperty("resolveDue").GetDateTimeOffset());
        Assert.Equal(expected, after.GetProperty("nextEscalationAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task PausingARepairDoesNotStopTheClockOfTheBodyItClimbedTo()
    {
        var caseId = await app.OpenCaseAsync("resident", "water", kind: "repair");
        app.Clock.Advance(TimeSpan.FromDays(15));
        await Sweep();
        var climbed = await CaseAs("owners", caseId);
        Assert.Equal("owners_committee", climbed.GetProperty("responsibleBody").GetString());
        var due = climbed.GetProperty("nextEscalationAt").GetDateTimeOffset();

        var database = app.Service<Database>();
        var cases = app.Service<CaseStore>();
        await database.WriteAsync(async (c, t) => { await cases.PauseClockAsync(c, t, caseId); return true; });
        Assert.Equal(due, (await CaseAs("owners", caseId)).GetProperty("nextEscalationAt").GetDateTimeOffset());
        await database.WriteAsync(async (c, t) => { await cases.ResumeClockAsync(c, t, caseId); return true; });
        Assert.Equal(due, (await CaseAs("owners", caseId)).GetProperty("nextEscalationAt").GetDateTimeOffset());

        app.Clock.Advance(TimeSpan.FromDays(15));
        await Sweep();
        Assert.Equal("residents_committee", (await CaseAs("secretary", caseId)).GetProperty("responsibleBody").GetString());
    }

    [Fact]
    public async Task TheAuthorMayEscalateOnceAfterTheFirstResponseClockHasPassed()
    {
        var caseId = await app.OpenCaseAsync("tenant", "parking");
        var tenant = await app.ClientFor("tenant");
        var url = $"/v1/cases/{caseId}/escalate";
        await (await tenant.PostJson(url, new { reason = "一直没人理" })).ExpectProblem(HttpStatusCode.Conflict);
        await (await tenant.PostJson(url, new { })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await (await app.ClientFor("resident")).PostJson(url, new { reason = "我也要" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("property")).PostJson(url, new { reason = "物业自己上报" })).ExpectProblem(HttpStatusCode.Forbidden);
        // The owners' committee has never had this case: for them it does not exist.
        await (await (await app.ClientFor("owners")).PostJson(url, new { reason = "业委会上报" })).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await app.ClientFor("resident2")).PostJson(url, new { reason = "别的小区" })).ExpectProblem(HttpStatusCode.NotFound);

        // Past the first-response time but before the sweep has run.
        var due = (await CaseAs("tenant", caseId)).GetProperty("firstResponseDue").GetDateTimeOffset();
        app.Clock.SetUtcNow(due.AddMinutes(1));
        var escalated = await (await tenant.PostJson(url, new { reason = "一直没人理" })).Expect(HttpStatusCode.OK);
        Assert.Equal("owners_committee", escalated.GetProperty("responsibleBody").GetString());
        Assert.Equal(1, escalated.GetProperty("escalationLevel").GetInt32());
        Assert.Contains("提出人申请上报", escalated.GetProperty("history").EnumerateArray().Last().GetProperty("note").GetString());

        var nextDue = escalated.GetProperty("firstResponseDue").GetDateTimeOffset();
        app.Clock.SetUtcNow(nextDue.AddMinutes(1));
        await (await tenant.PostJson(url, new { reason = "还是没人理" })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task SlaPoliciesStartFromTheDefaultsAndChangeTheNextClock()
    {
        var committee = await app.ClientFor("residents");
        var policies = await (await committee.GetAsync("/v1/communities/2/sla")).ExpectProblem(HttpStatusCode.NotFound);
        var table = await (await committee.GetAsync("/v1/communities/1/sla")).Expect(HttpStatusCode.OK);
        Assert.Equal(8, table.GetProperty("policies").GetArrayLength());
        var opinion = table.GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("kind").GetString() == "opinion" && !p.GetProperty("urgent").GetBoolean());
        Assert.Equal(480, opinion.GetProperty("firstResponseMinutes").GetInt32());
        Assert.Equal(3360, opinion.GetProperty("resolveMinutes").GetInt32());

        await (await (await app.ClientFor("resident")).PutJson("/v1/communities/1/sla",
            new { policies = new[] { new { kind = "question", urgent = true, firstResponseMinutes = 10, resolveMinutes = 60 } } })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await committee.PutJson("/v1/communities/1/sla",
            new { policies = new[] { new { kind = "riddle", urgent = true, firstResponseMinutes = 10, resolveMinutes = 60 } } })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await committee.PutJson("/v1/communities/1/sla",
            new { policies = new[] { new { kind = "question", urgent = true, firstResponseMinutes = 0, resolveMinutes = 60 } } })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await committee.PutJson("/v1/communities/1/sla",
            new { policies = new[] { new { kind = "question", urgent = true, firstResponseMinutes = 10, resolveMinutes = 60 } } })).Expect(HttpStatusCode.OK);

        var opened = app.Clock.GetUtcNow();
        var caseId = await app.OpenCaseAsync("resident", "security", kind: "question", urgent: true);
        Assert.Equal(opened.AddMinutes(10), (await CaseAs("property", caseId)).GetProperty("firstResponseDue").GetDateTimeOffset());
    }

    [Fact]
    public async Task TheStreetAdminEditsTheCalendarAndMembersReadIt()
    {
        var street = await app.ClientFor("street");
        var calendar = new
        {
            timeZone = "Asia/Shanghai", workStart = "08:30", workEnd = "17:30",
            holidays = new[] { "2026-10-01", "2026-10-02" }, workdays = new[] { "2026-10-10" },
        };
        var saved = await (await street.PutJson("/v1/streets/1/calendar", calendar)).Expect(HttpStatusCode.OK);
        Assert.Equal("08:30", saved.GetProperty("workStart").GetString());
        Assert.Equal(2, saved.GetProperty("holidays").GetArrayLength());
        var read = await (await (await app.ClientFor("tenant")).GetAsync("/v1/streets/1/calendar")).Expect(HttpStatusCode.OK);
        Assert.Equal("2026-10-10", read.GetProperty("workdays")[0].GetString());

        await (await (await app.ClientFor("secretary")).PutJson("/v1/streets/1/calendar", calendar)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await street.PutJson("/v1/streets/2/calendar", calendar)).ExpectProblem(HttpStatusCode.NotFound);
        await (await street.PutJson("/v1/streets/1/calendar", calendar with { timeZone = "Mars/Olympus" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PutJson("/v1/streets/1/calendar", calendar with { workStart = "18:00" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PutJson("/v1/streets/1/calendar", calendar with { workStart = "9am" })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await street.PutJson("/v1/streets/1/calendar", calendar with { workdays = new[] { "2026-10-01" } })).ExpectProblem(HttpStatusCode.BadRequest);
        // Restore the default hours for the other tests of this class.
        await (await street.PutJson("/v1/streets/1/calendar", new { timeZone = "Asia/Shanghai", workStart = "09:00", workEnd = "17:00" })).Expect(HttpStatusCode.OK);
    }
}

/// <summary>The recurring sweep on the real in-process Hangfire server.</summary>
public sealed class EscalationSweepEndToEndTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    [Fact]
    public async Task ACaseMadeDueByTheClockIsEscalatedWhenTheRecurringSweepIsTriggered()
    {
        var caseId = await app.OpenCaseAsync("resident", "water");
        app.Clock.Advance(TimeSpan.FromDays(15));
        ((IRecurringJobManagerV2)app.Service<IRecurringJobManager>()).TriggerJob(RecurringJobSchedule.EscalationSweep);

        var level = await TestClock.PollAsync(async () =>
        {
            await using var connection = app.Connection();
            return await connection.ExecuteScalarAsync<long>("SELECT escalation_level FROM cases WHERE id = @caseId;", new { caseId });
        }, level => level != 0, TimeSpan.FromSeconds(90)); // a loaded 2-core machine has taken more than 30 s to pick the job up
        Assert.Equal(1, level);
    }
}
