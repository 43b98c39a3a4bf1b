using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Tests.Support;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace CommunityConnect.Tests.Platform;

/// <summary>
/// With OTLP on (OTEL_EXPORTER_OTLP_ENDPOINT set, to a real receiver on loopback): logs carry the
/// trace id of their request, the exported spans follow a request into the writer and out to WeChat,
/// and nothing in the log, the spans, the exported logs or the exported metrics carries a token, a
/// WeChat secret or session key, or anything that leads to an anonymous author.
/// </summary>
public sealed class TelemetryPrivacyTests(ObservedApp app) : IClassFixture<ObservedApp>
{
    // The demo `resident` (DemoData): 张桂英, 13812341234; the openid is given to her below.
    private const string Name = "张桂英";
    private const string Phone = "13812341234";
    private const string OpenId = "openid-zhang-guiying-3-502";

    private void Flush()
    {
        app.Services.GetRequiredService<TracerProvider>().ForceFlush();
        app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        app.Services.GetRequiredService<LoggerProvider>().ForceFlush();
    }

    private static bool Holds(IEnumerable<byte[]> exports, ReadOnlySpan<byte> value)
    {
        foreach (var export in exports)
        {
            if (export.AsSpan().IndexOf(value) >= 0)
            {
                return true;
            }
        }
        return false;
    }

    [Fact]
    public async Task AnAnonymousComplaintAndALoginLeaveNoTokenAndNoAuthorInLogsOrTelemetry()
    {
        // A WeChat login: the login code, the app secret and WeChat's session key pass through the app; the token is the user's.
        var wechatLogin = await (await app.CreateClient().PostJson("/v1/auth/wechat-login", new { code = "code-observed" })).Expect(HttpStatusCode.OK);
        var wechatUserToken = wechatLogin.GetProperty("token").GetString()!;
        var author = await app.ClientFor("resident");
        var authorToken = author.DefaultRequestHeaders.Authorization!.Parameter!;
        var authorId = await CommunityApp.UserIdOf(author);
        await app.Service<Database>().WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE users SET openid = @OpenId WHERE id = @authorId;", new { OpenId, authorId }, transaction));

        // The anonymous complaint, in a trace the test chooses, then read by the bodies that see it.
        var traceId = ActivityTraceId.CreateRandom();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/communities/1/opinions")
        {
            Content = JsonContent.Create(new { kind = "complaint", category = "property_service", title = "物业不作为", body = "保洁经常不来,投诉了也没人管。", anonymous = true, visibility = "public" }),
        };
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        var opinion = await (await author.SendAsync(request)).Expect(HttpStatusCode.Created);
        foreach (var handle in new[] { "owners", "secretary", "street" })
        {
            await (await (await app.ClientFor(handle)).GetAsync($"/v1/opinions/{opinion.Id()}")).Expect(HttpStatusCode.OK);
        }
        await (await app.ClientFor("owners")).Answer(opinion.Id(), "已要求物业排班表公示。");
        await author.Reply(opinion.Id(), true, "现在好多了");
        // A hall thread passes WeChat's content check, which sends the app's access token.
        await author.PostDiscussion("电梯维修进度", "电梯什么时候修好?");
        Assert.True(app.WeChat.Calls("msg_sec_check") > 0);
        Flush();

        // Logs carry the trace id: the complaint's request logged under the trace the caller chose.
        var logs = app.Logs.Entries.ToList();
        Assert.Contains(logs, e => e.Scopes.Any(s => s.Key == "TraceId" && s.Value?.ToString() == traceId.ToHexString()));
        Assert.Contains(logs, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level == Microsoft.Extensions.Logging.LogLevel.Debug);

        // The exported spans: the request in that trace, its unit of work on the writer, the WeChat calls.
        var spans = app.Collector.Exports.GetValueOrDefault("traces")?.ToList() ?? [];
        var traceBytes = new byte[16];
        traceId.CopyTo(traceBytes);
        Assert.True(Holds(spans, traceBytes), "no exported span is in the complaint's trace");
        var spanText = app.Collector.Text("traces");
        // SQLite's writer commits units in batches, each with its span; PostgreSQL commits each unit alone.
        string[] batch = TestProvider.IsPostgres ? [] : ["db.writer.batch"];
        foreach (var name in new[] { "db.writer.unit", "db.read", "WeChat jscode2session", "WeChat wxa/msg_sec_check", "WeChat cgi-bin/stable_token" }.Concat(batch))
        {
            Assert.Contains(name, spanText);
        }
        Assert.Contains("cc.node.role", spanText);
        Assert.NotEmpty(app.Collector.Text("logs"));
        Assert.NotEmpty(app.Collector.Text("metrics"));

        // What must never be there.
        string sealedAuthor, authorKey;
        await using (var database = app.Connection())
        {
            (sealedAuthor, authorKey) = await database.QuerySingleAsync<(string, string)>(
                "SELECT sealed_author, author_key FROM opinions WHERE id = @id;", new { id = opinion.Id() });
        }
        var secrets = new[]
        {
            wechatUserToken, authorToken, FakeWeChatServer.AppSecret, "secret-session-key", "code-observed",
            sealedAuthor, authorKey, Name, Phone, OpenId,
        };
        var accessToken = new Regex(@"\btoken-\d+\b");
        foreach (var entry in logs)
        {
            var text = entry.AllText;
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"log {entry.Category} carries {secret}: {text}");
            }
            Assert.False(accessToken.IsMatch(text), $"log {entry.Category} carries WeChat's access token: {text}");
        }
        foreach (var signal in new[] { "traces", "logs", "metrics" })
        {
            var exported = app.Collector.Text(signal);
            foreach (var secret in secrets)
            {
                Assert.False(exported.Contains(secret, StringComparison.Ordinal), $"exported {signal} carry {secret}");
            }
            Assert.False(accessToken.IsMatch(exported), $"exported {signal} carry WeChat's access token");
        }
    }
}
