using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CommunityConnect.Api.Infrastructure.Data;
using CommunityConnect.Jobs;
using CommunityConnect.Jobs.ComplaintBox;
using CommunityConnect.Tests.Support;
using Dapper;
using Hangfire;
using Hangfire.Common;
using Microsoft.Data.Sqlite;

namespace CommunityConnect.Tests.ComplaintBox;

/// <summary>
/// Sealed anonymity, end to end: after a full life of anonymous opinions, nothing anyone else can
/// read (responses, the log, job arguments, inbox and idempotency rows) names their author.
/// </summary>
public sealed class AnonymityTests(ComplaintBoxLoggingApp app) : IClassFixture<ComplaintBoxLoggingApp>
{
    // The demo `resident` (DemoData): 张桂英, 13812341234; the openid is given to her below.
    private const string Name = "张桂英";
    private const string Phone = "13812341234";
    private const string MaskedPhone = "138****1234";
    private const string OpenId = "openid-zhang-guiying-3-502";

    private long _authorId;

    private void AssertNoAuthorText(string text, string where)
    {
        foreach (var secret in new[] { Name, Phone, MaskedPhone, OpenId })
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} contains {secret}: {text}");
        }
    }

    /// <summary>No author/user field anywhere in the JSON holds the author's id.</summary>
    private void AssertNoAuthorJson(JsonElement element, string where)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var named = property.Name.Contains("author", StringComparison.OrdinalIgnoreCase) || property.Name.Contains("user", StringComparison.OrdinalIgnoreCase);
                    Assert.False(named && property.Value.ValueKind == JsonValueKind.Number && property.Value.GetInt64() == _authorId,
                        $"{where}: {property.Name} is the author's id");
                    AssertNoAuthorJson(property.Value, where);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    AssertNoAuthorJson(item, where);
                }
                break;
        }
    }

    private readonly List<(string Where, string Text)> _seen = [];

    /// <summary>Reads a response as <paramref name="handle"/> and keeps it for the checks.</summary>
    private async Task<string> Read(string handle, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        _seen.Add(($"{handle} {response.RequestMessage!.Method} {response.RequestMessage.RequestUri}", text));
        return text;
    }

    private async Task<JsonElement> Get(string handle, string url)
    {
        var text = await Read(handle, await (await app.ClientFor(handle)).GetAsync(url));
        return string.IsNullOrEmpty(text) ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<JsonElement> Post(string handle, string url, object body, HttpStatusCode expected)
    {
        var response = await (await app.ClientFor(handle)).PostJson(url, body);
        Assert.Equal(expected, response.StatusCode);
        return JsonDocument.Parse(await Read(handle, response)).RootElement.Clone();
    }

    private async Task<JsonElement> PostAsAuthor(object body, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/communities/1/opinions") { Content = JsonContent.Create(body), Headers = { { "Idempotency-Key", key } } };
        var response = await (await app.ClientFor("resident")).SendAsync(request);
        return await response.Expect(HttpStatusCode.Created);
    }

    [Fact]
    public async Task NothingAnyoneElseReadsNamesAnAnonymousAuthorAndTheAuthorStillFollowsTheirOpinions()
    {
        var author = await app.ClientFor("resident");
        _authorId = await CommunityApp.UserIdOf(author);
        await app.Service<Database>().WriteAsync((connection, transaction) =>
            connection.ExecuteAsync("UPDATE users SET openid = @OpenId WHERE id = @_authorId;", new { OpenId, _authorId }, transaction));

        // The life of three anonymous opinions.
        var complaint = await PostAsAuthor(new { kind = "complaint", category = "property_service", title = "物业不作为", body = "保洁经常不来,投诉了也没人管。", anonymous = true, visibility = "public" }, "anon-complaint");
        var question = await PostAsAuthor(new { kind = "question", category = "funds", body = "去年公共收益用在哪里了?", anonymous = true, visibility = "private" }, "anon-question");
        var praise = await PostAsAuthor(new { kind = "praise", category = "sanitation", body = "新来的保洁阿姨很负责。", anonymous = true, visibility = "public", toBody = "property" }, "anon-praise");
        var complaintCase = complaint.GetProperty("caseId").GetInt64();
        var questionCase = question.GetProperty("caseId").GetInt64();
        var ids = new[] { complaint.Id(), question.Id(), praise.Id() };

        await (await (await app.ClientFor("tenant")).PutAsync($"/v1/opinions/{complaint.Id()}/agree", null)).Expect(HttpStatusCode.NoContent);
        await Post("owners", $"/v1/opinions/{complaint.Id()}/responses", new { body = "已要求物业排班表公示。", visibility = "public" }, HttpStatusCode.Created);
        await author.Reply(complaint.Id(), false, "排班表公示了,人还是不来");
        await Post("owners", $"/v1/opinions/{complaint.Id()}/responses", new { body = "已约谈物业经理,保洁每日打卡。", visibility = "public" }, HttpStatusCode.Created);
        await author.Reply(complaint.Id(), true, "现在好多了");
        await Post("owners", $"/v1/cases/{questionCase}/transfer", new { toBody = "residents_committee", reason = "公共收益台账在居委会备案" }, HttpStatusCode.OK);
        await Post("residents", $"/v1/opinions/{question.Id()}/responses", new { body = "台账可在居委会查阅。", visibility = "private" }, HttpStatusCode.Created);
        await Post("owners", $"/v1/cases/{questionCase}/responses", new { body = "业委会也可提供收支明细。" }, HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromDays(8));
        Assert.Equal(1, await app.Service<AutoCloseAnsweredOpinionsJob>().RunAsync(CancellationToken.None)); // the question
        Assert.Equal(0, await app.Service<AutoCloseAnsweredOpinionsJob>().RunAsync(CancellationToken.None));
        // And once through Hangfire, so its job storage holds a real run to inspect below.
        app.Service<IRecurringJobManager>().Trigger(RecurringJobSchedule.AutoCloseAnsweredOpinions);

        // Every opinion- and case-related read, as staff, another resident and the street admin.
        foreach (var handle in new[] { "owners", "residents", "property", "technician", "secretary", "tenant", "street" })
        {
            foreach (var id in ids)
            {
                await Get(handle, $"/v1/opinions/{id}");
            }
            foreach (var caseId in new[] { complaintCase, questionCase })
            {
                await Get(handle, $"/v1/cases/{caseId}");
            }
            foreach (var query in new[] { "", "?sort=agreed", "?kind=complaint", "?state=closed", "?category=funds" })
            {
                await Get(handle, $"/v1/communities/1/opinions{query}");
            }
            await Get(handle, "/v1/communities/1/cases?limit=100");
            await Get(handle, "/v1/communities/1/opinions/trends");
            await Get(handle, "/v1/communities/1/audit");
            await Get(handle, "/v1/me/inbox?limit=100");
        }
        Assert.True(_seen.Count > 100);
        foreach (var (where, text) in _seen)
        {
            AssertNoAuthorText(text, where);
            if (!string.IsNullOrEmpty(text))
            {
                AssertNoAuthorJson(JsonDocument.Parse(text).RootElement, where);
            }
        }
        var seenByOwners = await Get("owners", $"/v1/opinions/{complaint.Id()}");
        Assert.Equal("匿名居民", seenByOwners.Text("author"));
        Assert.Equal(JsonValueKind.Null, seenByOwners.GetProperty("authorId").ValueKind);
        Assert.All((await Get("secretary", $"/v1/cases/{complaintCase}")).GetProperty("history").EnumerateArray()
            .Where(h => h.Text("event") is "created" or "reopened" or "closed"), h => Assert.Equal("匿名居民", h.Text("actor")));

        // The whole log of the test host.
        var logs = app.Logs.Entries.ToList();
        // Request-level Debug entries too, not only the app's own Information ones.
        Assert.Contains(logs, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && e.Level == Microsoft.Extensions.Logging.LogLevel.Debug);
        var idInAuthorField = new Regex($@"(author|user)\w*\W{{0,3}}[:=]\W{{0,3}}{_authorId}\b", RegexOptions.IgnoreCase);
        foreach (var entry in logs)
        {
            var text = $"{entry.Message} {string.Join(" ", entry.Values.Select(v => $"{v.Key}={v.Value}"))} {entry.Exception}";
            AssertNoAuthorText(text, $"log {entry.Category}");
            Assert.False(idInAuthorField.IsMatch(text), $"log {entry.Category}: {text}");
        }

        // Hangfire job arguments: recurring jobs and every job in any state.
        var storage = app.Service<JobStorage>();
        var monitor = storage.GetMonitoringApi();
        var jobs = new List<Job?>();
        using (var connection = storage.GetConnection())
        {
            jobs.AddRange(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection).Select(r => r.Job));
        }
        jobs.AddRange(monitor.EnqueuedJobs("default", 0, 1000).Select(j => j.Value.Job));
        jobs.AddRange(monitor.ProcessingJobs(0, 1000).Select(j => j.Value.Job));
        jobs.AddRange(monitor.SucceededJobs(0, 1000).Select(j => j.Value.Job));
        jobs.AddRange(monitor.ScheduledJobs(0, 1000).Select(j => j.Value.Job));
        jobs.AddRange(monitor.FailedJobs(0, 1000).Select(j => j.Value.Job));
        Assert.Contains(jobs, j => j?.Type == typeof(AutoCloseAnsweredOpinionsJob));
        foreach (var arg in jobs.OfType<Job>().SelectMany(j => j.Args))
        {
            Assert.False(arg is long or int && Convert.ToInt64(arg) == _authorId, "a job argument is the author's id");
            AssertNoAuthorText(arg?.ToString() ?? "", "job argument");
        }

        // Rows the author's own lookups use: hashed, never the author.
        await using var database = app.Connection();
        foreach (var row in await database.QueryAsync("SELECT * FROM notifications;"))
        {
            AssertNoAuthorText(string.Join("|", ((IDictionary<string, object?>)row).Values), "notification row");
        }
        foreach (var row in await database.QueryAsync<(string KeyHash, string Body, string? Location)>("SELECT key_hash, body, location FROM idempotency_records;"))
        {
            AssertNoAuthorText($"{row.KeyHash} {row.Body} {row.Location}", "idempotency row");
            AssertNoAuthorJson(JsonDocument.Parse(row.Body).RootElement, "idempotency row");
        }
        Assert.Equal(3, await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_records;"));
        foreach (var row in await database.QueryAsync<(long? AuthorId, string SealedAuthor, string AuthorKey)>(
            "SELECT author_id, sealed_author, author_key FROM opinions WHERE id IN @ids;", new { ids }))
        {
            Assert.Null(row.AuthorId);
            Assert.StartsWith("v1.", row.SealedAuthor);
            AssertNoAuthorText(row.SealedAuthor + row.AuthorKey, "opinion row");
            Assert.DoesNotContain(_authorId.ToString(), row.AuthorKey.Split('-', '_'));
        }
        Assert.Equal(0, await database.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM case_history WHERE case_id IN @cases AND actor_id = @_authorId;", new { cases = new[] { complaintCase, questionCase }, _authorId }));

        // The author still follows them: /v1/me/opinions and the answers in the inbox (never mirrored to WeChat).
        var mine = await author.GetJson("/v1/me/opinions");
        Assert.Equal(ids.OrderDescending(), mine.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.All(mine.GetProperty("items").EnumerateArray(), o => Assert.True(o.GetProperty("mine").GetBoolean()));
        Assert.True((await author.GetJson($"/v1/opinions/{question.Id()}")).GetProperty("mine").GetBoolean());
        var inbox = (await author.GetJson("/v1/me/inbox?limit=100")).GetProperty("items").EnumerateArray().ToList();
        var answered = inbox.Where(n => n.Text("kind") == "opinion_answered").ToList();
        // Three answers on the opinions, and the owners' committee's answer on the question's case, which is the question's answer too.
        Assert.Equal(4, answered.Count);
        Assert.Contains(answered, n => n.GetProperty("itemId").GetInt64() == question.Id() && n.Text("body") == "台账可在居委会查阅。");
        Assert.Contains(answered, n => n.GetProperty("itemId").GetInt64() == question.Id() && n.Text("body") == "业委会也可提供收支明细。");
        Assert.Equal(0, await database.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_messages WHERE user_id = @_authorId;", new { _authorId }));
    }
}
