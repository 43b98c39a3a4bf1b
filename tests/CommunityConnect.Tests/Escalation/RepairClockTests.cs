using System.Net;
using System.Text.Json;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Escalation;

/// <summary>The repair state machine drives the case's clocks through the api.</summary>
public sealed class RepairClockTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<JsonElement> CaseOf(long caseId) =>
        await (await (await app.ClientFor("property")).GetAsync($"/v1/cases/{caseId}")).Expect(HttpStatusCode.OK);

    [Fact]
    public async Task PausingARepairStopsItsResolutionClockAndResumingMovesItsDueTime()
    {
        var resident = await app.ClientFor("resident");
        var property = await app.ClientFor("property");
        var ticket = await RepairTestKit.Report(resident, new { category = "water", description = "厨房水管漏水", unitId = await RepairTestKit.UnitOf(resident) });
        var ticketId = ticket.GetProperty("id").GetInt64();
        var caseId = ticket.GetProperty("caseId").GetInt64();

        await RepairTestKit.Act(property, ticketId, "accept");
        var technicianId = await CommunityApp.UserIdOf(await app.ClientFor("technician"));
        await RepairTestKit.Act(property, ticketId, "assign", new { technicianId });
        await RepairTestKit.Act(property, ticketId, "start");
        var accepted = await CaseOf(caseId);
        var resolveDue = accepted.GetProperty("resolveDue").GetDateTimeOffset();
        Assert.Equal(resolveDue, accepted.GetProperty("nextEscalationAt").GetDateTimeOffset());

        var pausedAt = app.Clock.GetUtcNow();
        await RepairTestKit.Act(property, ticketId, "pause", new { reason = "等待配件到货" });
        Assert.Equal(JsonValueKind.Null, (await CaseOf(caseId)).GetProperty("nextEscalationAt").ValueKind);

        app.Clock.Advance(TimeSpan.FromDays(9));
        await app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None);
        Assert.Equal(0, (await CaseOf(caseId)).GetProperty("escalationLevel").GetInt32());

        var resumedAt = app.Clock.GetUtcNow();
        await RepairTestKit.Act(property, ticketId, "resume");
        var calendar = WorkingCalendar.ShanghaiDefault;
        var expected = calendar.AddWorkingMinutes(resolveDue, calendar.WorkingMinutesBetween(pausedAt, resumedAt));
        var resumed = await CaseOf(caseId);
        Assert.Equal(expected, resumed.GetProperty("resolveDue").GetDateTimeOffset());
        Assert.Equal(expected, resumed.GetProperty("nextEscalationAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AnUnacceptedRepairClimbsToTheOwnersCommittee()
    {
        var resident = await app.ClientFor("resident");
        var ticket = await RepairTestKit.Report(resident, new { category = "elevator", description = "电梯按钮失灵", commonArea = "3号楼电梯", buildingId = 3 });
        app.Clock.Advance(TimeSpan.FromDays(15));
        await app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None);
        var escalated = await (await (await app.ClientFor("owners")).GetAsync($"/v1/cases/{ticket.GetProperty("caseId").GetInt64()}")).Expect(HttpStatusCode.OK);
        Assert.Equal("owners_committee", escalated.GetProperty("responsibleBody").GetString());
        // The property company missed the clock but still sees the case and can still accept the ticket.
        await RepairTestKit.Act(await app.ClientFor("property"), ticket.GetProperty("id").GetInt64(), "accept");
    }
}
