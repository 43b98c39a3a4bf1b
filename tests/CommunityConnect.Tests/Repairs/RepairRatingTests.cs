using System.Net;
using System.Text.Json;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.Repairs;
using CommunityConnect.Tests.Support;
using Hangfire;
using Hangfire.Storage;
using static CommunityConnect.Tests.Support.RepairTestKit;

namespace CommunityConnect.Tests.Repairs;

/// <summary>Rating once by the reporter, and the job that closes unrated tickets after 7 days.</summary>
public sealed class RepairRatingTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private async Task<long> ResolvedTicket(string reporterHandle = "resident")
    {
        var reporter = await app.ClientFor(reporterHandle);
        var property = await app.ClientFor("property");
        var ticketId = await ReportCommonArea(reporter, "access", "小区东门道闸");
        await Act(property, ticketId, "accept");
        await Act(property, ticketId, "assign", new { technicianId = await CommunityApp.UserIdOf(await app.ClientFor("technician")) });
        await Act(property, ticketId, "start");
        await Act(property, ticketId, "resolve");
        return ticketId;
    }

    [Fact]
    public async Task TheReporterRatesAResolvedTicketOnceAndItCloses()
    {
        var reporter = await app.ClientFor("resident");
        var ticketId = await ResolvedTicket();
        await (await (await app.ClientFor("property")).PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 5, attitude = 5, quality = 5 }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("tenant")).PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 5, attitude = 5, quality = 5 }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 6, attitude = 5, quality = 5 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 0, attitude = 5, quality = 5 })).ExpectProblem(HttpStatusCode.BadRequest);
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { attitude = 5, quality = 5 })).ExpectProblem(HttpStatusCode.BadRequest);

        var rated = await Rate(reporter, ticketId, 3, 4, 5, "师傅态度很好");
        Assert.Equal("closed", StateOf(rated));
        var rating = rated.GetProperty("rating");
        Assert.Equal((3, 4, 5), (rating.GetProperty("timeliness").GetInt32(), rating.GetProperty("attitude").GetInt32(), rating.GetProperty("quality").GetInt32()));
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 1, attitude = 1, quality = 1 })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(3, (await Get(reporter, ticketId)).GetProperty("rating").GetProperty("timeliness").GetInt32());
    }

    [Fact]
    public async Task OnlyAResolvedTicketIsRated()
    {
        var reporter = await app.ClientFor("resident");
        var ticketId = await ReportCommonArea(reporter);
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 5, attitude = 5, quality = 5 })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("submitted", StateOf(await Get(reporter, ticketId)));
    }

    [Fact]
    public async Task UnratedTicketClosesAfterSevenDaysAndTheJobCanRunTwice()
    {
        var reporter = await app.ClientFor("tenant");
        var ticketId = await ResolvedTicket("tenant");
        var job = app.Service<AutoCloseUnratedTicketsJob>();

        app.Clock.Advance(TimeSpan.FromDays(6));
        await job.RunAsync(CancellationToken.None);
        Assert.Equal("resolved", StateOf(await Get(reporter, ticketId)));

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.True(await job.RunAsync(CancellationToken.None) >= 1);
        var closed = await Get(reporter, ticketId);
        Assert.Equal("closed", StateOf(closed));
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("rating").ValueKind);
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));

        var history = await (await reporter.GetAsync($"/v1/repairs/{ticketId}/history")).Expect(HttpStatusCode.OK);
        var autoClose = history.EnumerateArray().Single(h => h.GetProperty("event").GetString() == "auto_close");
        Assert.Equal("系统", autoClose.GetProperty("actor").GetString());
        Assert.Single(history.EnumerateArray(), h => h.GetProperty("toState").GetString() == "closed");
        var @case = await (await reporter.GetAsync($"/v1/cases/{closed.GetProperty("caseId").GetInt64()}")).Expect(HttpStatusCode.OK);
        Assert.Equal("closed", @case.GetProperty("state").GetString());
        // Rating after the automatic close is too late.
        await (await reporter.PostJson($"/v1/repairs/{ticketId}/rating", new { timeliness = 5, attitude = 5, quality = 5 })).ExpectProblem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task TheJobIsScheduledEveryTenMinutesUnderAStableId()
    {
        await app.ClientFor("resident"); // the host is started
        using var connection = app.Service<JobStorage>().GetConnection();
        var job = connection.GetRecurringJobs().Single(j => j.Id == RecurringJobSchedule.AutoCloseUnratedRepairTickets);
        Assert.Equal("repairs-auto-close-unrated", job.Id);
        Assert.Equal("*/10 * * * *", job.Cron);
        Assert.Equal(typeof(AutoCloseUnratedTicketsJob), job.Job.Type);
    }
}
