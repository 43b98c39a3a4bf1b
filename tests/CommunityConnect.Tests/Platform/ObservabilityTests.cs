using System.Net;
using System.Text.RegularExpressions;
using CommunityConnect.Jobs.Housekeeping;
using CommunityConnect.Tests.Support;
using Hangfire;

namespace CommunityConnect.Tests.Platform;

/// <summary>The metrics endpoint: the node's figures in Prometheus text, for street admins only.</summary>
public sealed class ObservabilityTests(CommunityApp app) : IClassFixture<CommunityApp>
{
    private const string Metrics = "/v1/admin/metrics";

    /// <summary>The value of a counter's series (summed over its labels), 0 when it is absent.</summary>
    private static double Total(string text, string series) =>
        Regex.Matches(text, $@"^{Regex.Escape(series)}(?:\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline)
            .Sum(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task AStreetAdminReadsTheRequestTheWriterAndTheJobMetrics()
    {
        var resident = await app.ClientFor("resident");
        await resident.PostOpinion("suggestion", "sanitation", "楼道的灯可以换成感应灯。");
        var jobId = app.Service<IBackgroundJobClient>().Enqueue<PurgeExpiredIdempotencyRecordsJob>(job => job.RunAsync(CancellationToken.None));
        var monitor = app.Service<JobStorage>().GetMonitoringApi();
        Assert.Equal("Succeeded", await TestClock.PollAsync(
            () => Task.FromResult(monitor.JobDetails(jobId)?.History.FirstOrDefault()?.StateName), state => state is "Succeeded" or "Failed",
            TimeSpan.FromSeconds(60)));

        var response = await (await app.ClientFor("street")).GetAsync(Metrics);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();

        // ASP.NET Core's request duration, by route template (never a raw path with ids in it).
        Assert.Matches(@"http_server_request_duration_seconds_count\{[^}]*http_route=""/v1/communities/\{communityId[^""]*\}/opinions""", text);
        Assert.DoesNotMatch(@"http_route=""[^""]*/communities/1/", text);
        // The writer's meter: the opinion above went through it.
        Assert.True(Total(text, "cc_db_writer_units_total") >= 1, text);
        Assert.True(Total(text, "cc_db_writer_commits_total") >= 1, text);
        Assert.Contains("cc_db_writer_batch_size", text);
        // The job, by its class.
        Assert.Matches(@"cc_jobs_duration_seconds_count\{[^}]*job_type=""PurgeExpiredIdempotencyRecordsJob""[^}]*outcome=""succeeded""", text);
    }

    [Fact]
    public async Task AResidentOrASecretaryIsForbiddenTheMetrics()
    {
        await (await (await app.ClientFor("resident")).GetAsync(Metrics)).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await app.ClientFor("secretary")).GetAsync(Metrics)).ExpectProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnAnonymousCallerMustSignInForTheMetrics()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync(Metrics)).StatusCode);
    }
}
