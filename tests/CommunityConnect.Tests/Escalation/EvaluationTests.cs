using System.Net;
using System.Text.Json;
using CommunityConnect.Api.Features.Cases;
using CommunityConnect.Jobs.Escalation;
using CommunityConnect.Tests.Support;

namespace CommunityConnect.Tests.Escalation;

/// <summary>Evaluation figures on a known set of cases, computed by hand in the comments.</summary>
public sealed class EvaluationTests : IAsyncLifetime
{
    // A Tuesday 10:00 in Shanghai early in a quarter (derived from the test clock's start, never today):
    // inside working hours, and two days later still inside the same quarter.
    private static readonly DateTimeOffset T0 = TestClock.TuesdayEarlyInNextQuarter();
    private static readonly string Quarter = Api.Features.Escalation.Period.Current(T0);
    private static readonly string QuarterBefore = Api.Features.Escalation.Period.Current(T0.AddMonths(-3));

    private readonly CommunityApp _app = CommunityApp.StartingAt(T0);

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    private static JsonElement Body(JsonElement evaluation, string body) =>
        evaluation.GetProperty("bodies").EnumerateArray().Single(b => b.GetProperty("body").GetString() == body);

    [Fact]
    public async Task FiguresAndStarsMatchAKnownSet()
    {
        await _app.ClientFor("resident");
        var a = await _app.OpenCaseAsync("resident", "water");     // property: answered after 60 min, resolved after 120
        var b = await _app.OpenCaseAsync("resident", "electric");  // property: never answered, escalates
        var c = await _app.OpenCaseAsync("resident", "funds");     // owners' committee: answered after 180 min, not resolved

        _app.Clock.SetUtcNow(T0.AddMinutes(60));
        await _app.RecordAsync(a, ItemEvent.FirstAnswer);
        _app.Clock.SetUtcNow(T0.AddMinutes(120));
        await _app.RecordAsync(a, ItemEvent.Resolved);
        _app.Clock.SetUtcNow(T0.AddMinutes(180));
        await _app.RecordAsync(c, ItemEvent.FirstAnswer);
        // Thursday: b's first response (due Wednesday 10:00) is late; c's resolution is due the next week.
        _app.Clock.SetUtcNow(T0.AddDays(2));
        Assert.Equal(1, await _app.Service<EscalationSweepJob>().RunAsync(CancellationToken.None));

        var owners = await _app.ClientFor("owners");
        var evaluation = await (await owners.GetAsync($"/v1/communities/1/evaluation?period={Quarter}")).Expect(HttpStatusCode.OK);
        Assert.Equal(Quarter, evaluation.GetProperty("period").GetString());

        var property = Body(evaluation, "property");
        Assert.Equal(2, property.GetProperty("casesReceived").GetInt32());
        Assert.Equal(0.5, property.GetProperty("answeredInTimeRate").GetDouble());
        Assert.Equal(0.5, property.GetProperty("resolvedInTimeRate").GetDouble());
        Assert.Equal(1, property.GetProperty("escalationsSuffered").GetInt32());
        Assert.Equal(60, property.GetProperty("medianMinutesToFirstResponse").GetDouble());
        Assert.Equal(120, property.GetProperty("medianMinutesToResolve").GetDouble());
        // (0.3 × 0.5 + 0.3 × 0.5 + 0.2 × (1 − 1/2)) ÷ 0.8 = 0.5 → 1 + round(2) = 3 stars.
        Assert.Equal(3, property.GetProperty("stars").GetInt32());

        var committee = Body(evaluation, "owners_committee");
        Assert.Equal(1, committee.GetProperty("casesReceived").GetInt32());
        Assert.Equal(1.0, committee.GetProperty("answeredInTimeRate").GetDouble());
        Assert.Equal(0.0, committee.GetProperty("resolvedInTimeRate").GetDouble());
        Assert.Equal(0, committee.GetProperty("escalationsSuffered").GetInt32());
        Assert.Equal(180, committee.GetProperty("medianMinutesToFirstResponse").GetDouble());
        Assert.Equal(JsonValueKind.Null, committee.GetProperty("medianMinutesToResolve").ValueKind);
        // (0.3 × 1 + 0.3 × 0 + 0.2 × 1) ÷ 0.8 = 0.625 → 1 + round(2.5) = 4 stars.
        Assert.Equal(4, committee.GetProperty("stars").GetInt32());

        var residents = Body(evaluation, "residents_committee");
        Assert.Equal(0, residents.GetProperty("casesReceived").GetInt32());
        Assert.Equal(JsonValueKind.Null, residents.GetProperty("stars").ValueKind);

        // Another quarter has none of them.
        var before = await (await owners.GetAsync($"/v1/communities/1/evaluation?period={QuarterBefore}")).Expect(HttpStatusCode.OK);
        Assert.Equal(0, Body(before, "property").GetProperty("casesReceived").GetInt32());
    }

    [Fact]
    public async Task RepairRatingsAreThePropertyCompanysSatisfaction()
    {
        var resident = await _app.ClientFor("resident");
        var property = await _app.ClientFor("property");
        var technicianId = await CommunityApp.UserIdOf(await _app.ClientFor("technician"));
        foreach (var (stars, area) in new[] { (5, "1号楼楼道"), (3, "2号楼楼道") })
        {
            var ticket = await RepairTestKit.Report(resident, new { category = "electric", description = "楼道灯不亮", commonArea = area, buildingId = 1 });
            var id = ticket.GetProperty("id").GetInt64();
            await RepairTestKit.Act(property, id, "accept");
            await RepairTestKit.Act(property, id, "assign", new { technicianId });
            await RepairTestKit.Act(property, id, "start");
            await RepairTestKit.Act(property, id, "resolve");
            await RepairTestKit.Rate(resident, id, stars, stars, stars);
        }
        var period = Api.Features.Escalation.Period.Current(_app.Clock.GetUtcNow());
        var evaluation = await (await resident.GetAsync($"/v1/communities/1/evaluation?period={period}")).Expect(HttpStatusCode.OK);
        var company = Body(evaluation, "property");
        // 5 stars score 1, 3 stars score 0.5: (1 + 0.5) ÷ 2.
        Assert.Equal(0.75, company.GetProperty("satisfaction").GetDouble());
        Assert.Equal(2, company.GetProperty("satisfactionReplies").GetInt32());
    }

    [Fact]
    public async Task OpinionSatisfactionRepliesAreTheCommitteesSatisfaction()
    {
        var resident = await _app.ClientFor("resident");
        var owners = await _app.ClientFor("owners");
        foreach (var satisfied in new[] { true, false })
        {
            var opinion = await resident.PostOpinion("complaint", "funds", "公共收益的账目什么时候公布?");
            await owners.Answer(opinion.Id(), "本季度账目已在公告栏公示。");
            await resident.Reply(opinion.Id(), satisfied);
        }
        var period = Api.Features.Escalation.Period.Current(_app.Clock.GetUtcNow());
        var evaluation = await (await resident.GetAsync($"/v1/communities/1/evaluation?period={period}")).Expect(HttpStatusCode.OK);
        var committee = Body(evaluation, "owners_committee");
        Assert.Equal(0.5, committee.GetProperty("satisfaction").GetDouble());
        Assert.Equal(2, committee.GetProperty("satisfactionReplies").GetInt32());
    }

    [Fact]
    public async Task TheStreetSeesItsCommunitiesSideBySide()
    {
        var street = await _app.ClientFor("street");
        var both = await (await street.GetAsync($"/v1/streets/1/evaluation?period={Quarter}")).Expect(HttpStatusCode.OK);
        Assert.Equal(new long[] { 1, 2 }, both.EnumerateArray().Select(c => c.GetProperty("communityId").GetInt64()));
        await (await (await _app.ClientFor("secretary")).GetAsync($"/v1/streets/1/evaluation?period={Quarter}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ABadPeriodOrAnotherCommunityIsRefused()
    {
        var owners = await _app.ClientFor("owners");
        await (await owners.GetAsync("/v1/communities/1/evaluation?period=2026-Q5")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await owners.GetAsync("/v1/communities/1/evaluation?period=Q4")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await owners.GetAsync($"/v1/communities/2/evaluation?period={Quarter}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await _app.ClientFor("street")).GetAsync($"/v1/communities/2/evaluation?period={Quarter}")).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(0, 1.0, 1.0, 0, null, null)]
    [InlineData(4, 1.0, 1.0, 0, 1.0, 5)]
    [InlineData(4, 0.0, 0.0, 8, 0.0, 1)]
    [InlineData(4, 1.0, 0.5, 1, null, 4)]
    public void StarsFollowTheWrittenFormula(int received, double answered, double resolved, int escalations, double? satisfaction, int? stars) =>
        Assert.Equal(stars, Api.Features.Escalation.EvaluationStore.Stars(received, answered, resolved, escalations, satisfaction));
}
