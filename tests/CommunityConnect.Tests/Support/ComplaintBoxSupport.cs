using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CommunityConnect.Tests.Support;

/// <summary>The api with every log entry captured (see <see cref="CapturingLoggerProvider"/>).</summary>
public sealed class ComplaintBoxLoggingApp : CommunityApp
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureMore(IWebHostBuilder builder) =>
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(Logs);
            // Rules for this provider beat the app's (Microsoft.AspNetCore: Warning): it sees everything from Debug up.
            logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
            logging.SetMinimumLevel(LogLevel.Debug);
        });
}

/// <summary>Posting and reading opinions in tests.</summary>
public static class ComplaintBoxRequests
{
    public static async Task<JsonElement> PostOpinion(this HttpClient client, string kind, string category, string body,
        bool anonymous = false, string visibility = "public", string? title = null, string? toBody = null, long communityId = 1)
    {
        var response = await client.PostJson($"/v1/communities/{communityId}/opinions",
            new { kind, category, title, body, anonymous, visibility, toBody });
        return await response.Expect(HttpStatusCode.Created);
    }

    public static async Task<JsonElement> Answer(this HttpClient client, long opinionId, string body, string visibility = "public") =>
        await (await client.PostJson($"/v1/opinions/{opinionId}/responses", new { body, visibility })).Expect(HttpStatusCode.Created);

    public static async Task<JsonElement> Reply(this HttpClient client, long opinionId, bool satisfied, string? comment = null) =>
        await (await client.PostJson($"/v1/opinions/{opinionId}/satisfaction", new { satisfied, comment })).Expect(HttpStatusCode.OK);

}
